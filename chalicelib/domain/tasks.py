"""Tasks (SPEC TK-1..5), their reminders (TK-4), deferred SMS (SM-4) and the calendar (CA-1..2).

A task has a start (when it is due) and an end; the calendar shows it over that span. Two
things may be scheduled for a task that is not done: the reminder email to its responsible user,
`remind_minutes_before` its start, and for an SMS task the SMS itself, at its start. They are
`DueAction`s, computed from the task alone, so that a worker firing one can check it is still
wanted (the task may have moved or been completed since it was scheduled).
"""

from __future__ import annotations

from dataclasses import field, replace
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from chalicelib.domain.errors import ValidationError
from chalicelib.domain.records import record

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo

    from chalicelib.domain.actor import Actor

# Every write of a task is one transaction holding the task, one list entry per participant,
# linked contact and deal, its due actions and feed entries: these bounds keep it under 100.
MAX_MEMBERS = 20
MAX_CONTACTS = 10
# The calendar finds a task by its start: it looks this far back for tasks still running.
MAX_SPAN = timedelta(days=14)
MAX_REMIND_MINUTES = 7 * 24 * 60
MAX_SMS_TEXT = 1000
MAX_DESCRIPTION = 5000
DEFAULT_REMIND_MINUTES = 15
# A deferred SMS later than this (the system was down) is not sent: "your appointment at 11:00"
# arriving in the afternoon does more harm than good. The failure is written to the feed.
SMS_MAX_LATENESS = timedelta(hours=6)


class TaskType(StrEnum):
    TASK = "task"
    CALL = "call"
    VIDEO = "video"
    SMS = "sms"


class TaskStatus(StrEnum):
    OPEN = "open"
    IN_PROGRESS = "in_progress"
    DONE = "done"


BOARD_ORDER = tuple(TaskStatus)


class SmsState(StrEnum):
    SCHEDULED = "scheduled"
    SENT = "sent"
    FAILED = "failed"


class DueKind(StrEnum):
    REMIND = "remind"
    SMS = "sms"
    OVERDUE = "overdue"  # the task's end: it goes overdue if not done (the rollups count it)


@record(frozen=True, slots=True)
class DueAction:
    """Something to do for a task at a moment (a reminder email, a deferred SMS, its end)."""

    tenant_id: str
    task_id: str
    kind: DueKind
    at: datetime


def due_hour(at: datetime) -> datetime:
    """The start of the hour (UTC) an instant falls in: due actions are kept and read by hour."""
    return at.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


@record(frozen=True, slots=True)
class TaskAttribution:
    """Who was responsible when things happened to a task (`domain/rollups/tasks.py`)."""

    created_for: str  # responsible at creation
    completed_by: str | None = None  # responsible when it was completed (None: not done)
    # (its end, the responsible then) each time it went overdue; the last one is the current
    # overdue state while the task is not done and its end is still that time.
    overdue_marks: tuple[tuple[datetime, str], ...] = ()


@record(frozen=True, slots=True)
class Task:
    """A task or event of the calendar."""

    id: str
    type: TaskType
    title: str
    start: datetime
    end: datetime
    responsible_user_id: str
    created_at: datetime
    created_by: str
    updated_at: datetime
    description: str | None = None
    all_day: bool = False
    member_ids: tuple[str, ...] = ()
    contact_ids: tuple[str, ...] = ()
    deal_id: str | None = None
    status: TaskStatus = TaskStatus.OPEN
    completed_at: datetime | None = None
    completed_comment: str | None = None
    remind_minutes_before: int | None = DEFAULT_REMIND_MINUTES
    phone: str | None = None
    sms_text: str | None = None
    meeting_url: str | None = None
    sms_status: SmsState | None = None
    sms_error: str | None = None
    # When the reminder email and the SMS are scheduled (see `with_schedule`); None: nothing.
    remind_at: datetime | None = None
    sms_at: datetime | None = None
    version: int = 1
    # Set by the storage layer at each write (`domain.rollups.tasks.attribute_task`); None on tasks
    # stored before rollups (they count for their current responsible user).
    # Not part of equality: bookkeeping for the rollups, not what the task says.
    attribution: TaskAttribution | None = field(default=None, compare=False)

    @property
    def done(self) -> bool:
        return self.status is TaskStatus.DONE

    @property
    def participants(self) -> tuple[str, ...]:
        """The responsible user first, then the members: whose calendars show the task."""
        return (self.responsible_user_id, *(m for m in self.member_ids if m != self.responsible_user_id))

    def due_actions(self, tenant_id: str) -> list[DueAction]:
        """What is scheduled for this task as it stands."""
        actions = []
        if self.remind_at is not None:
            actions.append(DueAction(tenant_id, self.id, DueKind.REMIND, self.remind_at))
        if self.sms_at is not None:
            actions.append(DueAction(tenant_id, self.id, DueKind.SMS, self.sms_at))
        # Its end, when it goes overdue if not done. An end already gone at the write is marked
        # by that write (`domain.rollups.tasks.attribute_task`), so only later ends are scheduled.
        if not self.done and self.end >= self.updated_at and not self.marked_overdue:
            actions.append(DueAction(tenant_id, self.id, DueKind.OVERDUE, self.end))
        return actions

    @property
    def marked_overdue(self) -> bool:
        """Whether it has been marked overdue for its current end (`domain.rollups.tasks`)."""
        marks = self.attribution.overdue_marks if self.attribution is not None else ()
        return bool(marks) and marks[-1][0] == self.end

    def wants(self, action: DueAction) -> bool:
        """Whether `action` (scheduled earlier) is still one of this task's."""
        return action in self.due_actions(action.tenant_id)

    def with_schedule(self, before: Task | None, now: datetime) -> Task:
        """This task with its reminder and SMS times decided.

        A time is kept while what decides it is unchanged (so an edit of the title does not
        send a reminder again), and set anew otherwise: `remind_minutes_before` the start, or
        at the start for an SMS, but never in the past: a time already gone means "now" (the
        worker then fires it on its next run). There is no reminder for a task already due.
        """
        remind_at = self.remind_at
        if before is None or _remind_inputs(before) != _remind_inputs(self):
            remind_at = None
            if not self.done and self.remind_minutes_before is not None and self.start > now:
                remind_at = max(self.start - timedelta(minutes=self.remind_minutes_before), now)
        task = replace(self, remind_at=remind_at)
        if self.type is not TaskType.SMS:
            return replace(task, sms_at=None, sms_status=None, sms_error=None)
        if before is not None and _sms_inputs(before) == _sms_inputs(self):
            return task
        if self.done or self.sms_status is SmsState.SENT:
            return replace(task, sms_at=None)
        return replace(task, sms_at=max(self.start, now), sms_status=SmsState.SCHEDULED, sms_error=None)


def _remind_inputs(task: Task) -> tuple[object, ...]:
    return task.start, task.remind_minutes_before, task.done


def _sms_inputs(task: Task) -> tuple[object, ...]:
    return task.type, task.start, task.phone, task.sms_text, task.done


# --- rights (TK-5, CA-2) ---------------------------------------------------------------------


def sees_others(actor: Actor) -> bool:
    """Other users' tasks and calendars need calendar_other_users_access (admins hold it)."""
    from chalicelib.domain.rights import Permission  # a request's check: the due worker never loads the rights

    return actor.can(Permission.CALENDAR_OTHER_USERS_ACCESS)


def can_see_task(actor: Actor, task: Task) -> bool:
    """Its participants and its creator see (and work on) a task; so do those who see others'."""
    return actor.user_id in task.participants or actor.user_id == task.created_by or sees_others(actor)


# --- input rules -----------------------------------------------------------------------------


def check_title(title: str) -> str:
    title = " ".join(title.split())
    if not 1 <= len(title) <= 200:
        raise ValidationError("a title has 1 to 200 characters", field="title")
    return title


def check_description(description: str | None) -> str | None:
    if description is None or not description.strip():
        return None
    if len(description) > MAX_DESCRIPTION:
        raise ValidationError(f"a description has at most {MAX_DESCRIPTION} characters", field="description")
    return description.strip()


def check_span(start: datetime, end: datetime | None, all_day: bool) -> tuple[datetime, datetime]:
    """The task's span; an all-day task without an end covers its day."""
    if end is None:
        end = start + timedelta(days=1) if all_day else start
    if end < start:
        raise ValidationError("end is before start", field="end")
    if end - start > MAX_SPAN:
        raise ValidationError(f"a task spans at most {MAX_SPAN.days} days", field="end")
    return start, end


def check_remind(minutes: int | None) -> int | None:
    if minutes is not None and not 0 <= minutes <= MAX_REMIND_MINUTES:
        raise ValidationError(f"0 to {MAX_REMIND_MINUTES} minutes", field="remind_minutes_before")
    return minutes


def check_members(member_ids: list[str], responsible_user_id: str) -> tuple[str, ...]:
    members = tuple(dict.fromkeys(m for m in member_ids if m != responsible_user_id))
    if len(members) > MAX_MEMBERS:
        raise ValidationError(f"at most {MAX_MEMBERS} members", field="member_ids")
    return members


def check_contact_ids(contact_ids: list[str]) -> tuple[str, ...]:
    ids = tuple(dict.fromkeys(contact_ids))
    if len(ids) > MAX_CONTACTS:
        raise ValidationError(f"at most {MAX_CONTACTS} linked contacts", field="contact_ids")
    return ids


def check_meeting_url(url: str | None) -> str | None:
    if url is None or not url.strip():
        return None
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc or len(url) > 2000:
        raise ValidationError("a meeting link is an http(s) URL", field="meeting_url")
    return url.strip()


def check_sms_text(text: str | None) -> str:
    if text is None or not text.strip():
        raise ValidationError("an SMS task needs the text to send", field="sms_text")
    if len(text) > MAX_SMS_TEXT:
        raise ValidationError(f"an SMS has at most {MAX_SMS_TEXT} characters", field="sms_text")
    return text.strip()


def check_type_fields(task: Task) -> Task:
    """Fields that belong to one type only are refused on the others (a clear 400, not a drop)."""
    if task.meeting_url is not None and task.type is not TaskType.VIDEO:
        raise ValidationError("only a video task has a meeting link", field="meeting_url")
    if task.sms_text is not None and task.type is not TaskType.SMS:
        raise ValidationError("only an SMS task has an SMS text", field="sms_text")
    if task.phone is not None and task.type not in (TaskType.CALL, TaskType.SMS):
        raise ValidationError("only call and SMS tasks have a phone number", field="phone")
    if task.type is TaskType.SMS:
        check_sms_text(task.sms_text)
        if task.phone is None:
            raise ValidationError("an SMS task needs a phone number (or a linked contact with one)", field="phone")
    return task


# --- calendar ranges (CA-1) ------------------------------------------------------------------


class CalendarView(StrEnum):
    MONTH = "month"
    WEEK = "week"
    DAY = "day"


MAX_CALENDAR_RANGE = timedelta(days=62)
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def view_range(view: CalendarView, day: date, tz: ZoneInfo, week_start: str = "monday") -> tuple[datetime, datetime]:
    """The instants bounding a month, week or day of the user's wall calendar (DST-proof)."""
    if view is CalendarView.DAY:
        first, last = day, day + timedelta(days=1)
    elif view is CalendarView.WEEK:
        offset = (day.weekday() - WEEKDAYS.index(week_start)) % 7
        first = day - timedelta(days=offset)
        last = first + timedelta(days=7)
    else:
        first = day.replace(day=1)
        last = (first + timedelta(days=32)).replace(day=1)
    return datetime.combine(first, time(), tz), datetime.combine(last, time(), tz)


def overlaps(task: Task, start: datetime, end: datetime) -> bool:
    """Whether the task shows in [start, end): it runs into the range, or starts in it."""
    return task.start < end and (task.end > start or task.start >= start)


def task_attribution(task: Task) -> TaskAttribution:
    """Who the task counts for in the rollups (stored at each write; older records: the current
    responsible user)."""
    if task.attribution is not None:
        return task.attribution
    return TaskAttribution(task.responsible_user_id, task.responsible_user_id if task.done else None)


def mark_overdue(task: Task) -> Task | None:
    """The task gone overdue at its end (the due runner, at the end); None if it is done or
    already marked for this end."""
    if task.done or is_overdue(task):
        return None
    current = task_attribution(task)
    marks = (*current.overdue_marks, (task.end, task.responsible_user_id))
    return replace(task, attribution=replace(current, overdue_marks=marks))


def is_overdue(task: Task) -> bool:
    return not task.done and task.marked_overdue
