"""Tasks, their board, and the calendar (SPEC TK-1..5, CA-1..2, SM-4)."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import AwareDatetime, ConfigDict, Field

from chalicelib.api.records import TaskOut
from chalicelib.api.routing import Router
from chalicelib.api.schemas import Id, Input, Output, PageOut, PageQuery, UtcDateTime, VersionIn
from chalicelib.bootstrap import services
from chalicelib.domain.actor import Actor
from chalicelib.domain.rights import Access
from chalicelib.domain.tasks import (
    MAX_CONTACTS,
    MAX_MEMBERS,
    MAX_REMIND_MINUTES,
    MAX_SMS_TEXT,
    CalendarView,
    TaskStatus,
    TaskType,
)

router = Router(__name__, tag="Tasks and calendar")


class TaskIn(Input):
    type: TaskType = TaskType.TASK
    title: str = Field(min_length=1, max_length=200)
    description: str | None = Field(None, max_length=5000)
    start: AwareDatetime = Field(description="When the task is due (ISO 8601 with an offset)")
    end: AwareDatetime | None = Field(None, description="Default: the start (a whole day for all-day tasks)")
    all_day: bool = False
    responsible_user_id: Id | None = Field(None, description="Default: the creator (TK-5: or anyone else)")
    member_ids: list[Id] = Field(default_factory=list, max_length=MAX_MEMBERS, description="Colleagues taking part")
    contact_ids: list[Id] = Field(default_factory=list, max_length=MAX_CONTACTS, description="Clients and leads")
    deal_id: Id | None = None
    status: TaskStatus = TaskStatus.OPEN
    remind_minutes_before: int | None = Field(
        15, ge=0, le=MAX_REMIND_MINUTES, description="Email the responsible user this long before; null: no reminder"
    )
    phone: str | None = Field(None, description="Call and SMS tasks; an SMS task defaults to a linked contact's")
    sms_text: str | None = Field(None, max_length=MAX_SMS_TEXT, description="SMS tasks: sent at `start` (SM-4)")
    meeting_url: str | None = Field(None, max_length=2000, description="Video tasks")


class TaskPatch(Input):
    version: VersionIn = None
    type: TaskType | None = None
    title: str | None = Field(None, min_length=1, max_length=200)
    description: str | None = Field(None, max_length=5000)
    start: AwareDatetime | None = Field(None, description="Moving the start keeps the duration unless `end` is given")
    end: AwareDatetime | None = None
    all_day: bool | None = None
    responsible_user_id: Id | None = None
    member_ids: list[Id] | None = Field(None, max_length=MAX_MEMBERS)
    contact_ids: list[Id] | None = Field(None, max_length=MAX_CONTACTS)
    deal_id: Id | None = None
    status: TaskStatus | None = Field(None, description="`done` completes the task (no comment)")
    remind_minutes_before: int | None = Field(None, ge=0, le=MAX_REMIND_MINUTES)
    phone: str | None = None
    sms_text: str | None = Field(None, max_length=MAX_SMS_TEXT)
    meeting_url: str | None = Field(None, max_length=2000)


class CompleteIn(Input):
    comment: str | None = Field(None, max_length=2000)


class TaskList(PageOut):
    items: list[TaskOut]


class TaskQuery(PageQuery):
    include_completed: bool = Field(False, description="Also done tasks (TK-1's 'completed tasks' box)")
    responsible_user_id: Id | None = Field(None, description="Someone else's needs calendar_other_users_access")
    contact_id: Id | None = Field(None, description="Tasks linked to this client or lead")
    deal_id: Id | None = Field(None, description="Tasks linked to this deal")
    status: TaskStatus | None = None
    type: TaskType | None = None
    from_: AwareDatetime | None = Field(None, alias="from", description="Starting at or after")
    to: AwareDatetime | None = Field(None, description="Starting before")
    order: Literal["asc", "desc"] = Field("asc", description="By start")


class TaskBoardQuery(Input):
    limit: int = Field(20, ge=1, le=100, description="Cards per column")
    responsible_user_id: Id | None = Field(None, description="Default: your own tasks (as a participant)")


class TaskColumnOut(Output):
    status: str
    items: list[TaskOut]
    next_cursor: str | None = Field(
        description="GET /v1/tasks?status=<status>&cursor= (done: &order=desc) with the same responsible_user_id"
    )


class TaskBoardOut(Output):
    columns: list[TaskColumnOut]


class CalendarQuery(Input):
    from_: AwareDatetime | None = Field(None, alias="from", description="With `to`: an explicit range")
    to: AwareDatetime | None = None
    view: CalendarView | None = Field(None, description="Or a month, week or day of your own time zone")
    date: dt.date | None = Field(None, description="The day the view shows (default: today)")
    user_id: Id | None = Field(
        None, description="Default: yours. Comma-separated ids, or `all`; others' need calendar_other_users_access"
    )


class CalendarOut(Output):
    model_config = ConfigDict(from_attributes=True, defer_build=True, serialize_by_alias=True, validate_by_name=True)

    from_: UtcDateTime = Field(alias="from")
    to: UtcDateTime
    timezone: str = Field(description="The time zone the view was cut in")
    items: list[TaskOut] = Field(description="Tasks running in the range, by start")


@router.route("/tasks", "GET", right=Access.ANY_USER, query=TaskQuery, response=TaskList)
def list_tasks(actor: Actor, query: TaskQuery) -> TaskList:
    """Tasks by start: yours (as a participant) unless filtered by responsible user, contact or deal."""
    page = services().tasks.page(
        actor,
        responsible_user_id=query.responsible_user_id,
        contact_id=query.contact_id,
        deal_id=query.deal_id,
        status=query.status,
        task_type=query.type,
        include_completed=query.include_completed,
        start_from=query.from_,
        start_to=query.to,
        descending=query.order == "desc",
        limit=query.limit,
        cursor=query.cursor,
    )
    return TaskList.model_validate(page)


@router.route("/tasks", "POST", right=Access.ANY_USER, body=TaskIn, response=TaskOut, status=201)
def create_task(actor: Actor, body: TaskIn) -> TaskOut:
    """Create a task, call, video conference or deferred SMS, for yourself or someone else."""
    return TaskOut.model_validate(services().tasks.create(actor, _given(body)))


@router.route("/tasks/board", "GET", right=Access.ANY_USER, query=TaskBoardQuery, response=TaskBoardOut)
def task_board(actor: Actor, query: TaskBoardQuery) -> TaskBoardOut:
    """The Kanban board of tasks: one column per status."""
    columns = services().tasks.board(actor, responsible_user_id=query.responsible_user_id, limit=query.limit)
    return TaskBoardOut(
        columns=[
            TaskColumnOut(
                status=c.status.value,
                items=[TaskOut.model_validate(t) for t in c.cards.items],
                next_cursor=c.cards.next_cursor,
            )
            for c in columns
        ]
    )


@router.route("/tasks/{task_id}", "GET", right=Access.ANY_USER, response=TaskOut)
def get_task(actor: Actor, task_id: str) -> TaskOut:
    """A task."""
    return TaskOut.model_validate(services().tasks.get(actor, task_id))


@router.route("/tasks/{task_id}", "PATCH", right=Access.ANY_USER, body=TaskPatch, response=TaskOut)
def update_task(actor: Actor, task_id: str, body: TaskPatch) -> TaskOut:
    """Edit, reschedule, reassign or move a task on the board (`status`)."""
    changes = _given(body)
    version = changes.pop("version", None)
    return TaskOut.model_validate(services().tasks.update(actor, task_id, version, changes))


@router.route("/tasks/{task_id}", "DELETE", right=Access.ANY_USER, status=204)
def delete_task(actor: Actor, task_id: str) -> None:
    """Delete a task (its responsible user, its creator, or with calendar_other_users_access)."""
    services().tasks.delete(actor, task_id)


@router.route("/tasks/{task_id}/complete", "POST", right=Access.ANY_USER, body=CompleteIn, response=TaskOut)
def complete_task(actor: Actor, task_id: str, body: CompleteIn) -> TaskOut:
    """Complete a task, with an optional comment."""
    return TaskOut.model_validate(services().tasks.complete(actor, task_id, body.comment))


@router.route("/calendar", "GET", right=Access.ANY_USER, query=CalendarQuery, response=CalendarOut)
def calendar(actor: Actor, query: CalendarQuery) -> CalendarOut:
    """Tasks in a month, week, day or range: yours, or other users' with calendar_other_users_access."""
    ids = [u.strip() for u in (query.user_id or "").split(",") if u.strip()]
    result = services().tasks.calendar(
        actor,
        start=query.from_,
        end=query.to,
        view=query.view,
        day=query.date,
        user_ids=[u for u in ids if u != "all"] or None,
        all_users="all" in ids,
    )
    items = [TaskOut.model_validate(t) for t in result.tasks]
    return CalendarOut(from_=result.start, to=result.end, timezone=result.timezone, items=items)


def _given(body: Input) -> dict[str, Any]:
    """The fields the client sent (an explicit null clears a field; a missing one is left alone)."""
    return {name: getattr(body, name) for name in body.model_fields_set}
