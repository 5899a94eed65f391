"""Shared pieces of the email tests: a CRM over moto with a mailbox, messages made to order."""

from __future__ import annotations

from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime

from chalicelib.domain.ids import new_id
from chalicelib.domain.mailboxes import CreateLeads, Integration, Security, Server

MAILBOX = "sales@acme-crm.test"


def mailbox(owner_id: str, *, host: str = "127.0.0.1", port: int = 993, leads: str = "received",
            shared: str | tuple[str, ...] = ()) -> Integration:  # fmt: skip
    return Integration(
        id=new_id(),
        owner_id=owner_id,
        name="Sales",
        email=MAILBOX,
        imap=Server(host, port, Security.NONE if port != 993 else Security.SSL, "demouser"),
        smtp=Server(host, 587, Security.STARTTLS, "demouser"),
        shared_with=shared,
        create_leads=CreateLeads(leads),
        created_at=datetime(2026, 12, 1, tzinfo=UTC),
    )


def message(
    sender: str,
    *,
    to: str = MAILBOX,
    cc: str | None = None,
    subject: str = "Hello",
    text: str = "Hi there",
    message_id: str | None = None,
    in_reply_to: str | None = None,
    references: str | None = None,
    headers: dict[str, str] | None = None,
    html: str | None = None,
    attachment: bytes | None = None,
) -> bytes:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = to
    if cc:
        msg["Cc"] = cc
    msg["Subject"] = subject
    msg["Date"] = format_datetime(datetime(2026, 12, 5, 10, 0, tzinfo=UTC))
    msg["Message-ID"] = f"<{message_id or new_id()}@mail.example.org>"
    if in_reply_to:
        msg["In-Reply-To"] = f"<{in_reply_to}>"
    if references:
        msg["References"] = references
    for name, value in (headers or {}).items():
        msg[name] = value
    msg.set_content(text)
    if html:
        msg.add_alternative(html, subtype="html")
    if attachment is not None:
        msg.add_attachment(attachment, maintype="application", subtype="pdf", filename="offer.pdf")
    return msg.as_bytes()
