"""Task rules: when reminders and SMS are scheduled, and the calendar's ranges."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from chalicelib.domain.tasks import (
    CalendarView,
    DueKind,
    SmsState,
    Task,
    TaskStatus,
    TaskType,
    overlaps,
    view_range,
)

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


def a_task(start: datetime, **fields: object) -> Task:
    task = Task(
        id="k1",
        type=TaskType.TASK,
        title="Call",
        start=start,
        end=start,
        responsible_user_id="u1",
        created_at=NOW,
        created_by="u1",
        updated_at=NOW,
    )
    return replace(task, **fields)  # type: ignore[arg-type]


def test_a_reminder_goes_before_the_start_and_an_unrelated_edit_keeps_it() -> None:
    task = a_task(NOW + timedelta(hours=2), remind_minutes_before=30).with_schedule(None, NOW)
    assert task.remind_at == NOW + timedelta(hours=1, minutes=30)
    later = NOW + timedelta(hours=1, minutes=40)  # after the reminder went out
    edited = replace(task, title="Call back").with_schedule(task, later)
    assert edited.remind_at == task.remind_at  # not rescheduled: it would be sent again
    moved = replace(task, start=NOW + timedelta(hours=5)).with_schedule(task, later)
    assert moved.remind_at == NOW + timedelta(hours=4, minutes=30)


def test_a_reminder_whose_time_has_passed_goes_now_and_a_task_already_due_gets_none() -> None:
    soon = a_task(NOW + timedelta(minutes=10), remind_minutes_before=60).with_schedule(None, NOW)
    assert soon.remind_at == NOW
    assert a_task(NOW - timedelta(minutes=1)).with_schedule(None, NOW).remind_at is None
    assert a_task(NOW + timedelta(hours=1), remind_minutes_before=None).with_schedule(None, NOW).remind_at is None


def test_completing_drops_what_is_scheduled_and_reopening_schedules_again() -> None:
    task = a_task(NOW + timedelta(hours=2)).with_schedule(None, NOW)
    done = replace(task, status=TaskStatus.DONE).with_schedule(task, NOW)
    assert done.due_actions("t") == []
    reopened = replace(done, status=TaskStatus.OPEN).with_schedule(done, NOW)
    assert [a.kind for a in reopened.due_actions("t")] == [DueKind.REMIND, DueKind.OVERDUE]


def test_an_sms_is_scheduled_at_its_start_never_in_the_past_and_never_twice_once_sent() -> None:
    sms = a_task(NOW - timedelta(minutes=5), type=TaskType.SMS, phone="+33612345678", sms_text="Hi",
                 remind_minutes_before=None).with_schedule(None, NOW)  # fmt: skip
    assert (sms.sms_at, sms.sms_status) == (NOW, SmsState.SCHEDULED)
    sent = replace(sms, sms_status=SmsState.SENT, status=TaskStatus.DONE).with_schedule(sms, NOW)
    assert sent.sms_at is None
    reopened = replace(sent, status=TaskStatus.OPEN).with_schedule(sent, NOW)
    assert (reopened.sms_at, reopened.sms_status) == (None, SmsState.SENT)
    failed = replace(sms, sms_status=SmsState.FAILED, sms_error="bad number", sms_at=None)
    fixed = replace(failed, phone="+33699999999").with_schedule(failed, NOW + timedelta(minutes=1))
    assert (fixed.sms_at, fixed.sms_status, fixed.sms_error) == (NOW + timedelta(minutes=1), SmsState.SCHEDULED, None)
    assert replace(sms, type=TaskType.CALL).with_schedule(sms, NOW).sms_status is None


def test_a_task_only_wants_the_actions_it_has_now() -> None:
    task = a_task(NOW + timedelta(hours=2)).with_schedule(None, NOW)
    action, overdue = task.due_actions("t")
    assert task.wants(action)
    assert task.wants(overdue)
    moved = replace(task, start=NOW + timedelta(hours=3)).with_schedule(task, NOW)
    assert not moved.wants(action)
    assert moved.wants(overdue)  # the same end
    assert not replace(moved, end=NOW + timedelta(hours=4)).wants(overdue)


def test_weeks_start_on_the_users_week_start_day() -> None:
    paris = ZoneInfo("Europe/Paris")
    monday = view_range(CalendarView.WEEK, date(2026, 12, 3), paris, "monday")
    sunday = view_range(CalendarView.WEEK, date(2026, 12, 3), paris, "sunday")
    assert monday[0] == datetime(2026, 11, 30, tzinfo=paris)
    assert sunday[0] == datetime(2026, 11, 29, tzinfo=paris)


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 12, 31)), st.sampled_from(list(CalendarView)),
       st.sampled_from(["Europe/Paris", "America/New_York", "Australia/Lord_Howe", "Asia/Kolkata", "UTC"]))  # fmt: skip
def test_every_view_contains_its_day_and_starts_at_a_local_midnight(day: date, view: CalendarView, tz: str) -> None:
    zone = ZoneInfo(tz)
    start, end = view_range(view, day, zone)
    local_start = start.astimezone(zone)
    assert local_start.date() <= day < end.astimezone(zone).date() + timedelta(days=1)
    assert (local_start.hour, local_start.minute) == (0, 0)
    assert timedelta(hours=22) <= end - start <= timedelta(days=31, hours=2)


def test_a_task_shows_in_a_range_it_runs_into_or_starts_in() -> None:
    start, end = NOW, NOW + timedelta(days=1)
    assert overlaps(a_task(NOW - timedelta(hours=1), end=NOW + timedelta(minutes=1)), start, end)
    assert not overlaps(a_task(NOW - timedelta(hours=1), end=NOW), start, end)
    assert overlaps(a_task(NOW), start, end)  # a moment at the very start
    assert not overlaps(a_task(end), start, end)
