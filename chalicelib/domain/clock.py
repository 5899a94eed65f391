"""Time helpers: everything is stored and compared in UTC."""

from __future__ import annotations

from datetime import UTC, datetime


def utcnow() -> datetime:
    return datetime.now(UTC)


def isoformat_z(moment: datetime) -> str:
    """ISO 8601 in UTC with a `Z`, millisecond precision (the API's time format)."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def parse_utc(text: str) -> datetime:
    """The moment `isoformat_z` wrote (Python 3.11 reads the `Z` itself)."""
    return datetime.fromisoformat(text).astimezone(UTC)
