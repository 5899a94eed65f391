"""SMS broadcasts of one CRM (AP38): the record, its recipients, their claims and outcomes.

A recipient's outcome and the broadcast's counter move in one transaction, so the final report
(sent, failed) is exact whatever the retries and the concurrency of the batches.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from pynamodb.exceptions import UpdateError

from chalicelib.db import keys
from chalicelib.db.items import narrow
from chalicelib.db.models.broadcasts import BroadcastItem, RecipientItem
from chalicelib.db.pagination import Page, decode_cursor, encode_cursor
from chalicelib.db.writes import Check, Put, Update, Write, must_exist, must_not_exist, transact
from chalicelib.domain.broadcasts import Broadcast, BroadcastStatus, Recipient, RecipientStatus
from chalicelib.domain.clock import isoformat_z
from chalicelib.domain.errors import ConflictError

if TYPE_CHECKING:
    from pynamodb.expressions.update import Action


class _StoppedError(ConflictError):
    def __init__(self) -> None:
        super().__init__("the broadcast is not running")


class BroadcastRepository:
    def __init__(self, tenant_id: str) -> None:
        self._tenant_id = tenant_id

    def create(self, broadcast: Broadcast, recipients: Sequence[Recipient]) -> None:
        """The recipients first (batched, 25 a call), then the record that makes them visible."""
        pk = self._pk(broadcast.id)
        with RecipientItem.batch_write() as batch:
            for r in recipients:
                batch.save(
                    RecipientItem(
                        pk,
                        keys.recipient_sk(r.index),
                        phone=r.phone,
                        contact_id=r.contact_id,
                        text=r.text,
                        status=r.status.value,
                        reason=r.reason,
                    )
                )
        record = BroadcastItem(
            pk,
            keys.BROADCAST_RECORD,
            status=broadcast.status.value,
            total=broadcast.total,
            sent=broadcast.sent,
            failed=broadcast.failed,
            text=broadcast.text,
            template_id=broadcast.template_id,
            created_by=broadcast.created_by,
            created_at=broadcast.created_at,
            gsi1pk=keys.broadcasts_pk(self._tenant_id),
            gsi1sk=keys.created_sk(isoformat_z(broadcast.created_at), broadcast.id),
            gsi2pk=keys.broadcasts_pk(self._tenant_id, broadcast.created_by),
            gsi2sk=keys.created_sk(isoformat_z(broadcast.created_at), broadcast.id),
        )
        transact([Put(record, condition=must_not_exist())])

    def history(self, *, created_by: str | None, limit: int, cursor: str | None) -> Page[Broadcast]:
        """AP87: newest first, the CRM's (gsi1) or one creator's (gsi2)."""
        hash_key = keys.broadcasts_pk(self._tenant_id, created_by)
        index = BroadcastItem.gsi2 if created_by else BroadcastItem.gsi1
        result = index.query(
            hash_key,
            scan_index_forward=False,
            limit=limit,
            last_evaluated_key=decode_cursor(
                cursor, self._tenant_id, index="gsi2" if created_by else "gsi1", partition=hash_key
            ),
        )
        items = [narrow(i, BroadcastItem) for i in result]
        return Page(
            [_to_broadcast(i, keys.broadcast_id_of(i.pk)) for i in items], encode_cursor(result.last_evaluated_key)
        )

    def get(self, broadcast_id: str, *, consistent: bool = False) -> Broadcast | None:
        try:
            item = BroadcastItem.get(self._pk(broadcast_id), keys.BROADCAST_RECORD, consistent_read=consistent)
        except BroadcastItem.DoesNotExist:
            return None
        return _to_broadcast(item, broadcast_id)

    def recipients(
        self, broadcast_id: str, *, start: int = 0, end: int | None = None, limit: int = 1000, cursor: str | None = None
    ) -> Page[Recipient]:
        """AP38: recipients in send order, from index `start` (to `end`, excluded)."""
        upper = keys.recipient_sk(end) if end is not None else f"{keys.RECIPIENT}~"
        result = RecipientItem.query(
            self._pk(broadcast_id),
            RecipientItem.sk.between(keys.recipient_sk(start), upper),
            consistent_read=True,
            limit=limit,
            last_evaluated_key=decode_cursor(cursor, self._tenant_id, partition=self._pk(broadcast_id)),
        )
        found = [_to_recipient(i) for i in result]
        return Page([r for r in found if end is None or r.index < end], encode_cursor(result.last_evaluated_key))

    def claim(self, broadcast_id: str, index: int) -> bool | None:
        """pending -> sending while the broadcast runs; False if the recipient is taken or done,
        None if the broadcast is not running any more (canceled)."""
        pk = self._pk(broadcast_id)
        running = BroadcastItem.status == BroadcastStatus.RUNNING.value
        try:
            transact(
                [
                    Check(BroadcastItem(pk, keys.BROADCAST_RECORD), running, on_conflict=_StoppedError()),
                    Update(
                        RecipientItem(pk, keys.recipient_sk(index)),
                        [RecipientItem.status.set(RecipientStatus.SENDING.value)],
                        condition=RecipientItem.status == RecipientStatus.PENDING.value,
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
        item = RecipientItem(self._pk(broadcast_id), keys.recipient_sk(index))
        item.update(
            actions=[RecipientItem.status.set(RecipientStatus.PENDING.value), RecipientItem.reason.set(reason[:300])],
            condition=RecipientItem.status == RecipientStatus.SENDING.value,
        )

    def finish(
        self,
        broadcast_id: str,
        index: int,
        status: RecipientStatus,
        *,
        expected: RecipientStatus = RecipientStatus.SENDING,
        reason: str | None = None,
        message_id: str | None = None,
        feed: Write | None = None,
    ) -> bool:
        """The recipient's outcome, the broadcast's counter and the contact's feed line, at once;
        False if the recipient was not in `expected` any more (already done)."""
        pk = self._pk(broadcast_id)
        recipient = RecipientItem(pk, keys.recipient_sk(index))
        actions = [RecipientItem.status.set(status.value)]
        actions.append(RecipientItem.reason.set(reason[:300]) if reason else RecipientItem.reason.remove())
        if message_id:
            actions.append(RecipientItem.message_id.set(message_id))
        counter = BroadcastItem.sent if status is RecipientStatus.SENT else BroadcastItem.failed
        record = BroadcastItem(pk, keys.BROADCAST_RECORD)
        try:
            writes: list[Write] = [
                Update(recipient, actions, condition=RecipientItem.status == expected.value),
                Update(record, [counter.add(1)], condition=must_exist()),
            ]
            # Every recipient's outcome moves the same counter: concurrent batches collide on it,
            # so a cancelled transaction is tried again more patiently than usual.
            transact([*writes, *([feed] if feed else [])], attempts=10)
        except ConflictError:
            return False
        return True

    def set_status(
        self, broadcast_id: str, status: BroadcastStatus, now: datetime, error: str | None = None
    ) -> Broadcast | None:
        """End a running broadcast (completed, failed, canceled); None if it was not running."""
        item = BroadcastItem(self._pk(broadcast_id), keys.BROADCAST_RECORD)
        actions: list[Action] = [BroadcastItem.status.set(status.value), BroadcastItem.finished_at.set(now)]
        if error:
            actions.append(BroadcastItem.error.set(error[:500]))
        try:
            item.update(actions=actions, condition=BroadcastItem.status == BroadcastStatus.RUNNING.value)
        except UpdateError as exc:
            if exc.cause_response_code == "ConditionalCheckFailedException":
                return None
            raise
        return _to_broadcast(item, broadcast_id)

    def _pk(self, broadcast_id: str) -> str:
        return keys.broadcast_pk(self._tenant_id, broadcast_id)


def _to_broadcast(item: BroadcastItem, broadcast_id: str) -> Broadcast:
    return Broadcast(
        id=broadcast_id,
        status=BroadcastStatus(item.status),
        total=int(item.total),
        created_by=item.created_by,
        created_at=item.created_at,
        text=item.text,
        template_id=item.template_id,
        sent=int(item.sent or 0),
        failed=int(item.failed or 0),
        finished_at=item.finished_at,
        error=item.error,
    )


def _to_recipient(item: RecipientItem) -> Recipient:
    return Recipient(
        index=int(item.sk.removeprefix(keys.RECIPIENT)),
        phone=item.phone,
        contact_id=item.contact_id,
        text=item.text,
        status=RecipientStatus(item.status),
        reason=item.reason,
        message_id=item.message_id,
    )
