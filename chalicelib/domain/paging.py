"""A page of a list and the bounds of a page's size: what routes, services and repositories share.

Plain Python so that the API layer can name a page without importing the storage layer; the
cursor's encoding and checks stay in `chalicelib.db.pagination`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Generic, TypeVar

from chalicelib.domain.records import record

T = TypeVar("T")

DEFAULT_LIMIT = 25
MAX_LIMIT = 100


@record(frozen=True, slots=True)
class Page(Generic[T]):
    """One page of a list, and the cursor of the next one (None: the last page)."""

    items: Sequence[T]
    next_cursor: str | None
