"""Email broadcasts (EM-4, CL-5), driven by the EmailBroadcast state machine, and the bounce sink.

`create` fixes the recipients (1..100 contacts; a contact without an address, or whose address
bounced before, is reported failed, never silently dropped) and starts the workflow; its Map runs
`send_batch` on ranges of recipients with bounded concurrency. A batch claims its recipients
(pending -> sending, only while the broadcast runs: cancel stops it), sends one message to each
over one SMTP connection — each with the signature and its own Message-ID, never a BCC list —
and records each outcome with the broadcast's counter in one transaction: the report is exact.
A server that cannot be reached or refuses for now makes the batch wait and try again.

`bounced` is the BounceSink the mailbox polling calls for a DSN 5.x.x: the address is marked
bouncing (AP105), and when the DSN names a Message-ID a broadcast sent (AP104), that recipient
turns failed with the remote server's reason (one count moves from sent to failed).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

from chalicelib.domain.broadcasts import MAX_ATTEMPTS, UNKNOWN_OUTCOME, RecipientStatus
from chalicelib.domain.email.broadcasts import (
    EMAIL_BATCH_SIZE,
    MAX_EMAIL_RECIPIENTS,
    NO_ADDRESS,
    EmailBroadcast,
    EmailRecipient,
)
from chalicelib.domain.errors import ValidationError
from chalicelib.observability import logger
from chalicelib.ports.results import MailSendError
from chalicelib.services.broadcast_lifecycle import BroadcastLifecycle

if TYPE_CHECKING:
    from typing import Protocol

    from chalicelib.domain.actor import Actor
    from chalicelib.domain.email.outgoing import Signature
    from chalicelib.domain.mailboxes import Integration
    from chalicelib.ports.outside import Clock, MailTransport, Workflows
    from chalicelib.ports.storage import EmailBroadcasts, Storage
    from chalicelib.services.email_sending import MailArchive

    class SendingChecks(Protocol):
        """What a broadcast asks of the sending service (services/email_sending.py): the mailbox
        and the signature a user may send with, and a mailbox's SMTP password."""

        def usable_integration(self, actor: Actor, integration_id: str) -> tuple[Integration, str]: ...

        def chosen_signature(self, actor: Actor, signature_id: str | None) -> Signature | None: ...

        def secret(self, tenant_id: str, name: str) -> str | None: ...


EMAIL_BROADCAST_MACHINE = "EmailBroadcast"


class EmailBroadcastTiming(NamedTuple):
    retry_seconds: int
    max_attempts: int = MAX_ATTEMPTS


class EmailBroadcastService(BroadcastLifecycle[EmailBroadcast, EmailRecipient]):
    machine = EMAIL_BROADCAST_MACHINE
    batch_size = EMAIL_BATCH_SIZE
    noun = "email broadcast"

    def __init__(
        self,
        storage: Storage,
        clock: Clock,
        sending: SendingChecks,
        transport: MailTransport,
        workflows: Workflows,
        archive: MailArchive | None,
        timing: EmailBroadcastTiming,
    ) -> None:
        super().__init__(storage, clock, workflows, timing)
        self._sending = sending
        self._transport = transport
        self._archive = archive

    def _ledger(self, tenant_id: str) -> EmailBroadcasts:
        return self._storage.email_broadcasts(tenant_id)

    # --- the API ---------------------------------------------------------------------------------

    def create(
        self,
        actor: Actor,
        integration_id: str,
        contact_ids: list[str],
        subject: str,
        text: str | None,
        html: str | None,
        signature_id: str | None,
    ) -> EmailBroadcast:
        # The API's rules and the composing load with its first request: the broadcast Lambdas
        # only send (a batch imports what composes) and close.
        from chalicelib.domain.email.outgoing import Body, check_subject, signed
        from chalicelib.domain.rights import Access

        actor.require(Access.ANY_USER)
        ids = list(dict.fromkeys(contact_ids))
        if not ids:
            raise ValidationError("choose at least one contact", field="contact_ids")
        if len(ids) > MAX_EMAIL_RECIPIENTS:
            raise ValidationError(
                f"an email broadcast has at most {MAX_EMAIL_RECIPIENTS} contacts", field="contact_ids"
            )
        subject = check_subject(subject)
        body = Body.of(text, html)
        integration, _ = self._sending.usable_integration(actor, integration_id)
        signature = self._sending.chosen_signature(actor, signature_id)
        recipients = self._recipients(actor, ids)
        final_text, final_html = signed(body, signature)
        broadcast = EmailBroadcast(
            **self._opening(actor, recipients),
            integration_id=integration.id,
            subject=subject,
            text=final_text,
            html=final_html,
            signature_id=signature.id if signature else None,
        )
        return self._start(actor.tenant_id, broadcast, recipients)

    def _recipients(self, actor: Actor, ids: list[str]) -> list[EmailRecipient]:
        """One recipient per contact, at its first address; none, or one that bounced: failed."""
        from chalicelib.domain.contact_rights import can_see

        found = {c.id: c for c in self._storage.contacts(actor.tenant_id).get_many(ids)}
        addresses: list[str] = []
        for i, contact_id in enumerate(ids):
            contact = found.get(contact_id)
            if contact is None or not can_see(actor, contact):
                raise ValidationError("no such client or lead in this CRM", field=f"contact_ids[{i}]")
            addresses.append(contact.emails[0].email if contact.emails else "")
        bouncing = self._storage.email_broadcasts(actor.tenant_id).bouncing([a for a in addresses if a])
        recipients: list[EmailRecipient] = []
        for index, (contact_id, address) in enumerate(zip(ids, addresses, strict=True)):
            if not address:
                recipients.append(EmailRecipient(index, "", contact_id, RecipientStatus.FAILED, NO_ADDRESS))
            elif address.lower() in bouncing:
                reason = f"the address bounced before ({bouncing[address.lower()]})"[:300]
                recipients.append(EmailRecipient(index, address, contact_id, RecipientStatus.FAILED, reason))
            else:
                recipients.append(EmailRecipient(index, address, contact_id))
        return recipients

    def _visible(self, actor: Actor, broadcast: EmailBroadcast | None) -> EmailBroadcast:
        from chalicelib.domain.rights import Access  # the API's rules (see `create`)

        actor.require(Access.ANY_USER)
        return super()._visible(actor, broadcast)

    # --- the workflow's tasks --------------------------------------------------------------------

    def _send_range(
        self, tenant_id: str, broadcast: EmailBroadcast, start: int, end: int
    ) -> tuple[list[tuple[EmailRecipient, str]], float | None]:
        """Claim the range's recipients and send their messages over one SMTP connection."""
        pending = self._pending(tenant_id, broadcast.id, start, end)
        if not pending:
            return [], None
        repo = self._storage.email_broadcasts(tenant_id)
        integration = self._storage.mailboxes(tenant_id).get(broadcast.integration_id)
        if integration is None:
            for r in pending:
                repo.finish(broadcast.id, r.index, RecipientStatus.FAILED, expected=RecipientStatus.PENDING,
                            reason="the email integration was deleted")  # fmt: skip
            return [], None
        claimed: list[EmailRecipient] = []
        for recipient in pending:
            taken = repo.claim(broadcast.id, recipient.index)
            if taken is None:
                break  # canceled meanwhile: send nothing more
            if taken:
                claimed.append(recipient)
        return self._send(tenant_id, broadcast, integration, claimed), None

    def _pending(self, tenant_id: str, broadcast_id: str, start: int, end: int) -> list[EmailRecipient]:
        """The range's recipients still to send; those an attempt that died had claimed: failed."""
        repo = self._storage.email_broadcasts(tenant_id)
        pending: list[EmailRecipient] = []
        for recipient in repo.recipients(broadcast_id, start=start, end=end).items:
            if recipient.status is RecipientStatus.SENDING:  # claimed by an attempt that died
                repo.finish(broadcast_id, recipient.index, RecipientStatus.FAILED, reason=UNKNOWN_OUTCOME)
            elif recipient.status is RecipientStatus.PENDING:
                pending.append(recipient)
        return pending

    def _send(
        self, tenant_id: str, broadcast: EmailBroadcast, integration: Integration, claimed: list[EmailRecipient]
    ) -> list[tuple[EmailRecipient, str]]:
        """Send the claimed recipients' messages; the ones to try again later, with why."""
        if not claimed:
            return []
        repo = self._storage.email_broadcasts(tenant_id)
        from chalicelib.domain.email.outgoing import compose, new_message_id
        from chalicelib.domain.mailboxes import secret_name

        secret = self._sending_secret(tenant_id, secret_name(integration.id))
        sender_name = self._sender_name(tenant_id, broadcast.created_by)
        messages: list[tuple[list[str], bytes]] = []
        ids: list[str] = []
        for recipient in claimed:
            message_id = new_message_id(integration.email)
            ids.append(message_id)
            raw = compose(sender=integration.email, sender_name=sender_name, to=[recipient.email], cc=[],
                          subject=broadcast.subject, text=broadcast.text, html=broadcast.html,
                          message_id=message_id, date=self._clock())  # fmt: skip
            messages.append(([recipient.email], raw))
        try:
            outcomes: list[MailSendError | None] = self._transport.send_many(
                integration.smtp, secret, integration.email, messages
            )
        except MailSendError as failure:  # no connection (auth, unreachable): all wait
            reason = f"SMTP {integration.smtp.host}: {failure}"
            if failure.permanent and failure.kind == "auth":
                for recipient in claimed:
                    repo.finish(broadcast.id, recipient.index, RecipientStatus.FAILED, reason=reason)
                return []
            for recipient in claimed:
                repo.release(broadcast.id, recipient.index, reason)
            return [(r, reason) for r in claimed]
        left: list[tuple[EmailRecipient, str]] = []
        for recipient, message_id, (_, raw), outcome in zip(claimed, ids, messages, outcomes, strict=True):
            if outcome is None:
                repo.finish(broadcast.id, recipient.index, RecipientStatus.SENT, message_id=message_id,
                            email=recipient.email)  # fmt: skip
                self._record(tenant_id, integration, raw, recipient, broadcast.created_by)
            elif outcome.permanent:
                repo.finish(broadcast.id, recipient.index, RecipientStatus.FAILED, reason=outcome.detail)
            else:
                repo.release(broadcast.id, recipient.index, outcome.detail)
                left.append((recipient, outcome.detail))
        return left

    def _sending_secret(self, tenant_id: str, name: str) -> str:
        secret = self._sending.secret(tenant_id, name)
        if not secret:
            raise RuntimeError("the email integration has no SMTP password")
        return secret

    def _sender_name(self, tenant_id: str, user_id: str) -> str | None:
        user = self._storage.users(tenant_id).get(user_id)
        return user.name if user else None

    def _record(
        self, tenant_id: str, integration: Integration, raw: bytes, recipient: EmailRecipient, user_id: str
    ) -> None:
        if self._archive is None:
            return
        from chalicelib.domain.emails import ContactRef, Direction

        contact = self._storage.contacts(tenant_id).get(recipient.contact_id)
        ref = ContactRef(contact.kind.value, contact.id) if contact else None
        try:
            self._archive.store(tenant_id, integration, raw, direction=Direction.OUT, contact=ref, user_id=user_id)
        except Exception:  # noqa: BLE001  (the message is out and counted: its feed line is not worth a resend)
            logger.exception("a broadcast message was not archived", extra={"contact_id": recipient.contact_id})

    # --- the BounceSink (contract 2) -----------------------------------------------------------

    def bounced(
        self, tenant_id: str, original_message_id: str | None, address: str, status: str, diagnostic: str
    ) -> None:
        """A hard bounce (see services/email_bounces.py, which the poller uses on its own)."""
        from chalicelib.services.email_bounces import BounceRecorder

        BounceRecorder(self._storage, self._clock).bounced(tenant_id, original_message_id, address, status, diagnostic)
