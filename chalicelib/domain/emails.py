"""Emails kept in the CRM (EM-2, CL-7, DE-4): the archived message, who it involves, its feed line.

An email is stored once per CRM (its Message-ID guard), with its bodies and attachments in the
file store (size caps below), and a line in the feed of every client or lead whose address it
involves and of its deal. Plain data and rules; no I/O.
"""

from __future__ import annotations

import hashlib
import re
from datetime import datetime
from enum import StrEnum
from typing import Any, NamedTuple

from chalicelib.domain.errors import ValidationError
from chalicelib.domain.records import record

# The text kept in the record itself; a longer body is read from the file store.
MAX_TEXT_IN_RECORD = 30_000
# The feed line's snippet (contract 3 of docs/issue notes).
SNIPPET_CHARS = 300
# Attachments: each one up to this size is kept; larger ones are listed without a file.
MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
# All attachments of one message together; past this, the rest are listed without a file.
MAX_ATTACHMENTS_BYTES = 25 * 1024 * 1024
MAX_ATTACHMENTS = 50
# The most clients/leads whose feeds get a line (a message to a crowd stays a bounded write).
MAX_FEEDS = 20
# Exceptions (EM-6) and the CRM's own domains (EM-3).
MAX_EXCEPTIONS = 200
MAX_DOMAINS = 50


class Direction(StrEnum):
    IN = "in"
    OUT = "out"


_DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")


class ContactRef(NamedTuple):
    type: str  # "client" | "lead"
    id: str


@record(frozen=True, slots=True)
class Attachment:
    """An attachment of an archived email, kept in the file store when under the caps."""

    name: str
    size: int
    key: str | None  # the file store's key; None when it was over the caps (listed, not kept)
    content_type: str = "application/octet-stream"


@record(frozen=True, slots=True)
class Email:
    """An email archived in the CRM, received or sent, with the records it is filed under."""

    id: str
    integration_id: str
    direction: Direction
    message_id: str  # the Message-ID without brackets, or `sha256:<digest>` when it had none
    thread_id: str
    sender: str
    to: tuple[str, ...]
    cc: tuple[str, ...]
    subject: str
    text: str  # at most MAX_TEXT_IN_RECORD characters (`text_key` holds the whole)
    has_html: bool
    time: datetime
    contact: ContactRef | None = None
    deal_id: str | None = None
    attachments: tuple[Attachment, ...] = ()
    user_id: str | None = None  # the sending user (outgoing mail sent from the CRM)
    contacts: tuple[ContactRef, ...] = ()  # every client/lead whose feed shows it
    in_reply_to: str | None = None
    html_key: str | None = None
    text_key: str | None = None


@record(frozen=True, slots=True)
class MessageGuard:
    """What the Message-ID guard of a stored email says (threading and deals of replies)."""

    email_id: str
    thread_id: str
    deal_id: str | None = None


@record(frozen=True, slots=True)
class EmailException:
    """EM-6: mail from or to a match never enters the CRM."""

    id: str
    pattern: str  # `someone@example.com` or `@example.com`
    created_at: datetime


@record(frozen=True, slots=True)
class EmailSettings:
    """The CRM's email settings: its own domains (never leads, EM-3)."""

    own_domains: tuple[str, ...] = ()
    version: int = 0


def message_key(message_id: str) -> str:
    """The guard's key of a Message-ID (hashed: ids are long and may hold any character)."""
    return hashlib.sha256(message_id.encode("utf-8", errors="replace")).hexdigest()


def snippet(text: str) -> str:
    return " ".join(text.split())[:SNIPPET_CHARS]


def feed_data(email: Email) -> dict[str, Any]:
    """The feed line's details (the web app renders `kind: email` from them)."""
    return {
        "email_id": email.id,
        "direction": email.direction.value,
        "subject": email.subject,
        "from": email.sender,
        "to": list(email.to),
        "attachments": len(email.attachments),
    }


def check_pattern(pattern: str) -> str:
    """`someone@example.com` or `@example.com`, lower-case."""
    value = pattern.strip().lower()
    local, at, domain = value.rpartition("@")
    if not at or any(c.isspace() for c in value) or not _DOMAIN.match(domain) or "@" in local:
        raise ValidationError('an address ("someone@example.com") or a domain ("@example.com")', field="pattern")
    return value


def check_domains(domains: list[str]) -> tuple[str, ...]:
    if len(domains) > MAX_DOMAINS:
        raise ValidationError(f"at most {MAX_DOMAINS} domains", field="own_domains")
    found: dict[str, None] = {}
    for i, domain in enumerate(domains):
        value = domain.strip().lower().lstrip("@").rstrip(".")
        if not _DOMAIN.match(value):
            raise ValidationError("a domain name (example.com)", field=f"own_domains[{i}]")
        found.setdefault(value, None)
    return tuple(found)


def safe_filename(name: str) -> str:
    """A file name fit for a storage key: no path, no control characters, bounded."""
    base = name.replace("\\", "/").rpartition("/")[2]
    cleaned = re.sub(r"[^\w.\- ]+", "_", base).strip(" .") or "attachment"
    return cleaned[:120]


@record(frozen=True, slots=True)
class FolderCursor:
    """How far a folder has been read: a UIDVALIDITY change means its UIDs start over."""

    uidvalidity: int
    last_uid: int
