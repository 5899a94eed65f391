"""Tasks (TK, CA) on fakes: lists, reminders that follow the task, rights, the calendar."""

from __future__ import annotations

from datetime import timedelta

import pytest

from chalicelib.domain.errors import ConflictError, ForbiddenError, NotFoundError, ValidationError
from chalicelib.domain.rights import Permission
from chalicelib.domain.tasks import DueKind, TaskStatus, TaskType
from chalicelib.services.tasks import TaskService
from tests.services.world import World


@pytest.fixture
def tasks(world: World) -> TaskService:
    return TaskService(world.storage, world.clock)


def test_a_task_is_in_its_participants_lists_and_its_clients_feed(world: World, tasks: TaskService) -> None:
    seller = world.user("Sam Seller")
    client = world.client("Bob Buyer", world.admin)
    start = world.clock() + timedelta(days=1)
    task = tasks.create(world.admin, {"title": "Demo", "start": start, "member_ids": [seller.user_id],
                                      "contact_ids": [client.id]})  # fmt: skip

    assert [t.id for t in tasks.page(seller, limit=10, cursor=None).items] == [task.id]
    assert [t.id for t in tasks.page(world.admin, contact_id=client.id, limit=10, cursor=None).items] == [task.id]
    (entry,) = world.storage.contacts(world.tenant_id).feeds[client.id]
    assert entry.data["event"] == "created"


def test_a_reminder_follows_the_start_and_goes_when_the_task_is_done(world: World, tasks: TaskService) -> None:
    due = world.storage.due_actions
    start = world.clock() + timedelta(days=1)
    task = tasks.create(world.admin, {"title": "Call back", "start": start, "remind_minutes_before": 30})
    # The reminder, and its end, when it goes overdue if not done.
    assert sorted((a.kind, a.at) for a in due.records) == [(DueKind.OVERDUE, start),
                                                           (DueKind.REMIND, start - timedelta(minutes=30))]  # fmt: skip

    later = start + timedelta(hours=2)
    moved = tasks.update(world.admin, task.id, None, {"start": later})
    assert sorted(a.at for a in due.records) == [later - timedelta(minutes=30), later]
    tasks.update(world.admin, task.id, moved.version, {"title": "Call back (urgent)"})  # same time: kept
    assert sorted(a.at for a in due.records) == [later - timedelta(minutes=30), later]

    done = tasks.complete(world.admin, task.id, "  reached them ")
    assert (done.status, done.completed_comment) == (TaskStatus.DONE, "reached them")
    assert due.records == {}
    with pytest.raises(ConflictError):
        tasks.complete(world.admin, task.id, None)


def test_done_tasks_leave_the_open_lists_but_stay_findable(world: World, tasks: TaskService) -> None:
    start = world.clock() + timedelta(hours=1)
    task = tasks.create(world.admin, {"title": "Send quote", "start": start})
    tasks.complete(world.admin, task.id, None)
    assert tasks.page(world.admin, limit=10, cursor=None).items == []
    assert [t.id for t in tasks.page(world.admin, include_completed=True, limit=10, cursor=None).items] == [task.id]
    board = {c.status: [t.id for t in c.cards.items] for c in tasks.board(world.admin, responsible_user_id=None,
                                                                          limit=5)}  # fmt: skip
    assert board == {TaskStatus.OPEN: [], TaskStatus.IN_PROGRESS: [], TaskStatus.DONE: [task.id]}


def test_a_task_is_checked_as_a_whole(world: World, tasks: TaskService) -> None:
    start = world.clock() + timedelta(hours=1)
    leaver = world.user("Lea Leaver")
    world.deactivate(leaver)
    cases = [
        ({"start": start}, "title"),
        ({"title": "x", "start": start, "colour": "red"}, "colour"),
        ({"title": "x", "start": start, "status": TaskStatus.DONE}, "status"),
        ({"title": "x", "start": start, "member_ids": [world.admin.user_id, leaver.user_id]}, "member_ids[1]"),
        ({"title": "x", "start": start, "contact_ids": ["nope"]}, "contact_ids[0]"),
        ({"title": "x", "start": start, "deal_id": "nope"}, "deal_id"),
        ({"title": "x", "start": start, "type": TaskType.TASK, "sms_text": "hi"}, "sms_text"),
        ({"title": "x", "start": start, "type": TaskType.SMS, "sms_text": "hi"}, "phone"),
    ]
    for fields, field in cases:
        with pytest.raises(ValidationError) as refused:
            tasks.create(world.admin, fields)
        assert refused.value.field == field, fields
    assert world.storage.tasks(world.tenant_id).records == {}


def test_other_users_tasks_need_the_calendar_right(world: World, tasks: TaskService) -> None:
    seller = world.user("Sam Seller")
    start = world.clock() + timedelta(hours=1)
    theirs = tasks.create(world.admin, {"title": "Board meeting", "start": start})
    with pytest.raises(ForbiddenError):
        tasks.page(seller, responsible_user_id=world.admin.user_id, limit=10, cursor=None)
    with pytest.raises(NotFoundError):
        tasks.get(seller, theirs.id)
    assistant = world.user("Ann Assistant", frozenset({Permission.CALENDAR_OTHER_USERS_ACCESS}))
    assert tasks.get(assistant, theirs.id).id == theirs.id
    member_task = tasks.create(world.admin, {"title": "Review", "start": start, "member_ids": [seller.user_id]})
    with pytest.raises(ForbiddenError):
        tasks.delete(seller, member_task.id)  # a member sees it, only its owners delete it
    tasks.delete(assistant, member_task.id)


def test_the_calendar_shows_what_runs_in_the_range_for_each_user_asked(world: World, tasks: TaskService) -> None:
    seller = world.user("Sam Seller")
    day = world.clock().replace(hour=0, minute=0) + timedelta(days=1)
    mine = tasks.create(world.admin, {"title": "Mine", "start": day + timedelta(hours=9),
                                      "end": day + timedelta(hours=10)})  # fmt: skip
    tasks.create(world.admin, {"title": "Tomorrow+1", "start": day + timedelta(days=1, hours=9)})
    theirs = tasks.create(seller, {"title": "Theirs", "start": day + timedelta(hours=11)})

    calendar = tasks.calendar(world.admin, start=day, end=day + timedelta(days=1), view=None, day=None,
                              user_ids=[world.admin.user_id, seller.user_id])  # fmt: skip
    assert [t.id for t in calendar.tasks] == [mine.id, theirs.id]
    with pytest.raises(ValidationError) as backwards:
        tasks.calendar(world.admin, start=day, end=day, view=None, day=None, user_ids=None)
    assert backwards.value.field == "to"
