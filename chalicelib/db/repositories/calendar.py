"""Google Calendar sync storage (AP120-AP129).

A connection lives in the CRM's partition (`GCAL#<uid>`) and, while it syncs, in the sparse
deployment-wide index `G#GCAL` by its next sync time, so the scheduled run reads who is due with
one Query. The users who push tasks to Google are one small item of the CRM (`GCALPUSH`) that
every task write reads (one GetItem) to mark their pending pushes in its own transaction. Links
and pending pushes of a user are in their own partition (`T#<tid>#GCAL#<uid>`): a link is two
items written together, by task (`TASK#`) and by event (`EV#`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING

from pynamodb.exceptions import DeleteError, UpdateError

from chalicelib.db import keys
from chalicelib.db.items import Item
from chalicelib.db.models.calendar import (
    CalendarAccountItem,
    CalendarItem,
    CalendarLinkItem,
    CalendarPendingItem,
    CalendarPushersItem,
    OAuthStateItem,
)
from chalicelib.db.writes import Delete, Put, Update, Write, must_exist, must_not_exist, transact
from chalicelib.domain.calendar_connection import CalendarConnection, CalendarStatus, Channel, OAuthState
from chalicelib.domain.calendar_sync import Link
from chalicelib.domain.clock import isoformat_z
from chalicelib.domain.errors import StaleVersionError

if TYPE_CHECKING:
    from collections.abc import Iterator

    from pynamodb.expressions.condition import Condition
    from pynamodb.expressions.update import Action


class CalendarRepository:
    def __init__(self, tenant_id: str) -> None:
        self._tenant_id = tenant_id

    # --- connections (AP120-122, AP128-129) ---------------------------------------------------

    def get(self, user_id: str, *, consistent: bool = False) -> CalendarConnection | None:
        """AP120."""
        try:
            item = CalendarItem.get(self._pk, keys.calendar_sk(user_id), consistent_read=consistent)
        except CalendarItem.DoesNotExist:
            return None
        return _connection(item)

    def save(self, connection: CalendarConnection, *, expected_version: int | None) -> CalendarConnection:
        """AP120-122: the connection (a new one replaces any earlier), its place in the due
        index and in the CRM's pushers, at once."""
        saved = replace(connection, version=(expected_version or 0) + 1)
        condition: Condition | None = None
        if expected_version is not None:
            condition = CalendarItem.version == expected_version
        pushers = CalendarPushersItem(self._pk, keys.GCAL_PUSHERS)
        users = CalendarPushersItem.users
        action = users.add({connection.user_id}) if saved.pushes else users.delete({connection.user_id})
        transact(
            [
                Put(self._item(saved), condition=condition, on_conflict=StaleVersionError("calendar settings")),
                Update(pushers, [action]),
            ]
        )
        return saved

    def delete(self, user_id: str) -> None:
        """AP129: the connection and its pending pushes; the user leaves the pushers. The links
        stay: connecting the same Google account again finds its events (no duplicates)."""
        pushers = CalendarPushersItem(self._pk, keys.GCAL_PUSHERS)
        transact(
            [
                Delete(CalendarItem(self._pk, keys.calendar_sk(user_id))),
                Update(pushers, [CalendarPushersItem.users.delete({user_id})]),
            ]
        )
        self.state().forget_pending(user_id)

    def bind_account(self, user_id: str, email: str) -> bool:
        """AP129: the Google account the user's links belong to. Another account than the last
        one: its links are dropped (they name the other account's events). True if dropped."""
        pk = keys.calendar_sync_pk(self._tenant_id, user_id)
        try:
            known = CalendarAccountItem.get(pk, keys.GCAL_ACCOUNT, consistent_read=True).email
        except CalendarAccountItem.DoesNotExist:
            known = None
        changed = bool(known and email and known.casefold() != email.casefold())
        if changed:
            self._drop(user_id, (keys.GCAL_LINK_TASK, keys.GCAL_LINK_EVENT))
        if email and known != email:
            CalendarAccountItem(pk, keys.GCAL_ACCOUNT, email=email).save()
        return changed

    def _drop(self, user_id: str, prefixes: tuple[str, ...]) -> None:
        pk = keys.calendar_sync_pk(self._tenant_id, user_id)
        with Item.batch_write() as batch:
            for prefix in prefixes:
                for item in Item.query(pk, Item.sk.startswith(prefix), attributes_to_get=["pk", "sk", "_t"]):
                    batch.delete(item)

    def pushers(self) -> frozenset[str]:
        """AP122 (eventually consistent: a connection saved a moment ago may miss one write)."""
        try:
            item = CalendarPushersItem.get(self._pk, keys.GCAL_PUSHERS)
        except CalendarPushersItem.DoesNotExist:
            return frozenset()
        return frozenset(item.users or ())

    def pending_writes(self, user_ids: Sequence[str], task_id: str, version: int) -> list[Write]:
        """AP127: one UpdateItem, however many participants push: the users join the task's
        pending set and the version becomes this change's (a transaction holds at most 100
        items; a task with 20 members must still fit)."""
        users = set(user_ids)
        if not users:
            return []
        item = CalendarPendingItem(keys.calendar_pending_pk(self._tenant_id), keys.calendar_pending_sk(task_id))
        actions = [
            CalendarPendingItem.kind.set(CalendarPendingItem),
            CalendarPendingItem.task_id.set(task_id),
            CalendarPendingItem.task_version.set(version),
            CalendarPendingItem.users.add(users),
        ]
        return [Update(item, actions)]

    def lease(self, user_id: str, now: datetime, until: datetime) -> CalendarConnection | None:
        """AP128: the connection, held by this run until `until`; None if held or gone."""
        item = CalendarItem(self._pk, keys.calendar_sk(user_id))
        free = CalendarItem.lease_until.does_not_exist() | (CalendarItem.lease_until < now)
        try:
            item.update(actions=[CalendarItem.lease_until.set(until)], condition=must_exist() & free)
        except UpdateError as exc:
            if exc.cause_response_code == "ConditionalCheckFailedException":
                return None
            raise
        return _connection(item)

    def finish(
        self, user_id: str, *, now: datetime, next_sync_at: datetime, status: str, error: str | None, synced: bool
    ) -> CalendarConnection | None:
        """The run's outcome and the lease released; the due index follows the status."""
        item = CalendarItem(self._pk, keys.calendar_sk(user_id))
        scheduled = status == CalendarStatus.OK.value
        actions: list[Action] = [
            CalendarItem.status.set(status),
            CalendarItem.next_sync_at.set(next_sync_at),
            CalendarItem.lease_until.remove(),
            CalendarItem.last_error.set(error) if error else CalendarItem.last_error.remove(),
            CalendarItem.version.add(1),
        ]
        if synced:
            actions.append(CalendarItem.last_sync_at.set(now))
        if scheduled:
            actions += [
                CalendarItem.gsi1pk.set(keys.calendar_due_pk()),
                CalendarItem.gsi1sk.set(keys.calendar_due_sk(isoformat_z(next_sync_at), self._tenant_id, user_id)),
            ]
        else:
            actions += [CalendarItem.gsi1pk.remove(), CalendarItem.gsi1sk.remove()]
        try:
            item.update(actions=actions, condition=must_exist())
        except UpdateError as exc:
            if exc.cause_response_code == "ConditionalCheckFailedException":
                return None
            raise
        return _connection(item)

    def set_channel(self, user_id: str, channel: Channel | None) -> None:
        """AP120: the watch channel opened (or closed: None) for the user's calendar."""
        item = CalendarItem(self._pk, keys.calendar_sk(user_id))
        fields = (
            CalendarItem.channel_id,
            CalendarItem.channel_resource_id,
            CalendarItem.channel_expires_at,
            CalendarItem.channel_token_hash,
        )
        if channel is None:
            actions: list[Action] = [f.remove() for f in fields]
        else:
            actions = [
                CalendarItem.channel_id.set(channel.id),
                CalendarItem.channel_resource_id.set(channel.resource_id),
                CalendarItem.channel_expires_at.set(channel.expires_at),
                CalendarItem.channel_token_hash.set(channel.token_hash),
            ]
        try:
            item.update(actions=actions, condition=must_exist())
        except UpdateError as exc:
            if exc.cause_response_code != "ConditionalCheckFailedException":
                raise

    def due_now(self, user_id: str, now: datetime) -> bool:
        """AP121: a working connection is due at `now` (Google said its calendar changed)."""
        item = CalendarItem(self._pk, keys.calendar_sk(user_id))
        actions: list[Action] = [
            CalendarItem.next_sync_at.set(now),
            CalendarItem.gsi1sk.set(keys.calendar_due_sk(isoformat_z(now), self._tenant_id, user_id)),
        ]
        try:
            item.update(actions=actions, condition=must_exist() & (CalendarItem.status == CalendarStatus.OK.value))
        except UpdateError as exc:
            if exc.cause_response_code == "ConditionalCheckFailedException":
                return False
            raise
        return True

    def state(self) -> CalendarState:
        return CalendarState(self._tenant_id)

    # --- helpers ------------------------------------------------------------------------------

    @property
    def _pk(self) -> str:
        return keys.tenant_pk(self._tenant_id)

    def _item(self, c: CalendarConnection) -> CalendarItem:
        due = c.scheduled
        return CalendarItem(
            self._pk,
            keys.calendar_sk(c.user_id),
            gsi1pk=keys.calendar_due_pk() if due else None,
            gsi1sk=keys.calendar_due_sk(isoformat_z(c.next_sync_at), self._tenant_id, c.user_id) if due else None,
            user_id=c.user_id,
            google_email=c.google_email,
            calendar_id=c.calendar_id,
            push=c.push_crm_to_google,
            pull=c.pull_google_to_crm,
            status=c.status.value,
            connected_at=c.connected_at,
            next_sync_at=c.next_sync_at,
            last_sync_at=c.last_sync_at,
            last_error=c.last_error,
            sync_token=c.sync_token,
            version=c.version,
            channel_id=c.channel.id if c.channel else None,
            channel_resource_id=c.channel.resource_id if c.channel else None,
            channel_expires_at=c.channel.expires_at if c.channel else None,
            channel_token_hash=c.channel.token_hash if c.channel else None,
        )


def _connection(item: CalendarItem) -> CalendarConnection:
    return CalendarConnection(
        user_id=item.user_id,
        google_email=item.google_email,
        calendar_id=item.calendar_id,
        push_crm_to_google=bool(item.push),
        pull_google_to_crm=bool(item.pull),
        status=CalendarStatus(item.status),
        connected_at=item.connected_at,
        next_sync_at=item.next_sync_at,
        last_sync_at=item.last_sync_at,
        last_error=item.last_error,
        sync_token=item.sync_token,
        version=int(item.version or 0),
        channel=Channel(
            item.channel_id, item.channel_resource_id or "", item.channel_expires_at, item.channel_token_hash or ""
        )
        if item.channel_id and item.channel_expires_at
        else None,
    )


class CalendarState:
    """The engine's SyncState over the table (AP124-127): links, pending marks, sync tokens.

    A pending mark is cleared only if no task write re-marked it since this run read it (the
    delete is conditioned on the version read), so a change made during a run is pushed by the
    next one."""

    def __init__(self, tenant_id: str) -> None:
        self._tenant_id = tenant_id
        self._read: dict[tuple[str, str], int] = {}

    def _pk(self, user_id: str) -> str:
        return keys.calendar_sync_pk(self._tenant_id, user_id)

    def link_by_task(self, user_id: str, task_id: str) -> Link | None:
        """AP124."""
        return self._link(user_id, keys.calendar_link_task_sk(task_id))

    def link_by_event(self, user_id: str, event_id: str) -> Link | None:
        """AP125."""
        return self._link(user_id, keys.calendar_link_event_sk(event_id))

    def _link(self, user_id: str, sk: str) -> Link | None:
        try:
            item = CalendarLinkItem.get(self._pk(user_id), sk, consistent_read=True)
        except CalendarLinkItem.DoesNotExist:
            return None
        return _link(user_id, item)

    def links(self, user_id: str) -> list[Link]:
        """AP126."""
        found = CalendarLinkItem.query(self._pk(user_id), CalendarLinkItem.sk.startswith(keys.GCAL_LINK_TASK))
        return [_link(user_id, i) for i in found]

    def save_link(self, link: Link) -> None:
        """AP124-125: both items at once; a link that named another event loses that one."""
        pk = self._pk(link.user_id)
        before = self.link_by_task(link.user_id, link.task_id)
        writes: list[Write] = [
            Put(
                CalendarLinkItem(
                    pk, sk, task_id=link.task_id, event_id=link.event_id, etag=link.etag, task_version=link.task_version
                )
            )
            for sk in (keys.calendar_link_task_sk(link.task_id), keys.calendar_link_event_sk(link.event_id))
        ]
        if before is not None and before.event_id != link.event_id:
            writes.append(Delete(CalendarLinkItem(pk, keys.calendar_link_event_sk(before.event_id))))
        transact(writes)

    def drop_link(self, user_id: str, task_id: str) -> None:
        link = self.link_by_task(user_id, task_id)
        if link is None:
            return
        pk = self._pk(user_id)
        transact(
            [
                Delete(CalendarLinkItem(pk, keys.calendar_link_task_sk(task_id))),
                Delete(CalendarLinkItem(pk, keys.calendar_link_event_sk(link.event_id))),
            ]
        )

    def _pending_of(self, user_id: str) -> Iterator[CalendarPendingItem]:
        return CalendarPendingItem.query(
            keys.calendar_pending_pk(self._tenant_id),
            CalendarPendingItem.sk.startswith(keys.GCAL_PENDING),
            filter_condition=CalendarPendingItem.users.contains(user_id),
            consistent_read=True,
        )

    def pending(self, user_id: str) -> list[str]:
        """AP127: the tasks this user has still to push, as marked by task writes (the CRM's
        pending tasks, a short list: each leaves once all its pushers have synced)."""
        ids = []
        for item in self._pending_of(user_id):
            self._read[(user_id, item.task_id)] = int(item.task_version)
            ids.append(item.task_id)
        return ids

    def pushed(self, user_id: str, task_id: str) -> None:
        """The user leaves the task's pending set, unless a task write marked it again since
        this run read it (the update is conditioned on the version read): then the next run
        pushes the newer change. The last user out deletes the item."""
        item = CalendarPendingItem(keys.calendar_pending_pk(self._tenant_id), keys.calendar_pending_sk(task_id))
        version = self._read.pop((user_id, task_id), None)
        condition = must_exist() if version is None else CalendarPendingItem.task_version == version
        try:
            item.update(actions=[CalendarPendingItem.users.delete({user_id})], condition=condition)
        except UpdateError as exc:
            if exc.cause_response_code != "ConditionalCheckFailedException":
                raise
            return  # re-marked meanwhile (or already gone)
        if not item.users:
            try:
                item.delete(condition=CalendarPendingItem.users.does_not_exist())
            except DeleteError as exc:
                if exc.cause_response_code != "ConditionalCheckFailedException":
                    raise  # a task write marked it again meanwhile: it stays

    def forget_pending(self, user_id: str) -> None:
        """A disconnected user leaves every pending set (AP127)."""
        for item in self._pending_of(user_id):
            item.update(actions=[CalendarPendingItem.users.delete({user_id})])

    def sync_token(self, user_id: str) -> str | None:
        try:
            item = CalendarItem.get(keys.tenant_pk(self._tenant_id), keys.calendar_sk(user_id), consistent_read=True)
        except CalendarItem.DoesNotExist:
            return None
        return item.sync_token

    def save_sync_token(self, user_id: str, token: str | None) -> None:
        item = CalendarItem(keys.tenant_pk(self._tenant_id), keys.calendar_sk(user_id))
        action = CalendarItem.sync_token.set(token) if token else CalendarItem.sync_token.remove()
        try:
            item.update(actions=[action], condition=must_exist())
        except UpdateError as exc:
            if exc.cause_response_code != "ConditionalCheckFailedException":
                raise  # disconnected during the run: nothing to remember


def _link(user_id: str, item: CalendarLinkItem) -> Link:
    return Link(user_id, item.task_id, item.event_id, item.etag, int(item.task_version))


class CalendarScheduleRepository:
    """Deployment-wide: connections due (AP121) and OAuth consents (AP123)."""

    def due(self, now: datetime, limit: int) -> list[tuple[str, str]]:
        """AP121."""
        found = CalendarItem.gsi1.query(
            keys.calendar_due_pk(),
            CalendarItem.gsi1sk <= keys.calendar_due_until_sk(isoformat_z(now)),
            limit=limit,
        )
        out = []
        for item in found:
            _, tenant_id, user_id = str(item.gsi1sk).rsplit("#", 2)
            out.append((tenant_id, user_id))
        return out

    def put_state(self, state_hash: str, state: OAuthState) -> None:
        """AP123."""
        OAuthStateItem(
            keys.oauth_state_pk(state_hash),
            keys.OAUTH_STATE,
            tenant_id=state.tenant_id,
            user_id=state.user_id,
            code_verifier=state.code_verifier,
            expires_at=state.expires_at,
            ttl=state.expires_at,
        ).save(condition=must_not_exist())

    def take_state(self, state_hash: str, now: datetime) -> OAuthState | None:
        """AP123: single use (deleted as it is read)."""
        try:
            item = OAuthStateItem.get(keys.oauth_state_pk(state_hash), keys.OAUTH_STATE, consistent_read=True)
            item.delete(condition=must_exist())
        except (OAuthStateItem.DoesNotExist, DeleteError):
            return None  # unknown, or taken by a concurrent callback
        if item.expires_at <= now:
            return None
        return OAuthState(item.tenant_id, item.user_id, item.code_verifier, item.expires_at)
