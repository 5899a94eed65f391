"""Zadarma notifications: parse the POSTed body into an event and check its `Signature` header.

Zadarma posts call events (NOTIFY_*) url-encoded and some "other" events (SMS...) as
multipart/form-data, so both are accepted. Only a few fields of each event are signed
(`signature_string`); the rest are not covered by the signature, and events without a documented
signature string never verify. The `zd_echo` URL check is the HTTP route's job, not this module's.
"""

from __future__ import annotations

import hmac
import re
from collections.abc import Mapping
from email import policy
from email.message import Message
from email.parser import BytesParser
from email.utils import collapse_rfc2231_value
from types import MappingProxyType
from urllib.parse import parse_qsl

from chalicelib.integrations.zadarma.signing import php_urlencode, webhook_signature
from chalicelib.ports.pbx import PbxEvent, PbxEventError

# Far more than any Zadarma event has; bounds the work a forged body can cause.
MAX_FIELDS = 200

CALL_EVENTS: frozenset[str] = frozenset(
    {
        "NOTIFY_START",
        "NOTIFY_INTERNAL",
        "NOTIFY_ANSWER",
        "NOTIFY_END",
        "NOTIFY_OUT_START",
        "NOTIFY_OUT_END",
        "NOTIFY_RECORD",
        "NOTIFY_IVR",
        "NOTIFY_INTERNAL_END",  # seen in real traffic, undocumented: it has no signature string
    }
)

# The fields each event's signature covers, joined with no separator (Zadarma's PHP SDK, lib/Webhook/*.php).
# SMS, NUMBER_LOOKUP and CALL_TRACKING sign the raw `result` per community libraries, not Zadarma's docs;
# SPEECH_RECOGNITION's signature is documented nowhere and is assumed to be the same.
_SIGNED_FIELDS: dict[str, tuple[str, ...]] = {
    "NOTIFY_START": ("caller_id", "called_did", "call_start"),
    "NOTIFY_INTERNAL": ("caller_id", "called_did", "call_start"),
    "NOTIFY_END": ("caller_id", "called_did", "call_start"),
    "NOTIFY_IVR": ("caller_id", "called_did", "call_start"),
    "NOTIFY_ANSWER": ("caller_id", "destination", "call_start"),
    "NOTIFY_OUT_START": ("internal", "destination", "call_start"),
    "NOTIFY_OUT_END": ("internal", "destination", "call_start"),
    "NOTIFY_RECORD": ("pbx_call_id", "call_id_with_rec"),
    "SMS": ("result",),
    "NUMBER_LOOKUP": ("result",),
    "CALL_TRACKING": ("result",),
    "SPEECH_RECOGNITION": ("result",),
}

# RFC 2046 boundary characters; anything else on the first line means it is not a boundary.
_BOUNDARY = re.compile(r"[0-9A-Za-z'()+_,\-./:=? ]{0,69}[0-9A-Za-z'()+_,\-./:=?]")


class WebhookError(PbxEventError):
    """The body cannot be parsed or names no event."""


# The event is the PBX port's (plain fields); this module knows how Zadarma encodes and signs it.
WebhookEvent = PbxEvent


def parse_body(content_type: str | None, body: bytes) -> dict[str, str]:
    """The flat fields of a url-encoded or multipart/form-data body (anything else is tried as url-encoded)."""
    header = Message()
    header["Content-Type"] = content_type or "application/x-www-form-urlencoded"
    if header.get_content_type() == "multipart/form-data":
        return _parse_multipart(header.get_boundary(), body)
    return _parse_urlencoded(body)


def parse_event(content_type: str | None, body: bytes, query: Mapping[str, str] | None = None) -> WebhookEvent:
    """The event posted; fields of the query string are kept unless the body has the same name."""
    fields = dict(query or {})
    fields.update(parse_body(content_type, body))
    name = fields.get("event")
    if not name:
        raise WebhookError("the notification names no event")
    return WebhookEvent(name=name, fields=MappingProxyType(fields))


def signature_string(event: WebhookEvent) -> str | None:
    """What Zadarma signs for this event; None for undocumented events or when a signed field is missing."""
    names = _SIGNED_FIELDS.get(event.name)
    if names is None:
        return None
    values = [event.fields.get(name) for name in names]
    if any(value is None for value in values):
        return None
    return "".join(value for value in values if value is not None)


def sign_event(fields: Mapping[str, str], secret: str) -> str:
    """The `Signature` header Zadarma would send with these fields (tests, the fake, local call replay)."""
    event = WebhookEvent(name=fields.get("event", ""), fields=fields)
    sign_string = signature_string(event)
    if sign_string is None:
        raise WebhookError(f"no documented signature for event {event.name!r} with these fields")
    return webhook_signature(sign_string, secret)


def verify(event: WebhookEvent, signature: str | None, secret: str) -> bool:
    """Whether `signature` is Zadarma's for this event; False whenever it cannot be checked."""
    # An empty secret would make the expected signature computable by anyone.
    if not signature or not secret:
        return False
    sign_string = signature_string(event)
    if sign_string is None:
        return False
    expected = webhook_signature(sign_string, secret)
    return hmac.compare_digest(expected.encode(), signature.strip().encode("utf-8", "replace"))


def encode_form(fields: Mapping[str, str]) -> bytes:
    """The url-encoded body Zadarma would post for these fields, in their order."""
    return "&".join(f"{php_urlencode(key)}={php_urlencode(value)}" for key, value in fields.items()).encode("ascii")


def _parse_urlencoded(body: bytes) -> dict[str, str]:
    try:
        pairs = parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True, max_num_fields=MAX_FIELDS)
    except ValueError as exc:
        raise WebhookError("the notification has too many fields") from exc
    return dict(pairs)


def _parse_multipart(declared: str | None, body: bytes) -> dict[str, str]:
    boundary = declared
    # Zadarma has been seen declaring one boundary in the header and using another in the body.
    if not boundary or b"--" + boundary.encode("latin-1", "replace") not in body:
        boundary = _first_line_boundary(body)
    if boundary is None:
        raise WebhookError("the multipart body has no boundary")
    head = f'Content-Type: multipart/form-data; boundary="{boundary}"\r\n\r\n'.encode("latin-1")
    message = BytesParser(policy=policy.HTTP).parsebytes(head + body)
    if not message.is_multipart():
        raise WebhookError("the multipart body has no parts")
    fields: dict[str, str] = {}
    for part in message.walk():
        name = part.get_param("name", header="content-disposition")
        payload = part.get_payload(decode=True)
        if not name or not isinstance(payload, bytes):
            continue
        if len(fields) >= MAX_FIELDS:
            raise WebhookError("the notification has too many fields")
        fields[collapse_rfc2231_value(name)] = payload.decode(part.get_content_charset() or "utf-8", "replace")
    return fields


def _first_line_boundary(body: bytes) -> str | None:
    first_line = body.lstrip(b"\r\n").split(b"\n", 1)[0].rstrip(b"\r\t ")
    if not first_line.startswith(b"--"):
        return None
    candidate = first_line[2:].decode("latin-1")
    return candidate if _BOUNDARY.fullmatch(candidate) else None
