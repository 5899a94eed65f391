"""What the calendar sync needs from Google Calendar and from the tasks (GC-2..4).

The Google adapter (`integrations/`) is built per connected user and calendar; its failures are
the exceptions below, whatever HTTP library carries them. The task side is the task service seen
from the sync: its writes are ordinary task writes (rights, feed, rollups, and the pending-push
marks of every participant), made on behalf of the connected user.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, NamedTuple, Protocol, runtime_checkable

from chalicelib.domain.records import record

if TYPE_CHECKING:
    from collections.abc import Sequence
    from datetime import datetime

    from chalicelib.domain.calendar_connection import CalendarConnection, Channel, OAuthState
    from chalicelib.domain.calendar_sync import EventFields, Link
    from chalicelib.ports.writes import Write


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


class CalendarGoneError(CalendarError):
    """404 on the listing: the calendar was deleted or is no longer shared with the account."""


class AccessRevokedError(CalendarError):
    """`invalid_grant` or 401 after a refresh: the user must connect again."""


class Changes(NamedTuple):
    """Every page of one events.list run, and the token for the next incremental one."""

    events: list[dict[str, Any]]
    sync_token: str
    full: bool = False  # listed without a token: everything in the window, not just changes


@record(frozen=True, slots=True)
class SyncedTask:
    """A task as the sync sees it."""

    id: str
    fields: EventFields
    version: int
    updated_at: datetime
    participants: tuple[str, ...]


@runtime_checkable
class CalendarWatch(Protocol):
    """Push notifications of a calendar's changes (events.watch), where the CRM has a public
    HTTPS webhook; the schedule alone stays correct without them."""

    def watch(self, channel_id: str, address: str, token: str, ttl_seconds: int) -> tuple[str, datetime]:
        """Open a channel: (Google's resource id, its expiry)."""

    def stop(self, channel_id: str, resource_id: str) -> None:
        """Close a channel (best effort)."""


# The ports below are for the type checker only (their users import them under TYPE_CHECKING):
# no Lambda pays for creating them at its cold start. What runs needs is above.
if TYPE_CHECKING:

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

    # --- storage of the sync (db/repositories/calendar.py) ------------------------------------------

    class Calendars(Protocol):
        """The Google Calendar connections of one CRM, their sync state and pending pushes."""

        def get(self, user_id: str, *, consistent: bool = False) -> CalendarConnection | None:
            """AP120."""

        def save(self, connection: CalendarConnection, *, expected_version: int | None) -> CalendarConnection:
            """AP120 (+ AP121's index, AP122's set): create (`expected_version` None: replaces any
            earlier connection of the user) or update at that version (StaleVersionError)."""

        def delete(self, user_id: str) -> None:
            """AP129: the connection and its pending pushes; the user leaves the pushers. The links
            stay for a reconnection of the same Google account."""

        def bind_account(self, user_id: str, email: str) -> bool:
            """AP129: the Google account of the user's links; another one drops them (True)."""

        def pushers(self) -> frozenset[str]:
            """AP122: the users whose task changes go to Google."""

        def pending_writes(self, user_ids: Sequence[str], task_id: str, version: int) -> list[Write]:
            """Marks of a task changed at `version` for each user's next run (in the task's write)."""

        def lease(self, user_id: str, now: datetime, until: datetime) -> CalendarConnection | None:
            """AP128: take the user's sync until `until`; None when another run holds it (or no
            connection)."""

        def finish(
            self, user_id: str, *, now: datetime, next_sync_at: datetime, status: str, error: str | None, synced: bool
        ) -> CalendarConnection | None:
            """The run's outcome (`synced`: it completed; `last_sync_at` becomes `now`); the lease is
            released. None when the connection is gone."""

        def set_channel(self, user_id: str, channel: Channel | None) -> None:
            """AP120: the watch channel of the user's calendar."""

        def due_now(self, user_id: str, now: datetime) -> bool:
            """AP121: a working connection is due at once; False when not connected or not ok."""

        def state(self) -> SyncState:
            """The links, pending pushes and sync tokens of this CRM's users (AP124-127)."""

    class CalendarSchedule(Protocol):
        """Deployment-wide: who is due for a sync, and OAuth consents in progress."""

        def due(self, now: datetime, limit: int) -> list[tuple[str, str]]:
            """AP121: (tenant id, user id) of connections due at `now`, oldest first."""

        def put_state(self, state_hash: str, state: OAuthState) -> None:
            """AP123."""

        def take_state(self, state_hash: str, now: datetime) -> OAuthState | None:
            """AP123: read and delete (single use); None when unknown or expired."""

    # --- Google's side of a connection (integrations/google_calendar.py) ---------------------------

    class GrantLike(Protocol):
        @property
        def refresh_token(self) -> str: ...

        @property
        def email(self) -> str: ...

    class GoogleAuth(Protocol):
        """OAuth consent (GC-1): offline access, PKCE; CalendarError when Google refuses."""

        def authorization_url(self, state: str) -> tuple[str, str | None]:
            """(consent URL, the PKCE verifier the callback needs)."""

        def exchange(self, callback_url: str, state: str, code_verifier: str | None) -> GrantLike: ...

        def revoke(self, token: str) -> None:
            """Best effort."""

    class GoogleCalendars(Protocol):
        """Builds the client of one user's calendar from their refresh token."""

        def __call__(self, refresh_token: str, calendar_id: str) -> GoogleCalendar: ...
