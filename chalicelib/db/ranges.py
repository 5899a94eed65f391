"""Key ranges over sort keys that start with an ISO time (`<time>#<id>`)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from chalicelib.domain.clock import isoformat_z

if TYPE_CHECKING:
    from pynamodb.expressions.condition import Condition


def time_range(attribute: Any, start: datetime | None, end: datetime | None) -> Condition | None:
    """Items whose key's time is in [start, end): "<start>" sorts before every key starting at
    `start`, and "<end>" before every key starting at `end`, so `between` gives exactly that."""
    low = isoformat_z(start) if start else None
    high = isoformat_z(end) if end else None
    if low and high:
        return attribute.between(low, high)
    if low:
        return attribute >= low
    if high:
        return attribute < high
    return None
