"""Analytics reports and dashboard figures from rollup cells (SPEC AN-1..7, DB-1..7): pure assembly.

The services read the cells (`domain/metrics.py` names them) and hand them here: periods and
their validation, interval buckets (a week starts on the caller's week start, a month on the
1st; a bucket is named by its first day), sums over days or quarter-hours, conversion, average
deal duration, the unsorted pool's size over time, and money in the base currency's minor
units as the API's decimal string. Nothing here reads storage or the clock.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from chalicelib.domain.errors import ValidationError
from chalicelib.domain.money import from_minor

DEFAULT_DAYS = 30  # a report without `from`/`to`: the last 30 days, today included
MAX_DAYS = 3 * 366  # about three years: the longest report (O(days) reads)
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")

Cells = Mapping[str, int]  # metric -> value of one period


class Interval(StrEnum):
    DAY = "day"
    WEEK = "week"
    MONTH = "month"


class Report(StrEnum):
    DEALS = "deals"
    CALLS = "calls"
    SOURCES = "sources"
    LEADS = "leads"
    CLIENTS = "clients"
    TASKS = "tasks"
    TEAM = "team"


@dataclass(frozen=True, slots=True)
class Period:
    """`first`..`last` inclusive (days of the company's time zone), cut into `interval` buckets."""

    first: date
    last: date
    interval: Interval = Interval.DAY
    week_start: str = "monday"

    def buckets(self) -> list[date]:
        """The first day of each bucket touching the period, in order (the first may lie before
        `first`: a week or month is named by its own first day)."""
        starts: list[date] = []
        day = bucket_start(self.first, self.interval, self.week_start)
        while day <= self.last:
            starts.append(day)
            day = next_bucket(day, self.interval)
        return starts


def resolve_period(first: date | None, last: date | None, today: date) -> tuple[date, date]:
    """The period asked: `to` defaults to today, `from` to 29 days before `to` (30 days in all).
    `from` after `to` is a 400 naming `to` (`from` when `to` was not given: it is the one
    wrong); more than MAX_DAYS days is a 400 naming `to`."""
    last_given = last is not None
    last = last if last is not None else today
    if first is None:
        first = last - timedelta(days=DEFAULT_DAYS - 1)
    if first > last:
        field = "to" if last_given else "from"
        raise ValidationError("from is after to", field=field)
    if (last - first).days + 1 > MAX_DAYS:
        raise ValidationError(f"a report covers at most {MAX_DAYS} days", field="to")
    return first, last


def bucket_start(day: date, interval: Interval, week_start: str = "monday") -> date:
    if interval is Interval.DAY:
        return day
    if interval is Interval.WEEK:
        return day - timedelta(days=(day.weekday() - WEEKDAYS.index(week_start)) % 7)
    return day.replace(day=1)


def next_bucket(start: date, interval: Interval) -> date:
    if interval is Interval.DAY:
        return start + timedelta(days=1)
    if interval is Interval.WEEK:
        return start + timedelta(days=7)
    return (start.replace(day=1) + timedelta(days=32)).replace(day=1)


def total(days: Mapping[date, Cells] | Iterable[Cells], *names: str) -> dict[str, int]:
    """The sums of these metrics over every period given (absent cells count 0)."""
    periods = days.values() if isinstance(days, Mapping) else days
    sums = dict.fromkeys(names, 0)
    for cells in periods:
        for name in names:
            sums[name] += cells.get(name, 0)
    return sums


def total_all(days: Mapping[date, Cells]) -> Counter[str]:
    """Every metric summed over the days."""
    sums: Counter[str] = Counter()
    for cells in days.values():
        sums.update(cells)
    return sums


def series(period: Period, days: Mapping[date, Cells], *names: str) -> list[tuple[date, dict[str, int]]]:
    """Per bucket (its first day), the sums of these metrics over the bucket's days within the
    period; empty buckets are there with zeros."""
    starts = period.buckets()
    sums = {start: dict.fromkeys(names, 0) for start in starts}
    for day, cells in days.items():
        if not period.first <= day <= period.last:
            continue
        bucket = sums[bucket_start(day, period.interval, period.week_start)]
        for name in names:
            bucket[name] += cells.get(name, 0)
    return [(start, sums[start]) for start in starts]


def pool_series(period: Period, pool_now: int, deltas: Mapping[date, Cells], pool_delta: str) -> list[int]:
    """The unsorted pool's size at the end of each bucket's last day within the period: the size
    now less what entered (plus what left) on the days after it. `deltas` must hold every day
    from the period's first day up to today (days after today hold nothing yet)."""
    sizes: list[int] = []
    for start in period.buckets():
        end = min(next_bucket(start, period.interval) - timedelta(days=1), period.last)
        later = sum(cells.get(pool_delta, 0) for day, cells in deltas.items() if day > end)
        sizes.append(pool_now - later)
    return sizes


def conversion(won: int, canceled: int) -> float:
    """Won / closed (won + canceled), 0..1; 0 when no deal was closed."""
    closed = won + canceled
    return won / closed if closed > 0 else 0.0


def avg_duration_days(won_duration_s: int, won: int) -> float | None:
    """The mean time from creation to won, in days (not rounded); None when no deal was won."""
    return won_duration_s / won / 86400 if won > 0 else None


def money(minor: int, currency: str) -> str:
    """Minor units of `currency` as the API's decimal string (EUR 123450 -> "1234.50")."""
    return f"{from_minor(minor, currency):f}"


def prefixed(cells: Cells, prefix: str) -> dict[str, int]:
    """The metrics named `<prefix><rest>`, by `rest` (e.g. leads by lead source)."""
    return {name[len(prefix) :]: value for name, value in cells.items() if name.startswith(prefix) and value}


# --- the dashboard's "today" and "this week" ------------------------------------------------


@dataclass(frozen=True, slots=True)
class Window:
    """The caller's today and this week, as UTC-comparable instants."""

    today_start: datetime
    today_end: datetime
    week_start: datetime
    week_end: datetime


def window(now: datetime, tz: ZoneInfo, week_start: str = "monday") -> Window:
    """Today and this week of the caller's wall calendar around `now` (DST-proof: each bound is
    midnight of its own day in `tz`)."""
    today = now.astimezone(tz).date()
    first_day = bucket_start(today, Interval.WEEK, week_start)

    def midnight(day: date) -> datetime:
        return datetime.combine(day, time(), tz)

    return Window(
        midnight(today),
        midnight(today + timedelta(days=1)),
        midnight(first_day),
        midnight(first_day + timedelta(days=7)),
    )


def recent_sums(
    cells: Mapping[datetime, Cells], start: datetime, end: datetime, names: Sequence[str]
) -> dict[str, int]:
    """The sums of these metrics over the quarter-hours starting in [start, end)."""
    return total([c for at, c in cells.items() if start <= at < end], *names)
