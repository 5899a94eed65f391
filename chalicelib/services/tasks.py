"""Tasks, their board and list, and the calendar (SPEC TK-1..5, CA-1..2, SM-4).

Participants (the responsible user and the members) and the creator see and work on a task;
`calendar_other_users_access` opens everyone's. Linked contacts must be visible to the caller,
and whoever sees a contact sees the tasks linked to it (its card lists them). Creating,
completing, rescheduling and linking write to the linked contacts' and the deal's feeds.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from chalicelib.domain.clock import isoformat_z
from chalicelib.domain.contacts import can_see
from chalicelib.domain.deals import can_see_deal
from chalicelib.domain.errors import ConflictError, ForbiddenError, NotFoundError, ValidationError, check_version
from chalicelib.domain.ids import new_id
from chalicelib.domain.notifications import Link, LinkType, NotificationKind, task_assigned_title
from chalicelib.domain.tasks import (
    BOARD_ORDER,
    DEFAULT_REMIND_MINUTES,
    MAX_CALENDAR_RANGE,
    CalendarView,
    SmsState,
    Task,
    TaskStatus,
    TaskType,
    can_see_task,
    check_contact_ids,
    check_description,
    check_meeting_url,
    check_members,
    check_remind,
    check_span,
    check_title,
    check_type_fields,
    overlaps,
    sees_others,
    view_range,
)
from chalicelib.domain.telephony import dial_number
from chalicelib.domain.users import UserStatus
from chalicelib.ports.notifications import NoNotifier, Notifier
from chalicelib.ports.queries.tasks import ListFilter, TaskListKind
from chalicelib.services.task_feed import task_feed_writes

if TYPE_CHECKING:
    from chalicelib.domain.actor import Actor
    from chalicelib.domain.crm import Crm
    from chalicelib.domain.paging import Page
    from chalicelib.ports.outside import Clock
    from chalicelib.ports.storage import Storage
    from chalicelib.ports.writes import Write

MAX_COMMENT = 2000
MAX_CALENDAR_USERS = 200
# Fields a PATCH may change (what `changes` may hold).
EDITABLE = frozenset(
    {
        "type",
        "title",
        "description",
        "start",
        "end",
        "all_day",
        "responsible_user_id",
        "member_ids",
        "contact_ids",
        "deal_id",
        "status",
        "remind_minutes_before",
        "phone",
        "sms_text",
        "meeting_url",
    }
)


@dataclass(frozen=True, slots=True)
class TaskColumn:
    status: TaskStatus
    cards: Page[Task]


@dataclass(frozen=True, slots=True)
class Calendar:
    start: datetime
    end: datetime
    timezone: str
    tasks: list[Task]


class TaskService:
    def __init__(self, storage: Storage, clock: Clock, *, notifier: Notifier | None = None) -> None:
        self._storage = storage
        self._clock = clock
        self._notifier = notifier or NoNotifier()

    # --- one task -------------------------------------------------------------------------------

    def create(self, actor: Actor, fields: Mapping[str, Any]) -> Task:
        """A task for oneself or for someone else (TK-5); linked contacts' feeds record it."""
        unknown = set(fields) - EDITABLE
        if unknown:
            raise ValidationError("unknown field", field=sorted(unknown)[0])
        for required in ("title", "start"):
            if fields.get(required) is None:
                raise ValidationError(f"a task needs a {required}", field=required)
        if fields.get("status") is TaskStatus.DONE:
            raise ValidationError("a new task is open or in progress; complete it afterwards", field="status")
        now = self._clock()
        draft = Task(
            id=new_id(),
            type=TaskType.TASK,
            title=fields["title"],
            start=fields["start"],
            end=fields["start"],
            responsible_user_id=actor.user_id,
            created_at=now,
            created_by=actor.user_id,
            updated_at=now,
            remind_minutes_before=DEFAULT_REMIND_MINUTES,
        )
        task = self._apply(actor, draft, {"end": None, **fields}, now, new=True)
        feed = self._feed_writes(actor, task, now, {"event": "created"}, task.contact_ids, task.deal_id)
        pushes = self._calendar_pushes(actor.tenant_id, task.participants, task.id, task.version)
        self._storage.tasks(actor.tenant_id).create(task, [*feed, *pushes])
        self._assigned(actor, task, task.participants)
        return task

    def get(self, actor: Actor, task_id: str) -> Task:
        return self._visible(actor, self._storage.tasks(actor.tenant_id).get(task_id))

    def update(self, actor: Actor, task_id: str, version: int | None, changes: Mapping[str, Any]) -> Task:
        """Edit, reschedule, reassign, re-link, or change the status (done completes it)."""
        unknown = set(changes) - EDITABLE
        if unknown:
            raise ValidationError("unknown field", field=sorted(unknown)[0])
        repo = self._storage.tasks(actor.tenant_id)
        before = self._visible(actor, repo.get(task_id, consistent=True))
        check_version(version, before.version, "task")
        now = self._clock()
        after = self._apply(actor, before, changes, now)
        if after == replace(before, updated_at=after.updated_at):
            return before
        pushes = self._calendar_pushes(actor.tenant_id, [*before.participants, *after.participants], before.id,
                                       before.version + 1)  # fmt: skip
        saved = repo.save_changes(before, after, [*self._change_feed(actor, before, after, now), *pushes])
        self._assigned(actor, saved, [u for u in saved.participants if u not in before.participants])
        return saved

    def _assigned(self, actor: Actor, task: Task, user_ids: Sequence[str]) -> None:
        """Tell who became the task's responsible user or a member, unless they did it."""
        for user_id in user_ids:
            self._notifier.notify(
                actor.tenant_id, user_id, NotificationKind.TASK_ASSIGNED, task_assigned_title(task.title),
                Link(LinkType.TASK, task.id), by=actor.user_id,
            )  # fmt: skip

    def complete(self, actor: Actor, task_id: str, comment: str | None) -> Task:
        """Mark a task done with an optional comment (TK-1); its reminders are dropped."""
        repo = self._storage.tasks(actor.tenant_id)
        before = self._visible(actor, repo.get(task_id, consistent=True))
        if before.done:
            raise ConflictError("the task is already completed", field="status")
        comment = (comment or "").strip() or None
        if comment is not None and len(comment) > MAX_COMMENT:
            raise ValidationError(f"a comment has at most {MAX_COMMENT} characters", field="comment")
        now = self._clock()
        after = replace(before, status=TaskStatus.DONE, completed_at=now, completed_comment=comment, updated_at=now)
        after = after.with_schedule(before, now)
        pushes = self._calendar_pushes(actor.tenant_id, after.participants, before.id, before.version + 1)
        return repo.save_changes(before, after, [*self._change_feed(actor, before, after, now), *pushes])

    def delete(self, actor: Actor, task_id: str) -> None:
        repo = self._storage.tasks(actor.tenant_id)
        task = self._visible(actor, repo.get(task_id, consistent=True))
        if actor.user_id not in (task.responsible_user_id, task.created_by) and not sees_others(actor):
            raise ForbiddenError("only the task's responsible user or its creator can delete it")
        repo.delete(task, self._calendar_pushes(actor.tenant_id, task.participants, task.id, task.version + 1))

    def _calendar_pushes(self, tenant_id: str, user_ids: Sequence[str], task_id: str, version: int) -> list[Write]:
        """Pending pushes (GC-2, GC-4) of the participants whose calendar takes the CRM's tasks,
        written in the task's own transaction: one GetItem (AP122) per task write."""
        calendars = self._storage.calendars(tenant_id)
        pushers = calendars.pushers()
        users = [u for u in dict.fromkeys(user_ids) if u in pushers]
        return calendars.pending_writes(users, task_id, version) if users else []

    # --- lists, board, calendar -----------------------------------------------------------------

    def page(
        self,
        actor: Actor,
        *,
        responsible_user_id: str | None = None,
        contact_id: str | None = None,
        deal_id: str | None = None,
        status: TaskStatus | None = None,
        task_type: TaskType | None = None,
        include_completed: bool = False,
        start_from: datetime | None = None,
        start_to: datetime | None = None,
        descending: bool = False,
        limit: int,
        cursor: str | None,
    ) -> Page[Task]:
        """Tasks by start: a contact's, a deal's, a responsible user's, or (default) one's own
        as a participant. Done tasks only with `include_completed` or `status=done`."""
        list_kind, owner, responsible = self._pick_list(actor, responsible_user_id, contact_id, deal_id)
        flt = ListFilter(
            status=status,
            open_only=not include_completed and status is None,
            start_from=start_from,
            start_to=start_to,
            responsible_user_id=responsible,
            task_type=task_type,
            descending=descending,
        )
        return self._storage.tasks(actor.tenant_id).page(list_kind, owner, flt, limit=limit, cursor=cursor)

    def board(self, actor: Actor, *, responsible_user_id: str | None, limit: int) -> list[TaskColumn]:
        """Kanban by status (TK-1): one Query per column; done tasks newest first."""
        list_kind, owner, _ = self._pick_list(actor, responsible_user_id, None, None)
        repo = self._storage.tasks(actor.tenant_id)
        return [
            TaskColumn(
                s,
                repo.page(list_kind, owner, _column(s), limit=limit, cursor=None),
            )
            for s in BOARD_ORDER
        ]

    def calendar(
        self,
        actor: Actor,
        *,
        start: datetime | None,
        end: datetime | None,
        view: CalendarView | None,
        day: date | None,
        user_ids: list[str] | None,
        all_users: bool = False,
    ) -> Calendar:
        """Tasks running in a range (CA-1): explicit instants, or a month/week/day of the caller's
        wall calendar. Own tasks; other users' need calendar_other_users_access (CA-2).
        One Query per user shown; the whole team (`all`) is one Query on its own index (AP106)."""
        tz_name = actor.user.timezone or self._crm(actor).timezone
        tz = ZoneInfo(tz_name)
        if view is not None:
            if start is not None or end is not None:
                raise ValidationError("give either view (and date) or from and to", field="view")
            start, end = view_range(view, day or self._clock().astimezone(tz).date(), tz, actor.user.week_start.value)
        elif start is None or end is None:
            raise ValidationError("give view (and date), or both from and to", field="from" if start is None else "to")
        if end <= start:
            raise ValidationError("to is not after from", field="to")
        if end - start > MAX_CALENDAR_RANGE:
            raise ValidationError(f"a calendar range is at most {MAX_CALENDAR_RANGE.days} days", field="to")
        repo = self._storage.tasks(actor.tenant_id)
        found: dict[str, Task] = {}
        if all_users:
            if not sees_others(actor):
                raise ForbiddenError("other users' calendars need the 'calendar_other_users_access' right")
            tasks = [t for t in repo.team_calendar(start, end) if overlaps(t, start, end)]
            return Calendar(start, end, tz_name, sorted(tasks, key=lambda t: (t.start, t.id)))
        users = self._calendar_users(actor, user_ids)
        for user_id in users:
            for task in repo.calendar(user_id, start, end):
                if overlaps(task, start, end):
                    found.setdefault(task.id, task)
        tasks = sorted(found.values(), key=lambda t: (t.start, t.id))
        return Calendar(start, end, tz_name, tasks)

    # --- helpers --------------------------------------------------------------------------------

    def _pick_list(
        self, actor: Actor, responsible_user_id: str | None, contact_id: str | None, deal_id: str | None
    ) -> tuple[TaskListKind, str, str | None]:
        """(list kind, its owner, a responsible user to filter on) for a list request."""
        if responsible_user_id and responsible_user_id != actor.user_id and not sees_others(actor):
            raise ForbiddenError("other users' tasks need the 'calendar_other_users_access' right")
        if contact_id:
            contact = self._storage.contacts(actor.tenant_id).get(contact_id)
            if contact is None or not can_see(actor, contact):
                raise NotFoundError("no such contact in this CRM")
            return TaskListKind.CONTACT, contact_id, responsible_user_id
        if deal_id:
            deal = self._storage.deals(actor.tenant_id).get(deal_id)
            if deal is None or not can_see_deal(actor, deal):
                raise NotFoundError("no such deal in this CRM")
            return TaskListKind.DEAL, deal_id, responsible_user_id
        if responsible_user_id:
            return TaskListKind.RESPONSIBLE, responsible_user_id, None
        return TaskListKind.PARTICIPANT, actor.user_id, None

    def _calendar_users(self, actor: Actor, user_ids: list[str] | None) -> list[str]:
        ids = list(dict.fromkeys(user_ids or [actor.user_id]))
        if len(ids) > MAX_CALENDAR_USERS:
            raise ValidationError(f"at most {MAX_CALENDAR_USERS} users at once", field="user_id")
        if any(u != actor.user_id for u in ids) and not sees_others(actor):
            raise ForbiddenError("other users' calendars need the 'calendar_other_users_access' right")
        return ids

    def _apply(self, actor: Actor, task: Task, changes: Mapping[str, Any], now: datetime, *, new: bool = False) -> Task:
        """`task` with `changes` applied and checked (create and update share every rule), and
        its reminder and SMS scheduled accordingly."""
        after = self._apply_links(actor, task, _apply_plain(task, changes, now), changes)
        if after.type is TaskType.SMS and task.sms_status is SmsState.SENT and _sms_changed(task, after):
            raise ConflictError("this SMS was already sent; create a new SMS task", field="sms_text")
        return check_type_fields(after).with_schedule(None if new else task, now)

    def _apply_links(self, actor: Actor, task: Task, after: Task, values: Mapping[str, Any]) -> Task:
        """The changes that name other records (users, contacts, a deal) or need the CRM."""
        if values.get("responsible_user_id") and values["responsible_user_id"] != task.responsible_user_id:
            responsible = values["responsible_user_id"]
            self._check_users(actor, [responsible], "responsible_user_id")
            after = replace(after, responsible_user_id=responsible)
        if "member_ids" in values or "responsible_user_id" in values:
            given = list(values.get("member_ids", after.member_ids) or [])
            members = check_members(given, after.responsible_user_id)
            self._check_users(actor, [m for m in members if m not in task.member_ids], "member_ids", given)
            after = replace(after, member_ids=members)
        contacts = None
        if "contact_ids" in values:
            ids = check_contact_ids(list(values["contact_ids"] or []))
            contacts = self._check_contacts(actor, [c for c in ids if c not in task.contact_ids], ids)
            after = replace(after, contact_ids=ids)
        if "deal_id" in values and values["deal_id"] != task.deal_id:
            after = replace(after, deal_id=self._check_deal(actor, values["deal_id"]))
        if "phone" in values:
            after = replace(after, phone=self._phone(actor, values["phone"]))
        if after.type is TaskType.SMS and after.phone is None and after.contact_ids:
            after = replace(after, phone=self._first_phone(actor, after.contact_ids, contacts))
        return after

    def _check_users(self, actor: Actor, user_ids: list[str], field: str, given: list[str] | None = None) -> None:
        """Every user is active in the CRM; a refused one is named by its place in `given` (the
        list the caller sent) when there is one."""
        if not user_ids:
            return
        found = {u.id: u for u in self._storage.users(actor.tenant_id).get_many(user_ids)}
        for user_id in user_ids:
            user = found.get(user_id)
            if user is None or user.status is UserStatus.DEACTIVATED:
                index = f"[{given.index(user_id)}]" if given is not None else ""
                raise ValidationError(f"no such active user in this CRM: {user_id}", field=f"{field}{index}")

    def _check_contacts(self, actor: Actor, new_ids: list[str], all_ids: tuple[str, ...]) -> dict[str, Any]:
        found = {c.id: c for c in self._storage.contacts(actor.tenant_id).get_many(new_ids)}
        for contact_id in new_ids:
            contact = found.get(contact_id)
            if contact is None or not can_see(actor, contact):
                field = f"contact_ids[{all_ids.index(contact_id)}]"
                raise ValidationError("no such client or lead in this CRM", field=field)
        return found

    def _check_deal(self, actor: Actor, deal_id: str | None) -> str | None:
        if deal_id is None:
            return None
        deal = self._storage.deals(actor.tenant_id).get(deal_id)
        if deal is None or not can_see_deal(actor, deal):
            raise ValidationError("no such deal in this CRM", field="deal_id")
        return deal_id

    def _phone(self, actor: Actor, raw: str | None) -> str | None:
        """An SMS task's number, by the dialling rules of any SMS (TE-8: local formats completed
        with the company's country only where the telephony settings allow it)."""
        if raw is None or not raw.strip():
            return None
        crm = self._crm(actor)
        return dial_number(raw, crm.country, without_country_code=crm.telephony.dial_without_country_code,
                           field_name="phone")  # fmt: skip

    def _first_phone(self, actor: Actor, contact_ids: tuple[str, ...], known: dict[str, Any] | None) -> str | None:
        """The first number of the first linked contact that has one (an SMS task's default)."""
        known = dict(known or {})
        missing = [c for c in contact_ids if c not in known]
        known.update({c.id: c for c in self._storage.contacts(actor.tenant_id).get_many(missing)})
        for contact_id in contact_ids:
            contact = known.get(contact_id)
            if contact is not None and contact.phones:
                return contact.phones[0].phone
        return None

    def _crm(self, actor: Actor) -> Crm:
        crm = self._storage.crms.get(actor.tenant_id)
        if crm is None:
            raise NotFoundError("no such CRM")
        return crm

    def _visible(self, actor: Actor, task: Task | None) -> Task:
        if task is None or not can_see_task(actor, task):
            raise NotFoundError("no such task in this CRM")
        return task

    def _change_feed(self, actor: Actor, before: Task, after: Task, now: datetime) -> list[Write]:
        """Feed entries for what the linked records' feeds tell (TK: create, complete, reschedule)."""
        writes: list[Write] = []
        linked = [c for c in after.contact_ids if c not in before.contact_ids]
        deal_linked = after.deal_id if after.deal_id and after.deal_id != before.deal_id else None
        writes += self._feed_writes(actor, after, now, {"event": "linked"}, linked, deal_linked)
        kept_contacts = [c for c in after.contact_ids if c in before.contact_ids]
        kept_deal = after.deal_id if after.deal_id == before.deal_id else None
        if after.done and not before.done:
            data: dict[str, Any] = {"event": "completed", "comment": after.completed_comment}
            writes += self._feed_writes(actor, after, now, data, kept_contacts, kept_deal)
        elif before.done and not after.done:
            writes += self._feed_writes(actor, after, now, {"event": "reopened"}, kept_contacts, kept_deal)
        if (before.start, before.end) != (after.start, after.end):
            data = {"event": "rescheduled", "old_start": isoformat_z(before.start), "old_end": isoformat_z(before.end)}
            writes += self._feed_writes(actor, after, now, data, kept_contacts, kept_deal)
        return writes

    def _feed_writes(
        self,
        actor: Actor,
        task: Task,
        now: datetime,
        data: dict[str, Any],
        contact_ids: list[str] | tuple[str, ...],
        deal_id: str | None,
    ) -> list[Write]:
        return task_feed_writes(self._storage, actor.tenant_id, actor.user_id, task, now, data, contact_ids, deal_id)


def _apply_plain(task: Task, values: Mapping[str, Any], now: datetime) -> Task:
    """The changes that need nothing but the task: text, type, times, status."""
    after = replace(task, updated_at=now)
    if values.get("type") is not None and values["type"] is not task.type:
        after = _retype(after, values["type"], values)
    if values.get("all_day") is not None:
        after = replace(after, all_day=values["all_day"])
    if values.get("title") is not None:
        after = replace(after, title=check_title(values["title"]))
    if "description" in values:
        after = replace(after, description=check_description(values["description"]))
    if "remind_minutes_before" in values:
        after = replace(after, remind_minutes_before=check_remind(values["remind_minutes_before"]))
    if "meeting_url" in values:
        after = replace(after, meeting_url=check_meeting_url(values["meeting_url"]))
    if "sms_text" in values:
        text = values["sms_text"]
        after = replace(after, sms_text=text.strip() if text and text.strip() else None)
    if "start" in values or "end" in values or "all_day" in values:
        start = values.get("start") or after.start
        # Moving the start keeps the duration, as dragging an event in a calendar does.
        end = values["end"] if "end" in values else start + (task.end - task.start)
        start, end = check_span(start, end, after.all_day)
        after = replace(after, start=start, end=end)
    if values.get("status") is not None and values["status"] is not task.status:
        after = _with_status(after, values["status"], now)
    return after


def _with_status(task: Task, status: TaskStatus, now: datetime) -> Task:
    if status is TaskStatus.DONE:
        return replace(task, status=status, completed_at=now)
    return replace(task, status=status, completed_at=None, completed_comment=None)


def _column(status: TaskStatus) -> ListFilter:
    """A board column: by start, except done tasks, the latest first."""
    return ListFilter(status=status, descending=status is TaskStatus.DONE)


def _sms_changed(before: Task, after: Task) -> bool:
    return (before.phone, before.sms_text, before.start) != (after.phone, after.sms_text, after.start)


def _retype(task: Task, new_type: TaskType, given: Mapping[str, Any]) -> Task:
    """A task of another type: the old type's own fields go unless this request sets them."""
    kept = {
        "meeting_url": new_type is TaskType.VIDEO or "meeting_url" in given,
        "sms_text": new_type is TaskType.SMS or "sms_text" in given,
        "phone": new_type in (TaskType.CALL, TaskType.SMS) or "phone" in given,
    }
    cleared: dict[str, Any] = {f: None for f, keep in kept.items() if not keep}
    return replace(task, type=new_type, **cleared)
