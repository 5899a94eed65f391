"""Working hours (SPEC ST-3): cycles, night shifts, DST changes, exceptions, validation."""

from __future__ import annotations

import copy
from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chalicelib.domain.errors import ValidationError
from chalicelib.domain.schedule import (
    ExceptionDay,
    Shift,
    ShiftTime,
    WorkingHours,
    parse_working_hours,
    weekly,
)

PARIS = ZoneInfo("Europe/Paris")
HOUR = timedelta(hours=1)
PROPERTIES = settings(max_examples=150, deadline=None)

DAY_NIGHT_48: dict[str, Any] = {
    "timezone": "Europe/Paris",
    "period_days": 4,
    "start_date": "2026-11-23",
    "shifts": [{"day": 0, "start": "08:00", "end": "20:00"}, {"day": 1, "start": "20:00", "end": "08:00"}],
    "exceptions": [],
}
OFFICE = {day: [("09:00", "17:00")] for day in range(5)}


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def paris(*args: int, fold: int = 0) -> datetime:
    return datetime(*args, tzinfo=PARIS, fold=fold)


def day_night(start_date: str = "2026-11-23", exceptions: list[dict[str, Any]] | None = None) -> WorkingHours:
    return parse_working_hours({**DAY_NIGHT_48, "start_date": start_date, "exceptions": exceptions or []})


def only_exception(zone: str, day: date, start: str, end: str) -> WorkingHours:
    """A schedule that works one shift on one date and never otherwise."""
    return parse_working_hours(
        {
            "timezone": zone,
            "period_days": 1,
            "start_date": "2026-01-01",
            "shifts": [],
            "exceptions": [{"date": day.isoformat(), "shifts": [{"start": start, "end": end}]}],
        }
    )


# --- the day-night-48 cycle -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("at", "working"),
    [
        (paris(2026, 11, 23, 7, 59), False),  # day 0 before the day shift
        (paris(2026, 11, 23, 8, 0), True),
        (paris(2026, 11, 23, 19, 59), True),
        (paris(2026, 11, 23, 20, 0), False),  # half-open: the day shift is over
        (paris(2026, 11, 24, 19, 59), False),  # day 1 before the night shift
        (paris(2026, 11, 24, 20, 0), True),
        (paris(2026, 11, 24, 23, 59), True),
        (paris(2026, 11, 25, 0, 0), True),  # day 2, still the night shift of day 1
        (paris(2026, 11, 25, 7, 59), True),
        (paris(2026, 11, 25, 8, 0), False),
        (paris(2026, 11, 25, 12, 0), False),  # day 2 off
        (paris(2026, 11, 26, 12, 0), False),  # day 3 off
        (paris(2026, 11, 27, 8, 0), True),  # day 0 again
        (paris(2026, 11, 28, 22, 0), True),  # day 1 again
    ],
)
def test_day_night_48_cycle_at_many_instants(at: datetime, working: bool) -> None:
    assert day_night().is_working(at) is working


def test_night_shift_of_day_night_48_crosses_midnight() -> None:
    schedule = day_night()
    assert schedule.intervals(paris(2026, 11, 24, 0, 0), paris(2026, 11, 26, 0, 0)) == [
        (utc(2026, 11, 24, 19, 0), utc(2026, 11, 25, 7, 0))
    ]


def test_dates_before_the_start_date_follow_the_cycle_backwards() -> None:
    schedule = day_night()
    # 2026-11-22 is day -1 = day 3 (off), 2026-11-21 day 2 (off), 2026-11-20 day 1 (night), 2026-11-19 day 0.
    assert schedule.day_index(date(2026, 11, 22)) == 3
    assert not schedule.is_working(paris(2026, 11, 22, 12, 0))
    assert not schedule.is_working(paris(2026, 11, 21, 12, 0))
    assert schedule.is_working(paris(2026, 11, 21, 7, 0))  # the end of the night of the 20th
    assert schedule.is_working(paris(2026, 11, 20, 21, 0))
    assert schedule.is_working(paris(2026, 11, 19, 9, 0))
    assert not schedule.is_working(paris(2026, 11, 19, 21, 0))


def test_the_answer_does_not_depend_on_the_offset_of_the_question() -> None:
    schedule = day_night()
    moment = paris(2026, 11, 24, 21, 30)
    for zone in ["UTC", "Asia/Tokyo", "America/Los_Angeles", "Asia/Kolkata"]:
        assert schedule.is_working(moment.astimezone(ZoneInfo(zone)))
    assert not schedule.is_working(moment.astimezone(ZoneInfo("Asia/Tokyo")) - 2 * HOUR)


def test_a_naive_datetime_is_refused() -> None:
    schedule = day_night()
    with pytest.raises(ValueError, match="aware"):
        schedule.is_working(datetime(2026, 11, 23, 9, 0))
    with pytest.raises(ValueError, match="aware"):
        schedule.intervals(datetime(2026, 11, 23), utc(2026, 11, 24))


# --- DST ----------------------------------------------------------------------------------------------------------


def test_night_shift_over_the_autumn_change_lasts_13_hours() -> None:
    # 2026-10-23 as day 0 puts the night shift on 2026-10-24 -> 25, when Paris goes back from 03:00 to 02:00.
    schedule = day_night(start_date="2026-10-23")
    [(start, end)] = schedule.intervals(utc(2026, 10, 24, 12, 0), utc(2026, 10, 25, 12, 0))
    assert start == utc(2026, 10, 24, 18, 0)  # 20:00 CEST
    assert end == utc(2026, 10, 25, 7, 0)  # 08:00 CET
    assert end - start == 13 * HOUR
    assert not schedule.is_working(utc(2026, 10, 24, 17, 59))
    assert schedule.is_working(paris(2026, 10, 25, 2, 30, fold=0))  # first 02:30 (CEST)
    assert schedule.is_working(paris(2026, 10, 25, 2, 30, fold=1))  # second 02:30 (CET)
    assert schedule.is_working(utc(2026, 10, 25, 6, 59))
    assert not schedule.is_working(utc(2026, 10, 25, 7, 0))


def test_night_shift_over_the_spring_change_lasts_11_hours() -> None:
    # 2027-03-26 as day 0 puts the night shift on 2027-03-27 -> 28, when Paris jumps from 02:00 to 03:00.
    schedule = day_night(start_date="2027-03-26")
    [(start, end)] = schedule.intervals(utc(2027, 3, 27, 12, 0), utc(2027, 3, 28, 12, 0))
    assert start == utc(2027, 3, 27, 19, 0)  # 20:00 CET
    assert end == utc(2027, 3, 28, 6, 0)  # 08:00 CEST
    assert end - start == 11 * HOUR
    assert schedule.is_working(utc(2027, 3, 28, 5, 59))
    assert not schedule.is_working(utc(2027, 3, 28, 6, 0))


def test_seed_cycle_night_shifts_around_the_dst_changes() -> None:
    schedule = day_night()
    # Counted back from 2026-11-23, 2026-10-23 and 2027-03-28 are day 1: night shifts around the changes.
    assert schedule.day_index(date(2026, 10, 23)) == 1
    assert schedule.intervals(utc(2026, 10, 23, 12, 0), utc(2026, 10, 24, 12, 0)) == [
        (utc(2026, 10, 23, 18, 0), utc(2026, 10, 24, 6, 0))
    ]
    assert schedule.day_index(date(2027, 3, 28)) == 1
    assert schedule.intervals(utc(2027, 3, 28, 12, 0), utc(2027, 3, 29, 12, 0)) == [
        (utc(2027, 3, 28, 18, 0), utc(2027, 3, 29, 6, 0))
    ]
    # 2026-10-25 (the change itself) is day 3, a day off: nobody is on at the repeated 02:30.
    assert not schedule.is_working(paris(2026, 10, 25, 2, 30, fold=1))


def test_an_exception_night_shift_over_the_autumn_change_lasts_13_hours() -> None:
    night = [{"start": "20:00", "end": "08:00"}]
    schedule = day_night(exceptions=[{"date": "2026-10-24", "shifts": night}])
    assert schedule.intervals(utc(2026, 10, 24, 12, 0), utc(2026, 10, 25, 12, 0)) == [
        (utc(2026, 10, 24, 18, 0), utc(2026, 10, 25, 7, 0))
    ]


def test_a_full_day_shift_lasts_23_or_25_hours_on_change_days() -> None:
    assert only_exception("Europe/Paris", date(2027, 3, 28), "00:00", "00:00").intervals(
        utc(2027, 3, 27), utc(2027, 3, 30)
    ) == [(utc(2027, 3, 27, 23, 0), utc(2027, 3, 28, 22, 0))]
    assert only_exception("Europe/Paris", date(2026, 10, 25), "00:00", "00:00").intervals(
        utc(2026, 10, 24), utc(2026, 10, 27)
    ) == [(utc(2026, 10, 24, 22, 0), utc(2026, 10, 25, 23, 0))]


def test_an_ambiguous_wall_time_is_its_first_occurrence() -> None:
    # Rule: fold=0, the offset in force before the change. 02:30 on 2026-10-25 is 02:30 CEST = 00:30 UTC.
    starts = only_exception("Europe/Paris", date(2026, 10, 25), "02:30", "05:00")
    assert starts.intervals(utc(2026, 10, 24), utc(2026, 10, 26)) == [(utc(2026, 10, 25, 0, 30), utc(2026, 10, 25, 4))]
    ends = only_exception("Europe/Paris", date(2026, 10, 25), "01:00", "02:30")
    assert ends.intervals(utc(2026, 10, 24), utc(2026, 10, 26)) == [(utc(2026, 10, 24, 23), utc(2026, 10, 25, 0, 30))]
    assert ends.is_working(paris(2026, 10, 25, 2, 29, fold=0))
    assert not ends.is_working(paris(2026, 10, 25, 2, 0, fold=1))  # the second pass is after the end


def test_a_wall_time_in_the_spring_gap_moves_forward_by_the_gap() -> None:
    # Rule: fold=0 reads 02:30 on 2027-03-28 (which does not exist) with CET, i.e. 01:30 UTC = 03:30 CEST.
    starts = only_exception("Europe/Paris", date(2027, 3, 28), "02:30", "04:00")
    assert starts.intervals(utc(2027, 3, 27), utc(2027, 3, 29)) == [(utc(2027, 3, 28, 1, 30), utc(2027, 3, 28, 2))]
    assert not starts.is_working(paris(2027, 3, 28, 3, 29))
    assert starts.is_working(paris(2027, 3, 28, 3, 30))
    ends = only_exception("Europe/Paris", date(2027, 3, 28), "01:00", "02:30")
    assert ends.intervals(utc(2027, 3, 27), utc(2027, 3, 29)) == [(utc(2027, 3, 28, 0), utc(2027, 3, 28, 1, 30))]


def test_a_shift_swallowed_by_the_spring_gap_is_empty() -> None:
    # 02:30 reads as 03:30 CEST, after the 03:00 end: no working time at all.
    schedule = only_exception("Europe/Paris", date(2027, 3, 28), "02:30", "03:00")
    assert schedule.intervals(utc(2027, 3, 27), utc(2027, 3, 29)) == []
    assert not schedule.is_working(utc(2027, 3, 28, 1, 0))


# --- weekly schedules and time zones ------------------------------------------------------------------------------


def test_weekly_office_hours_are_half_open_and_skip_the_weekend() -> None:
    schedule = weekly("Europe/Paris", OFFICE, date(2026, 11, 23))
    assert schedule.is_working(paris(2026, 11, 23, 9, 0))
    assert not schedule.is_working(paris(2026, 11, 23, 8, 59))
    assert schedule.is_working(paris(2026, 11, 27, 16, 59))  # Friday
    assert not schedule.is_working(paris(2026, 11, 27, 17, 0))
    assert not schedule.is_working(paris(2026, 11, 28, 10, 0))  # Saturday
    assert not schedule.is_working(paris(2026, 11, 29, 10, 0))  # Sunday
    assert schedule.is_working(paris(2027, 6, 14, 9, 0))  # a Monday in summer time
    assert schedule.is_working(paris(2026, 1, 5, 9, 0))  # a Monday before the start date


def test_weekly_office_hours_in_new_york() -> None:
    schedule = weekly("America/New_York", OFFICE, date(2026, 11, 23))
    assert schedule.is_working(utc(2026, 11, 23, 14, 0))  # 09:00 EST
    assert not schedule.is_working(utc(2026, 11, 23, 13, 59))
    assert not schedule.is_working(utc(2026, 11, 23, 22, 0))  # 17:00 EST
    assert schedule.is_working(utc(2027, 6, 14, 13, 0))  # 09:00 EDT
    assert schedule.intervals(utc(2026, 11, 23), utc(2026, 11, 24)) == [(utc(2026, 11, 23, 14), utc(2026, 11, 23, 22))]


def test_weekly_office_hours_in_kolkata_at_half_past_offset() -> None:
    schedule = weekly("Asia/Kolkata", OFFICE, date(2026, 11, 23))
    assert schedule.is_working(utc(2026, 11, 23, 3, 30))  # 09:00 IST (+05:30)
    assert not schedule.is_working(utc(2026, 11, 23, 3, 29))
    assert schedule.is_working(utc(2026, 11, 23, 11, 29))
    assert not schedule.is_working(utc(2026, 11, 23, 11, 30))
    assert not schedule.is_working(utc(2026, 11, 28, 5, 0))  # Saturday


def test_weekly_needs_a_monday() -> None:
    with pytest.raises(ValueError, match="Monday"):
        weekly("Europe/Paris", OFFICE, date(2026, 11, 24))


def test_intervals_merge_adjacent_shifts_and_clip_to_the_window() -> None:
    schedule = weekly("UTC", {0: [("08:00", "12:00"), ("12:00", "16:00")], 1: [("22:00", "06:00")]}, date(2026, 11, 23))
    assert schedule.intervals(utc(2026, 11, 23, 10), utc(2026, 11, 25, 2)) == [
        (utc(2026, 11, 23, 10), utc(2026, 11, 23, 16)),
        (utc(2026, 11, 24, 22), utc(2026, 11, 25, 2)),
    ]
    assert schedule.intervals(utc(2026, 11, 24), utc(2026, 11, 23)) == []


def test_a_night_shift_and_the_next_morning_shift_merge() -> None:
    schedule = weekly("UTC", {0: [("20:00", "08:00")], 1: [("06:00", "10:00")]}, date(2026, 11, 23))
    assert schedule.intervals(utc(2026, 11, 23), utc(2026, 11, 25)) == [(utc(2026, 11, 23, 20), utc(2026, 11, 24, 10))]


# --- exceptions ---------------------------------------------------------------------------------------------------


def test_a_holiday_exception_is_a_day_off() -> None:
    schedule = weekly("Europe/Paris", OFFICE, date(2026, 11, 23)).to_dict()
    schedule["exceptions"] = [{"date": "2026-12-25", "shifts": []}]
    christmas = parse_working_hours(schedule)
    assert not christmas.is_working(paris(2026, 12, 25, 10, 0))
    assert christmas.is_working(paris(2026, 12, 24, 10, 0))
    assert christmas.intervals(paris(2026, 12, 25), paris(2026, 12, 26)) == []


def test_an_exception_replaces_the_shifts_of_its_date() -> None:
    data = {**weekly("Europe/Paris", OFFICE, date(2026, 11, 23)).to_dict()}
    data["exceptions"] = [{"date": "2026-12-24", "shifts": [{"start": "10:00", "end": "12:00"}]}]
    schedule = parse_working_hours(data)
    assert not schedule.is_working(paris(2026, 12, 24, 9, 30))
    assert schedule.is_working(paris(2026, 12, 24, 10, 0))
    assert not schedule.is_working(paris(2026, 12, 24, 12, 0))
    assert not schedule.is_working(paris(2026, 12, 24, 15, 0))
    assert schedule.intervals(paris(2026, 12, 24), paris(2026, 12, 25)) == [
        (utc(2026, 12, 24, 9), utc(2026, 12, 24, 11))
    ]


def test_an_exception_night_shift_crosses_into_the_next_day() -> None:
    # 2026-11-25 is a day off (day 2) of day-night-48; the exception works its night into the 26th (day 3, off).
    schedule = day_night(exceptions=[{"date": "2026-11-25", "shifts": [{"start": "22:00", "end": "06:00"}]}])
    assert not schedule.is_working(paris(2026, 11, 25, 21, 59))
    assert schedule.is_working(paris(2026, 11, 25, 22, 0))
    assert schedule.is_working(paris(2026, 11, 26, 5, 59))
    assert not schedule.is_working(paris(2026, 11, 26, 6, 0))


def test_an_exception_on_the_day_after_a_night_shift_keeps_the_night_spill_over() -> None:
    # The night of 2026-11-24 (day 1) belongs to the 24th: a day off on the 25th does not cut it short.
    schedule = day_night(exceptions=[{"date": "2026-11-25", "shifts": []}])
    assert schedule.is_working(paris(2026, 11, 25, 7, 0))
    off_night = day_night(exceptions=[{"date": "2026-11-24", "shifts": []}])
    assert not off_night.is_working(paris(2026, 11, 25, 7, 0))
    assert not off_night.is_working(paris(2026, 11, 24, 21, 0))


def test_the_day_after_an_exception_returns_to_the_cycle() -> None:
    schedule = day_night(exceptions=[{"date": "2026-11-23", "shifts": [{"start": "10:00", "end": "11:00"}]}])
    assert not schedule.is_working(paris(2026, 11, 23, 9, 0))
    assert schedule.is_working(paris(2026, 11, 23, 10, 30))
    assert schedule.is_working(paris(2026, 11, 24, 20, 0))  # day 1's night shift as usual
    assert schedule.shifts_on(date(2026, 11, 24)) == (ShiftTime(time(20), time(8)),)
    assert schedule.is_working(paris(2026, 11, 27, 8, 0))  # and the next day 0


# --- parsing and validation ---------------------------------------------------------------------------------------


def test_parse_builds_the_dataclasses_and_to_dict_gives_the_api_shape_back() -> None:
    data = {
        "timezone": "Europe/Paris",
        "period_days": 7,
        "start_date": "2026-11-23",
        "shifts": [{"day": 0, "start": "09:00", "end": "17:00"}, {"day": 5, "start": "00:00", "end": "00:00"}],
        "exceptions": [{"date": "2026-12-25", "shifts": [{"start": "10:00", "end": "12:00"}]}],
    }
    schedule = parse_working_hours(copy.deepcopy(data))
    assert schedule == WorkingHours(
        timezone="Europe/Paris",
        period_days=7,
        start_date=date(2026, 11, 23),
        shifts=(Shift(0, time(9), time(17)), Shift(5, time(0), time(0))),
        exceptions=(ExceptionDay(date(2026, 12, 25), (ShiftTime(time(10), time(12)),)),),
    )
    assert schedule.to_dict() == data
    assert parse_working_hours(schedule.to_dict()) == schedule
    assert hash(schedule) == hash(parse_working_hours(data))


def test_exceptions_may_be_left_out() -> None:
    data = {k: v for k, v in DAY_NIGHT_48.items() if k != "exceptions"}
    assert parse_working_hours(data).exceptions == ()


def test_a_full_day_shift_is_24_wall_hours() -> None:
    assert ShiftTime(time(0), time(0)).wall_minutes == 24 * 60
    assert ShiftTime(time(20), time(8)).crosses_midnight
    assert ShiftTime(time(9), time(17)).wall_minutes == 8 * 60


def _with(path: list[Any], value: Any) -> dict[str, Any]:
    data = copy.deepcopy(DAY_NIGHT_48)
    target = data
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return data


@pytest.mark.parametrize(
    ("data", "field"),
    [
        (_with(["shifts", 0, "start"], "25:00"), "shifts[0].start"),
        (_with(["shifts", 0, "start"], "24:00"), "shifts[0].start"),
        (_with(["shifts", 1, "end"], "8:00"), "shifts[1].end"),
        (_with(["shifts", 1, "end"], "08:00:00"), "shifts[1].end"),
        (_with(["shifts", 1, "end"], 800), "shifts[1].end"),
        (_with(["shifts", 1, "day"], 4), "shifts[1].day"),
        (_with(["shifts", 1, "day"], -1), "shifts[1].day"),
        (_with(["shifts", 1, "day"], True), "shifts[1].day"),
        (_with(["shifts", 1, "day"], "1"), "shifts[1].day"),
        (_with(["shifts", 1], {"day": 0, "start": "19:00", "end": "21:00"}), "shifts[1]"),
        (_with(["shifts", 1], {"day": 0, "start": "06:00", "end": "08:01"}), "shifts[1]"),
        (_with(["shifts", 1], {"day": 0, "start": "00:00", "end": "00:00"}), "shifts[1]"),
        (_with(["shifts", 1], {"day": 1, "start": "20:00"}), "shifts[1].end"),
        (_with(["shifts", 1], {"day": 1, "start": "20:00", "end": "08:00", "note": "x"}), "shifts[1].note"),
        (_with(["shifts", 1], "20:00-08:00"), "shifts[1]"),
        (_with(["shifts"], {"day": 0}), "shifts"),
        (_with(["shifts"], [{"day": i % 4, "start": "08:00", "end": "08:01"} for i in range(201)]), "shifts"),
        (_with(["timezone"], "Europe/Atlantis"), "timezone"),
        (_with(["timezone"], "../etc/passwd"), "timezone"),
        (_with(["timezone"], None), "timezone"),
        (_with(["period_days"], 0), "period_days"),
        (_with(["period_days"], 367), "period_days"),
        (_with(["period_days"], 4.0), "period_days"),
        (_with(["start_date"], "2026-02-30"), "start_date"),
        (_with(["start_date"], "20261123"), "start_date"),
        (_with(["start_date"], "2026-11-23T00:00"), "start_date"),
        (_with(["colour"], "blue"), "colour"),
        ({k: v for k, v in DAY_NIGHT_48.items() if k != "timezone"}, "timezone"),
        (_with(["exceptions"], [{"date": "2026-12-25", "shifts": []}, {"date": "2026-12-25", "shifts": []}]),
         "exceptions[1].date"),
        (_with(["exceptions"], [{"date": "25/12/2026", "shifts": []}]), "exceptions[0].date"),
        (_with(["exceptions"], [{"date": "2026-12-25"}]), "exceptions[0].shifts"),
        (_with(["exceptions"], [{"date": "2026-12-25", "shifts": [], "why": "x"}]), "exceptions[0].why"),
        (_with(["exceptions"], [{"date": "2026-12-25", "shifts": [{"start": "10:00", "end": "26:00"}]}]),
         "exceptions[0].shifts[0].end"),
        (_with(["exceptions"], [{"date": "2026-12-25", "shifts": [{"day": 0, "start": "10:00", "end": "11:00"}]}]),
         "exceptions[0].shifts[0].day"),
        (_with(["exceptions"], [{"date": "2026-12-25", "shifts": [{"start": "10:00", "end": "12:00"},
                                                                  {"start": "11:00", "end": "13:00"}]}]),
         "exceptions[0].shifts[1]"),
        (_with(["exceptions"], [{"date": f"{date(2027, 1, 1) + timedelta(days=i)}", "shifts": []} for i in range(401)]),
         "exceptions"),
    ],
)  # fmt: skip
def test_validation_errors_name_the_field(data: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationError) as error:
        parse_working_hours(data)
    assert error.value.field == field


def test_nested_schedules_prefix_the_error_paths() -> None:
    with pytest.raises(ValidationError) as error:
        parse_working_hours(_with(["shifts", 0, "start"], "25:00"), field_name="working_hours")
    assert error.value.field == "working_hours.shifts[0].start"
    with pytest.raises(ValidationError) as error:
        parse_working_hours([], field_name="working_hours")
    assert error.value.field == "working_hours"


def test_shifts_of_different_days_and_touching_shifts_do_not_overlap() -> None:
    data = _with(
        ["shifts"], [{"day": 0, "start": "08:00", "end": "12:00"}, {"day": 0, "start": "12:00", "end": "08:00"}]
    )
    assert len(parse_working_hours(data).shifts) == 2
    # A night shift spilling into the next cycle day's morning is allowed; intervals() merges the overlap.
    data = _with(
        ["shifts"], [{"day": 0, "start": "20:00", "end": "08:00"}, {"day": 1, "start": "06:00", "end": "09:00"}]
    )
    assert len(parse_working_hours(data).shifts) == 2


def test_the_constructor_refuses_what_cannot_be_indexed() -> None:
    with pytest.raises(ValueError, match="cycle"):
        WorkingHours("UTC", 2, date(2026, 1, 1), (Shift(2, time(9), time(10)),))
    with pytest.raises(ValueError, match="two exceptions"):
        WorkingHours("UTC", 2, date(2026, 1, 1), (), (ExceptionDay(date(2026, 1, 1)), ExceptionDay(date(2026, 1, 1))))
    with pytest.raises(ValueError, match="HH:MM"):
        ShiftTime(time(9, 0, 30), time(10))


# --- properties ---------------------------------------------------------------------------------------------------

QUARTER_HOURS = st.integers(0, 24 * 4 - 1).map(lambda q: time(q // 4, q % 4 * 15))
SHIFT_DATES = st.dates(min_value=date(2025, 1, 1), max_value=date(2028, 12, 31))
NO_DST_ZONES = st.sampled_from(["UTC", "Asia/Tokyo", "Asia/Kolkata", "Asia/Kathmandu"])
DST_ZONES = st.sampled_from(
    [
        "Europe/Paris",
        "America/New_York",
        "Australia/Lord_Howe",
        "America/Santiago",
        "Europe/London",
        "Africa/Casablanca",
    ]
)
ALL_ZONES = st.one_of(NO_DST_ZONES, DST_ZONES)


@st.composite
def day_shifts(draw: st.DrawFn) -> list[ShiftTime]:
    """Non-overlapping shifts of one date: disjoint spans between sorted cut points, maybe a last night shift."""
    cuts = sorted(draw(st.lists(st.integers(0, 24 * 4 - 1), unique=True, max_size=5)))
    as_time = [time(q // 4, q % 4 * 15) for q in cuts]
    shifts = [ShiftTime(as_time[i], as_time[i + 1]) for i in range(0, len(cuts) - 1, 2)]
    if len(cuts) % 2:
        # The last cut starts a night shift, ending the next day no later than it starts.
        shifts.append(ShiftTime(as_time[-1], draw(QUARTER_HOURS.filter(lambda t: t <= as_time[-1]))))
    return shifts


@st.composite
def schedules(draw: st.DrawFn, zones: st.SearchStrategy[str] = ALL_ZONES, with_exceptions: bool = True) -> WorkingHours:
    period = draw(st.integers(1, 8))
    shifts = tuple(Shift(day, shift.start, shift.end) for day in range(period) for shift in draw(day_shifts()))
    exceptions: tuple[ExceptionDay, ...] = ()
    if with_exceptions:
        days = draw(st.lists(SHIFT_DATES, unique=True, max_size=4))
        exceptions = tuple(ExceptionDay(day, tuple(draw(day_shifts()))) for day in days)
    return WorkingHours(draw(zones), period, draw(SHIFT_DATES), shifts, exceptions)


# Quarter-hour instants hit shift boundaries; arbitrary ones everything in between.
INSTANTS = st.one_of(
    st.datetimes(min_value=datetime(2024, 12, 1), max_value=datetime(2029, 1, 31), timezones=st.just(UTC)),
    st.integers(0, 4 * 24 * 365 * 4).map(lambda q: utc(2025, 1, 1) + timedelta(minutes=15 * q)),
)


@PROPERTIES
@given(schedules(NO_DST_ZONES, with_exceptions=False), INSTANTS)
def test_without_dst_or_exceptions_the_answer_repeats_every_period(schedule: WorkingHours, at: datetime) -> None:
    period = timedelta(days=schedule.period_days)
    assert schedule.is_working(at) == schedule.is_working(at + period) == schedule.is_working(at - period)


@PROPERTIES
@given(schedules(), SHIFT_DATES, day_shifts(), INSTANTS)
def test_an_exception_only_changes_its_date_and_its_spill_over(
    schedule: WorkingHours, day: date, shifts: list[ShiftTime], at: datetime
) -> None:
    others = tuple(e for e in schedule.exceptions if e.date != day)
    changed = WorkingHours(
        schedule.timezone,
        schedule.period_days,
        schedule.start_date,
        schedule.shifts,
        (*others, ExceptionDay(day, tuple(shifts))),
    )
    original = WorkingHours(schedule.timezone, schedule.period_days, schedule.start_date, schedule.shifts, others)
    if at.astimezone(ZoneInfo(schedule.timezone)).date() not in (day, day + timedelta(days=1)):
        assert changed.is_working(at) == original.is_working(at)


@PROPERTIES
@given(schedules(), INSTANTS, st.integers(1, 4 * 24 * 10), st.lists(st.integers(0, 10**6 - 1), min_size=1, max_size=20))
def test_intervals_agree_with_is_working(
    schedule: WorkingHours, start: datetime, quarters: int, samples: list[int]
) -> None:
    end = start + timedelta(minutes=15 * quarters)
    intervals = schedule.intervals(start, end)
    for lo, hi in intervals:
        assert start <= lo < hi <= end
        assert lo.tzinfo is UTC
        assert hi.tzinfo is UTC
    for (_, hi), (lo, _) in pairwise(intervals):
        assert hi < lo  # sorted, and merged when touching
    instants = [lo for lo, _ in intervals] + [hi for _, hi in intervals if hi < end]
    instants += [start + (end - start) * k / 10**6 for k in samples]
    for at in instants:
        inside = any(lo <= at < hi for lo, hi in intervals)
        assert schedule.is_working(at) == inside, at


@PROPERTIES
@given(schedules(), st.sampled_from(["UTC", "Asia/Tokyo", "America/Los_Angeles", "Asia/Kolkata"]), INSTANTS)
def test_the_answer_does_not_depend_on_the_offset_of_the_instant(
    schedule: WorkingHours, zone: str, at: datetime
) -> None:
    assert schedule.is_working(at) == schedule.is_working(at.astimezone(ZoneInfo(zone)))


@PROPERTIES
@given(schedules())
def test_to_dict_and_parse_round_trip(schedule: WorkingHours) -> None:
    data = schedule.to_dict()
    assert parse_working_hours(data) == schedule
    assert parse_working_hours(data).to_dict() == data


@PROPERTIES
@given(DST_ZONES, SHIFT_DATES, QUARTER_HOURS, QUARTER_HOURS)
def test_a_shift_lasts_within_an_hour_of_its_wall_clock_length(zone: str, day: date, start: time, end: time) -> None:
    schedule = only_exception(zone, day, f"{start:%H:%M}", f"{end:%H:%M}")
    intervals = schedule.intervals(utc(day.year, day.month, day.day) - 2 * timedelta(days=1), utc(2029, 1, 3))
    real = sum((hi - lo for lo, hi in intervals), timedelta())
    assert len(intervals) <= 1
    assert abs(real - timedelta(minutes=ShiftTime(start, end).wall_minutes)) <= HOUR


@PROPERTIES
@given(NO_DST_ZONES, SHIFT_DATES, QUARTER_HOURS, QUARTER_HOURS)
def test_without_dst_a_shift_lasts_its_wall_clock_length(zone: str, day: date, start: time, end: time) -> None:
    schedule = only_exception(zone, day, f"{start:%H:%M}", f"{end:%H:%M}")
    [(lo, hi)] = schedule.intervals(utc(day.year, day.month, day.day) - timedelta(days=1), utc(2029, 1, 3))
    assert hi - lo == timedelta(minutes=ShiftTime(start, end).wall_minutes)
    assert lo.astimezone(ZoneInfo(zone)).time() == start
