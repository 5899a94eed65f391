"""Fakes of the tasks repository and of the deployment's due actions (`ports/storage.py`)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from chalicelib.domain.errors import StaleVersionError
from chalicelib.domain.paging import Page
from chalicelib.domain.rollups.tasks import attribute_task
from chalicelib.domain.tasks import MAX_SPAN, DueAction, Task
from chalicelib.ports.queries.tasks import DueRecord, ListFilter, TaskListKind
from tests.fakes.base import FakeWrite, commit, page
from tests.fakes.rollups import FakeRollups


def _lists(task: Task) -> set[tuple[TaskListKind, str]]:
    lists = {(TaskListKind.PARTICIPANT, u) for u in task.participants}
    lists.add((TaskListKind.RESPONSIBLE, task.responsible_user_id))
    lists |= {(TaskListKind.CONTACT, c) for c in task.contact_ids}
    if task.deal_id:
        lists.add((TaskListKind.DEAL, task.deal_id))
    return lists


class FakeTasks:
    """Tasks and their lists (a task is in each participant's, its responsible user's, each
    linked contact's and its deal's); every write also moves its due actions."""

    rollups = FakeRollups()  # the tenant's, set by FakeStorage

    def __init__(self, due: FakeDueActions, tenant_id: str) -> None:
        self.records: dict[str, Task] = {}
        self._due = due
        self._tenant_id = tenant_id

    def get(self, task_id: str, *, consistent: bool = False) -> Task | None:
        return self.records.get(task_id)

    def create(self, task: Task, extra: Sequence[Any] = ()) -> None:
        task = attribute_task(None, task)
        commit([FakeWrite(lambda: self._store(None, task)), *extra])

    def save_changes(self, before: Task, after: Task, extra: Sequence[Any] = ()) -> Task:
        saved = replace(attribute_task(before, after), version=before.version + 1)

        def check() -> None:
            current = self.records.get(before.id)
            if current is None or current.version != before.version:
                raise StaleVersionError("task")

        commit([FakeWrite(lambda: self._store(before, saved), check), *extra])
        return saved

    def delete(self, task: Task, extra: Sequence[Any] = ()) -> None:
        current = self.records.get(task.id)
        if current is None or current.version != task.version:
            raise StaleVersionError("task")
        del self.records[task.id]
        self._due.move(task.due_actions(self._tenant_id), [])
        self.rollups.record(task, None)
        commit(list(extra))

    def _store(self, before: Task | None, after: Task) -> None:
        self.records[after.id] = after
        self.rollups.record(before, after)
        self._due.move(before.due_actions(self._tenant_id) if before else [], after.due_actions(self._tenant_id))

    def page(
        self, list_kind: TaskListKind, owner_id: str, flt: ListFilter, *, limit: int, cursor: str | None
    ) -> Page[Task]:
        kept = [
            t
            for t in self.records.values()
            if (list_kind, owner_id) in _lists(t)
            and (flt.status is None or t.status is flt.status)
            and (not flt.open_only or not t.done)
            and (flt.start_from is None or t.start >= flt.start_from)
            and (flt.start_to is None or t.start <= flt.start_to)
            and (flt.responsible_user_id is None or t.responsible_user_id == flt.responsible_user_id)
            and (flt.task_type is None or t.type is flt.task_type)
        ]
        kept.sort(key=lambda t: (t.start, t.id), reverse=flt.descending)
        return page(kept, limit, cursor)

    def calendar(self, user_id: str, start: datetime, end: datetime) -> list[Task]:
        return sorted(
            (
                t
                for t in self.records.values()
                if user_id in t.participants
                and start - MAX_SPAN <= t.start <= end
                and (t.end > start or t.start >= start)
            ),
            key=lambda t: (t.start, t.id),
        )

    def team_calendar(self, start: datetime, end: datetime) -> list[Task]:
        return sorted(
            (
                t
                for t in self.records.values()
                if start - MAX_SPAN <= t.start <= end and (t.end > start or t.start >= start)
            ),
            key=lambda t: (t.start, t.id),
        )

    def index_team_calendar(self, tasks: Sequence[Task]) -> int:
        return len(tasks)  # the fake's records need no index


class FakeDueActions:
    """Due actions of every CRM with their leases, as the worker sees them."""

    def __init__(self) -> None:
        self.records: dict[DueAction, DueRecord] = {}
        self.mark: datetime | None = None

    def move(self, old: Sequence[DueAction], new: Sequence[DueAction]) -> None:
        for action in old:
            if action not in new:
                self.records.pop(action, None)
        for action in new:
            if action not in old:
                self.records[action] = DueRecord(action, 0, None)

    def due(self, hour: datetime, until: datetime) -> Iterator[DueRecord]:
        start = hour.replace(minute=0, second=0, microsecond=0)
        found = [r for r in self.records.values() if start <= r.action.at < start + timedelta(hours=1)]
        yield from sorted((r for r in found if r.action.at <= until), key=lambda r: r.action.at)

    def claim(self, record: DueRecord, now: datetime, lease: timedelta) -> bool:
        current = self.records.get(record.action)
        if current is None or (current.claimed_until is not None and current.claimed_until >= now):
            return False
        self.records[record.action] = replace(current, claimed_until=now + lease, attempts=current.attempts + 1)
        return True

    def release(self, record: DueRecord, error: str, retry_at: datetime) -> None:
        current = self.records.get(record.action)
        if current is not None:
            self.records[record.action] = replace(current, claimed_until=retry_at, last_error=error[:500])

    def finish(self, record: DueRecord) -> None:
        self.records.pop(record.action, None)

    def put(self, action: DueAction) -> None:
        self.records[action] = DueRecord(action, 0, None)

    def watermark(self) -> datetime | None:
        return self.mark

    def set_watermark(self, hour: datetime) -> None:
        self.mark = hour.replace(minute=0, second=0, microsecond=0)
