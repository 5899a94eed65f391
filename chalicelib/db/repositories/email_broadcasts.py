"""Email broadcasts of one CRM (AP102-AP105): the record, its recipients, their claims and
outcomes, the Message-IDs they were sent with, and the addresses that bounced.

The same claims as SMS broadcasts (db/repositories/broadcasts.py): a recipient's outcome and the
broadcast's counter move in one transaction, so the report is exact whatever the retries and
the concurrency; a bounce moves a sent recipient to failed and one count from sent to failed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from pynamodb.exceptions import UpdateError

from chalicelib.db import keys
from chalicelib.db.items import narrow
from chalicelib.db.models.email_outgoing import (
    BouncingAddressItem,
    EmailBroadcastItem,
    EmailRecipientItem,
    SentMessageItem,
)
from chalicelib.db.pagination import Page, decode_cursor, encode_cursor
from chalicelib.db.writes import Check, Put, Update, Write, must_exist, must_not_exist, transact
from chalicelib.domain.broadcasts import BroadcastStatus, RecipientStatus
from chalicelib.domain.clock import isoformat_z
from chalicelib.domain.email.broadcasts import EmailBroadcast, EmailRecipient
from chalicelib.domain.errors import ConflictError

if TYPE_CHECKING:
    from pynamodb.expressions.update import Action


class _StoppedError(ConflictError):
    def __init__(self) -> None:
        super().__init__("the broadcast is not running")


def message_id_hash(message_id: str) -> str:
    return hashlib.sha256(message_id.strip().strip("<>").lower().encode()).hexdigest()


class EmailBroadcastRepository:
    def __init__(self, tenant_id: str) -> None:
        self._tenant_id = tenant_id
        self._tenant_pk = keys.tenant_pk(tenant_id)

    def create(self, broadcast: EmailBroadcast, recipients: Sequence[EmailRecipient]) -> None:
        """AP102: the recipients first (batched), then the record that makes them visible."""
        pk = self._pk(broadcast.id)
        with EmailRecipientItem.batch_write() as batch:
            for r in recipients:
                batch.save(
                    EmailRecipientItem(
                        pk,
                        keys.recipient_sk(r.index),
                        email=r.email,
                        contact_id=r.contact_id,
                        status=r.status.value,
                        reason=r.reason,
                    )
                )
        created = keys.created_sk(isoformat_z(broadcast.created_at), broadcast.id)
        record = EmailBroadcastItem(
            pk,
            keys.BROADCAST_RECORD,
            status=broadcast.status.value,
            total=broadcast.total,
            sent=broadcast.sent,
            failed=broadcast.failed,
            integration_id=broadcast.integration_id,
            subject=broadcast.subject,
            text=broadcast.text,
            html=broadcast.html,
            signature_id=broadcast.signature_id,
            created_by=broadcast.created_by,
            created_at=broadcast.created_at,
            gsi1pk=keys.email_broadcasts_pk(self._tenant_id),
            gsi1sk=created,
            gsi2pk=keys.email_broadcasts_pk(self._tenant_id, broadcast.created_by),
            gsi2sk=created,
        )
        transact([Put(record, condition=must_not_exist())])

    def history(self, *, created_by: str | None, limit: int, cursor: str | None) -> Page[EmailBroadcast]:
        """AP103: newest first, the CRM's (gsi1) or one creator's (gsi2)."""
        hash_key = keys.email_broadcasts_pk(self._tenant_id, created_by)
        index = EmailBroadcastItem.gsi2 if created_by else EmailBroadcastItem.gsi1
        result = index.query(
            hash_key,
            scan_index_forward=False,
            limit=limit,
            last_evaluated_key=decode_cursor(
                cursor, self._tenant_id, index="gsi2" if created_by else "gsi1", partition=hash_key
            ),
        )
        items = [narrow(i, EmailBroadcastItem) for i in result]
        return Page(
            [_to_broadcast(i, keys.email_broadcast_id_of(i.pk)) for i in items],
            encode_cursor(result.last_evaluated_key),
        )

    def get(self, broadcast_id: str, *, consistent: bool = False) -> EmailBroadcast | None:
        """AP102."""
        try:
            item = EmailBroadcastItem.get(self._pk(broadcast_id), keys.BROADCAST_RECORD, consistent_read=consistent)
        except EmailBroadcastItem.DoesNotExist:
            return None
        return _to_broadcast(item, broadcast_id)

    def recipients(
        self, broadcast_id: str, *, start: int = 0, end: int | None = None, limit: int = 1000, cursor: str | None = None
    ) -> Page[EmailRecipient]:
        """AP102: recipients in send order, from index `start` (to `end`, excluded)."""
        upper = keys.recipient_sk(end) if end is not None else f"{keys.RECIPIENT}~"
        result = EmailRecipientItem.query(
            self._pk(broadcast_id),
            EmailRecipientItem.sk.between(keys.recipient_sk(start), upper),
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
        running = EmailBroadcastItem.status == BroadcastStatus.RUNNING.value
        try:
            transact(
                [
                    Check(EmailBroadcastItem(pk, keys.BROADCAST_RECORD), running, on_conflict=_StoppedError()),
                    Update(
                        EmailRecipientItem(pk, keys.recipient_sk(index)),
                        [EmailRecipientItem.status.set(RecipientStatus.SENDING.value)],
                        condition=EmailRecipientItem.status == RecipientStatus.PENDING.value,
                    ),
                ]
            )
        except _StoppedError:
            return None
        except ConflictError:
            return False
        return True

    def release(self, broadcast_id: str, index: int, reason: str) -> None:
        """sending -> pending: the server could not take it now; a later attempt sends it."""
        item = EmailRecipientItem(self._pk(broadcast_id), keys.recipient_sk(index))
        item.update(
            actions=[
                EmailRecipientItem.status.set(RecipientStatus.PENDING.value),
                EmailRecipientItem.reason.set(reason[:300]),
            ],
            condition=EmailRecipientItem.status == RecipientStatus.SENDING.value,
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
        email: str | None = None,
        also: Sequence[Write] = (),
    ) -> bool:
        """The recipient's outcome, the broadcast's counter, the Message-ID's lookup item (AP104,
        when sent) and `also` (the archive's writes), at once; False if the recipient was not
        in `expected` any more."""
        pk = self._pk(broadcast_id)
        recipient = EmailRecipientItem(pk, keys.recipient_sk(index))
        actions = [EmailRecipientItem.status.set(status.value)]
        actions.append(EmailRecipientItem.reason.set(reason[:300]) if reason else EmailRecipientItem.reason.remove())
        if message_id:
            actions.append(EmailRecipientItem.message_id.set(message_id))
        counter = EmailBroadcastItem.sent if status is RecipientStatus.SENT else EmailBroadcastItem.failed
        writes: list[Write] = [
            Update(recipient, actions, condition=EmailRecipientItem.status == expected.value),
            Update(EmailBroadcastItem(pk, keys.BROADCAST_RECORD), [counter.add(1)], condition=must_exist()),
            *also,
        ]
        if message_id and email and status is RecipientStatus.SENT:
            sent = SentMessageItem(
                self._tenant_pk,
                keys.sent_message_sk(message_id_hash(message_id)),
                broadcast_id=broadcast_id,
                index=index,
                email=email,
            )
            writes.append(Put(sent))
        try:
            # Every outcome moves the same counter: concurrent batches collide on it.
            transact(writes, attempts=10)
        except ConflictError:
            return False
        return True

    def sent_message(self, message_id: str) -> tuple[str, int, str] | None:
        """AP104: (broadcast id, recipient index, address) a Message-ID was sent to."""
        try:
            item = SentMessageItem.get(self._tenant_pk, keys.sent_message_sk(message_id_hash(message_id)))
        except SentMessageItem.DoesNotExist:
            return None
        return item.broadcast_id, int(item.index), item.email

    def bounced(self, broadcast_id: str, index: int, reason: str) -> bool:
        """A sent recipient's message bounced: failed with the reason, one count moves from sent
        to failed (exact report); False if it was not `sent` (already failed, or not yet sent)."""
        pk = self._pk(broadcast_id)
        recipient = EmailRecipientItem(pk, keys.recipient_sk(index))
        record = EmailBroadcastItem(pk, keys.BROADCAST_RECORD)
        try:
            transact(
                [
                    Update(
                        recipient,
                        [
                            EmailRecipientItem.status.set(RecipientStatus.FAILED.value),
                            EmailRecipientItem.reason.set(reason[:300]),
                        ],
                        condition=EmailRecipientItem.status == RecipientStatus.SENT.value,
                    ),
                    Update(
                        record,
                        [EmailBroadcastItem.sent.add(-1), EmailBroadcastItem.failed.add(1)],
                        condition=must_exist(),
                    ),
                ],
                attempts=10,
            )
        except ConflictError:
            return False
        return True

    def mark_bouncing(self, email: str, status: str, diagnostic: str, now: datetime) -> None:
        """AP105: remember that mail to this address bounces (the newest bounce wins)."""
        BouncingAddressItem(
            self._tenant_pk,
            keys.bouncing_address_sk(email.lower()),
            status=status,
            diagnostic=diagnostic[:300] or None,
            bounced_at=now,
        ).save()

    def bouncing(self, emails: Sequence[str]) -> dict[str, str]:
        """AP105: {address: "status diagnostic"} of those that bounced (BatchGetItem, <= 100)."""
        wanted = list(dict.fromkeys(e.lower() for e in emails if e))
        found: dict[str, str] = {}
        for item in BouncingAddressItem.batch_get([(self._tenant_pk, keys.bouncing_address_sk(e)) for e in wanted]):
            address = item.sk.removeprefix(keys.bouncing_address_sk(""))
            found[address] = f"{item.status} {item.diagnostic or ''}".strip()
        return found

    def set_status(
        self, broadcast_id: str, status: BroadcastStatus, now: datetime, error: str | None = None
    ) -> EmailBroadcast | None:
        """End a running broadcast (completed, failed, canceled); None if it was not running."""
        item = EmailBroadcastItem(self._pk(broadcast_id), keys.BROADCAST_RECORD)
        actions: list[Action] = [EmailBroadcastItem.status.set(status.value), EmailBroadcastItem.finished_at.set(now)]
        if error:
            actions.append(EmailBroadcastItem.error.set(error[:500]))
        try:
            item.update(actions=actions, condition=EmailBroadcastItem.status == BroadcastStatus.RUNNING.value)
        except UpdateError as exc:
            if exc.cause_response_code == "ConditionalCheckFailedException":
                return None
            raise
        return _to_broadcast(item, broadcast_id)

    def _pk(self, broadcast_id: str) -> str:
        return keys.email_broadcast_pk(self._tenant_id, broadcast_id)


def _to_broadcast(item: EmailBroadcastItem, broadcast_id: str) -> EmailBroadcast:
    return EmailBroadcast(
        id=broadcast_id,
        status=BroadcastStatus(item.status),
        total=int(item.total),
        created_by=item.created_by,
        created_at=item.created_at,
        integration_id=item.integration_id,
        subject=item.subject,
        text=item.text,
        html=item.html,
        signature_id=item.signature_id,
        sent=int(item.sent or 0),
        failed=int(item.failed or 0),
        finished_at=item.finished_at,
        error=item.error,
    )


def _to_recipient(item: EmailRecipientItem) -> EmailRecipient:
    return EmailRecipient(
        index=int(item.sk.removeprefix(keys.RECIPIENT)),
        email=item.email,
        contact_id=item.contact_id,
        status=RecipientStatus(item.status),
        reason=item.reason,
        message_id=item.message_id,
    )
