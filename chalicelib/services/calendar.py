"""Each user's Google Calendar connection (SPEC GC-1, GC-5, ST-2): consent, options, status,
"sync now", disconnect.

Every route acts on the caller's own connection: an administrator neither sees nor changes
another user's (their tokens are theirs). The refresh token is kept in the SecretStore
(`google-<uid>`, encrypted), never in the table; `state` is kept server side, hashed, for ten
minutes, with the PKCE verifier, and is good for one callback.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from chalicelib.domain.calendar_connection import (
    STATE_TTL,
    CalendarConnection,
    CalendarStatus,
    OAuthState,
    secret_name,
)
from chalicelib.domain.clock import isoformat_z
from chalicelib.domain.errors import NotFoundError, UnavailableError, ValidationError
from chalicelib.ports.calendar import CalendarError
from chalicelib.ports.queries.tasks import ListFilter, TaskListKind

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from chalicelib.domain.actor import Actor
    from chalicelib.ports.calendar import GoogleAuth
    from chalicelib.ports.outside import Clock, SecretStore
    from chalicelib.ports.storage import Storage
    from chalicelib.ports.writes import Write

OPTIONS = ("push_crm_to_google", "pull_google_to_crm", "calendar_id")
MAX_QUEUED = 2000  # upcoming tasks pushed on connecting (later ones go when they change)
MAX_CALENDAR_ID = 300


def state_hash(state: str) -> str:
    return hashlib.sha256(state.encode()).hexdigest()


class CalendarService:
    def __init__(
        self,
        storage: Storage,
        clock: Clock,
        secrets_store: SecretStore,
        auth: Callable[[], GoogleAuth | None],
        *,
        kick: Callable[[str, str], None] | None = None,
    ) -> None:
        self._storage, self._clock, self._secrets = storage, clock, secrets_store
        self._auth = auth  # built on first use (loads google-auth-oauthlib); None: not configured
        self._kick = kick  # starts one user's sync at once (the worker, invoked asynchronously)

    def _google(self) -> GoogleAuth:
        auth = self._auth()
        if auth is None:
            raise UnavailableError("Google Calendar is not configured on this server")
        return auth

    # --- consent --------------------------------------------------------------------------------

    def connect_url(self, actor: Actor) -> str:
        state = secrets.token_urlsafe(32)
        url, verifier = self._google().authorization_url(state)
        expires = self._clock() + STATE_TTL
        self._storage.calendar_schedule.put_state(
            state_hash(state), OAuthState(actor.tenant_id, actor.user_id, verifier, expires)
        )
        return url

    def callback(self, state: str | None, callback_url: str) -> bool:
        """The consent's answer: True when the calendar is connected. An unknown, expired or
        reused state connects nothing (nobody's tokens are stored)."""
        if not state:
            return False
        pending = self._storage.calendar_schedule.take_state(state_hash(state), self._clock())
        if pending is None:
            return False
        try:
            grant = self._google().exchange(callback_url, state, pending.code_verifier)
        except CalendarError:
            return False
        tenant_id, user_id = pending.tenant_id, pending.user_id
        self._secrets.put(tenant_id, secret_name(user_id), {"refresh_token": grant.refresh_token})
        repo = self._storage.calendars(tenant_id)
        repo.bind_account(user_id, grant.email)  # another account: the old one's links go
        before = repo.get(user_id, consistent=True)
        now = self._clock()
        connection = CalendarConnection(
            user_id=user_id,
            google_email=grant.email or (before.google_email if before else ""),
            calendar_id=before.calendar_id if before else "primary",
            push_crm_to_google=before.push_crm_to_google if before else True,
            pull_google_to_crm=before.pull_google_to_crm if before else True,
            status=CalendarStatus.OK,
            connected_at=now,
            next_sync_at=now,
            last_sync_at=before.last_sync_at if before else None,
            sync_token=None,  # a full sync first: it finds the events written before (no duplicates)
        )
        repo.save(connection, expected_version=None)
        if connection.push_crm_to_google:
            self._queue_upcoming(tenant_id, user_id)
        self._start(tenant_id, user_id)
        return True

    def _queue_upcoming(self, tenant_id: str, user_id: str) -> None:
        """The user's upcoming tasks go to Google with the first run (GC-5: future tasks), not
        only those changed after connecting: their pending marks, written in batches (AP28,
        then AP127). An event already there from an earlier connection is found by its id."""
        tasks, calendars = self._storage.tasks(tenant_id), self._storage.calendars(tenant_id)
        flt, cursor = ListFilter(start_from=self._clock()), None
        marks: list[list[Write]] = []
        while len(marks) < MAX_QUEUED:
            page = tasks.page(TaskListKind.PARTICIPANT, user_id, flt, limit=100, cursor=cursor)
            marks += [calendars.pending_writes([user_id], t.id, t.version) for t in page.items]
            cursor = page.next_cursor
            if cursor is None:
                break
        self._storage.transact_groups(marks[:MAX_QUEUED])

    # --- settings -------------------------------------------------------------------------------

    def settings(self, actor: Actor) -> dict[str, Any]:
        return view(self._storage.calendars(actor.tenant_id).get(actor.user_id))

    def update(self, actor: Actor, changes: Mapping[str, Any]) -> dict[str, Any]:
        unknown = set(changes) - set(OPTIONS)
        if unknown:
            raise ValidationError("unknown field", field=sorted(unknown)[0])
        for name in ("push_crm_to_google", "pull_google_to_crm"):
            if name in changes and not isinstance(changes[name], bool):
                raise ValidationError("true or false", field=name)
        calendar_id = changes.get("calendar_id")
        if "calendar_id" in changes and (
            not isinstance(calendar_id, str) or not calendar_id.strip() or len(calendar_id) > MAX_CALENDAR_ID
        ):
            raise ValidationError('a calendar id ("primary" for the main calendar)', field="calendar_id")
        repo = self._storage.calendars(actor.tenant_id)
        before = self._own(actor)
        after = replace(
            before,
            push_crm_to_google=changes.get("push_crm_to_google", before.push_crm_to_google),
            pull_google_to_crm=changes.get("pull_google_to_crm", before.pull_google_to_crm),
            calendar_id=(calendar_id or before.calendar_id).strip(),
        )
        if after.calendar_id != before.calendar_id:
            # Another calendar: listed whole, at once (and a calendar that was gone is replaced).
            status = CalendarStatus.OK if before.status is CalendarStatus.ERROR else before.status
            after = replace(after, sync_token=None, next_sync_at=self._clock(), status=status)
        if after == before:
            return view(before)
        saved = repo.save(after, expected_version=before.version)
        if saved.push_crm_to_google and not before.push_crm_to_google:
            self._queue_upcoming(actor.tenant_id, actor.user_id)
        return view(saved)

    def disconnect(self, actor: Actor) -> None:
        """Revoke the grant at Google (best effort), forget the tokens and the pending pushes.
        The events already in Google stay there, the tasks in the CRM, and the links between
        them: connecting the same account again duplicates nothing."""
        self._own(actor)
        token = self._secrets.get(actor.tenant_id, secret_name(actor.user_id))
        if token and token.get("refresh_token"):
            auth = self._auth()
            if auth is not None:
                auth.revoke(token["refresh_token"])
        self._secrets.delete(actor.tenant_id, secret_name(actor.user_id))
        self._storage.calendars(actor.tenant_id).delete(actor.user_id)

    def sync_now(self, actor: Actor) -> None:
        """Due at once (the schedule's next run takes it), and started now where possible. A
        connection waiting for a new consent stays so: syncing cannot work before it."""
        repo = self._storage.calendars(actor.tenant_id)
        before = self._own(actor)
        if before.status is CalendarStatus.NEEDS_REAUTH:
            return
        due = replace(before, status=CalendarStatus.OK, next_sync_at=self._clock())
        repo.save(due, expected_version=before.version)
        self._start(actor.tenant_id, actor.user_id)

    def notified(self, channel_id: str | None, token: str | None, resource_state: str | None) -> bool:
        """Google's push notification (events.watch): the user's calendar changed, so their
        sync is due now. Only a channel this CRM opened counts (its id and token's secret)."""
        tenant_id, _, rest = (token or "").partition(".")
        user_id, _, secret = rest.partition(".")
        if not (tenant_id and user_id and secret and channel_id):
            return False
        repo = self._storage.calendars(tenant_id)
        connection = repo.get(user_id)
        channel = connection.channel if connection else None
        if channel is None or channel.id != channel_id:
            return False
        if not hmac.compare_digest(channel.token_hash, hashlib.sha256(secret.encode()).hexdigest()):
            return False
        if resource_state == "sync":
            return True  # the channel's first message: nothing changed
        if repo.due_now(user_id, self._clock()):
            self._start(tenant_id, user_id)
        return True

    def _start(self, tenant_id: str, user_id: str) -> None:
        if self._kick is not None:
            self._kick(tenant_id, user_id)

    def _own(self, actor: Actor) -> CalendarConnection:
        connection = self._storage.calendars(actor.tenant_id).get(actor.user_id, consistent=True)
        if connection is None:
            raise NotFoundError("no Google Calendar is connected; connect it first")
        return connection


def view(connection: CalendarConnection | None) -> dict[str, Any]:
    """API.md "Google Calendar": the caller's connection, tokens never shown."""
    if connection is None:
        return {
            "connected": False,
            "google_email": None,
            "calendar_id": None,
            "push_crm_to_google": True,
            "pull_google_to_crm": True,
            "status": None,
            "last_sync_at": None,
            "last_error": None,
        }
    return {
        "connected": True,
        "google_email": connection.google_email or None,
        "calendar_id": connection.calendar_id,
        "push_crm_to_google": connection.push_crm_to_google,
        "pull_google_to_crm": connection.pull_google_to_crm,
        "status": connection.status.value,
        "last_sync_at": isoformat_z(connection.last_sync_at) if connection.last_sync_at else None,
        "last_error": connection.last_error,
    }
