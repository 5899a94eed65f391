"""What the storage port gives services at run time: the opaque write, the transaction limit, the
feeds' owners. The repository Protocols themselves (`ports/storage.py`) are for the type checker
only, so no Lambda pays for creating them at its cold start.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any, TypeAlias

# Made by one repository, applied inside another's transaction; services never look into one.
Write: TypeAlias = Any

# The most writes one transaction applies (DynamoDB's limit): callers split longer lists.
MAX_TRANSACTION_ITEMS = 100


class FeedOwner(StrEnum):
    """Whose feed an entry goes to."""

    CONTACT = "contact"
    DEAL = "deal"
