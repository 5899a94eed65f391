"""SMS broadcasts of one CRM (AP38): the record, its recipients, their claims and outcomes.

A recipient's outcome and the broadcast's counter move in one transaction, so the final report
(sent, failed) is exact whatever the retries and the concurrency of the batches (the recipient
ledger shared with email broadcasts: db/repositories/recipient_ledger.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chalicelib.db import keys
from chalicelib.db.models.broadcasts import BroadcastItem, RecipientItem
from chalicelib.db.repositories.recipient_ledger import RecipientLedger, broadcast_fields, recipient_fields
from chalicelib.domain.broadcasts import Broadcast, Recipient, RecipientStatus

if TYPE_CHECKING:
    from chalicelib.db.writes import Write


class BroadcastRepository(RecipientLedger[Broadcast, Recipient]):
    def __init__(self, tenant_id: str) -> None:
        super().__init__(
            tenant_id,
            record=BroadcastItem,
            recipient=RecipientItem,
            partition=keys.broadcast_pk,
            listing=keys.broadcasts_pk,
            id_of=keys.broadcast_id_of,
            to_broadcast=_to_broadcast,
            to_recipient=_to_recipient,
            record_fields=_record_fields,
            recipient_fields=_recipient_fields,
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
        return self._finish(
            broadcast_id, index, status, expected=expected, reason=reason, message_id=message_id,
            also=[feed] if feed else [],
        )  # fmt: skip


def _record_fields(broadcast: Broadcast) -> dict[str, Any]:
    return {"text": broadcast.text, "template_id": broadcast.template_id}


def _recipient_fields(recipient: Recipient) -> dict[str, Any]:
    return {"phone": recipient.phone, "text": recipient.text}


def _to_broadcast(item: BroadcastItem, broadcast_id: str) -> Broadcast:
    return Broadcast(**broadcast_fields(item, broadcast_id), text=item.text, template_id=item.template_id)


def _to_recipient(item: RecipientItem) -> Recipient:
    return Recipient(**recipient_fields(item), phone=item.phone, text=item.text)
