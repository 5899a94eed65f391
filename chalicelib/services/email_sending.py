"""Sending email (CL-8) through a mailbox's SMTP, and the CRM's signatures (EM-5).

`send` checks everything before a byte leaves (the integration the user may use, addresses, a
body, the signature, the contact, the deal, the email answered), composes the message with our
own Message-ID, sends it over SMTP (a refusal: 502 naming the server and why, nothing written),
files a copy in the mailbox's Sent folder when the provider does not (IMAP APPEND; a failure
there is logged: the mail is out), then records it through the archive (the email record and
the feed lines of its contact and deal).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING, NamedTuple

from chalicelib.domain.contact_rights import can_see
from chalicelib.domain.email.outgoing import (
    MAX_SIGNATURES,
    MAX_TO,
    Body,
    Signature,
    check_addresses,
    check_signature_html,
    check_signature_name,
    check_subject,
    compose,
    new_message_id,
    signed,
)
from chalicelib.domain.errors import (
    BadGatewayError,
    ConflictError,
    NotFoundError,
    ValidationError,
    check_version,
)
from chalicelib.domain.ids import new_id
from chalicelib.domain.rights import Access
from chalicelib.observability import logger
from chalicelib.ports.results import MailSendError

if TYPE_CHECKING:
    from typing import Protocol

    from chalicelib.domain.actor import Actor
    from chalicelib.domain.emails import ContactRef, Direction, Email
    from chalicelib.domain.mailboxes import Integration
    from chalicelib.ports.outside import Clock, MailTransport, SecretStore
    from chalicelib.ports.storage import Storage

    # The port of the archive (for the type checker only: its users import it under TYPE_CHECKING).
    class MailArchive(Protocol):
        """The email archive (services/email_archive.py, contract 1 of the issue's notes)."""

        def store(
            self,
            tenant_id: str,
            integration: Integration,
            raw: bytes,
            *,
            direction: Direction,
            contact: ContactRef | None = None,
            deal_id: str | None = None,
            user_id: str | None = None,
        ) -> Email | None:
            """Parse and record `raw`: the stored Email, or None (a duplicate, an excluded address)."""


_KIND_WORDS = {
    "auth": "authentication failed",
    "unreachable": "host unreachable",
    "tls": "TLS failed",
    "refused": "refused the message",
    "protocol": "not a mail server",
    "unknown": "the connection broke while sending",
}


class ReplyParent(NamedTuple):
    """What an answer needs of the email it answers."""

    message_id: str  # with its angle brackets
    references: tuple[str, ...] = ()
    deal_id: str | None = None


class SendInput(NamedTuple):
    integration_id: str
    to: list[str]
    subject: str
    cc: list[str] | None = None
    text: str | None = None
    html: str | None = None
    signature_id: str | None = None
    contact_id: str | None = None
    deal_id: str | None = None
    in_reply_to: str | None = None


class SentEmail(NamedTuple):
    """The sent email as `GET /v1/emails/{id}` shows it."""

    id: str
    integration_id: str
    message_id: str  # without its angle brackets, as the archive keeps it
    thread_id: str
    sender: str
    to: tuple[str, ...]
    cc: tuple[str, ...]
    subject: str
    text: str
    html: str | None
    time: datetime
    contact: ContactRef | None
    deal_id: str | None


def smtp_error(integration: Integration, failure: MailSendError) -> BadGatewayError:
    words = _KIND_WORDS.get(failure.kind, failure.kind)
    server = integration.smtp
    return BadGatewayError(f"SMTP {server.host}:{server.port}: {words} ({failure.detail})", field="integration_id")


class EmailSendService:
    def __init__(
        self,
        storage: Storage,
        clock: Clock,
        secrets: SecretStore,
        transport: MailTransport,
        archive: MailArchive | None,
    ) -> None:
        self._storage = storage
        self._clock = clock
        self._secrets = secrets
        self._transport = transport
        self._archive = archive

    # --- signatures (EM-5): read by any user, managed by administrators (like SMS templates) ----

    def signatures(self, actor: Actor) -> list[Signature]:
        actor.require(Access.ANY_USER)
        return self._storage.signatures(actor.tenant_id).list_all()

    def create_signature(self, actor: Actor, name: str, html: str) -> Signature:
        actor.require(Access.ADMIN)
        repo = self._storage.signatures(actor.tenant_id)
        signature = Signature(new_id(), check_signature_name(name), check_signature_html(html), self._clock())
        if len(repo.list_all()) >= MAX_SIGNATURES:
            raise ConflictError(f"a CRM has at most {MAX_SIGNATURES} signatures", field="limit")
        repo.create(signature)
        return signature

    def update_signature(
        self, actor: Actor, signature_id: str, version: int | None, name: str | None, html: str | None
    ) -> Signature:
        actor.require(Access.ADMIN)
        before = self.signature(actor, signature_id)
        check_version(version, before.version, "signature")
        after = replace(
            before,
            name=check_signature_name(name) if name is not None else before.name,
            html=check_signature_html(html) if html is not None else before.html,
        )
        return self._storage.signatures(actor.tenant_id).save(before, after)

    def delete_signature(self, actor: Actor, signature_id: str) -> None:
        actor.require(Access.ADMIN)
        self._storage.signatures(actor.tenant_id).delete(self.signature(actor, signature_id))

    def signature(self, actor: Actor, signature_id: str) -> Signature:
        found = self._storage.signatures(actor.tenant_id).get(signature_id)
        if found is None:
            raise NotFoundError("no such signature in this CRM")
        return found

    def chosen_signature(self, actor: Actor, signature_id: str | None) -> Signature | None:
        if signature_id is None:
            return None
        found = self._storage.signatures(actor.tenant_id).get(signature_id)
        if found is None:
            raise ValidationError("no such signature in this CRM", field="signature_id")
        return found

    # --- the mailbox a user sends through ------------------------------------------------------

    def usable_integration(self, actor: Actor, integration_id: str) -> tuple[Integration, str]:
        """The integration (its owner's, shared with the user, any for an admin) and its SMTP
        password; a 400 naming `integration_id` otherwise."""
        from chalicelib.domain.mailboxes import secret_name

        integration = self._storage.mailboxes(actor.tenant_id).get(integration_id)
        if integration is None or not integration.visible_to(actor.user_id, admin=actor.is_admin):
            raise ValidationError("no email integration of yours with this id", field="integration_id")
        secret = self._secrets.get(actor.tenant_id, secret_name(integration.id)) or {}
        if not secret.get("smtp"):
            raise ValidationError("the integration has no SMTP password: edit it", field="integration_id")
        return integration, secret["smtp"]

    def secret(self, tenant_id: str, name: str) -> str | None:
        """The SMTP password kept under `name` in the SecretStore."""
        return (self._secrets.get(tenant_id, name) or {}).get("smtp")

    def sender_name(self, actor: Actor) -> str | None:
        user = self._storage.users(actor.tenant_id).get(actor.user_id)
        return user.name if user else None

    # --- sending (CL-8) ------------------------------------------------------------------------

    def send(self, actor: Actor, given: SendInput) -> SentEmail:
        actor.require(Access.ANY_USER)
        to = check_addresses(given.to, "to", required=True)
        cc = check_addresses(given.cc or [], "cc", required=False)
        if len(to) + len(cc) > MAX_TO:
            raise ValidationError(f"at most {MAX_TO} addresses in to and cc", field="to")
        subject = check_subject(given.subject)
        body = Body.of(given.text, given.html)
        integration, password = self.usable_integration(actor, given.integration_id)
        signature = self.chosen_signature(actor, given.signature_id)
        contact = self._contact(actor, given.contact_id)
        parent = self._parent(actor, given.in_reply_to)
        deal_id = self._deal(actor, given.deal_id or (parent.deal_id if parent else None))
        text, html = signed(body, signature)
        now = self._clock()
        message_id = new_message_id(integration.email)
        raw = compose(
            sender=integration.email,
            sender_name=self.sender_name(actor),
            to=to,
            cc=cc,
            subject=subject,
            text=text,
            html=html,
            message_id=message_id,
            date=now,
            in_reply_to=parent.message_id if parent else None,
            references=parent.references if parent else (),
        )
        try:
            self._transport.send(integration.smtp, password, integration.email, [*to, *cc], raw)
        except MailSendError as failure:
            if failure.kind == "partial":  # out to the others: recorded as sent
                logger.warning("some recipients were refused", extra={"refused": failure.recipients})
            elif failure.recipients and failure.kind == "refused":
                first = next(iter(failure.recipients))
                where = f"to[{to.index(first)}]" if first in to else f"cc[{cc.index(first)}]" if first in cc else "to"
                raise ValidationError(f"the server refused {first}: {failure.recipients[first]}", field=where) from None
            else:
                raise smtp_error(integration, failure) from None
        self._file_in_sent(actor.tenant_id, integration, raw)
        stored = self._record(actor, integration, raw, contact, deal_id)
        return SentEmail(
            id=stored.id if stored else new_id(),
            integration_id=integration.id,
            message_id=stored.message_id if stored else message_id.strip("<>"),
            thread_id=stored.thread_id if stored else message_id.strip("<>"),
            sender=integration.email,
            to=tuple(to),
            cc=tuple(cc),
            subject=subject,
            text=text,
            html=html,
            time=stored.time if stored else now,
            contact=stored.contact if stored else contact,
            deal_id=stored.deal_id if stored else deal_id,
        )

    def _file_in_sent(self, tenant_id: str, integration: Integration, raw: bytes) -> None:
        """IMAP APPEND to Sent, unless the provider files sent mail itself."""
        from chalicelib.domain.mailboxes import keeps_sent, secret_name

        if keeps_sent(integration):
            return
        password = (self._secrets.get(tenant_id, secret_name(integration.id)) or {}).get("imap")
        if not password:
            return
        try:
            self._transport.append_sent(integration.imap, password, raw)
        except MailSendError as failure:  # the mail is out: the copy is a convenience
            logger.warning("sent mail not filed in Sent", extra={"integration_id": integration.id,
                                                                 "reason": str(failure)})  # fmt: skip

    def _record(
        self, actor: Actor, integration: Integration, raw: bytes, contact: ContactRef | None, deal_id: str | None
    ) -> Email | None:
        if self._archive is None:
            return None
        from chalicelib.domain.emails import Direction

        return self._archive.store(
            actor.tenant_id,
            integration,
            raw,
            direction=Direction.OUT,
            contact=contact,
            deal_id=deal_id,
            user_id=actor.user_id,
        )

    def _contact(self, actor: Actor, contact_id: str | None) -> ContactRef | None:
        if contact_id is None:
            return None
        from chalicelib.domain.emails import ContactRef

        contact = self._storage.contacts(actor.tenant_id).get(contact_id)
        if contact is None or not can_see(actor, contact):
            raise ValidationError("no such client or lead in this CRM", field="contact_id")
        return ContactRef(contact.kind.value, contact.id)

    def _deal(self, actor: Actor, deal_id: str | None) -> str | None:
        if deal_id is None:
            return None
        from chalicelib.domain.deals import can_see_deal  # a message sent from the app (not a broadcast)

        deal = self._storage.deals(actor.tenant_id).get(deal_id)
        if deal is None or not can_see_deal(actor, deal):
            raise ValidationError("no such deal in this CRM", field="deal_id")
        return deal.id

    def _parent(self, actor: Actor, email_id: str | None) -> ReplyParent | None:
        if email_id is None:
            return None
        parent = self._storage.emails(actor.tenant_id).get(email_id)
        if parent is None or parent.message_id.startswith("sha256:"):  # none, or one without a Message-ID
            raise ValidationError("no such email in this CRM", field="in_reply_to")
        root = parent.thread_id
        thread = [] if root == parent.message_id or root.startswith("sha256:") else [root]
        return ReplyParent(
            message_id=f"<{parent.message_id}>",
            references=tuple(f"<{m}>" for m in thread),
            deal_id=parent.deal_id,
        )
