"""Record identifiers: ULIDs, so ids sort by creation time (useful as sort-key suffixes)."""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from datetime import datetime

# Ids go into DynamoDB keys, which hold at most 1024 bytes (sort) or 2048 (partition): an id
# of a request is bounded far below, so an absurd one is a 400 naming it, never a refused query.
# No id this API hands out comes near (ULIDs, the PBX's call ids).
MAX_ID_LENGTH = 128


def new_id() -> str:
    """A new 26-character, time-ordered, URL-safe id."""
    from ulid import ULID  # paid by the first id made, not by a cold start that makes none

    return str(ULID())


def derived_id(at: datetime, key: str) -> str:
    """A ULID for `at` whose random part comes from `key`: the same inputs give the same id.

    For records made from outside events that may be delivered twice (a call's feed entry):
    writing under a derived id makes the second delivery a rewrite, not a duplicate.
    """
    from ulid import ULID

    millis = int(at.timestamp() * 1000).to_bytes(6, "big")
    return str(ULID.from_bytes(millis + hashlib.sha256(key.encode()).digest()[:10]))
