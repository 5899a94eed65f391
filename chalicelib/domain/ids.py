"""Record identifiers: ULIDs, so ids sort by creation time (useful as sort-key suffixes)."""

from __future__ import annotations

import hashlib
from datetime import datetime

from ulid import ULID


def new_id() -> str:
    """A new 26-character, time-ordered, URL-safe id."""
    return str(ULID())


def derived_id(at: datetime, key: str) -> str:
    """A ULID for `at` whose random part comes from `key`: the same inputs give the same id.

    For records made from outside events that may be delivered twice (a call's feed entry):
    writing under a derived id makes the second delivery a rewrite, not a duplicate.
    """
    millis = int(at.timestamp() * 1000).to_bytes(6, "big")
    return str(ULID.from_bytes(millis + hashlib.sha256(key.encode()).digest()[:10]))
