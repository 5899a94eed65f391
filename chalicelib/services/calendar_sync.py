"""One sync run of one user's Google Calendar (GC-2..4): push the CRM's changes, pull Google's.

A run first pushes the tasks whose change is pending for the user, then pulls the calendar's
changes since the last sync token. The caller holds the user's lease, so pushes and pulls of one
calendar never interleave. Nothing loops: a pushed event is remembered with the etag Google gave
it, so it is skipped when it comes back in the changes; a task written from an event is
remembered at its new version, so its pending push writes nothing. Conflicts (both sides changed
one item since the last run) go to the later change; a deletion on either side wins over an edit.
One event or task that fails is reported and skipped; the rest of the run goes on.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from functools import partial
from typing import TYPE_CHECKING, Any, NamedTuple

from chalicelib.domain.calendar_sync import (
    Link,
    RemoteEvent,
    UnreadableEventError,
    event_body,
    event_id_for,
    read_event,
    same_content,
)
from chalicelib.ports.calendar import (
    AccessRevokedError,
    CalendarError,
    EtagMismatchError,
    EventExistsError,
    EventGoneError,
    SyncTokenGoneError,
)

if TYPE_CHECKING:
    from collections.abc import Callable

    from chalicelib.ports.calendar import CalendarTasks, GoogleCalendar, SyncedTask, SyncState
    from chalicelib.ports.outside import Clock

# How far back a full sync looks: older events neither become tasks nor count as deleted.
WINDOW = timedelta(days=30)


class Options(NamedTuple):
    push: bool  # future CRM tasks go to Google (GC-5)
    pull: bool  # future Google events become tasks (GC-5)


@dataclass
class RunReport:
    pushed: int = 0  # events written or deleted in Google
    pulled: int = 0  # tasks created, changed or removed from Google's changes
    echoes: int = 0  # our own writes coming back, skipped
    full_sync: bool = False
    revoked: bool = False  # the user must connect again; nothing else was tried
    failures: list[tuple[str, str]] = field(default_factory=list)  # (task or event id, reason)


class CalendarSync:
    def __init__(
        self,
        tenant_id: str,
        zone: str,
        google: GoogleCalendar,
        tasks: CalendarTasks,
        state: SyncState,
        clock: Clock,
    ) -> None:
        self._tenant, self._zone = tenant_id, zone
        self._google, self._tasks, self._state, self._clock = google, tasks, state, clock

    def run(self, user_id: str, options: Options) -> RunReport:
        report = RunReport()
        try:
            for task_id in self._state.pending(user_id):
                self._guarded(report, task_id, partial(self._push, user_id, task_id, options, report))
            self._pull(user_id, options, report)
        except AccessRevokedError:
            report.revoked = True
        return report

    def _guarded(self, report: RunReport, key: str, step: Callable[[], None]) -> None:
        try:
            step()
        except AccessRevokedError:
            raise
        except (CalendarError, UnreadableEventError) as exc:
            report.failures.append((key, f"{type(exc).__name__}: {exc}"))

    # --- CRM -> Google ------------------------------------------------------------------------

    def _push(self, user_id: str, task_id: str, options: Options, report: RunReport) -> None:
        task = self._tasks.get(task_id)
        link = self._state.link_by_task(user_id, task_id)
        if task is None or user_id not in task.participants or not self._wanted(task, link, options):
            if link is not None:
                self._google.delete(link.event_id)
                self._state.drop_link(user_id, task_id)
                report.pushed += 1
            self._state.pushed(user_id, task_id)
            return
        if link is not None and link.task_version == task.version:
            self._state.pushed(user_id, task_id)  # written from the event, or already pushed
            return
        body = event_body(task.fields, task_id=task.id, tenant_id=self._tenant, zone=self._zone)
        if link is None:
            try:
                written = self._google.insert(event_id_for(task.id), body)
            except EventExistsError:  # our insert whose answer was lost, or from before a reconnection
                written = self._google.update(event_id_for(task.id), body, etag=None)
        else:
            try:
                written = self._google.update(link.event_id, body, etag=link.etag)
            except (EtagMismatchError, EventGoneError):
                if not self._settle_conflict(user_id, task, link, report):
                    self._state.pushed(user_id, task_id)
                    return
                written = self._google.update(link.event_id, body, etag=None)
        event = read_event(written, self._zone)
        self._state.save_link(Link(user_id, task.id, event.id, event.etag, task.version))
        self._state.pushed(user_id, task_id)
        report.pushed += 1

    def _wanted(self, task: SyncedTask, link: Link | None, options: Options) -> bool:
        """Future tasks go to Google when the user asked (GC-5); a task already there stays."""
        return link is not None or (options.push and task.fields.end >= self._clock())

    def _settle_conflict(self, user_id: str, task: SyncedTask, link: Link, report: RunReport) -> bool:
        """Google changed the event since we last saw it. True: the task's change is later and
        overwrites it; False: Google's change (or deletion) was applied to the task instead."""
        try:
            current = read_event(self._google.get(link.event_id), self._zone)
        except EventGoneError:
            current = None
        if current is None or current.cancelled:
            self._tasks.remove(user_id, task.id)
            self._state.drop_link(user_id, task.id)
            report.pulled += 1
            return False
        if current.updated is not None and current.updated > task.updated_at:
            self._apply(user_id, current, link, report)
            return False
        return True

    # --- Google -> CRM ------------------------------------------------------------------------

    def _pull(self, user_id: str, options: Options, report: RunReport) -> None:
        token = self._state.sync_token(user_id)
        since = self._clock() - WINDOW
        try:
            changes = self._google.changes(token, since)
        except SyncTokenGoneError:
            changes = self._google.changes(None, since)
        report.full_sync = token is None or changes.full
        seen: set[str] = set()
        for resource in changes.events:
            key = str(resource.get("id") or "?")
            seen.add(key)
            self._guarded(report, key, partial(self._inbound, user_id, resource, options, report))
        if report.full_sync:
            self._forget_vanished(user_id, seen, report)
        self._state.save_sync_token(user_id, changes.sync_token)

    def _inbound(self, user_id: str, resource: dict[str, Any], options: Options, report: RunReport) -> None:
        event = read_event(resource, self._zone)
        link = self._state.link_by_event(user_id, event.id)
        if link is not None and event.etag == link.etag:
            report.echoes += 1  # our own write, or a change already applied
            return
        if event.cancelled:
            if link is not None:
                self._tasks.remove(user_id, link.task_id)
                self._state.drop_link(user_id, link.task_id)
                report.pulled += 1
            return
        if link is None and event.task_id is not None:
            link = self._relink(user_id, event)
            if link is None:
                return
        if link is not None:
            self._apply(user_id, event, link, report)
        elif options.pull and event.fields is not None and event.fields.end >= self._clock():
            created = self._tasks.create(user_id, event.fields)
            self._state.save_link(Link(user_id, created.id, event.id, event.etag, created.version))
            report.pulled += 1

    def _relink(self, user_id: str, event: RemoteEvent) -> Link | None:
        """An event we wrote that the user's links do not know (written before a reconnection,
        or the link was lost): it is the task's, never a new task."""
        if event.tenant_id != self._tenant:
            return None  # another CRM's event: not ours to import or delete
        task = self._tasks.get(str(event.task_id))
        if task is None:
            self._google.delete(event.id)  # the task was deleted in the CRM meanwhile
            return None
        return Link(user_id, task.id, event.id, etag="", task_version=0)

    def _apply(self, user_id: str, event: RemoteEvent, link: Link, report: RunReport) -> None:
        """An edit made in Google onto the task; nothing when they already agree."""
        task = self._tasks.get(link.task_id)
        if task is None or event.fields is None:
            self._state.drop_link(user_id, link.task_id)  # deleted in the CRM: its push removes the event
            return
        if same_content(task.fields, event.fields, self._zone):
            self._state.save_link(Link(user_id, task.id, event.id, event.etag, task.version))
            return
        updated = self._tasks.update(user_id, task.id, event.fields, task.version)
        if updated is None:
            return  # changed meanwhile: its pending push settles it on the next run
        self._state.save_link(Link(user_id, task.id, event.id, event.etag, updated.version))
        report.pulled += 1

    def _forget_vanished(self, user_id: str, seen: set[str], report: RunReport) -> None:
        """A full listing (first run, reconnection, or after a 410) is the truth: a linked event
        it lacks was deleted while no token followed it (Google purges deleted events after a
        while), so its task goes too."""
        since = self._clock() - WINDOW
        for link in self._state.links(user_id):
            if link.event_id in seen:
                continue
            task = self._tasks.get(link.task_id)
            if task is not None and task.fields.end < since:
                continue  # outside the window: not listed, not deleted
            if task is not None:
                self._tasks.remove(user_id, link.task_id)
                report.pulled += 1
            self._state.drop_link(user_id, link.task_id)
