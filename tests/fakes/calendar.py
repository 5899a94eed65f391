"""Google Calendar, the tasks and the sync state in memory, for the calendar sync's rules.

`FakeGoogle` behaves as the Calendar API does where the sync depends on it: etags change on
every write, `events.list` with a sync token returns what changed since (deleted events as
`status: cancelled`), an expired token answers 410, an insert with a taken id 409, an update
with a stale `If-Match` 412. `writes` and `FakeTasks.writes` count the sync's own successful
writes, so tests can say "this run wrote nothing".
"""

from __future__ import annotations

import copy
import itertools
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from chalicelib.domain.calendar_sync import EventFields, event_body, read_event
from chalicelib.ports.calendar import (
    Changes,
    EtagMismatchError,
    EventExistsError,
    EventGoneError,
    SyncedTask,
    SyncTokenGoneError,
)

if TYPE_CHECKING:
    from datetime import datetime

    from chalicelib.domain.calendar_sync import Link
    from tests.fakes.clock import ManualClock

ZONE = "Europe/Paris"


def _stamp(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


class FakeGoogle:
    def __init__(self, clock: ManualClock) -> None:
        self.events: dict[str, dict[str, Any]] = {}
        self.writes = 0
        self._clock = clock
        self._log: list[str] = []
        self._etags = itertools.count(1)
        self._tokens_from = 0
        self._ids = itertools.count(1)
        self.broken: set[str] = set()  # event ids whose resource is unreadable (a poison event)

    def _touch(self, event: dict[str, Any]) -> None:
        event["etag"] = f'"{next(self._etags)}"'
        event["updated"] = _stamp(self._clock())
        self._log.append(event["id"])

    # --- the API, as the sync calls it -------------------------------------------------------

    def changes(self, sync_token: str | None, time_min: datetime) -> Changes:
        if sync_token is None:
            listed = [e for e in self.events.values() if e["status"] != "cancelled" and self._ends_after(e, time_min)]
            return Changes([self._shown(e) for e in listed], str(len(self._log)), full=True)
        since = int(sync_token)
        if since < self._tokens_from:
            raise SyncTokenGoneError("410 fullSyncRequired")
        changed = dict.fromkeys(self._log[since:])
        return Changes([self._shown(self.events[i]) for i in changed if i in self.events], str(len(self._log)))

    def get(self, event_id: str) -> dict[str, Any]:
        if event_id not in self.events:
            raise EventGoneError(event_id)
        return self._shown(self.events[event_id])

    def insert(self, event_id: str, body: dict[str, Any]) -> dict[str, Any]:
        if event_id in self.events:
            raise EventExistsError(event_id)
        event = {**copy.deepcopy(body), "id": event_id, "status": "confirmed"}
        self.events[event_id] = event
        self._touch(event)
        self.writes += 1
        return self._shown(event)

    def update(self, event_id: str, body: dict[str, Any], etag: str | None) -> dict[str, Any]:
        event = self.events.get(event_id)
        if event is None:
            raise EventGoneError(event_id)
        if etag is not None and event["etag"] != etag:
            raise EtagMismatchError(event_id)
        event.clear()
        event.update({**copy.deepcopy(body), "id": event_id, "status": "confirmed"})
        self._touch(event)
        self.writes += 1
        return self._shown(event)

    def delete(self, event_id: str) -> None:
        event = self.events.get(event_id)
        if event is None or event["status"] == "cancelled":
            return
        self._cancel(event)
        self.writes += 1

    def _cancel(self, event: dict[str, Any]) -> None:
        event["status"] = "cancelled"
        self._touch(event)

    def _shown(self, event: dict[str, Any]) -> dict[str, Any]:
        if event["id"] in self.broken:
            return {"id": event["id"], "etag": event["etag"], "status": "confirmed", "start": {"dateTime": "soon"}}
        if event["status"] == "cancelled":
            return {"id": event["id"], "etag": event["etag"], "status": "cancelled"}
        return copy.deepcopy(event)

    def _ends_after(self, event: dict[str, Any], moment: datetime) -> bool:
        fields = read_event(event, ZONE).fields
        return fields is not None and fields.end >= moment

    # --- what the user does in Google --------------------------------------------------------

    def user_creates(self, fields: EventFields, recurring_id: str | None = None) -> str:
        event_id = f"g{next(self._ids)}"
        body = event_body(fields, task_id="-", tenant_id="-", zone=ZONE)
        body.pop("extendedProperties")
        if recurring_id is not None:
            body["recurringEventId"] = recurring_id
        event = {**body, "id": event_id, "status": "confirmed"}
        self.events[event_id] = event
        self._touch(event)
        return event_id

    def user_edits(self, event_id: str, title: str) -> None:
        event = self.events[event_id]
        if event["status"] != "cancelled":
            event["summary"] = title
            self._touch(event)

    def user_deletes(self, event_id: str) -> None:
        event = self.events[event_id]
        if event["status"] != "cancelled":
            self._cancel(event)

    def expire_tokens(self) -> None:
        """Google drops old sync tokens (410) and purges deleted events."""
        self._tokens_from = len(self._log)
        for event_id in [i for i, e in self.events.items() if e["status"] == "cancelled"]:
            del self.events[event_id]

    def shown(self) -> list[dict[str, Any]]:
        return [e for e in self.events.values() if e["status"] != "cancelled"]


@dataclass
class FakeState:
    by_task: dict[tuple[str, str], Link] = field(default_factory=dict)
    tokens: dict[str, str | None] = field(default_factory=dict)
    pending_pushes: dict[str, dict[str, None]] = field(default_factory=dict)

    def mark(self, user_id: str, task_id: str) -> None:
        self.pending_pushes.setdefault(user_id, {})[task_id] = None

    def link_by_task(self, user_id: str, task_id: str) -> Link | None:
        return self.by_task.get((user_id, task_id))

    def link_by_event(self, user_id: str, event_id: str) -> Link | None:
        return next((lk for (u, _), lk in self.by_task.items() if u == user_id and lk.event_id == event_id), None)

    def links(self, user_id: str) -> list[Link]:
        return [lk for (u, _), lk in self.by_task.items() if u == user_id]

    def save_link(self, link: Link) -> None:
        self.by_task[(link.user_id, link.task_id)] = link

    def drop_link(self, user_id: str, task_id: str) -> None:
        self.by_task.pop((user_id, task_id), None)

    def pending(self, user_id: str) -> list[str]:
        return list(self.pending_pushes.get(user_id, {}))

    def pushed(self, user_id: str, task_id: str) -> None:
        self.pending_pushes.get(user_id, {}).pop(task_id, None)

    def sync_token(self, user_id: str) -> str | None:
        return self.tokens.get(user_id)

    def save_sync_token(self, user_id: str, token: str | None) -> None:
        self.tokens[user_id] = token


class FakeTasks:
    """The CRM's tasks: every write, the CRM user's or the sync's, marks a pending push for each
    participant, as the task service's transaction does."""

    def __init__(self, clock: ManualClock, state: FakeState) -> None:
        self.tasks: dict[str, SyncedTask] = {}
        self.writes = 0
        self._clock, self._state = clock, state
        self._ids = itertools.count(1)

    def _store(self, task: SyncedTask, before: SyncedTask | None = None) -> SyncedTask:
        self.tasks[task.id] = task
        for user_id in {*task.participants, *(before.participants if before else ())}:
            self._state.mark(user_id, task.id)
        return task

    # --- what a CRM user does ----------------------------------------------------------------

    def crm_creates(self, fields: EventFields, participants: tuple[str, ...]) -> str:
        task = SyncedTask(f"t{next(self._ids)}", fields, 1, self._clock(), participants)
        return self._store(task).id

    def crm_edits(self, task_id: str, title: str) -> None:
        before = self.tasks[task_id]
        after = replace(before, fields=before.fields._replace(title=title), version=before.version + 1)
        self._store(replace(after, updated_at=self._clock()), before)

    def crm_deletes(self, task_id: str) -> None:
        before = self.tasks.pop(task_id)
        for user_id in before.participants:
            self._state.mark(user_id, task_id)

    # --- the port ------------------------------------------------------------------------------

    def get(self, task_id: str) -> SyncedTask | None:
        return self.tasks.get(task_id)

    def create(self, user_id: str, fields: EventFields) -> SyncedTask:
        self.writes += 1
        return self._store(SyncedTask(f"t{next(self._ids)}", fields, 1, self._clock(), (user_id,)))

    def update(self, user_id: str, task_id: str, fields: EventFields, version: int) -> SyncedTask | None:
        before = self.tasks.get(task_id)
        if before is None or before.version != version:
            return None
        self.writes += 1
        return self._store(replace(before, fields=fields, version=version + 1, updated_at=self._clock()), before)

    def remove(self, user_id: str, task_id: str) -> None:
        before = self.tasks.get(task_id)
        if before is None or user_id not in before.participants:
            return
        self.writes += 1
        if before.participants[0] == user_id:
            self.crm_deletes(task_id)
            return
        others = tuple(p for p in before.participants if p != user_id)
        self._store(replace(before, participants=others, version=before.version + 1, updated_at=self._clock()), before)
