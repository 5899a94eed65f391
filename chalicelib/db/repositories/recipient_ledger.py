"""The recipient ledger shared by SMS (AP38, AP87) and email broadcasts (AP102, AP103).

A broadcast is one partition: its record (`keys.BROADCAST_RECORD`: status and counters, listed
in gsi1 for the CRM and gsi2 for its creator, newest first) and its recipients (`keys.recipient_sk`,
in send order). Each recipient goes pending -> sending (claimed only while the broadcast runs)
-> sent | failed, its outcome and the record's counter moving in one transaction so the report
is exact whatever the retries and the concurrency of the batches.

`RecipientLedger` is parameterised by the two item models and the key functions of one kind of
broadcast, its converters from items to domain objects and the item fields of its own.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from pynamodb.exceptions import UpdateError

from chalicelib.db import keys
from chalicelib.db.items import narrow
from chalicelib.db.pagination import Page, decode_cursor, encode_cursor
from chalicelib.db.writes import Check, Put, Update, Write, must_exist, must_not_exist, transact
from chalicelib.domain.broadcasts import BroadcastRecord, BroadcastStatus, RecipientRecord, RecipientStatus
from chalicelib.domain.clock import isoformat_z
from chalicelib.domain.errors import ConflictError

if TYPE_CHECKING:
    from pynamodb.expressions.update import Action

B = TypeVar("B", bound=BroadcastRecord)  # the broadcast (domain)
R = TypeVar("R", bound=RecipientRecord)  # one of its recipients (domain)


class _StoppedError(ConflictError):
    def __init__(self) -> None:
        super().__init__("the broadcast is not running")


class RecipientLedger(Generic[B, R]):
    """One CRM's broadcasts of one kind. `record` is the broadcast's item model (status, total,
    sent, failed, finished_at, error), `recipient` the recipients' (status, reason, message_id);
    `partition(tenant_id, broadcast_id)`, `listing(tenant_id, created_by)` and `id_of(pk)` are
    its key functions (db/keys.py)."""

    def __init__(
        self,
        tenant_id: str,
        *,
        record: type[Any],
        recipient: type[Any],
        partition: Callable[[str, str], str],
        listing: Callable[[str, str | None], str],
        id_of: Callable[[str], str],
        to_broadcast: Callable[[Any, str], B],
        to_recipient: Callable[[Any], R],
        record_fields: Callable[[B], dict[str, Any]],
        recipient_fields: Callable[[R], dict[str, Any]],
    ) -> None:
        self._tenant_id = tenant_id
        self._record = record
        self._recipient = recipient
        self._partition = partition
        self._listing = listing
        self._id_of = id_of
        self._to_broadcast = to_broadcast
        self._to_recipient = to_recipient
        self._record_fields = record_fields
        self._recipient_fields = recipient_fields

    def create(self, broadcast: B, recipients: Sequence[R]) -> None:
        """The recipients first (batched, 25 a call), then the record that makes them visible,
        listed for the CRM (gsi1) and its creator (gsi2), newest first."""
        pk = self._pk(broadcast.id)
        with self._recipient.batch_write() as batch:
            for r in recipients:
                batch.save(
                    self._recipient(
                        pk,
                        keys.recipient_sk(r.index),
                        contact_id=r.contact_id,
                        status=r.status.value,
                        reason=r.reason,
                        **self._recipient_fields(r),
                    )
                )
        created = keys.created_sk(isoformat_z(broadcast.created_at), broadcast.id)
        record = self._record(
            pk,
            keys.BROADCAST_RECORD,
            status=broadcast.status.value,
            total=broadcast.total,
            sent=broadcast.sent,
            failed=broadcast.failed,
            created_by=broadcast.created_by,
            created_at=broadcast.created_at,
            gsi1pk=self._listing(self._tenant_id, None),
            gsi1sk=created,
            gsi2pk=self._listing(self._tenant_id, broadcast.created_by),
            gsi2sk=created,
            **self._record_fields(broadcast),
        )
        transact([Put(record, condition=must_not_exist())])

    def history(self, *, created_by: str | None, limit: int, cursor: str | None) -> Page[B]:
        """Newest first, the CRM's (gsi1) or one creator's (gsi2)."""
        hash_key = self._listing(self._tenant_id, created_by)
        index = self._record.gsi2 if created_by else self._record.gsi1
        result = index.query(
            hash_key,
            scan_index_forward=False,
            limit=limit,
            last_evaluated_key=decode_cursor(
                cursor, self._tenant_id, index="gsi2" if created_by else "gsi1", partition=hash_key
            ),
        )
        items = [narrow(i, self._record) for i in result]
        return Page([self._to_broadcast(i, self._id_of(i.pk)) for i in items], encode_cursor(result.last_evaluated_key))

    def get(self, broadcast_id: str, *, consistent: bool = False) -> B | None:
        try:
            item = self._record.get(self._pk(broadcast_id), keys.BROADCAST_RECORD, consistent_read=consistent)
        except self._record.DoesNotExist:
            return None
        return self._to_broadcast(item, broadcast_id)

    def recipients(
        self, broadcast_id: str, *, start: int = 0, end: int | None = None, limit: int = 1000, cursor: str | None = None
    ) -> Page[R]:
        """Recipients in send order, from index `start` (to `end`, excluded)."""
        upper = keys.recipient_sk(end) if end is not None else f"{keys.RECIPIENT}~"
        result = self._recipient.query(
            self._pk(broadcast_id),
            self._recipient.sk.between(keys.recipient_sk(start), upper),
            consistent_read=True,
            limit=limit,
            last_evaluated_key=decode_cursor(cursor, self._tenant_id, partition=self._pk(broadcast_id)),
        )
        found = [self._to_recipient(i) for i in result]
        return Page([r for r in found if end is None or r.index < end], encode_cursor(result.last_evaluated_key))

    def claim(self, broadcast_id: str, index: int) -> bool | None:
        """pending -> sending while the broadcast runs; False if the recipient is taken or done,
        None if the broadcast is not running any more (canceled)."""
        pk = self._pk(broadcast_id)
        running = self._record.status == BroadcastStatus.RUNNING.value
        try:
            transact(
                [
                    Check(self._record(pk, keys.BROADCAST_RECORD), running, on_conflict=_StoppedError()),
                    Update(
                        self._recipient(pk, keys.recipient_sk(index)),
                        [self._recipient.status.set(RecipientStatus.SENDING.value)],
                        condition=self._recipient.status == RecipientStatus.PENDING.value,
                    ),
                ]
            )
        except _StoppedError:
            return None
        except ConflictError:
            return False
        return True

    def release(self, broadcast_id: str, index: int, reason: str) -> None:
        """sending -> pending: the provider could not take it now; a later attempt sends it."""
        item = self._recipient(self._pk(broadcast_id), keys.recipient_sk(index))
        item.update(
            actions=[
                self._recipient.status.set(RecipientStatus.PENDING.value),
                self._recipient.reason.set(reason[:300]),
            ],
            condition=self._recipient.status == RecipientStatus.SENDING.value,
        )

    def _finish(
        self,
        broadcast_id: str,
        index: int,
        status: RecipientStatus,
        *,
        expected: RecipientStatus,
        reason: str | None,
        message_id: str | None,
        also: Sequence[Write],
    ) -> bool:
        """The recipient's outcome, the broadcast's counter and `also`, at once; False if the
        recipient was not in `expected` any more (already done)."""
        pk = self._pk(broadcast_id)
        recipient = self._recipient(pk, keys.recipient_sk(index))
        actions = [self._recipient.status.set(status.value)]
        actions.append(self._recipient.reason.set(reason[:300]) if reason else self._recipient.reason.remove())
        if message_id:
            actions.append(self._recipient.message_id.set(message_id))
        counter = self._record.sent if status is RecipientStatus.SENT else self._record.failed
        writes: list[Write] = [
            Update(recipient, actions, condition=self._recipient.status == expected.value),
            Update(self._record(pk, keys.BROADCAST_RECORD), [counter.add(1)], condition=must_exist()),
            *also,
        ]
        try:
            # Every recipient's outcome moves the same counter: concurrent batches collide on it,
            # so a cancelled transaction is tried again more patiently than usual.
            transact(writes, attempts=10)
        except ConflictError:
            return False
        return True

    def set_status(
        self, broadcast_id: str, status: BroadcastStatus, now: datetime, error: str | None = None
    ) -> B | None:
        """End a running broadcast (completed, failed, canceled); None if it was not running."""
        item = self._record(self._pk(broadcast_id), keys.BROADCAST_RECORD)
        actions: list[Action] = [self._record.status.set(status.value), self._record.finished_at.set(now)]
        if error:
            actions.append(self._record.error.set(error[:500]))
        try:
            item.update(actions=actions, condition=self._record.status == BroadcastStatus.RUNNING.value)
        except UpdateError as exc:
            if exc.cause_response_code == "ConditionalCheckFailedException":
                return None
            raise
        return self._to_broadcast(item, broadcast_id)

    def _pk(self, broadcast_id: str) -> str:
        return self._partition(self._tenant_id, broadcast_id)


def broadcast_fields(item: Any, broadcast_id: str) -> dict[str, Any]:
    """The domain fields every broadcast's record has (the kind's converter adds its own)."""
    return {
        "id": broadcast_id,
        "status": BroadcastStatus(item.status),
        "total": int(item.total),
        "created_by": item.created_by,
        "created_at": item.created_at,
        "sent": int(item.sent or 0),
        "failed": int(item.failed or 0),
        "finished_at": item.finished_at,
        "error": item.error,
    }


def recipient_fields(item: Any) -> dict[str, Any]:
    """The domain fields every recipient has (the kind's converter adds its own)."""
    return {
        "index": int(item.sk.removeprefix(keys.RECIPIENT)),
        "contact_id": item.contact_id,
        "status": RecipientStatus(item.status),
        "reason": item.reason,
        "message_id": item.message_id,
    }
