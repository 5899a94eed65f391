"""A scripted phone call for the local stack: the PBX's events, signed, posted to the local API.

Start -> answer -> end -> recording ready, as Zadarma sends them (form-encoded, with the
`Signature` header made with the CRM's secret), so a first look at the local CRM finds calls
in the log, in the client's feed, with a recording to play. The fake Zadarma API holds the
recording the workflow then copies to S3.
"""

from __future__ import annotations

import io
import math
import secrets
import struct
import time
import wave
from datetime import datetime
from zoneinfo import ZoneInfo

import requests

from chalicelib.integrations.zadarma.webhooks import encode_form, sign_event
from infra.local.fake_zadarma import FakeZadarma


def tone(seconds: float = 1.5, hertz: int = 440) -> bytes:
    """A short WAV (a beep), the scripted call's recording."""
    rate = 8000
    frames = b"".join(
        struct.pack("<h", int(8000 * math.sin(2 * math.pi * hertz * i / rate))) for i in range(int(rate * seconds))
    )
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(frames)
    return buffer.getvalue()


def replay_call(
    api_base: str,
    slug: str,
    secret: str,
    fake: FakeZadarma,
    *,
    caller: str,
    did: str = "33159000000",
    extension: str = "100",
    timezone: str = "Europe/Paris",
    pause: float = 1.0,
) -> str:
    """Post one answered, recorded incoming call; returns its pbx_call_id."""
    pbx_call_id = f"in_{secrets.token_hex(20)}"
    record_id = f"{int(time.time())}.{secrets.randbelow(99999)}"
    start = datetime.now(ZoneInfo(timezone)).strftime("%Y-%m-%d %H:%M:%S")
    fake.add_recording(call_id=record_id, pbx_call_id=pbx_call_id, content=tone())
    base = {"call_start": start, "pbx_call_id": pbx_call_id, "caller_id": caller, "called_did": did}
    events = [
        {"event": "NOTIFY_START", **base},
        {
            "event": "NOTIFY_ANSWER",
            "caller_id": caller,
            "destination": extension,
            "call_start": start,
            "pbx_call_id": pbx_call_id,
            "internal": extension,
        },
        {
            "event": "NOTIFY_END",
            **base,
            "internal": extension,
            "duration": "37",
            "disposition": "answered",
            "status_code": "16",
            "is_recorded": "1",
            "call_id_with_rec": record_id,
        },
        {"event": "NOTIFY_RECORD", "pbx_call_id": pbx_call_id, "call_id_with_rec": record_id},
    ]
    for fields in events:
        _post(api_base, slug, secret, fields)
        time.sleep(pause)
    return pbx_call_id


def replay_outgoing(
    api_base: str,
    slug: str,
    secret: str,
    *,
    extension: str,
    destination: str,
    disposition: str = "answered",
    timezone: str = "Europe/Paris",
    pause: float = 3.0,
) -> str:
    """The PBX's events for a call it was asked to connect (click-to-call, autodial): the call
    starts, lasts `pause` seconds, and ends with `disposition`; returns its pbx_call_id."""
    events = outgoing_events(extension, destination, disposition=disposition, timezone=timezone, seconds=int(pause))
    for i, fields in enumerate(events):
        if i:
            time.sleep(pause)
        _post(api_base, slug, secret, fields)
    return events[0]["pbx_call_id"]


def outgoing_events(
    extension: str, destination: str, *, disposition: str = "answered", timezone: str = "Europe/Paris",
    seconds: int = 3,
) -> list[dict[str, str]]:  # fmt: skip
    """NOTIFY_OUT_START and NOTIFY_OUT_END of a call from `extension` to `destination`."""
    pbx_call_id = f"out_{secrets.token_hex(20)}"
    start = datetime.now(ZoneInfo(timezone)).strftime("%Y-%m-%d %H:%M:%S")
    base = {"call_start": start, "pbx_call_id": pbx_call_id, "internal": extension, "destination": destination}
    answered = disposition == "answered"
    return [
        {"event": "NOTIFY_OUT_START", **base, "caller_id": "0"},
        {
            "event": "NOTIFY_OUT_END",
            **base,
            "caller_id": "0",
            "duration": str(seconds) if answered else "0",
            "disposition": disposition,
            "status_code": "16",
            "is_recorded": "0",
        },
    ]


def internal_events(extension: str, colleague: str, *, timezone: str = "Europe/Paris", seconds: int = 3) -> list[
    dict[str, str]
]:  # fmt: skip
    """The PBX's events for a call between two of its extensions (calling a colleague): the
    colleague's extension rings (NOTIFY_INTERNAL), answers, and the call ends `seconds` later.
    The caller is an extension, not a phone number, and there is no DID."""
    pbx_call_id = f"in_{secrets.token_hex(20)}"
    start = datetime.now(ZoneInfo(timezone)).strftime("%Y-%m-%d %H:%M:%S")
    base = {"call_start": start, "pbx_call_id": pbx_call_id, "caller_id": extension, "called_did": ""}
    return [
        {"event": "NOTIFY_INTERNAL", **base, "internal": colleague},
        {
            "event": "NOTIFY_ANSWER",
            "caller_id": extension,
            "destination": colleague,
            "call_start": start,
            "pbx_call_id": pbx_call_id,
            "internal": colleague,
        },
        {
            "event": "NOTIFY_END",
            **base,
            "internal": colleague,
            "duration": str(seconds),
            "disposition": "answered",
            "status_code": "16",
            "is_recorded": "0",
        },
    ]


def delivery_headers(signature: str) -> dict[str, str]:
    """The headers Zadarma sends with a form-encoded event."""
    return {
        "Content-Type": "application/x-www-form-urlencoded",
        "User-Agent": "Zadarma API v1",
        "Signature": signature,
    }


def signed_delivery(fields: dict[str, str], secret: str) -> tuple[bytes, dict[str, str]]:
    """The body and headers of one event as Zadarma posts it: form-encoded, signed."""
    return encode_form(fields), delivery_headers(sign_event(fields, secret))


def post_event(api_base: str, slug: str, secret: str, fields: dict[str, str]) -> None:
    """Deliver one event to a CRM's webhook as Zadarma does (form-encoded, signed)."""
    _post(api_base, slug, secret, fields)


def _post(api_base: str, slug: str, secret: str, fields: dict[str, str]) -> None:
    body, headers = signed_delivery(fields, secret)
    requests.post(f"{api_base}/v1/webhooks/zadarma/{slug}", data=body, headers=headers, timeout=10).raise_for_status()
