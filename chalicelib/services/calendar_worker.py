"""The scheduled Google Calendar sync (GC-6): every connection due, each under its lease.

A run of one user: take the lease (AP128; another run holding it means skip), build the user's
Google client from their refresh token, run the engine (`services/calendar_sync.py`), record the
outcome. `invalid_grant` (or no token at all) sets `needs_reauth`, notifies the user once and
takes the connection off the schedule: nothing retries until they connect again. Google's
failures of the whole run (rate limits, outages) keep the connection on the schedule, later. One
failing event or task is reported in `last_error`; the rest of the run goes on.

Tasks are written through the task service, on behalf of the user (rights, feeds, rollups and the
other participants' pending pushes as any task write). A video task pushed without a meeting link
asks Google for a Meet link and keeps it as the task's `meeting_url` (TK-2).
"""

from __future__ import annotations

import hashlib
import secrets
import time
import uuid
from dataclasses import dataclass, field, replace
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from chalicelib.domain.calendar_connection import (
    CHANNEL_TTL,
    INTERVAL,
    LEASE,
    CalendarConnection,
    CalendarStatus,
    Channel,
    secret_name,
)
from chalicelib.domain.calendar_sync import TASK_KEY, EventFields
from chalicelib.domain.errors import DomainError, NotFoundError, StaleVersionError
from chalicelib.ports.calendar import (
    AccessRevokedError,
    CalendarError,
    CalendarGoneError,
    CalendarWatch,
    SyncedTask,
)
from chalicelib.services.calendar_sync import CalendarSync, Options

if TYPE_CHECKING:
    from collections.abc import Mapping
    from typing import Protocol

    from chalicelib.domain.actor import Actor
    from chalicelib.domain.tasks import Task
    from chalicelib.ports.calendar import GoogleCalendar, GoogleCalendars
    from chalicelib.ports.notifications import Notifier
    from chalicelib.ports.outside import Clock, SecretStore
    from chalicelib.ports.storage import Storage

    class TaskWrites(Protocol):
        """What the worker asks of the task service (services/tasks.py): its writes, as a user."""

        def create(self, actor: Actor, fields: Mapping[str, Any]) -> Task: ...

        def update(self, actor: Actor, task_id: str, version: int | None, changes: Mapping[str, Any]) -> Task: ...

        def delete(self, actor: Actor, task_id: str) -> None: ...


BATCH = 100  # connections a scheduled run takes at most (the next run takes the rest)
BACKOFF = timedelta(minutes=15)  # after a failure of the whole run (rate limit, outage)
MAX_ERROR = 500
REAUTH_TITLE = (
    "Google Calendar needs you to connect it again",
    "Google Agenda : reconnectez votre compte",
)


@dataclass
class WorkerReport:
    synced: int = 0
    skipped: int = 0  # leased by another run, or gone
    revoked: int = 0
    failed: int = 0
    pushed: int = 0
    pulled: int = 0
    event_failures: int = 0
    errors: list[str] = field(default_factory=list)


class CalendarSyncWorker:
    def __init__(
        self,
        storage: Storage,
        clock: Clock,
        secrets_store: SecretStore,
        google: GoogleCalendars,
        tasks: TaskWrites,
        notifier: Notifier,
        *,
        webhook_url: str = "",
    ) -> None:
        self._storage, self._clock, self._secrets = storage, clock, secrets_store
        self._google, self._tasks, self._notifier = google, tasks, notifier
        self._webhook = webhook_url  # where Google's push notifications go; empty: none

    def run(self, *, time_budget: float | None = None) -> WorkerReport:
        """Every connection due now, oldest first, while the time lasts."""
        report = WorkerReport()
        started = time.monotonic()
        for tenant_id, user_id in self._storage.calendar_schedule.due(self._clock(), BATCH):
            if time_budget is not None and time.monotonic() - started > time_budget:
                break
            self.run_user(tenant_id, user_id, report)
        return report

    def run_user(self, tenant_id: str, user_id: str, report: WorkerReport | None = None) -> WorkerReport:
        report = report or WorkerReport()
        repo = self._storage.calendars(tenant_id)
        now = self._clock()
        connection = repo.lease(user_id, now, now + LEASE)
        if connection is None:
            report.skipped += 1
            return report
        if connection.status is CalendarStatus.NEEDS_REAUTH:  # only a new consent helps: no retry
            repo.finish(
                user_id, now=now, next_sync_at=now, status=connection.status.value, error=connection.last_error,
                synced=False,
            )  # fmt: skip
            report.skipped += 1
            return report
        status, error, next_at, synced = CalendarStatus.OK, None, now + INTERVAL, False
        try:
            token = (self._secrets.get(tenant_id, secret_name(user_id)) or {}).get("refresh_token")
            if not token:
                raise AccessRevokedError("no token stored")
            crm = self._storage.crms.get(tenant_id)
            tasks = CalendarTasksAdapter(self._tasks, self._storage, tenant_id)
            client = self._google(token, connection.calendar_id)
            google = MeetLinks(client, tasks)
            engine = CalendarSync(tenant_id, crm.timezone if crm else "UTC", google, tasks, repo.state(), self._clock)
            outcome = engine.run(
                user_id, Options(push=connection.push_crm_to_google, pull=connection.pull_google_to_crm)
            )
            if outcome.revoked:
                raise AccessRevokedError("Google refused the grant")
            report.synced += 1
            synced = True
            self._watch(tenant_id, connection, client)
            report.pushed += outcome.pushed
            report.pulled += outcome.pulled
            report.event_failures += len(outcome.failures)
            if outcome.failures:
                shown = "; ".join(f"{key}: {why}" for key, why in outcome.failures[:3])
                more = len(outcome.failures) - 3
                error = f"{len(outcome.failures)} item(s) skipped: {shown}" + (f" (+{more})" if more > 0 else "")
        except AccessRevokedError as exc:
            status, error = CalendarStatus.NEEDS_REAUTH, f"access revoked: {exc}"
            report.revoked += 1
            from chalicelib.domain.notifications import NotificationKind, Title  # a rare branch

            self._notifier.notify(
                tenant_id, user_id, NotificationKind.INTEGRATION_ERROR, Title(*REAUTH_TITLE), None,
                once=f"gcal-reauth-{user_id}-{connection.connected_at.isoformat()}",
            )  # fmt: skip
        except CalendarGoneError as exc:
            status, error = (
                CalendarStatus.ERROR,
                f"the calendar {connection.calendar_id!r} is gone or not shared: {exc}",
            )
            report.failed += 1  # off the schedule until the user picks a calendar (or syncs now)
        except CalendarError as exc:
            error, next_at = f"{type(exc).__name__}: {exc}", now + BACKOFF
            report.failed += 1
        except Exception as exc:  # noqa: BLE001  (one user's failure never stops the others)
            error, next_at = f"{type(exc).__name__}: {exc}", now + BACKOFF
            report.failed += 1
            report.errors.append(f"{tenant_id}/{user_id}: {error}"[:MAX_ERROR])
        repo.finish(
            user_id,
            now=self._clock(),
            next_sync_at=next_at,
            status=status.value,
            error=error[:MAX_ERROR] if error else None,
            synced=synced,
        )
        return report

    def _watch(self, tenant_id: str, connection: CalendarConnection, client: object) -> None:
        """Keep a channel open on the calendar (reopened a day before it expires), so that a
        change in Google makes the user due at once; best effort, the schedule stays."""
        now = self._clock()
        if not self._webhook or not isinstance(client, CalendarWatch) or not connection.watch_due(now):
            return
        secret = secrets.token_urlsafe(24)
        channel_id = uuid.uuid4().hex
        try:
            resource_id, expires = client.watch(
                channel_id, self._webhook, f"{tenant_id}.{connection.user_id}.{secret}",
                int(CHANNEL_TTL.total_seconds()),
            )  # fmt: skip
        except CalendarError:
            return
        token_hash = hashlib.sha256(secret.encode()).hexdigest()
        self._storage.calendars(tenant_id).set_channel(
            connection.user_id, Channel(channel_id, resource_id, expires, token_hash)
        )
        if connection.channel is not None:
            client.stop(connection.channel.id, connection.channel.resource_id)


class CalendarTasksAdapter:
    """The engine's CalendarTasks over the task service, acting as the connected user: a task
    from Google is the user's own; a refused write (a rule of the task service) is one item's
    failure (a CalendarError), never the run's."""

    def __init__(self, tasks: TaskWrites, storage: Storage, tenant_id: str) -> None:
        self._tasks, self._storage, self._tenant = tasks, storage, tenant_id
        self._actors: dict[str, Actor] = {}
        self.seen: dict[str, Task] = {}

    def _actor(self, user_id: str) -> Actor:
        if user_id not in self._actors:
            user = self._storage.users(self._tenant).get(user_id)
            group = self._storage.groups(self._tenant).get(user.group_id) if user else None
            if user is None or group is None:
                raise CalendarError(f"user {user_id} is gone")
            from chalicelib.domain.actor import Actor  # with the first write (the task service needs it too)

            self._actors[user_id] = Actor(self._tenant, user, group)
        return self._actors[user_id]

    def get(self, task_id: str) -> SyncedTask | None:
        task = self._storage.tasks(self._tenant).get(task_id, consistent=True)
        if task is None:
            return None
        self.seen[task.id] = task
        return _synced(task)

    def create(self, user_id: str, fields: EventFields) -> SyncedTask:
        values = {"title": fields.title, "start": fields.start, "end": fields.end, "all_day": fields.all_day}
        try:
            task = self._tasks.create(self._actor(user_id), {**values, "description": fields.description})
        except DomainError as exc:
            raise CalendarError(f"refused as a task: {exc}") from exc
        return _synced(task)

    def update(self, user_id: str, task_id: str, fields: EventFields, version: int) -> SyncedTask | None:
        changes = {
            "title": fields.title,
            "start": fields.start,
            "end": fields.end,
            "all_day": fields.all_day,
            "description": fields.description,
        }
        try:
            task = self._tasks.update(self._actor(user_id), task_id, version, changes)
        except (StaleVersionError, NotFoundError):
            return None
        except DomainError as exc:
            raise CalendarError(f"refused on the task: {exc}") from exc
        return _synced(task)

    def remove(self, user_id: str, task_id: str) -> None:
        """The user's own task (they are responsible for it) is deleted; a task someone else
        is responsible for stays in the CRM (only its event left the user's calendar)."""
        task = self._storage.tasks(self._tenant).get(task_id, consistent=True)
        if task is None or task.responsible_user_id != user_id:
            return
        try:
            self._tasks.delete(self._actor(user_id), task_id)
        except (StaleVersionError, NotFoundError):
            return
        except DomainError as exc:
            raise CalendarError(f"the task could not be deleted: {exc}") from exc

    def set_meeting_url(self, task_id: str, url: str) -> None:
        task = self.seen.get(task_id)
        if task is None or task.meeting_url:
            return
        try:
            self._tasks.update(self._actor(task.responsible_user_id), task_id, task.version, {"meeting_url": url})
        except DomainError:
            return  # changed meanwhile: its next push asks again


def _synced(task: Task) -> SyncedTask:
    fields = EventFields(task.title, task.start, task.end, all_day=task.all_day, description=task.description)
    return SyncedTask(task.id, fields, task.version, task.updated_at, task.participants)


class MeetLinks:
    """The user's calendar, asking Google for a Meet link when it writes a video task that has
    no meeting link (TK-2), and keeping the link Google made on the task."""

    def __init__(self, google: GoogleCalendar, tasks: CalendarTasksAdapter) -> None:
        self._google, self._tasks = google, tasks

    def changes(self, sync_token: str | None, time_min: Any) -> Any:
        return self._google.changes(sync_token, time_min)

    def get(self, event_id: str) -> dict[str, Any]:
        return self._google.get(event_id)

    def delete(self, event_id: str) -> None:
        self._google.delete(event_id)

    def insert(self, event_id: str, body: dict[str, Any]) -> dict[str, Any]:
        return self._kept(self._google.insert(event_id, self._with_meet(body)))

    def update(self, event_id: str, body: dict[str, Any], etag: str | None) -> dict[str, Any]:
        return self._kept(self._google.update(event_id, self._with_meet(body), etag))

    def _task(self, body: dict[str, Any]) -> Task | None:
        task_id = ((body.get("extendedProperties") or {}).get("private") or {}).get(TASK_KEY)
        return self._tasks.seen.get(str(task_id)) if task_id else None

    def _with_meet(self, body: dict[str, Any]) -> dict[str, Any]:
        task = self._task(body)
        if task is None:
            return body
        from chalicelib.domain.tasks import TaskType  # loaded already by the task's repository

        if task.type is not TaskType.VIDEO or task.meeting_url:
            return body
        request = {"requestId": f"crm-{task.id}-{task.version}", "conferenceSolutionKey": {"type": "hangoutsMeet"}}
        return {**body, "conferenceData": {"createRequest": request}}

    def _kept(self, written: dict[str, Any]) -> dict[str, Any]:
        task = self._task(written)
        if task is None:
            return written
        from chalicelib.domain.tasks import TaskType  # loaded already by the task's repository

        url = written.get("hangoutLink") or _video_entry(written)
        if task.type is TaskType.VIDEO and not task.meeting_url and url:
            self._tasks.set_meeting_url(task.id, str(url))
            self._tasks.seen[task.id] = replace(task, meeting_url=str(url))
        return written


def _video_entry(event: dict[str, Any]) -> str | None:
    for entry in (event.get("conferenceData") or {}).get("entryPoints") or []:
        if entry.get("entryPointType") == "video" and entry.get("uri"):
            return str(entry["uri"])
    return None
