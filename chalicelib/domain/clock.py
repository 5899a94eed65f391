"""Time helpers: everything is stored and compared in UTC."""

from __future__ import annotations

from datetime import UTC, date, datetime

# The dates and times the API accepts (a task, a calendar day, a filter, a PBX event's start):
# any real one fits, and arithmetic near them (a day added, a time zone applied) cannot leave
# what Python's datetime holds (years 1 to 9999).
EARLIEST_YEAR = 1900
LATEST_YEAR = 2200


def plausible(moment: date) -> bool:
    """Whether a date or time lies in the years the API accepts; an aware time as it is stored,
    in UTC (`1900-01-01T00:00:00+01:00` is 1899 there). Years 1 and 9999 are refused before any
    conversion, which could overflow near them."""
    if not EARLIEST_YEAR <= moment.year <= LATEST_YEAR:
        return False
    if isinstance(moment, datetime) and moment.utcoffset() is not None:
        return EARLIEST_YEAR <= moment.astimezone(UTC).year <= LATEST_YEAR
    return True


def utcnow() -> datetime:
    return datetime.now(UTC)


def isoformat_z(moment: datetime) -> str:
    """ISO 8601 in UTC with a `Z`, millisecond precision (the API's time format)."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def parse_utc(text: str) -> datetime:
    """The moment `isoformat_z` wrote (Python 3.11 reads the `Z` itself)."""
    return datetime.fromisoformat(text).astimezone(UTC)
