"""Delivery status notifications (RFC 3464): which recipients failed, hard or soft.

A DSN is a multipart/report whose message/delivery-status part holds one block of fields per
recipient. A failed recipient with Status 5.x.x is a hard bounce (the address is bad: mark it);
4.x.x is soft (a full mailbox, a greylist: try again later). Recipients delivered, relayed or
expanded are not bounces. Parsed with the stdlib `email` package (flufl.bounce is not available).
"""

from __future__ import annotations

import base64
import binascii
import quopri
import re
from email import policy
from email.message import Message
from email.parser import BytesParser, HeaderParser
from enum import StrEnum
from typing import NamedTuple

from chalicelib.domain.email.message import MalformedMessageError, normalize_message_id

_STATUS = re.compile(r"\b([245])\.(\d{1,3})\.(\d{1,3})\b")
_NOT_FAILED = frozenset({"delivered", "relayed", "expanded"})


class BounceKind(StrEnum):
    HARD = "hard"
    SOFT = "soft"


class Bounce(NamedTuple):
    recipient: str  # lower-case address
    status: str  # e.g. "5.1.1"
    kind: BounceKind
    diagnostic: str  # the remote server's words, "" when absent


def _value(block: Message, name: str) -> str:
    value = block.get(name)
    return " ".join(str(value).split()) if value is not None else ""


def _address(field: str) -> str:
    """`rfc822; user@example.com` -> `user@example.com`."""
    return field.rpartition(";")[2].strip().strip("<>").lower()


def _blocks(part: Message) -> list[Message]:
    payload = part.get_payload()
    encoding = str(part.get("Content-Transfer-Encoding", "")).strip().lower()
    if isinstance(payload, list):
        blocks = [b for b in payload if isinstance(b, Message)]
        if encoding not in ("base64", "quoted-printable"):
            return blocks
        # The parser splits the still-encoded text into blocks: put it back together and decode it.
        encoded = "\n\n".join(b.as_string() for b in blocks).encode("ascii", errors="replace")
        decoded = base64.b64decode(encoded) if encoding == "base64" else quopri.decodestring(encoded)
        payload = decoded.decode("utf-8", errors="replace")
    text = payload if isinstance(payload, str) else ""
    return [HeaderParser().parsestr(chunk) for chunk in re.split(r"\r?\n\s*\r?\n", text.strip()) if chunk.strip()]


def _bounce(block: Message) -> Bounce | None:
    recipient = _address(_value(block, "Final-Recipient") or _value(block, "Original-Recipient"))
    action = _value(block, "Action").lower()
    found = _STATUS.search(_value(block, "Status"))
    if not recipient or "@" not in recipient or action in _NOT_FAILED or found is None:
        return None
    if found.group(1) == "2":
        return None
    kind = BounceKind.HARD if found.group(1) == "5" else BounceKind.SOFT
    diagnostic = _value(block, "Diagnostic-Code").partition(";")[2].strip() or _value(block, "Diagnostic-Code")
    return Bounce(recipient, found.group(0), kind, diagnostic)


def parse_dsn(raw: bytes) -> tuple[Bounce, ...]:
    """The failed recipients of a DSN; () for any other message. Broken bytes: `MalformedMessageError`."""
    if not isinstance(raw, bytes | bytearray) or not raw.strip():
        raise MalformedMessageError("a message is raw bytes")
    try:
        msg = BytesParser(policy=policy.default).parsebytes(bytes(raw))
        bounces: dict[str, Bounce] = {}
        for part in msg.walk():
            if part.get_content_type() != "message/delivery-status":
                continue
            for block in _blocks(part):
                bounce = _bounce(block)
                if bounce is not None:
                    bounces.setdefault(bounce.recipient, bounce)
        return tuple(bounces.values())
    except (ValueError, TypeError, LookupError, UnicodeError, binascii.Error) as error:
        raise MalformedMessageError(f"unreadable delivery report: {error}") from error


def dsn_original_message_id(raw: bytes) -> str | None:
    """The Message-ID of the message a delivery report is about (its returned headers), if any."""
    try:
        msg = BytesParser(policy=policy.compat32).parsebytes(raw)
        for part in msg.walk():
            if part.get_content_type() in ("message/rfc822", "text/rfc822-headers"):
                payload = part.get_payload()
                if isinstance(payload, list) and payload:
                    first = payload[0]
                    found = first.get("Message-ID") if isinstance(first, Message) else None
                else:
                    text = payload if isinstance(payload, str) else ""
                    found = BytesParser(policy=policy.compat32).parsebytes(text.encode()).get("Message-ID")
                if found:
                    return normalize_message_id(str(found))
    except (ValueError, TypeError, LookupError, UnicodeError, AttributeError, IndexError):
        return None
    return None
