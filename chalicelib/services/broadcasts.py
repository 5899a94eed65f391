"""SMS broadcasts (SPEC SM-2, SM-3, SM-5), driven by the SmsBroadcast state machine.

`create` fixes the recipients and starts the workflow; the workflow's Map runs `send_batch` on
ranges of recipients with bounded concurrency; a batch the provider could not finish (429, 5xx)
asks to be called again after a backoff (at least until the provider's rate-limit window
resets); `finish` closes the broadcast with its exact counts, `fail` records why it stopped.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, NamedTuple

from chalicelib.domain.broadcasts import (
    MAX_ATTEMPTS,
    MAX_RECIPIENTS,
    UNKNOWN_OUTCOME,
    Broadcast,
    Recipient,
    RecipientStatus,
)
from chalicelib.domain.errors import NotFoundError, UnavailableError, ValidationError
from chalicelib.domain.feed import FeedEntry, FeedKind
from chalicelib.domain.ids import new_id
from chalicelib.observability import logger
from chalicelib.ports.failures import SmsOutcomeUnknownError, SmsRateLimitedError, SmsRejectedError
from chalicelib.ports.writes import FeedOwner, Write
from chalicelib.services.broadcast_lifecycle import BroadcastLifecycle

if TYPE_CHECKING:
    from chalicelib.domain.actor import Actor
    from chalicelib.domain.sms import SmsTemplate
    from chalicelib.ports.outside import Clock, SmsSender, Workflows
    from chalicelib.ports.storage import Broadcasts, Storage

BROADCAST_MACHINE = "SmsBroadcast"


# A NamedTuple, not a dataclass: defined at a Lambda's cold start, where a dataclass costs ~10x more.
class BroadcastTiming(NamedTuple):
    retry_seconds: int
    max_attempts: int = MAX_ATTEMPTS


class BroadcastService(BroadcastLifecycle[Broadcast, Recipient]):
    machine = BROADCAST_MACHINE

    def __init__(
        self, storage: Storage, clock: Clock, sender: SmsSender, workflows: Workflows, timing: BroadcastTiming
    ) -> None:
        super().__init__(storage, clock, workflows, timing)
        self._sender = sender

    def _ledger(self, tenant_id: str) -> Broadcasts:
        return self._storage.broadcasts(tenant_id)

    # --- the API ---------------------------------------------------------------------------------

    def create(self, actor: Actor, contact_ids: list[str], text: str | None, template_id: str | None) -> Broadcast:
        """Fix the recipients (first or all numbers, ST-4) and start sending (202)."""
        # The API's rules load with its first request: the broadcast Lambdas only send and close.
        from chalicelib.domain.rights import Access
        from chalicelib.domain.sms import check_text

        actor.require(Access.ANY_USER)
        crm = self._storage.crms.get(actor.tenant_id)
        if crm is None:
            raise NotFoundError("no such CRM")
        if (text is None) == (template_id is None):
            raise ValidationError("give either a text or a template", field="text")
        template = None
        if template_id is not None:
            template = self._storage.sms_templates(actor.tenant_id).get(template_id)
            if template is None:
                raise ValidationError("no such SMS template in this CRM", field="template_id")
        recipients = self._recipients(actor, crm.telephony.sms_all_numbers, contact_ids, text, template)
        if not recipients:
            raise ValidationError("choose at least one contact", field="contact_ids")
        if len(recipients) > MAX_RECIPIENTS:
            raise ValidationError(f"a broadcast has at most {MAX_RECIPIENTS} numbers", field="contact_ids")
        broadcast = Broadcast(
            **self._opening(actor, recipients),
            text=None if template else check_text(text or ""),
            template_id=template_id,
        )
        return self._start(actor.tenant_id, broadcast, recipients)

    def _recipients(
        self, actor: Actor, all_numbers: bool, contact_ids: list[str], text: str | None, template: SmsTemplate | None
    ) -> list[Recipient]:
        """One recipient per number (the first, or all with sms_all_numbers); a contact without
        a number is reported failed rather than silently left out."""
        from chalicelib.domain.contacts import can_see  # creating a broadcast (the API), not sending it
        from chalicelib.domain.sms import check_text

        ids = list(dict.fromkeys(contact_ids))
        found = {c.id: c for c in self._storage.contacts(actor.tenant_id).get_many(ids)} if ids else {}
        recipients: list[Recipient] = []
        seen: set[str] = set()
        for i, contact_id in enumerate(ids):
            contact = found.get(contact_id)
            if contact is None or not can_see(actor, contact):
                raise ValidationError("no such client or lead in this CRM", field=f"contact_ids[{i}]")
            body = check_text(template.render(contact.name) if template else (text or ""))
            phones = [p.phone for p in contact.phones]
            chosen = phones if all_numbers else phones[:1]
            if not chosen:
                recipients.append(Recipient(len(recipients), "", contact.id, body, RecipientStatus.FAILED,
                                            "no phone number"))  # fmt: skip
            for phone in chosen:
                if phone not in seen:
                    seen.add(phone)
                    recipients.append(Recipient(len(recipients), phone, contact.id, body))
        return recipients

    # --- the workflow's tasks --------------------------------------------------------------------

    def _send_range(
        self, tenant_id: str, broadcast: Broadcast, start: int, end: int
    ) -> tuple[list[tuple[Recipient, str]], float | None]:
        """Claim and send the range's recipients one by one; once the provider is saturated, keep
        the rest for the next attempt."""
        broadcast_id = broadcast.id
        repo = self._storage.broadcasts(tenant_id)
        left: list[Recipient] = []
        retry_at: float | None = None
        reason = ""
        for recipient in repo.recipients(broadcast_id, start=start, end=end).items:
            if recipient.status is RecipientStatus.SENDING:  # claimed by an attempt that died
                repo.finish(broadcast_id, recipient.index, RecipientStatus.FAILED, reason=UNKNOWN_OUTCOME)
                continue
            if recipient.status is not RecipientStatus.PENDING:
                continue
            if reason:  # the provider is saturated: keep the rest for the next attempt
                left.append(recipient)
                continue
            claimed = repo.claim(broadcast_id, recipient.index)
            if claimed is None:
                break  # canceled meanwhile: send nothing more
            if not claimed:
                continue
            outcome = self._send(tenant_id, broadcast_id, recipient)
            if outcome is not None:
                reason, retry_at = outcome
                repo.release(broadcast_id, recipient.index, reason)
                left.append(recipient)
        return [(r, reason) for r in left], retry_at

    def _send(self, tenant_id: str, broadcast_id: str, recipient: Recipient) -> tuple[str, float | None] | None:
        """Send one SMS and record its outcome; (reason, retry_at) when the provider asks to wait."""
        repo = self._storage.broadcasts(tenant_id)
        try:
            receipt = self._sender.send(tenant_id, recipient.phone, recipient.text)
        except SmsRejectedError as exc:
            feed = self._feed(tenant_id, broadcast_id, recipient, "failed", str(exc))
            repo.finish(broadcast_id, recipient.index, RecipientStatus.FAILED, reason=str(exc), feed=feed)
            return None
        except SmsOutcomeUnknownError:
            repo.finish(broadcast_id, recipient.index, RecipientStatus.FAILED, reason=UNKNOWN_OUTCOME)
            return None
        except SmsRateLimitedError as exc:
            return str(exc), exc.retry_at
        except UnavailableError as exc:
            return str(exc), None
        feed = self._feed(tenant_id, broadcast_id, recipient, "sent", None)
        repo.finish(broadcast_id, recipient.index, RecipientStatus.SENT, message_id=receipt.message_id, feed=feed)
        return None

    def _feed(
        self, tenant_id: str, broadcast_id: str, recipient: Recipient, status: str, reason: str | None
    ) -> Write | None:
        if recipient.contact_id is None:
            return None
        entry = FeedEntry(
            id=new_id(),
            kind=FeedKind.SMS,
            time=self._clock(),
            user_id=None,
            text=recipient.text,
            data={
                "direction": "outgoing",
                "phone": recipient.phone,
                "status": status,
                "reason": reason,
                "broadcast_id": broadcast_id,
            },
        )
        return self._storage.feed_write(tenant_id, FeedOwner.CONTACT, recipient.contact_id, entry)

    def finish(self, job: dict[str, Any]) -> dict[str, Any]:
        """Every batch is done: the broadcast is completed (unless canceled), with its report."""
        report = super().finish(job)
        logger.info("broadcast finished", extra={"broadcast_id": job["broadcast_id"], "sent": report["sent"]})
        return report
