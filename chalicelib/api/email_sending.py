"""Outgoing email: signatures (EM-5), sending from the card or a deal (CL-8), email broadcasts
(EM-4, CL-5)."""

from __future__ import annotations

from typing import Literal

from pydantic import ConfigDict, Field

from chalicelib.api.routing import Router
from chalicelib.api.schemas import MAX_CURSOR_LENGTH, Id, Input, Output, PageOut, PageQuery, UtcDateTime, VersionIn
from chalicelib.bootstrap import services
from chalicelib.domain.actor import Actor
from chalicelib.domain.broadcasts import RecipientStatus
from chalicelib.domain.email.broadcasts import MAX_EMAIL_RECIPIENTS, EmailBroadcast, EmailRecipient
from chalicelib.domain.email.outgoing import (
    MAX_BODY,
    MAX_SIGNATURE_HTML,
    MAX_SIGNATURE_NAME,
    MAX_SUBJECT,
    MAX_TO,
    Signature,
)
from chalicelib.domain.paging import Page
from chalicelib.domain.rights import Access
from chalicelib.services.email_sending import SendInput, SentEmail

router = Router(__name__, tag="Email")

# --- signatures ------------------------------------------------------------------------------------


class SignatureIn(Input):
    name: str = Field(min_length=1, max_length=MAX_SIGNATURE_NAME)
    html: str = Field(min_length=1, max_length=MAX_SIGNATURE_HTML, description="Sanitised (nh3) when saved")


class SignaturePatch(Input):
    version: VersionIn = None
    name: str | None = Field(None, min_length=1, max_length=MAX_SIGNATURE_NAME)
    html: str | None = Field(None, min_length=1, max_length=MAX_SIGNATURE_HTML)


class SignatureOut(Output):
    id: str
    name: str
    html: str
    created_at: UtcDateTime
    version: int

    @classmethod
    def of(cls, s: Signature) -> SignatureOut:
        return cls(id=s.id, name=s.name, html=s.html, created_at=s.created_at, version=s.version)


class SignatureList(Output):
    items: list[SignatureOut]


@router.route("/email/signatures", "GET", right=Access.ANY_USER, response=SignatureList)
def list_email_signatures(actor: Actor) -> SignatureList:
    """The CRM's signatures (a handful), in creation order."""
    return SignatureList(items=[SignatureOut.of(s) for s in services().email_sending.signatures(actor)])


@router.route("/email/signatures", "POST", right=Access.ADMIN, body=SignatureIn, response=SignatureOut, status=201)
def create_email_signature(actor: Actor, body: SignatureIn) -> SignatureOut:
    """Add a signature (EM-5); its HTML is sanitised."""
    return SignatureOut.of(services().email_sending.create_signature(actor, body.name, body.html))


@router.route("/email/signatures/{signature_id}", "PATCH", right=Access.ADMIN, body=SignaturePatch,
              response=SignatureOut)  # fmt: skip
def update_email_signature(actor: Actor, signature_id: str, body: SignaturePatch) -> SignatureOut:
    """Rename or rewrite a signature."""
    changed = services().email_sending.update_signature(actor, signature_id, body.version, body.name, body.html)
    return SignatureOut.of(changed)


@router.route("/email/signatures/{signature_id}", "DELETE", right=Access.ADMIN, status=204)
def delete_email_signature(actor: Actor, signature_id: str) -> None:
    """Delete a signature."""
    services().email_sending.delete_signature(actor, signature_id)


# --- sending ---------------------------------------------------------------------------------------


class SendIn(Input):
    integration_id: Id
    to: list[str] = Field(min_length=1, max_length=MAX_TO)
    cc: list[str] | None = Field(None, max_length=MAX_TO)
    subject: str = Field(max_length=MAX_SUBJECT)
    text: str | None = Field(None, max_length=MAX_BODY)
    html: str | None = Field(None, max_length=MAX_BODY)
    signature_id: Id | None = None
    contact_id: Id | None = None
    deal_id: Id | None = None
    in_reply_to: Id | None = Field(None, description="The id of the email answered")


class ContactRefOut(Output):
    type: Literal["client", "lead"]
    id: str


class AttachmentOut(Output):
    name: str
    size: int
    url: str


class EmailOut(Output):
    model_config = ConfigDict(from_attributes=True, defer_build=True, serialize_by_alias=True, validate_by_name=True)

    id: str
    direction: Literal["in", "out"]
    from_: str = Field(alias="from")
    to: list[str]
    cc: list[str]
    subject: str
    text: str
    html: str | None = None
    time: UtcDateTime
    contact: ContactRefOut | None = None
    deal_id: str | None = None
    thread_id: str
    message_id: str
    integration_id: str
    attachments: list[AttachmentOut]

    @classmethod
    def of(cls, e: SentEmail) -> EmailOut:
        contact = ContactRefOut.model_validate({"type": e.contact.type, "id": e.contact.id}) if e.contact else None
        return cls(
            id=e.id, direction="out", from_=e.sender, to=list(e.to), cc=list(e.cc), subject=e.subject, text=e.text,
            html=e.html, time=e.time, contact=contact, deal_id=e.deal_id, thread_id=e.thread_id,
            message_id=e.message_id, integration_id=e.integration_id, attachments=[],
        )  # fmt: skip


_SMTP_REFUSED = "The mailbox's SMTP server refused or could not be reached; nothing was sent"


@router.route("/email/send", "POST", right=Access.ANY_USER, body=SendIn, response=EmailOut, status=201,
              responses={502: _SMTP_REFUSED})  # fmt: skip
def send_email(actor: Actor, body: SendIn) -> EmailOut:
    """Send an email through a mailbox you may use, with a signature; recorded in the contact's
    and the deal's feed."""
    sent = services().email_sending.send(
        actor,
        SendInput(
            integration_id=body.integration_id,
            to=body.to,
            cc=body.cc,
            subject=body.subject,
            text=body.text,
            html=body.html,
            signature_id=body.signature_id,
            contact_id=body.contact_id,
            deal_id=body.deal_id,
            in_reply_to=body.in_reply_to,
        ),
    )
    return EmailOut.of(sent)


# --- broadcasts ------------------------------------------------------------------------------------


class EmailBroadcastIn(Input):
    integration_id: Id
    contact_ids: list[Id] = Field(min_length=1, max_length=MAX_EMAIL_RECIPIENTS)
    subject: str = Field(max_length=MAX_SUBJECT)
    text: str | None = Field(None, max_length=MAX_BODY)
    html: str | None = Field(None, max_length=MAX_BODY)
    signature_id: Id | None = None


class EmailBroadcastStarted(Output):
    id: str
    status: str


class EmailRecipientOut(Output):
    contact_id: str
    email: str
    status: Literal["pending", "sent", "failed"]
    in_progress: bool = Field(description="Being sent right now (status pending until the server answers)")
    reason: str | None = None

    @classmethod
    def of(cls, r: EmailRecipient) -> EmailRecipientOut:
        sending = r.status is RecipientStatus.SENDING
        status = RecipientStatus.PENDING if sending else r.status
        return cls(contact_id=r.contact_id, email=r.email, status=status.value,
                   in_progress=sending, reason=r.reason)  # fmt: skip


class EmailBroadcastOut(Output):
    id: str
    status: str = Field(description="running | completed | failed | canceled")
    total: int
    sent: int
    failed: int
    integration_id: str
    subject: str
    created_at: UtcDateTime
    finished_at: UtcDateTime | None
    error: str | None
    recipients: list[EmailRecipientOut]
    recipients_next_cursor: str | None = Field(description="?cursor= for more recipients")

    @classmethod
    def of(cls, b: EmailBroadcast, recipients: Page[EmailRecipient]) -> EmailBroadcastOut:
        return cls(
            id=b.id, status=b.status.value, total=b.total, sent=b.sent, failed=b.failed,
            integration_id=b.integration_id, subject=b.subject, created_at=b.created_at,
            finished_at=b.finished_at, error=b.error, recipients=[EmailRecipientOut.of(r) for r in recipients.items],
            recipients_next_cursor=recipients.next_cursor,
        )  # fmt: skip


class EmailBroadcastSummary(Output):
    id: str
    status: str = Field(description="running | completed | failed | canceled")
    total: int
    sent: int
    failed: int
    integration_id: str
    subject: str
    created_by: str
    created_at: UtcDateTime
    finished_at: UtcDateTime | None
    error: str | None

    @classmethod
    def of(cls, b: EmailBroadcast) -> EmailBroadcastSummary:
        return cls(
            id=b.id, status=b.status.value, total=b.total, sent=b.sent, failed=b.failed,
            integration_id=b.integration_id, subject=b.subject, created_by=b.created_by, created_at=b.created_at,
            finished_at=b.finished_at, error=b.error,
        )  # fmt: skip


class EmailBroadcastList(PageOut):
    items: list[EmailBroadcastSummary]


class EmailBroadcastQuery(Input):
    limit: int = Field(1000, ge=1, le=1000, description="Recipients per page")
    cursor: str | None = Field(None, max_length=MAX_CURSOR_LENGTH)


@router.route("/email-broadcasts", "POST", right=Access.ANY_USER, body=EmailBroadcastIn,
              response=EmailBroadcastStarted, status=202)  # fmt: skip
def create_email_broadcast(actor: Actor, body: EmailBroadcastIn) -> EmailBroadcastStarted:
    """One email to each of 1..100 contacts (EM-4), in the background; follow it with GET."""
    broadcast = services().email_broadcasts.create(
        actor, body.integration_id, body.contact_ids, body.subject, body.text, body.html, body.signature_id
    )
    return EmailBroadcastStarted(id=broadcast.id, status=broadcast.status.value)


@router.route("/email-broadcasts", "GET", right=Access.ANY_USER, query=PageQuery, response=EmailBroadcastList)
def list_email_broadcasts(actor: Actor, query: PageQuery) -> EmailBroadcastList:
    """Email broadcasts newest first: the caller's own, or the whole CRM's for an administrator."""
    page = services().email_broadcasts.history(actor, limit=query.limit, cursor=query.cursor)
    return EmailBroadcastList(items=[EmailBroadcastSummary.of(b) for b in page.items], next_cursor=page.next_cursor)


@router.route("/email-broadcasts/{broadcast_id}", "GET", right=Access.ANY_USER, query=EmailBroadcastQuery,
              response=EmailBroadcastOut)  # fmt: skip
def get_email_broadcast(actor: Actor, broadcast_id: str, query: EmailBroadcastQuery) -> EmailBroadcastOut:
    """A broadcast's progress and report per recipient, bounces included (its creator, or an admin)."""
    broadcast, recipients = services().email_broadcasts.get(actor, broadcast_id, limit=query.limit, cursor=query.cursor)
    return EmailBroadcastOut.of(broadcast, recipients)


@router.route("/email-broadcasts/{broadcast_id}/cancel", "POST", right=Access.ANY_USER,
              response=EmailBroadcastStarted)  # fmt: skip
def cancel_email_broadcast(actor: Actor, broadcast_id: str) -> EmailBroadcastStarted:
    """Stop a running broadcast before its next message; what was sent stays sent."""
    broadcast = services().email_broadcasts.cancel(actor, broadcast_id)
    return EmailBroadcastStarted(id=broadcast.id, status=broadcast.status.value)
