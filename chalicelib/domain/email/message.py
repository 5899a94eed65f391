"""One email parsed from its raw bytes (stdlib `email`, `policy.default`), without any I/O.

The parsed message keeps headers, addresses, bodies (capped) and attachment metadata; the bytes
of attachments are read only by `attachment_parts`, for a caller that stores them.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from email import errors as email_errors
from email import policy
from email.message import EmailMessage, Message
from email.parser import BytesParser
from email.utils import getaddresses, parsedate_to_datetime
from typing import NamedTuple

from chalicelib.domain.email.text import html_to_text
from chalicelib.domain.errors import ValidationError
from chalicelib.domain.records import record

# Bodies longer than this (in characters) are cut and the message says so (`body_truncated`).
MAX_BODY_CHARS = 500_000
# A raw message larger than this is refused before parsing (providers cap mail at 25-50 MB).
MAX_RAW_BYTES = 50 * 1024 * 1024

_BULK_PRECEDENCE = frozenset({"bulk", "list", "junk"})
_ANGLED = re.compile(r"<([^<>\s]+)>")
# The errors the stdlib parser lets escape on broken input; none of them may leave `parse`.
_PARSE_ERRORS = (
    email_errors.MessageError,
    ValueError,
    TypeError,
    LookupError,
    IndexError,
    AttributeError,
    UnicodeError,
)


class MalformedMessageError(ValidationError):
    """The bytes are not an email we can read."""

    def __init__(self, message: str) -> None:
        super().__init__(message, field="message")


class Address(NamedTuple):
    email: str  # normalised: trimmed, lower-case
    name: str = ""


@record(frozen=True, slots=True)
class AttachmentMeta:
    """An attachment as read from a message: its name, type and decoded size."""

    filename: str
    content_type: str
    size: int  # bytes, decoded


class AttachmentPart(NamedTuple):
    meta: AttachmentMeta
    data: bytes


class BulkFlags(NamedTuple):
    list_unsubscribe: bool = False
    list_id: bool = False
    precedence: str | None = None  # "bulk" | "list" | "junk" when present
    auto_submitted: bool = False  # Auto-Submitted present and not "no" (RFC 3834)

    @property
    def is_bulk(self) -> bool:
        return self.list_unsubscribe or self.list_id or self.precedence is not None or self.auto_submitted


class ParsedMessage(NamedTuple):
    message_id: str | None  # without angle brackets; None when the header is missing or empty
    in_reply_to: str | None
    references: tuple[str, ...]  # oldest first, as in the header
    sender: Address | None  # From
    to: tuple[str, ...]
    cc: tuple[str, ...]
    subject: str
    date: datetime | None  # aware, UTC; None when missing or invalid
    text: str  # text/plain, else the text of the HTML part
    html: str | None  # raw: `html.sanitize_html` before showing it
    attachments: tuple[AttachmentMeta, ...]
    bulk: BulkFlags
    body_truncated: bool
    digest: str  # sha256 of the raw bytes: a stable key when there is no Message-ID

    @property
    def is_reply(self) -> bool:
        return self.in_reply_to is not None or bool(self.references)

    @property
    def participants(self) -> tuple[str, ...]:
        """Every address on the message, sender first, without repeats."""
        seen = dict.fromkeys(((self.sender.email,) if self.sender else ()) + self.to + self.cc)
        return tuple(seen)


def normalize_message_id(value: str | None) -> str | None:
    """`<abc@host>` -> `abc@host`; spaces and folding removed; empty -> None."""
    if value is None:
        return None
    found = _ANGLED.search(value)
    token = found.group(1) if found else "".join(value.split()).strip("<>")
    return token or None


def _message_ids(value: str | None) -> tuple[str, ...]:
    if not value:
        return ()
    found = _ANGLED.findall(value)
    ids = found if found else [t.strip("<>") for t in value.split()]
    return tuple(dict.fromkeys(i for i in ids if i))


def _read(raw: bytes) -> EmailMessage:
    if not isinstance(raw, bytes | bytearray):
        raise MalformedMessageError("a message is raw bytes")
    if len(raw) > MAX_RAW_BYTES:
        raise MalformedMessageError(f"a message is at most {MAX_RAW_BYTES} bytes")
    if not raw.strip():
        raise MalformedMessageError("the message is empty")
    try:
        msg = BytesParser(policy=policy.default).parsebytes(bytes(raw))
    except _PARSE_ERRORS as error:
        raise MalformedMessageError(f"unreadable message: {error}") from error
    if not isinstance(msg, EmailMessage) or not msg.keys():
        raise MalformedMessageError("the message has no headers")
    return msg


def _header(msg: EmailMessage, name: str) -> str | None:
    """The decoded header (RFC 2047 words decoded), or None; a broken header reads as its raw text."""
    try:
        value = msg.get(name)
    except _PARSE_ERRORS:
        raws = [v for k, v in msg.raw_items() if k.lower() == name.lower()]
        value = raws[0] if raws else None
    if value is None:
        return None
    return " ".join(str(value).split())


def _addresses(msg: EmailMessage, name: str) -> list[Address]:
    """Each address once, lower-case, in order; entries without a local part and a domain dropped."""
    result: dict[str, Address] = {}
    for key, value in msg.raw_items():
        if key.lower() != name.lower():
            continue
        for display, addr in getaddresses([_decoded_address_field(name, str(value))]):
            email = addr.strip().lower()
            local, at, domain = email.rpartition("@")
            if at and local and domain and " " not in email and email not in result:
                result[email] = Address(email, " ".join(display.split()))
    return list(result.values())


def _decoded_address_field(name: str, raw_value: str) -> str:
    """The field with RFC 2047 names decoded; the raw text when the structured parse fails."""
    try:
        return str(policy.default.header_factory(name, raw_value))
    except _PARSE_ERRORS:
        return raw_value


def _date(msg: EmailMessage) -> datetime | None:
    value = _header(msg, "Date")
    if not value:
        return None
    try:
        parsed = parsedate_to_datetime(value)
    except _PARSE_ERRORS:
        return None
    if parsed.tzinfo is None:  # "-0000": the zone is unknown; RFC 5322 reads it as UTC
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def _decoded_text(part: Message) -> str:
    payload = part.get_payload(decode=True)
    data = payload if isinstance(payload, bytes) else b""
    charset = part.get_content_charset() or "utf-8"
    try:
        return data.decode(charset, errors="replace")
    except LookupError:  # an unknown charset name
        return data.decode("utf-8", errors="replace")


def _is_body(part: Message) -> bool:
    """Inline text/plain or text/html without a file name; every other leaf is an attachment."""
    return (
        part.get_content_type() in ("text/plain", "text/html")
        and part.get_content_disposition() != "attachment"
        and part.get_filename() is None
    )


def _leaves(msg: Message) -> Iterator[Message]:
    """The parts in order, a forwarded message (message/rfc822) kept whole, not entered."""
    if msg.get_content_type() == "message/rfc822" or not msg.is_multipart():
        yield msg
        return
    payload = msg.get_payload()
    for sub in payload if isinstance(payload, list) else []:
        if isinstance(sub, Message):
            yield from _leaves(sub)


def _bodies(msg: Message) -> tuple[Message | None, Message | None, list[Message]]:
    """The first inline text/plain and text/html parts (later ones ignored), and the attachments."""
    plain: Message | None = None
    html: Message | None = None
    attachments: list[Message] = []
    for part in _leaves(msg):
        if not _is_body(part):
            attachments.append(part)
        elif part.get_content_type() == "text/plain":
            plain = plain or part
        else:
            html = html or part
    return plain, html, attachments


def _attachment_meta(part: Message) -> tuple[AttachmentMeta, bytes]:
    if part.get_content_type() == "message/rfc822":
        inner = part.get_payload()
        data = inner[0].as_bytes() if isinstance(inner, list) and inner and isinstance(inner[0], Message) else b""
        default_name = "message.eml"
    else:
        payload = part.get_payload(decode=True)
        data = payload if isinstance(payload, bytes) else b""
        default_name = "attachment"
    try:
        filename = part.get_filename() or default_name
    except _PARSE_ERRORS:
        filename = default_name
    return AttachmentMeta(" ".join(filename.split()), part.get_content_type(), len(data)), data


def _bulk(msg: EmailMessage) -> BulkFlags:
    precedence = (_header(msg, "Precedence") or "").strip().lower()
    auto = (_header(msg, "Auto-Submitted") or "").split(";")[0].strip().lower()
    return BulkFlags(
        list_unsubscribe=bool(_header(msg, "List-Unsubscribe")),
        list_id=bool(_header(msg, "List-Id")),
        precedence=precedence if precedence in _BULK_PRECEDENCE else None,
        auto_submitted=bool(auto) and auto != "no",
    )


def _capped(text: str, cap: int) -> tuple[str, bool]:
    return (text[:cap], True) if len(text) > cap else (text, False)


def parse(raw: bytes, *, max_body_chars: int = MAX_BODY_CHARS) -> ParsedMessage:
    """Read one message; broken input raises `MalformedMessageError` (a `ValidationError`) only."""
    msg = _read(raw)
    try:
        return _parse(msg, raw, max_body_chars)
    except _PARSE_ERRORS as error:
        raise MalformedMessageError(f"unreadable message: {error}") from error


def _parse(msg: EmailMessage, raw: bytes, max_body_chars: int) -> ParsedMessage:
    plain, html_part, attachments = _bodies(msg)
    html = _decoded_text(html_part) if html_part is not None else None
    text = _decoded_text(plain) if plain is not None else html_to_text(html) if html else ""
    text, text_cut = _capped(text, max_body_chars)
    html_cut = False
    if html is not None:
        html, html_cut = _capped(html, max_body_chars)
    senders = _addresses(msg, "From")
    return ParsedMessage(
        message_id=normalize_message_id(_header(msg, "Message-ID")),
        in_reply_to=normalize_message_id(_header(msg, "In-Reply-To")),
        references=_message_ids(_header(msg, "References")),
        sender=senders[0] if senders else None,
        to=tuple(a.email for a in _addresses(msg, "To")),
        cc=tuple(a.email for a in _addresses(msg, "Cc")),
        subject=_header(msg, "Subject") or "",
        date=_date(msg),
        text=text,
        html=html,
        attachments=tuple(_attachment_meta(p)[0] for p in attachments),
        bulk=_bulk(msg),
        body_truncated=text_cut or html_cut,
        digest=hashlib.sha256(raw).hexdigest(),
    )


def attachment_parts(raw: bytes) -> Iterator[AttachmentPart]:
    """The attachments with their decoded bytes, one at a time, for the caller to store."""
    msg = _read(raw)
    try:
        _, _, attachments = _bodies(msg)
        for part in attachments:
            meta, data = _attachment_meta(part)
            yield AttachmentPart(meta, data)
    except _PARSE_ERRORS as error:
        raise MalformedMessageError(f"unreadable attachment: {error}") from error
