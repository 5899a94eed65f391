"""One test per access pattern of tasks and due actions (AP27-AP32 of db/keys.py), against moto."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from chalicelib.db import keys
from chalicelib.db.items import Item
from chalicelib.db.models.tasks import WatermarkItem
from chalicelib.db.repositories.tasks import DueRepository, TaskRepository
from chalicelib.domain.errors import StaleVersionError
from chalicelib.domain.ids import new_id
from chalicelib.domain.tasks import DueAction, DueKind, Task, TaskStatus, TaskType
from chalicelib.ports.queries.tasks import ListFilter, TaskListKind
from tests.harness import LocalAws
from tests.meter import dynamodb_calls

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


def a_task(title: str, start: datetime, **fields: object) -> Task:
    task = Task(
        id=new_id(),
        type=TaskType.TASK,
        title=title,
        start=start,
        end=start + timedelta(minutes=30),
        responsible_user_id="u1",
        created_at=NOW,
        created_by="u1",
        updated_at=NOW,
    )
    return replace(task, **fields).with_schedule(None, NOW)  # type: ignore[arg-type]


@pytest.fixture
def repo(aws: LocalAws) -> TaskRepository:
    return TaskRepository("tenant-1")


def titles(tasks: object) -> list[str]:
    return [t.title for t in getattr(tasks, "items", tasks)]  # type: ignore[union-attr]


def test_ap27_get_a_task_and_writes_are_conditioned_on_its_version(repo: TaskRepository) -> None:
    task = a_task("Call", T0, member_ids=("u2",), contact_ids=("c1",), deal_id="d1")
    repo.create(task)
    assert repo.get(task.id) == task
    saved = repo.save_changes(task, replace(task, title="Call back"))
    assert (saved.version, repo.get(task.id, consistent=True)) == (2, saved)
    with pytest.raises(StaleVersionError):
        repo.save_changes(task, replace(task, title="Lost update"))
    assert TaskRepository("tenant-2").get(task.id) is None


def test_ap28_lists_by_start_for_participants_responsible_contacts_and_deals(repo: TaskRepository) -> None:
    a = a_task("A", T0 + timedelta(hours=2), member_ids=("u2",), contact_ids=("c1",))
    b = a_task("B", T0 + timedelta(hours=1), responsible_user_id="u2", contact_ids=("c1",), deal_id="d1")
    for task in (a, b):
        repo.create(task)

    def listed(kind: TaskListKind, owner: str, flt: ListFilter | None = None) -> list[str]:
        return titles(repo.page(kind, owner, flt or ListFilter(), limit=10, cursor=None))

    assert listed(TaskListKind.PARTICIPANT, "u2") == ["B", "A"]
    assert listed(TaskListKind.PARTICIPANT, "u1") == ["A"]
    assert listed(TaskListKind.RESPONSIBLE, "u2") == ["B"]
    assert listed(TaskListKind.CONTACT, "c1") == ["B", "A"]
    assert listed(TaskListKind.CONTACT, "c1", ListFilter(responsible_user_id="u1")) == ["A"]
    assert listed(TaskListKind.DEAL, "d1") == ["B"]
    window = ListFilter(start_from=T0 + timedelta(hours=1), start_to=T0 + timedelta(hours=2))
    assert listed(TaskListKind.PARTICIPANT, "u2", window) == ["B"]  # [from, to)
    # Moving and unlinking rewrites the copies: nothing stale is left behind.
    repo.save_changes(a, replace(a, start=T0, member_ids=(), contact_ids=()))
    assert listed(TaskListKind.PARTICIPANT, "u2") == ["B"]
    assert listed(TaskListKind.CONTACT, "c1") == ["B"]
    assert listed(TaskListKind.PARTICIPANT, "u1") == ["A"]


def test_ap29_ap30_open_tasks_and_tasks_by_status(repo: TaskRepository) -> None:
    done = a_task("Done", T0, status=TaskStatus.DONE)
    doing = a_task("Doing", T0 + timedelta(hours=1), status=TaskStatus.IN_PROGRESS)
    todo = a_task("Todo", T0 + timedelta(hours=2))
    for task in (done, doing, todo):
        repo.create(task)
    mine = (TaskListKind.PARTICIPANT, "u1")

    assert titles(repo.page(*mine, ListFilter(open_only=True), limit=10, cursor=None)) == ["Doing", "Todo"]
    for status, expected in ((TaskStatus.OPEN, ["Todo"]), (TaskStatus.IN_PROGRESS, ["Doing"]),
                             (TaskStatus.DONE, ["Done"])):  # fmt: skip
        assert titles(repo.page(*mine, ListFilter(status=status), limit=10, cursor=None)) == expected
    page = repo.page(*mine, ListFilter(descending=True), limit=2, cursor=None)
    rest = repo.page(*mine, ListFilter(descending=True), limit=2, cursor=page.next_cursor)
    assert titles(page) + titles(rest) == ["Todo", "Doing", "Done"]


def test_ap28_calendar_finds_tasks_running_into_the_range_in_one_query(repo: TaskRepository) -> None:
    long_one = replace(a_task("Long", T0 - timedelta(days=3)), end=T0 + timedelta(hours=1))
    over = a_task("Over before", T0 - timedelta(days=1))
    inside = a_task("Inside", T0 + timedelta(hours=3))
    after = a_task("After", T0 + timedelta(days=1))
    for task in (long_one, over, inside, after):
        repo.create(task)

    with dynamodb_calls() as calls:
        found = repo.calendar("u1", T0, T0 + timedelta(days=1))
    assert titles(found) == ["Long", "Inside"]
    assert calls == {"Query": 1}


def test_ap31_due_actions_of_an_hour_are_claimed_once(aws: LocalAws) -> None:
    due = DueRepository()
    first = DueAction("t1", "k1", DueKind.REMIND, T0 + timedelta(minutes=5))
    second = DueAction("t2", "k2", DueKind.SMS, T0 + timedelta(minutes=50))
    elsewhere = DueAction("t1", "k3", DueKind.REMIND, T0 + timedelta(hours=1, minutes=5))
    for action in (second, elsewhere, first):
        due.put(action)
    hour = T0

    assert [r.action for r in due.due(hour, T0 + timedelta(minutes=30))] == [first]
    assert [r.action for r in due.due(hour, T0 + timedelta(hours=1))] == [first, second]
    record = next(iter(due.due(hour, T0 + timedelta(minutes=30))))
    assert due.claim(record, T0, timedelta(minutes=5)) is True
    assert due.claim(record, T0 + timedelta(minutes=1), timedelta(minutes=5)) is False  # leased
    assert due.claim(record, T0 + timedelta(minutes=6), timedelta(minutes=5)) is True  # lease expired
    due.finish(record)
    assert due.claim(record, T0 + timedelta(minutes=20), timedelta(minutes=5)) is False  # gone
    assert [r.action for r in due.due(hour, T0 + timedelta(hours=1))] == [second]


def test_task_writes_keep_its_due_actions_in_step(repo: TaskRepository) -> None:
    task = a_task("Call", T0, remind_minutes_before=15)
    repo.create(task)
    due = DueRepository()
    reminder = T0 - timedelta(minutes=15)
    assert [r.action.at for r in due.due(reminder, T0)] == [reminder]

    moved = replace(task, start=T0 + timedelta(hours=1), end=T0 + timedelta(hours=1)).with_schedule(task, NOW)
    repo.save_changes(task, moved)
    assert list(due.due(reminder, T0)) == []
    assert [r.action.at for r in due.due(T0, T0 + timedelta(hours=1))] == [T0 + timedelta(minutes=45)]
    later = T0 + timedelta(hours=1)  # its end, when it goes overdue if not done
    assert [(r.action.kind, r.action.at) for r in due.due(later, later)] == [(DueKind.OVERDUE, later)]
    repo.delete(replace(moved, version=2))
    assert list(due.due(T0, T0 + timedelta(hours=1))) == []
    assert list(due.due(later, later)) == []
    assert list(Item.query(keys.task_list_pk("tenant-1", keys.TaskList.PARTICIPANT, "u1"))) == []


def test_ap32_the_watermark(aws: LocalAws) -> None:
    due = DueRepository()
    assert due.watermark() is None
    due.set_watermark(datetime(2026, 12, 1, 9, 41, tzinfo=UTC))
    assert due.watermark() == datetime(2026, 12, 1, 9, tzinfo=UTC)  # the hour it falls in
    assert WatermarkItem.get(*keys.due_watermark_key()).bucket == "2026-12-01T09"  # the key names the hour


def test_ap106_the_team_calendar_is_one_query_whatever_the_number_of_users(repo: TaskRepository) -> None:
    long_one = replace(a_task("Long", T0 - timedelta(days=3)), end=T0 + timedelta(hours=1))
    over = a_task("Over before", T0 - timedelta(days=1), responsible_user_id="u2")
    others = [a_task(f"User {i}", T0 + timedelta(hours=1, minutes=i), responsible_user_id=f"u{i}") for i in range(3, 9)]
    after = a_task("After", T0 + timedelta(days=1))
    for task in (long_one, over, *others, after):
        repo.create(task)
    moved = repo.save_changes(others[0], replace(others[0], start=T0 + timedelta(hours=5), end=T0 + timedelta(hours=6)))
    TaskRepository("tenant-2").create(a_task("Another CRM's", T0 + timedelta(hours=2)))

    with dynamodb_calls() as calls:
        found = repo.team_calendar(T0, T0 + timedelta(days=1))
    assert titles(found) == ["Long"] + [t.title for t in others[1:]] + ["User 3"]
    assert found[-1] == moved  # the record itself: the current version
    assert calls == {"Query": 1}
    repo.delete(moved)
    assert "User 3" not in titles(repo.team_calendar(T0, T0 + timedelta(days=1)))


def test_ap106_backfill_gives_old_records_their_keys_unless_they_changed(repo: TaskRepository) -> None:
    old, changed = a_task("Old", T0), a_task("Changed", T0 + timedelta(hours=1))
    for task in (old, changed):
        repo.create(task)
        Item._get_connection().connection.client.update_item(  # stored before AP106 (no version bump)
            TableName=Item.Meta.table_name,
            Key={"pk": {"S": keys.task_pk("tenant-1", task.id)}, "sk": {"S": keys.TASK_RECORD}},
            UpdateExpression="REMOVE gsi3pk, gsi3sk",
        )
    assert repo.team_calendar(T0, T0 + timedelta(days=1)) == []
    newer = repo.save_changes(changed, replace(changed, title="Changed since"))  # a write indexes it
    assert repo.index_team_calendar([old, changed]) == 1  # `changed` is stale: left to its write
    assert titles(repo.team_calendar(T0, T0 + timedelta(days=1))) == ["Old", "Changed since"]
    assert repo.team_calendar(T0, T0 + timedelta(days=1))[1] == newer
