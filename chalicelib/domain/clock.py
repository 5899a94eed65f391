"""Time helpers: everything is stored and compared in UTC."""

from __future__ import annotations

from datetime import UTC, date, datetime

# The dates and times the API accepts (a task, a calendar day, a filter, a PBX event's start):
# any real one fits, and arithmetic near them (a day added, a time zone applied) cannot leave
# what Python's datetime holds (years 1 to 9999).
EARLIEST_YEAR = 1900
LATEST_YEAR = 2200


def plausible(moment: date) -> bool:
    """Whether a date or time lies in the years the API accepts."""
    return EARLIEST_YEAR <= moment.year <= LATEST_YEAR


def utcnow() -> datetime:
    return datetime.now(UTC)


def isoformat_z(moment: datetime) -> str:
    """ISO 8601 in UTC with a `Z`, millisecond precision (the API's time format)."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def parse_utc(text: str) -> datetime:
    """The moment `isoformat_z` wrote (Python 3.11 reads the `Z` itself)."""
    return datetime.fromisoformat(text).astimezone(UTC)
