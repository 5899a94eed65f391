"""PBX call events (SPEC TE-1): the facts one NOTIFY_* webhook brings about its call.

Events may arrive twice or out of order, so each one is turned into a `CallEvent` whose facts
carry a rule: `first` facts (the first event to know them wins) and `final` facts (the end of the
call wins); `telephony.py` holds the call record they are applied to. Apart from it so that the
workers reading calls do not load the webhook mapping.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from chalicelib.domain.clock import plausible
from chalicelib.domain.errors import ValidationError
from chalicelib.domain.telephony import MAX_CALL_SECONDS, status_of, to_e164
from chalicelib.domain.telephony_settings import CallDirection

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo


@dataclass(frozen=True, slots=True)
class CallEvent:
    """The facts one PBX event brings about its call."""

    call_id: str
    direction: CallDirection
    # Facts the first event to know them sets (the same in every event that has them).
    first: dict[str, object] = field(default_factory=dict)
    # Facts the end of the call sets, whatever came before.
    final: dict[str, object] = field(default_factory=dict)
    extension: str | None = None  # the user's extension, when this event names it
    extension_final: bool = False  # the end event's extension beats the others'
    record_id: str | None = None
    ends: bool = False

    @property
    def phone(self) -> str | None:
        value = self.first.get("phone")
        return value if isinstance(value, str) else None

    @property
    def did(self) -> str | None:
        value = self.first.get("did")
        return value if isinstance(value, str) else None


INCOMING_EVENTS = frozenset({"NOTIFY_START", "NOTIFY_INTERNAL", "NOTIFY_ANSWER", "NOTIFY_END", "NOTIFY_IVR"})
OUTGOING_EVENTS = frozenset({"NOTIFY_OUT_START", "NOTIFY_OUT_END"})
CALL_EVENTS = INCOMING_EVENTS | OUTGOING_EVENTS | {"NOTIFY_RECORD"}


def call_event(name: str, fields: Mapping[str, str], tz: ZoneInfo, region: str | None) -> CallEvent:
    """The facts of one NOTIFY_* event (zadarma.md 1.4); ValidationError if it has no call id."""
    call_id = (fields.get("pbx_call_id") or "").strip()
    if not call_id or len(call_id) > 200 or not re.fullmatch(r"[\w.\-]+", call_id):
        raise ValidationError("the event has no usable pbx_call_id", field="pbx_call_id")
    direction = direction_of(name, call_id, fields.get("caller_id"))
    first: dict[str, object] = {}
    final: dict[str, object] = {}
    start = _parse_start(fields.get("call_start"), tz)
    if start is not None:
        first["started_at"] = start
    outgoing = direction is CallDirection.OUTGOING
    other = fields.get("destination") if outgoing else fields.get("caller_id")
    if name == "NOTIFY_ANSWER":
        other = fields.get("caller_id")  # `destination` is who answered
    if other:
        first["phone"] = to_e164(other, region)
    if fields.get("called_did"):
        first["did"] = to_e164(fields["called_did"], region)
    extension = _extension(fields.get("internal"))
    if name == "NOTIFY_ANSWER" and extension is None:
        extension = _extension(fields.get("destination"))
    ends = name in ("NOTIFY_END", "NOTIFY_OUT_END")
    if ends:
        disposition = (fields.get("disposition") or "").strip().lower()
        final["status"] = status_of(disposition).value
        final["disposition"] = disposition or None
        final["duration_s"] = _duration(fields.get("duration"))
    record_id = (fields.get("call_id_with_rec") or "").strip() or None
    if ends and fields.get("is_recorded") != "1":
        record_id = None
    return CallEvent(
        call_id=call_id,
        direction=direction,
        first=first,
        final=final,
        extension=extension if name != "NOTIFY_INTERNAL" else None,  # ringing is not answering
        extension_final=ends,
        record_id=record_id,
        ends=ends,
    )


def direction_of(event: str, pbx_call_id: str, caller_id: str | None = None) -> CallDirection:
    """`out_...` ids are outgoing, `in_...` incoming (zadarma.md: `internal` is unreliable for it);
    an incoming call whose caller is one of the PBX's extensions is a colleague's (internal)."""
    if pbx_call_id.startswith("out_") or event in OUTGOING_EVENTS:
        return CallDirection.OUTGOING
    if _extension(caller_id) is not None:
        return CallDirection.INTERNAL
    return CallDirection.INCOMING


def _parse_start(value: str | None, tz: ZoneInfo) -> datetime | None:
    """`call_start` is "YYYY-MM-DD HH:MM:SS" of the PBX's wall clock, with no zone."""
    if not value:
        return None
    try:
        naive = datetime.strptime(value.strip(), "%Y-%m-%d %H:%M:%S")
    except ValueError:
        return None
    # Out of the plausible years it is garbage, and converting it to UTC could overflow.
    aware = naive.replace(tzinfo=tz)
    return aware if plausible(aware) else None


def _extension(value: str | None) -> str | None:
    value = (value or "").strip()
    return value if re.fullmatch(r"\d{2,6}", value) else None


def _duration(value: str | None) -> int | None:
    """Seconds, when plausible: a stored number must fit DynamoDB (38 digits), and no call lasts
    a week; anything else (or `int()`'s 4300-digit refusal) is unknown."""
    text = (value or "").strip()
    if not re.fullmatch(r"[0-9]{1,7}", text):
        return None
    seconds = int(text)
    return seconds if seconds <= MAX_CALL_SECONDS else None
