"""Google Calendar connections in memory (`ports.calendar.Calendars`, `CalendarSchedule`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from functools import partial

from chalicelib.domain.calendar_connection import CalendarConnection, CalendarStatus, Channel, OAuthState
from chalicelib.domain.errors import StaleVersionError
from tests.fakes.base import FakeWrite
from tests.fakes.calendar import FakeState


class FakeCalendars:
    def __init__(self, tenant_id: str, schedule: FakeCalendarSchedule) -> None:
        self._tenant_id = tenant_id
        self._schedule = schedule
        self.connections: dict[str, CalendarConnection] = {}
        self.leases: dict[str, datetime] = {}
        self.accounts: dict[str, str] = {}
        self.sync_state = FakeState()

    def get(self, user_id: str, *, consistent: bool = False) -> CalendarConnection | None:
        current = self.connections.get(user_id)
        if current is None:
            return None
        return replace(current, sync_token=self.sync_state.tokens.get(user_id))

    def save(self, connection: CalendarConnection, *, expected_version: int | None) -> CalendarConnection:
        current = self.connections.get(connection.user_id)
        if expected_version is not None and (current is None or current.version != expected_version):
            raise StaleVersionError("calendar settings")
        saved = replace(connection, version=(expected_version or 0) + 1)
        self.connections[connection.user_id] = saved
        self.sync_state.tokens[connection.user_id] = saved.sync_token
        self._schedule.index(self._tenant_id, saved)
        return saved

    def delete(self, user_id: str) -> None:
        self.connections.pop(user_id, None)
        self._schedule.due_at.pop((self._tenant_id, user_id), None)
        self.sync_state.pending_pushes.pop(user_id, None)
        self.sync_state.tokens.pop(user_id, None)

    def bind_account(self, user_id: str, email: str) -> bool:
        known = self.accounts.get(user_id)
        changed = bool(known and email and known.casefold() != email.casefold())
        if changed:
            state = self.sync_state
            state.by_task = {k: v for k, v in state.by_task.items() if k[0] != user_id}
        if email:
            self.accounts[user_id] = email
        return changed

    def pushers(self) -> frozenset[str]:
        return frozenset(u for u, c in self.connections.items() if c.pushes)

    def pending_writes(self, user_ids: Sequence[str], task_id: str, version: int) -> list[FakeWrite]:
        return [FakeWrite(partial(self.sync_state.mark, u, task_id)) for u in sorted(set(user_ids))]

    def lease(self, user_id: str, now: datetime, until: datetime) -> CalendarConnection | None:
        if user_id not in self.connections or self.leases.get(user_id, now) > now:
            return None
        self.leases[user_id] = until
        return self.get(user_id)

    def finish(
        self, user_id: str, *, now: datetime, next_sync_at: datetime, status: str, error: str | None, synced: bool
    ) -> CalendarConnection | None:
        current = self.get(user_id)
        if current is None:
            return None
        self.leases.pop(user_id, None)
        done = replace(
            current,
            status=CalendarStatus(status),
            last_sync_at=now if synced else current.last_sync_at,
            next_sync_at=next_sync_at,
            last_error=error,
            version=current.version + 1,
        )
        self.connections[user_id] = done
        self._schedule.index(self._tenant_id, done)
        return done

    def set_channel(self, user_id: str, channel: Channel | None) -> None:
        if user_id in self.connections:
            self.connections[user_id] = replace(self.connections[user_id], channel=channel)

    def due_now(self, user_id: str, now: datetime) -> bool:
        current = self.connections.get(user_id)
        if current is None or current.status is not CalendarStatus.OK:
            return False
        self.connections[user_id] = replace(current, next_sync_at=now)
        self._schedule.index(self._tenant_id, self.connections[user_id])
        return True

    def state(self) -> FakeState:
        return self.sync_state


class FakeCalendarSchedule:
    def __init__(self) -> None:
        self.due_at: dict[tuple[str, str], datetime] = {}
        self.states: dict[str, OAuthState] = {}

    def index(self, tenant_id: str, connection: CalendarConnection) -> None:
        if connection.scheduled:
            self.due_at[(tenant_id, connection.user_id)] = connection.next_sync_at
        else:
            self.due_at.pop((tenant_id, connection.user_id), None)

    def due(self, now: datetime, limit: int) -> list[tuple[str, str]]:
        ready = sorted((at, key) for key, at in self.due_at.items() if at <= now)
        return [key for _, key in ready[:limit]]

    def put_state(self, state_hash: str, state: OAuthState) -> None:
        self.states[state_hash] = state

    def take_state(self, state_hash: str, now: datetime) -> OAuthState | None:
        state = self.states.pop(state_hash, None)
        return state if state is not None and state.expires_at > now else None
