"""Record identifiers: ULIDs, so ids sort by creation time (useful as sort-key suffixes)."""

from __future__ import annotations

from ulid import ULID


def new_id() -> str:
    """A new 26-character, time-ordered, URL-safe id."""
    return str(ULID())
