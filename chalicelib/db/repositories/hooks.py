"""Webhooks (docs/data-model.md, "Webhooks"): a CRM's subscriptions and their delivery log
(`HookRepository`), the events its record writes put in the outbox (`HookOutbox`, one shared
mechanism called by the contact, deal, task and call repositories next to their rollups), and
the deployment-wide outbox the delivery worker reads (`HookQueue`).

Whether a write emits anything is decided without a read of its own: the CRM record keeps a
count of hooks per event (`h:<event>`), read with the company time zone the same write's
rollups need anyway and cached per process FACTS_TTL seconds (`crm_facts`).
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from pynamodb.attributes import NumberAttribute
from pynamodb.exceptions import DoesNotExist, PutError, UpdateError
from pynamodb.expressions.operand import Path, Value

from chalicelib.db import keys
from chalicelib.db.items import Item
from chalicelib.db.models.hooks import HookAttemptItem, HookGuardItem, HookItem, HookQueueItem, HookWatermarkItem
from chalicelib.db.writes import Delete, Put, Update, must_exist, must_not_exist, transact
from chalicelib.domain.clock import isoformat_z
from chalicelib.domain.errors import ConflictError
from chalicelib.domain.hooks import (
    LOG_KEEP,
    MAX_HOOKS,
    Attempt,
    Emitted,
    Hook,
    HookEvent,
    HookStatus,
    Message,
    Outcome,
    encode,
    events_of,
)
from chalicelib.domain.ids import derived_id
from chalicelib.ports.hooks import Queued

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo

    from pynamodb.expressions.update import Action

FACTS_TTL = 60.0  # seconds a process trusts what it read of the CRM record (time zone, hook counts)
_facts: dict[str, tuple[float, ZoneInfo, frozenset[str]]] = {}
_TOTAL = NumberAttribute(attr_name=keys.HOOK_TOTAL_ATTRIBUTE)


def crm_facts(tenant_id: str) -> tuple[ZoneInfo, frozenset[str]]:
    """The CRM's time zone and the events it has hooks for (AP1/AP143: one GetItem of the CRM
    record), cached per process for FACTS_TTL seconds. A hook made in another process is seen
    within FACTS_TTL; one made in this process at once (`forget_facts`)."""
    cached = _facts.get(tenant_id)
    if cached is not None and cached[0] > time.monotonic():
        return cached[1], cached[2]
    names = {"#tz": "timezone", **{f"#e{i}": keys.hook_count_attribute(e) for i, e in enumerate(HookEvent)}}
    answer = _client().get_item(
        TableName=_table(),
        Key={"pk": {"S": keys.tenant_pk(tenant_id)}, "sk": {"S": keys.crm_sk()}},
        ProjectionExpression=", ".join(names),
        ExpressionAttributeNames=names,
    )
    raw = answer.get("Item") or {}
    from zoneinfo import ZoneInfo  # the record writers' need, not the delivery worker's

    zone = ZoneInfo(raw["timezone"]["S"]) if "timezone" in raw else ZoneInfo("UTC")
    events = frozenset(e.value for e in HookEvent if int(raw.get(keys.hook_count_attribute(e), {}).get("N", "0")) > 0)
    _facts[tenant_id] = (time.monotonic() + FACTS_TTL, zone, events)
    return zone, events


def forget_facts(tenant_id: str) -> None:
    _facts.pop(tenant_id, None)


def url_digest(url: str) -> str:
    return hashlib.sha256(url.encode()).hexdigest()


class _TakenError(ConflictError):
    """This owner already has a hook of this event to this URL."""


class HookRepository:
    def __init__(self, tenant_id: str) -> None:
        self._tenant_id = tenant_id
        self._pk = keys.tenant_pk(tenant_id)

    def get(self, hook_id: str) -> Hook | None:
        """AP140."""
        try:
            return _to_hook(HookItem.get(self._pk, keys.hook_sk(hook_id)))
        except DoesNotExist:
            return None

    def list_all(self) -> list[Hook]:
        """AP141: every hook of the CRM (at most MAX_HOOKS), oldest first."""
        return [_to_hook(i) for i in HookItem.query(self._pk, HookItem.sk.startswith(keys.HOOK))]

    def find(self, owner_id: str, event: HookEvent, url: str) -> Hook | None:
        """AP142: the owner's hook of this event and URL."""
        try:
            guard = HookGuardItem.get(self._pk, keys.hook_guard_sk(owner_id, event.value, url_digest(url)))
        except DoesNotExist:
            return None
        return self.get(guard.hook_id)

    def create(self, hook: Hook) -> Hook:
        """The hook, its guard and the CRM's counts, at once; the owner's existing hook of this
        event and URL when there is one (AP142); a CRM with MAX_HOOKS hooks refuses (409)."""
        item = _hook_item(self._tenant_id, hook)
        guard = HookGuardItem(self._pk, _guard_sk(hook), hook_id=hook.id)
        full = ConflictError(f"a CRM has at most {MAX_HOOKS} webhooks", field="target_url")
        room = must_exist() & (Path(_TOTAL).does_not_exist() | (Path(_TOTAL) < MAX_HOOKS))
        try:
            transact(
                [
                    Put(item, condition=must_not_exist()),
                    Put(guard, condition=must_not_exist(), on_conflict=_TakenError("taken")),
                    Update(Item(self._pk, keys.crm_sk()), _counts(hook.event, 1), condition=room, on_conflict=full),
                ]
            )
        except _TakenError:
            existing = self.find(hook.owner_id, hook.event, hook.target_url)
            if existing is None:
                raise ConflictError("the webhook is being changed; retry", field="target_url") from None
            return existing
        forget_facts(self._tenant_id)
        return hook

    def delete(self, hook: Hook) -> bool:
        """The hook, its guard and its count; False if it was already gone."""
        try:
            transact(
                [
                    Delete(_hook_item(self._tenant_id, hook), condition=must_exist(), on_conflict=_TakenError("gone")),
                    Delete(HookGuardItem(self._pk, _guard_sk(hook))),
                    Update(Item(self._pk, keys.crm_sk()), _counts(hook.event, -1)),
                ]
            )
        except _TakenError:
            return False
        forget_facts(self._tenant_id)
        return True

    def set_state(self, hook: Hook, status: HookStatus, failing_since: datetime | None) -> None:
        """AP140: a hook's health (if it still exists)."""
        item = HookItem(self._pk, keys.hook_sk(hook.id))
        actions: list[Action] = [HookItem.status.set(status.value)]
        actions.append(
            HookItem.failing_since.remove() if failing_since is None else HookItem.failing_since.set(failing_since)
        )
        try:
            item.update(actions=actions, condition=HookItem.pk.exists())
        except UpdateError as exc:
            if exc.cause_response_code != "ConditionalCheckFailedException":
                raise

    def log(self, hook_id: str, attempt: Attempt) -> None:
        """AP144: one line of a hook's delivery log."""
        HookAttemptItem(
            keys.hook_log_pk(self._tenant_id, hook_id),
            keys.hook_log_sk(attempt.id),
            webhook_id=attempt.webhook_id,
            event=attempt.event.value,
            at=attempt.at,
            attempt=attempt.attempt,
            outcome=attempt.outcome.value,
            response_code=attempt.response_code,
            error=attempt.error,
            ttl=attempt.at + LOG_KEEP,
        ).save()

    def attempts(self, hook_id: str, limit: int) -> list[Attempt]:
        """AP144: a hook's last attempts, newest first."""
        found = HookAttemptItem.query(keys.hook_log_pk(self._tenant_id, hook_id), scan_index_forward=False, limit=limit)
        return [_to_attempt(i) for i in found]


class HookOutbox:
    """The one place record writes emit webhook events: `writes` gives the outbox items of a
    write of one record, for that write's own transaction (so a write that fails emits nothing),
    and nothing at all when the CRM has no hook for the event."""

    def __init__(self, tenant_id: str) -> None:
        self._tenant_id = tenant_id

    def writes(self, record_type: str, before: Any, after: Any, now: datetime | None = None) -> list[Put]:
        found = events_of(record_type, before, after)
        if not found:
            return []
        wanted = crm_facts(self._tenant_id)[1]
        now = now or getattr(after, "updated_at", None) or datetime.now(UTC)
        # An id derived from the record's version: a write repeated as is (an import chunk written
        # again) makes the same item, and a receiver sees the same webhook-id.
        version = getattr(after, "version", 0)
        return [
            Put(
                _event_item(
                    Emitted(
                        derived_id(now, f"{record_type}:{after.id}:{e}:{version}"),
                        self._tenant_id,
                        e,
                        now,
                        record_type,
                        after,
                    )
                )
            )
            for e in found
            if e.value in wanted
        ]

    def emit_once(self, record_type: str, before: Any, after: Any, key: str, now: datetime) -> None:
        """For a write that is not a transaction (a call's upsert): the events after it, under
        ids derived from `key`, so a repeated write emits once."""
        found = events_of(record_type, before, after)
        if not found or not (wanted := crm_facts(self._tenant_id)[1]):
            return
        for event in found:
            if event.value in wanted:
                emitted = Emitted(derived_id(now, f"{key}:{event}"), self._tenant_id, event, now, record_type, after)
                item = _event_item(emitted)
                try:
                    item.save(condition=HookQueueItem.pk.does_not_exist())
                except PutError as exc:  # a repeated end event finds its item: nothing to do
                    if exc.cause_response_code != "ConditionalCheckFailedException":
                        raise


class HookQueue:
    """The outbox of every CRM, partitioned by hour (AP145, AP146), read by the worker."""

    def due(self, hour: datetime, until: datetime) -> Iterator[Queued]:
        """AP145: items of the hour holding `hour` due at `until` or before, oldest first."""
        condition = HookQueueItem.sk <= f"{isoformat_z(until)}~"
        for item in HookQueueItem.query(keys.hook_queue_pk(keys.due_bucket(hour)), condition, consistent_read=True):
            if item.qkind == "E":
                yield Queued(item, emitted=_emitted_of(item))
            else:
                yield Queued(item, message=_message_of(item))

    def claim(self, queued: Queued, now: datetime, lease: timedelta) -> bool:
        """Take an item for `lease`: False if it is gone or another run holds it."""
        item: HookQueueItem = queued.handle
        free = HookQueueItem.claimed_until.does_not_exist() | (HookQueueItem.claimed_until < now)
        try:
            item.update(
                actions=[HookQueueItem.claimed_until.set(now + lease)], condition=HookQueueItem.pk.exists() & free
            )
        except UpdateError as exc:
            if exc.cause_response_code == "ConditionalCheckFailedException":
                return False
            raise
        return True

    def finish(self, queued: Queued, retries: Sequence[tuple[Message, datetime]] = ()) -> None:
        """Done with an item: it goes, and the messages to try again go in, at once."""
        transact([Delete(queued.handle), *(Put(_message_item(m, at)) for m, at in retries)])

    def watermark(self) -> datetime | None:
        """AP146."""
        try:
            bucket = HookWatermarkItem.get(*keys.hook_watermark_key(), consistent_read=True).bucket
        except DoesNotExist:
            return None
        return keys.due_bucket_start(bucket)

    def set_watermark(self, hour: datetime) -> None:
        HookWatermarkItem(*keys.hook_watermark_key(), bucket=keys.due_bucket(hour)).save()

    def start_watermark(self, hour: datetime) -> None:
        """Set the watermark if there is none yet (the first hook of the deployment): the
        worker then reads every hour that can hold an event."""
        try:
            HookWatermarkItem(*keys.hook_watermark_key(), bucket=keys.due_bucket(hour)).save(
                condition=HookWatermarkItem.pk.does_not_exist()
            )
        except PutError as exc:
            if exc.cause_response_code != "ConditionalCheckFailedException":
                raise


class DynamoHookStore:
    """The `HookStore` port over the table."""

    def hooks(self, tenant_id: str) -> HookRepository:
        return HookRepository(tenant_id)

    @property
    def queue(self) -> HookQueue:
        return HookQueue()


def _emitted_of(item: HookQueueItem) -> Emitted:
    return Emitted(
        item.message_id,
        item.tenant_id,
        HookEvent(item.event),
        item.at,
        item.record_type or "",
        json.loads(item.payload),
    )


def _message_of(item: HookQueueItem) -> Message:
    return Message(
        item.message_id,
        item.tenant_id,
        item.hook_id or "",
        HookEvent(item.event),
        item.payload,
        int(item.attempt or 0),
        item.first_at or item.at,
    )


# --- conversions -----------------------------------------------------------------------------


def _counts(event: HookEvent, n: int) -> list[Action]:
    value = Value({"N": str(n)})
    return [Path([keys.hook_count_attribute(event.value)]).add(value), Path(_TOTAL).add(value)]


def _guard_sk(hook: Hook) -> str:
    return keys.hook_guard_sk(hook.owner_id, hook.event.value, url_digest(hook.target_url))


def _hook_item(tenant_id: str, hook: Hook) -> HookItem:
    return HookItem(
        keys.tenant_pk(tenant_id),
        keys.hook_sk(hook.id),
        event=hook.event.value,
        target_url=hook.target_url,
        secret=hook.secret,
        owner_id=hook.owner_id,
        created_at=hook.created_at,
        status=hook.status.value,
        failing_since=hook.failing_since,
    )


def _to_hook(item: HookItem) -> Hook:
    return Hook(
        id=item.sk.removeprefix(keys.HOOK),
        event=HookEvent(item.event),
        target_url=item.target_url,
        secret=item.secret,
        owner_id=item.owner_id,
        created_at=item.created_at,
        status=HookStatus(item.status),
        failing_since=item.failing_since,
    )


def _to_attempt(item: HookAttemptItem) -> Attempt:
    return Attempt(
        id=item.sk.removeprefix("A#"),
        webhook_id=item.webhook_id,
        event=HookEvent(item.event),
        at=item.at,
        attempt=int(item.attempt),
        outcome=Outcome(item.outcome),
        response_code=int(item.response_code) if item.response_code is not None else None,
        error=item.error,
    )


def _event_item(emitted: Emitted) -> HookQueueItem:
    return HookQueueItem(
        keys.hook_queue_pk(keys.due_bucket(emitted.at)),
        keys.hook_queue_sk(isoformat_z(emitted.at), emitted.tenant_id, "E", emitted.id),
        qkind="E",
        tenant_id=emitted.tenant_id,
        event=emitted.event.value,
        at=emitted.at,
        message_id=emitted.id,
        record_type=emitted.record_type,
        payload=json.dumps(encode(emitted.record), default=str),
        ttl=emitted.at + LOG_KEEP,
    )


def _message_item(message: Message, at: datetime) -> HookQueueItem:
    return HookQueueItem(
        keys.hook_queue_pk(keys.due_bucket(at)),
        keys.hook_queue_sk(isoformat_z(at), message.tenant_id, "M", message.webhook_id),
        qkind="M",
        tenant_id=message.tenant_id,
        event=message.event.value,
        at=at,
        message_id=message.webhook_id,
        payload=message.body,
        hook_id=message.hook_id,
        attempt=message.attempt,
        first_at=message.first_at,
        ttl=at + LOG_KEEP,
    )


def _client() -> Any:
    return Item._get_connection().connection.client


def _table() -> str:
    name = Item.Meta.table_name
    if name is None:
        raise RuntimeError("the table is not bound (db.items.bind_table)")
    return name
