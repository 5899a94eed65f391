"""What the calendar sync needs from Google Calendar and from the tasks (GC-2..4).

The Google adapter (`integrations/`) is built per connected user and calendar; its failures are
the exceptions below, whatever HTTP library carries them. The task side is the task service seen
from the sync: its writes are ordinary task writes (rights, feed, rollups, and the pending-push
marks of every participant), made on behalf of the connected user.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from datetime import datetime

    from chalicelib.domain.calendar_sync import EventFields, Link


class CalendarError(Exception):
    """A Google answer the sync handles."""


class SyncTokenGoneError(CalendarError):
    """410: the sync token expired; only a full sync recovers."""


class EventExistsError(CalendarError):
    """409 on insert: an event with that id exists (our own earlier insert)."""


class EtagMismatchError(CalendarError):
    """412: the event changed since the etag we sent."""


class EventGoneError(CalendarError):
    """404 or 410 for one event: it is gone."""


class AccessRevokedError(CalendarError):
    """`invalid_grant` or 401 after a refresh: the user must connect again."""


@dataclass(frozen=True, slots=True)
class Changes:
    """Every page of one events.list run, and the token for the next incremental one."""

    events: list[dict[str, Any]]
    sync_token: str
    full: bool = False  # listed without a token: everything in the window, not just changes


class GoogleCalendar(Protocol):
    """One user's calendar (`singleEvents=True`, `showDeleted=True` on every listing)."""

    def changes(self, sync_token: str | None, time_min: datetime) -> Changes:
        """Changes since `sync_token`, or every event ending after `time_min` when it is None;
        SyncTokenGoneError when the token expired."""

    def get(self, event_id: str) -> dict[str, Any]:
        """EventGoneError when it no longer exists."""

    def insert(self, event_id: str, body: dict[str, Any]) -> dict[str, Any]:
        """EventExistsError when the id is taken."""

    def update(self, event_id: str, body: dict[str, Any], etag: str | None) -> dict[str, Any]:
        """With `If-Match: etag` when given (EtagMismatchError); EventGoneError when it is gone."""

    def delete(self, event_id: str) -> None:
        """Deleting an event already gone is not an error."""


@dataclass(frozen=True, slots=True)
class SyncedTask:
    """A task as the sync sees it."""

    id: str
    fields: EventFields
    version: int
    updated_at: datetime
    participants: tuple[str, ...]


class CalendarTasks(Protocol):
    def get(self, task_id: str) -> SyncedTask | None: ...

    def create(self, user_id: str, fields: EventFields) -> SyncedTask:
        """A task for `user_id` from an event of their calendar."""

    def update(self, user_id: str, task_id: str, fields: EventFields, version: int) -> SyncedTask | None:
        """The event's content on the task at `version`; None when the task is gone or moved on."""

    def remove(self, user_id: str, task_id: str) -> None:
        """The event was deleted in `user_id`'s calendar: the task goes (or, when others share
        it, `user_id` leaves it)."""


class SyncState(Protocol):
    """Links, the pending pushes and the sync token of one user."""

    def link_by_task(self, user_id: str, task_id: str) -> Link | None: ...

    def link_by_event(self, user_id: str, event_id: str) -> Link | None: ...

    def links(self, user_id: str) -> list[Link]: ...

    def save_link(self, link: Link) -> None: ...

    def drop_link(self, user_id: str, task_id: str) -> None: ...

    def pending(self, user_id: str) -> list[str]: ...

    def pushed(self, user_id: str, task_id: str) -> None:
        """Clears one pending push."""

    def sync_token(self, user_id: str) -> str | None: ...

    def save_sync_token(self, user_id: str, token: str | None) -> None: ...
