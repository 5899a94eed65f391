"""Outgoing email (CL-8, EM-4, EM-5): signatures and the RFC 5322 message the CRM sends.

Plain Python (stdlib `email`): a signature is a small HTML template appended to the html body and,
as text, to the text body; every message gets our own Message-ID (made here, so the CRM knows it
before the SMTP server does: a DSN or a reply names it), In-Reply-To and References when it answers
an email of the archive.
"""

from __future__ import annotations

import re
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from typing import NamedTuple

from chalicelib.domain.email.html import sanitize_html
from chalicelib.domain.email.text import html_to_text
from chalicelib.domain.errors import ValidationError
from chalicelib.domain.records import record

MAX_SIGNATURES = 20  # per CRM: a handful, listed in one Query
MAX_SIGNATURE_NAME = 100
MAX_SIGNATURE_HTML = 20_000
MAX_SUBJECT = 998  # RFC 5322 line length
MAX_BODY = 1_000_000
MAX_TO = 50  # addresses in to + cc of one message (a broadcast sends one message per contact)

# A plain address check: one @, a dot in the domain, no spaces or brackets (SMTP decides the rest).
_ADDRESS = re.compile(r"^[^@\s<>(),;:\"\[\]]+@[^@\s<>(),;:\"\[\]]+\.[^@\s<>(),;:\"\[\]]+$")


@record(frozen=True, slots=True)
class Signature:
    """An email signature (EM-5) that a user appends to what they send."""

    id: str
    name: str
    html: str  # sanitised (nh3) when saved
    created_at: datetime
    version: int = 1

    @property
    def text(self) -> str:
        return html_to_text(self.html)


def check_signature_name(name: str) -> str:
    name = " ".join(name.split())
    if not 1 <= len(name) <= MAX_SIGNATURE_NAME:
        raise ValidationError(f"name has 1 to {MAX_SIGNATURE_NAME} characters", field="name")
    return name


def check_signature_html(html: str) -> str:
    """The signature as it is stored: sanitised (no scripts, handlers, forms), not empty."""
    if len(html) > MAX_SIGNATURE_HTML:
        raise ValidationError(f"html has at most {MAX_SIGNATURE_HTML} characters", field="html")
    clean = sanitize_html(html).strip()
    if not clean or (not html_to_text(clean) and "<img" not in clean):
        raise ValidationError("the signature is empty", field="html")
    return clean


def check_address(value: str, field: str) -> str:
    address = value.strip()
    if len(address) > 320 or not _ADDRESS.match(address):
        raise ValidationError("not an email address", field=field)
    return address


def check_addresses(values: list[str], field: str, *, required: bool) -> list[str]:
    if required and not values:
        raise ValidationError("at least one address", field=field)
    return [check_address(v, f"{field}[{i}]") for i, v in enumerate(values)]


def check_subject(subject: str) -> str:
    subject = " ".join(subject.split())
    if len(subject) > MAX_SUBJECT:
        raise ValidationError(f"subject has at most {MAX_SUBJECT} characters", field="subject")
    return subject


class Body(NamedTuple):
    """What the user wrote: text or html (exactly one), checked."""

    text: str | None
    html: str | None

    @staticmethod
    def of(text: str | None, html: str | None) -> Body:
        if (text is None or not text.strip()) and (html is None or not html.strip()):
            raise ValidationError("give a text or an html body", field="text")
        if text is not None and html is not None:
            raise ValidationError("give either a text or an html body, not both", field="html")
        if len(text or html or "") > MAX_BODY:
            raise ValidationError(f"the body has at most {MAX_BODY} characters", field="html" if html else "text")
        return Body(text, sanitize_html(html) if html is not None else None)


def signed(body: Body, signature: Signature | None) -> tuple[str, str | None]:
    """(text, html) with the signature appended to each; html is None for a text-only email."""
    text = body.text if body.text is not None else html_to_text(body.html or "")
    if signature is None:
        return text, body.html
    text = f"{text.rstrip()}\n\n-- \n{signature.text}"
    if body.html is None:
        return text, None
    return text, f'{body.html}\n<div class="signature">{signature.html}</div>'


def message_domain(sender: str) -> str:
    return sender.rsplit("@", 1)[-1].strip().lower() or "localhost"


def new_message_id(sender: str) -> str:
    """Our own Message-ID, `<unique@sender's domain>`."""
    return make_msgid(domain=message_domain(sender))


def compose(
    *,
    sender: str,
    sender_name: str | None,
    to: list[str],
    cc: list[str],
    subject: str,
    text: str,
    html: str | None,
    message_id: str,
    date: datetime,
    in_reply_to: str | None = None,
    references: tuple[str, ...] = (),
) -> bytes:
    """The RFC 5322 bytes sent over SMTP (and appended to the Sent folder)."""
    # The header registry and its parser load with the first message composed, not at import.
    from email.headerregistry import Address
    from email.policy import SMTP

    msg = EmailMessage(policy=SMTP)
    msg["From"] = Address(display_name=sender_name or "", addr_spec=sender)
    msg["To"] = ", ".join(to)
    if cc:
        msg["Cc"] = ", ".join(cc)
    msg["Subject"] = subject
    msg["Date"] = format_datetime(date)
    msg["Message-ID"] = message_id
    if in_reply_to:
        msg["In-Reply-To"] = in_reply_to
        msg["References"] = " ".join(dict.fromkeys([*references, in_reply_to]))
    msg.set_content(text)
    if html is not None:
        msg.add_alternative(f"<!doctype html><html><body>{html}</body></html>", subtype="html")
    return msg.as_bytes()
