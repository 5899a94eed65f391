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
from typing import Any

from chalicelib.db import keys
from chalicelib.db.models.email_outgoing import (
    BouncingAddressItem,
    EmailBroadcastItem,
    EmailRecipientItem,
    SentMessageItem,
)
from chalicelib.db.repositories.recipient_ledger import RecipientLedger, broadcast_fields, recipient_fields
from chalicelib.db.writes import Put, Update, Write, must_exist, transact
from chalicelib.domain.broadcasts import RecipientStatus
from chalicelib.domain.email.broadcasts import EmailBroadcast, EmailRecipient
from chalicelib.domain.errors import ConflictError


def message_id_hash(message_id: str) -> str:
    return hashlib.sha256(message_id.strip().strip("<>").lower().encode()).hexdigest()


class EmailBroadcastRepository(RecipientLedger[EmailBroadcast, EmailRecipient]):
    """AP102 (get, recipients, claim, release, set_status), AP103 (history): the recipient
    ledger; and the email's own: the Message-IDs sent (AP104), the addresses bouncing (AP105)."""

    def __init__(self, tenant_id: str) -> None:
        super().__init__(
            tenant_id,
            record=EmailBroadcastItem,
            recipient=EmailRecipientItem,
            partition=keys.email_broadcast_pk,
            listing=keys.email_broadcasts_pk,
            id_of=keys.email_broadcast_id_of,
            to_broadcast=_to_broadcast,
            to_recipient=_to_recipient,
            record_fields=_record_fields,
            recipient_fields=_recipient_fields,
        )
        self._tenant_pk = keys.tenant_pk(tenant_id)

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
        writes = list(also)
        if message_id and email and status is RecipientStatus.SENT:
            sent = SentMessageItem(
                self._tenant_pk,
                keys.sent_message_sk(message_id_hash(message_id)),
                broadcast_id=broadcast_id,
                index=index,
                email=email,
            )
            writes.append(Put(sent))
        return self._finish(
            broadcast_id, index, status, expected=expected, reason=reason, message_id=message_id, also=writes
        )

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


def _record_fields(broadcast: EmailBroadcast) -> dict[str, Any]:
    return {
        "integration_id": broadcast.integration_id,
        "subject": broadcast.subject,
        "text": broadcast.text,
        "html": broadcast.html,
        "signature_id": broadcast.signature_id,
    }


def _recipient_fields(recipient: EmailRecipient) -> dict[str, Any]:
    return {"email": recipient.email}


def _to_broadcast(item: EmailBroadcastItem, broadcast_id: str) -> EmailBroadcast:
    return EmailBroadcast(
        **broadcast_fields(item, broadcast_id),
        integration_id=item.integration_id,
        subject=item.subject,
        text=item.text,
        html=item.html,
        signature_id=item.signature_id,
    )


def _to_recipient(item: EmailRecipientItem) -> EmailRecipient:
    return EmailRecipient(**recipient_fields(item), email=item.email)
