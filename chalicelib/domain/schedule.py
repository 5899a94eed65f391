"""Working hours: a cycle of wall-clock shifts in a time zone, with per-date exceptions (SPEC ST-3)."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from chalicelib.domain.crm import check_timezone
from chalicelib.domain.errors import ValidationError

MAX_PERIOD_DAYS = 366
MAX_SHIFTS = 200
MAX_EXCEPTIONS = 400
# One shift per half hour is already far more than any real day off the cycle needs.
MAX_EXCEPTION_SHIFTS = 48
TIME_PATTERN = re.compile(r"^([01][0-9]|2[0-3]):([0-5][0-9])$")
DATE_PATTERN = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")

_ONE_DAY = timedelta(days=1)
_MINUTES_PER_DAY = 24 * 60
_SCHEDULE_KEYS = ("timezone", "period_days", "start_date", "shifts", "exceptions")
_SHIFT_KEYS = ("day", "start", "end")
_SHIFT_TIME_KEYS = ("start", "end")
_EXCEPTION_KEYS = ("date", "shifts")


@dataclass(frozen=True, slots=True)
class ShiftTime:
    """A wall-clock shift of one date; an end not after the start falls on the next day."""

    start: time
    end: time

    def __post_init__(self) -> None:
        _check_wall_time(self.start)
        _check_wall_time(self.end)

    @property
    def crosses_midnight(self) -> bool:
        return self.end <= self.start

    @property
    def wall_minutes(self) -> int:
        """The wall-clock length, 1 to 1440 minutes (the real length differs across a DST change)."""
        start, end = _wall_span(self.start, self.end)
        return end - start


@dataclass(frozen=True, slots=True)
class Shift:
    """A shift of the cycle: `day` counts from the schedule's start date, modulo its period."""

    day: int
    start: time
    end: time

    def __post_init__(self) -> None:
        if self.day < 0:
            raise ValueError("a shift's day cannot be negative")
        _check_wall_time(self.start)
        _check_wall_time(self.end)

    @property
    def shift_time(self) -> ShiftTime:
        return ShiftTime(self.start, self.end)


@dataclass(frozen=True, slots=True)
class ExceptionDay:
    """The shifts of one date that replace the cycle's; no shifts is a day off."""

    date: date
    shifts: tuple[ShiftTime, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "shifts", tuple(self.shifts))


@dataclass(frozen=True, slots=True)
class WorkingHours:
    """Who works when: a cycle of `period_days` days of shifts, local to `timezone`, plus exceptions."""

    timezone: str
    period_days: int
    start_date: date
    shifts: tuple[Shift, ...]
    exceptions: tuple[ExceptionDay, ...] = ()
    # Indexes built once so that a lookup reads one cycle day or one exception, never the history.
    _zone: ZoneInfo = field(init=False, repr=False, compare=False)
    _by_day: tuple[tuple[ShiftTime, ...], ...] = field(init=False, repr=False, compare=False)
    _by_date: dict[date, tuple[ShiftTime, ...]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not 1 <= self.period_days <= MAX_PERIOD_DAYS:
            raise ValueError(f"period_days must be 1 to {MAX_PERIOD_DAYS}")
        object.__setattr__(self, "shifts", tuple(self.shifts))
        object.__setattr__(self, "exceptions", tuple(self.exceptions))
        by_day: list[list[ShiftTime]] = [[] for _ in range(self.period_days)]
        for shift in self.shifts:
            if shift.day >= self.period_days:
                raise ValueError(f"shift day {shift.day} is outside a {self.period_days}-day cycle")
            by_day[shift.day].append(shift.shift_time)
        by_date: dict[date, tuple[ShiftTime, ...]] = {}
        for exception in self.exceptions:
            if exception.date in by_date:
                raise ValueError(f"{exception.date} has two exceptions")
            by_date[exception.date] = exception.shifts
        object.__setattr__(self, "_zone", ZoneInfo(self.timezone))
        object.__setattr__(self, "_by_day", tuple(tuple(shifts) for shifts in by_day))
        object.__setattr__(self, "_by_date", by_date)

    def day_index(self, day: date) -> int:
        """The cycle day of a local date; dates before `start_date` follow the cycle backwards."""
        return (day - self.start_date).days % self.period_days

    def shifts_on(self, day: date) -> tuple[ShiftTime, ...]:
        """The shifts starting on a local date: its exception's if it has one, else its cycle day's."""
        exception = self._by_date.get(day)
        return exception if exception is not None else self._by_day[self.day_index(day)]

    def is_working(self, at: datetime) -> bool:
        """Whether `at` (aware, any offset) falls in a shift; shifts are half-open [start, end)."""
        _require_aware(at, "at")
        local_day = at.astimezone(self._zone).date()
        # A shift lasts at most a day (25 h over a DST change), so only the shifts of the local date
        # and the night shifts of the day before can cover `at`.
        return any(start <= at < end for day in (local_day - _ONE_DAY, local_day) for start, end in self._spans(day))

    def intervals(self, start: datetime, end: datetime) -> list[tuple[datetime, datetime]]:
        """The working time within [start, end) in UTC: sorted, adjacent or overlapping shifts merged."""
        _require_aware(start, "start")
        _require_aware(end, "end")
        start, end = start.astimezone(UTC), end.astimezone(UTC)
        if end <= start:
            return []
        clipped: list[tuple[datetime, datetime]] = []
        day = start.astimezone(self._zone).date() - _ONE_DAY
        last = end.astimezone(self._zone).date()
        while day <= last:
            for span_start, span_end in self._spans(day):
                lo, hi = max(span_start, start), min(span_end, end)
                if lo < hi:
                    clipped.append((lo, hi))
            day += _ONE_DAY
        clipped.sort()
        merged: list[tuple[datetime, datetime]] = []
        for lo, hi in clipped:
            if merged and lo <= merged[-1][1]:
                if hi > merged[-1][1]:
                    merged[-1] = (merged[-1][0], hi)
            else:
                merged.append((lo, hi))
        return merged

    def to_dict(self) -> dict[str, Any]:
        """The API shape, which `parse_working_hours` reads back to an equal schedule."""
        return {
            "timezone": self.timezone,
            "period_days": self.period_days,
            "start_date": self.start_date.isoformat(),
            "shifts": [
                {"day": shift.day, "start": _format_time(shift.start), "end": _format_time(shift.end)}
                for shift in self.shifts
            ],
            "exceptions": [
                {
                    "date": exception.date.isoformat(),
                    "shifts": [
                        {"start": _format_time(shift.start), "end": _format_time(shift.end)}
                        for shift in exception.shifts
                    ],
                }
                for exception in self.exceptions
            ],
        }

    def _spans(self, day: date) -> Iterator[tuple[datetime, datetime]]:
        for shift in self.shifts_on(day):
            span = _utc_span(day, shift.start, shift.end, self._zone)
            if span is not None:
                yield span


def weekly(timezone: str, days: Mapping[int, Sequence[tuple[str, str]]], monday: date) -> WorkingHours:
    """A 7-day cycle from a Monday; `days` maps 0 (Monday) to 6 (Sunday) to ("HH:MM", "HH:MM") shifts."""
    if monday.weekday() != 0:
        raise ValueError(f"{monday} is not a Monday")
    return parse_working_hours(
        {
            "timezone": timezone,
            "period_days": 7,
            "start_date": monday.isoformat(),
            "shifts": [{"day": day, "start": start, "end": end} for day in sorted(days) for start, end in days[day]],
        }
    )


def parse_working_hours(data: Any, *, field_name: str = "") -> WorkingHours:
    """A schedule from its API shape; `field_name` prefixes the error paths when it is nested."""
    obj = _object(data, field_name, _SCHEDULE_KEYS, required=_SCHEDULE_KEYS[:4])
    tz_path = _join(field_name, "timezone")
    if not isinstance(obj["timezone"], str):
        raise ValidationError("timezone must be an IANA name, e.g. Europe/Paris", field=tz_path)
    timezone = check_timezone(obj["timezone"], field_name=tz_path)
    period_path = _join(field_name, "period_days")
    period_days = obj["period_days"]
    if type(period_days) is not int or not 1 <= period_days <= MAX_PERIOD_DAYS:
        raise ValidationError(f"period_days must be a whole number from 1 to {MAX_PERIOD_DAYS}", field=period_path)
    start_date = _parse_date(obj["start_date"], _join(field_name, "start_date"))
    shifts = _parse_shifts(obj["shifts"], _join(field_name, "shifts"), period_days)
    exceptions = _parse_exceptions(obj.get("exceptions", []), _join(field_name, "exceptions"))
    return WorkingHours(timezone, period_days, start_date, shifts, exceptions)


# Every local wall time is read with zoneinfo's fold=0, i.e. with the UTC offset in force just before
# a DST change (PEP 495). An ambiguous time (autumn overlap) is thus its first occurrence: 02:30 on
# 2026-10-25 in Paris is 02:30 CEST = 00:30 UTC. A time that does not exist (spring gap) moves forward
# by the gap: 02:30 on 2027-03-28 in Paris is read as 01:30 UTC = 03:30 CEST. One rule for starts and
# ends keeps a shift's real length within an hour of its wall-clock length; a shift that ends no later
# than it starts once read this way (it sits in a spring gap) is empty.
def _utc_span(day: date, start: time, end: time, zone: ZoneInfo) -> tuple[datetime, datetime] | None:
    start_at = datetime.combine(day, start, tzinfo=zone).astimezone(UTC)
    end_day = day if end > start else day + _ONE_DAY
    end_at = datetime.combine(end_day, end, tzinfo=zone).astimezone(UTC)
    return (start_at, end_at) if start_at < end_at else None


def _wall_span(start: time, end: time) -> tuple[int, int]:
    """Minutes from the shift date's midnight: the end is past 1440 for a shift crossing midnight."""
    lo = start.hour * 60 + start.minute
    hi = end.hour * 60 + end.minute
    return lo, hi if hi > lo else hi + _MINUTES_PER_DAY


def _check_wall_time(value: time) -> None:
    # The API has minutes only, and a zone-less, fold-less time is what makes the DST rule above hold.
    if value.second or value.microsecond or value.tzinfo is not None or value.fold:
        raise ValueError(f"a shift time is a plain HH:MM, not {value!r}")


def _require_aware(value: datetime, name: str) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be an aware datetime")


def _format_time(value: time) -> str:
    return f"{value.hour:02d}:{value.minute:02d}"


def _join(prefix: str, name: str) -> str:
    return f"{prefix}.{name}" if prefix else name


def _object(data: Any, path: str, allowed: tuple[str, ...], *, required: tuple[str, ...]) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise ValidationError("must be an object", field=path or None)
    for key in data:
        if key not in allowed:
            raise ValidationError(f"unknown field; expected {', '.join(allowed)}", field=_join(path, str(key)))
    for key in required:
        if key not in data:
            raise ValidationError("is required", field=_join(path, key))
    return data


def _list(data: Any, path: str, max_items: int) -> list[Any]:
    if not isinstance(data, list):
        raise ValidationError("must be a list", field=path)
    if len(data) > max_items:
        raise ValidationError(f"at most {max_items} items", field=path)
    return data


def _parse_date(value: Any, path: str) -> date:
    if isinstance(value, str) and DATE_PATTERN.fullmatch(value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise ValidationError("must be a date YYYY-MM-DD", field=path)


def _parse_time(value: Any, path: str) -> time:
    match = TIME_PATTERN.fullmatch(value) if isinstance(value, str) else None
    if match is None:
        raise ValidationError("must be a 24-hour time HH:MM, 00:00 to 23:59", field=path)
    return time(int(match[1]), int(match[2]))


def _parse_shift_time(data: Any, path: str) -> ShiftTime:
    obj = _object(data, path, _SHIFT_TIME_KEYS, required=_SHIFT_TIME_KEYS)
    return ShiftTime(_parse_time(obj["start"], f"{path}.start"), _parse_time(obj["end"], f"{path}.end"))


def _parse_shifts(data: Any, path: str, period_days: int) -> tuple[Shift, ...]:
    items = _list(data, path, MAX_SHIFTS)
    shifts: list[Shift] = []
    spans_by_day: dict[int, list[tuple[int, int]]] = {}
    for i, item in enumerate(items):
        item_path = f"{path}[{i}]"
        obj = _object(item, item_path, _SHIFT_KEYS, required=_SHIFT_KEYS)
        day = obj["day"]
        if type(day) is not int or not 0 <= day < period_days:
            raise ValidationError(f"day must be a whole number from 0 to {period_days - 1}", field=f"{item_path}.day")
        times = _parse_shift_time({"start": obj["start"], "end": obj["end"]}, item_path)
        _check_no_overlap(spans_by_day.setdefault(day, []), times, item_path)
        shifts.append(Shift(day, times.start, times.end))
    return tuple(shifts)


def _parse_exceptions(data: Any, path: str) -> tuple[ExceptionDay, ...]:
    items = _list(data, path, MAX_EXCEPTIONS)
    exceptions: list[ExceptionDay] = []
    seen: set[date] = set()
    for i, item in enumerate(items):
        item_path = f"{path}[{i}]"
        obj = _object(item, item_path, _EXCEPTION_KEYS, required=_EXCEPTION_KEYS)
        day = _parse_date(obj["date"], f"{item_path}.date")
        if day in seen:
            raise ValidationError(f"{day} already has an exception", field=f"{item_path}.date")
        seen.add(day)
        shifts_path = f"{item_path}.shifts"
        spans: list[tuple[int, int]] = []
        shifts: list[ShiftTime] = []
        for k, shift_data in enumerate(_list(obj["shifts"], shifts_path, MAX_EXCEPTION_SHIFTS)):
            shift = _parse_shift_time(shift_data, f"{shifts_path}[{k}]")
            _check_no_overlap(spans, shift, f"{shifts_path}[{k}]")
            shifts.append(shift)
        exceptions.append(ExceptionDay(day, tuple(shifts)))
    return tuple(exceptions)


def _check_no_overlap(spans: list[tuple[int, int]], shift: ShiftTime, path: str) -> None:
    """Refuse a shift overlapping an earlier one of the same day, then record it in `spans`."""
    lo, hi = _wall_span(shift.start, shift.end)
    if any(lo < other_hi and other_lo < hi for other_lo, other_hi in spans):
        raise ValidationError("overlaps an earlier shift of the same day", field=path)
    spans.append((lo, hi))
