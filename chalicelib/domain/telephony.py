"""Telephony (SPEC TE, ST-4, SO-1): telephony settings, calls built from PBX events, dialling rules.

A call is identified by the PBX's `pbx_call_id`, which every event of the call carries (its legs
too). Events may arrive twice or out of order, so each one is turned into a `CallEvent`: the
facts it brings, each with a rule saying whether it may overwrite what an earlier event stored
(`first` facts: the first event to know them wins; `final` facts: the end of the call wins).
Applying the events in any order gives the same call.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from chalicelib.domain.clock import plausible

if TYPE_CHECKING:
    from chalicelib.domain.actor import Actor
    from chalicelib.domain.contacts import Contact, FeedEntry
from chalicelib.domain.errors import ValidationError
from chalicelib.domain.rights import Permission

# Held apart so a CRM record loads them without the rest of the telephony rules.
from chalicelib.domain.telephony_settings import CallDirection as CallDirection
from chalicelib.domain.telephony_settings import TelephonySettings as TelephonySettings

# --- settings (ST-4) -------------------------------------------------------------------------

# The longest call whose duration is believed (seconds); a longer one is stored as unknown.
MAX_CALL_SECONDS = 7 * 24 * 3600


def check_timezone(name: str, *, field_name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValidationError(f"'{name}' is not an IANA time zone", field=field_name) from None
    return name


# --- calls (TE-1) ----------------------------------------------------------------------------


class CallStatus(StrEnum):
    ANSWER = "answer"
    NOANSWER = "noanswer"
    CANCEL = "cancel"
    BUSY = "busy"
    FAILED = "failed"


# Every disposition the PBX reports (zadarma.md 1.4), mapped to the CRM's five statuses.
DISPOSITIONS: Mapping[str, CallStatus] = {
    "answered": CallStatus.ANSWER,
    "busy": CallStatus.BUSY,
    "cancel": CallStatus.CANCEL,
    "no answer": CallStatus.NOANSWER,
    "failed": CallStatus.FAILED,
    "call failed": CallStatus.FAILED,
    "no money": CallStatus.FAILED,
    "unallocated number": CallStatus.FAILED,
    "no limit": CallStatus.FAILED,
    "no day limit": CallStatus.FAILED,
    "line limit": CallStatus.FAILED,
    "no money, no limit": CallStatus.FAILED,
}


def status_of(disposition: str) -> CallStatus:
    """The call status of a PBX disposition; an unknown one counts as failed (and is kept raw)."""
    return DISPOSITIONS.get(" ".join(disposition.strip().lower().split()), CallStatus.FAILED)


class RecordingState(StrEnum):
    PENDING = "pending"  # the PBX has a recording; it is being copied
    READY = "ready"
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class Call:
    id: str  # the PBX's pbx_call_id
    direction: CallDirection
    started_at: datetime  # the PBX's call_start; when unreadable, the time the first event arrived
    phone: str | None = None  # the other party, E.164 when readable
    did: str | None = None  # our virtual number that was called
    extension: str | None = None
    user_id: str | None = None
    contact_type: str | None = None  # "client" | "lead"
    contact_id: str | None = None
    contact_name: str | None = None
    status: CallStatus | None = None  # None while the call is going on
    disposition: str | None = None
    duration_s: int | None = None
    record_id: str | None = None  # the PBX's call_id_with_rec
    recording: RecordingState | None = None
    recording_key: str | None = None
    recording_error: str | None = None
    transcript: str | None = None
    seq: int = 0  # events applied so far (orders the writes of the call's feed entry)
    start_known: bool = True  # False: the PBX gave no readable call_start (started_at is our clock's)

    @property
    def has_recording(self) -> bool:
        return self.recording is RecordingState.READY

    def feed_data(self) -> dict[str, object]:
        """What a contact's feed shows of the call (TE-1, CL-7)."""
        return {
            "call_id": self.id,
            "direction": self.direction.value,
            "status": self.status.value if self.status else None,
            "phone": self.phone,
            "user_id": self.user_id,
            "duration_s": self.duration_s,
            "has_recording": self.has_recording,
            "seq": self.seq,
        }


def can_see_call(actor: Actor, call: Call) -> bool:
    """One's own calls, or everyone's with calls_other_users_access."""
    return call.user_id == actor.user_id or actor.can(Permission.CALLS_OTHER_USERS_ACCESS)


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


# --- numbers (TE-8) --------------------------------------------------------------------------


def to_e164(raw: str, region: str | None) -> str:
    """A PBX number as E.164 when it reads as one ("380989897908" and "+380..." alike), else digits.

    The PBX drops the `+` at will (zadarma.md 1.6): digits long enough for an international
    number are read as one first, then in the CRM's country.
    """
    import phonenumbers

    text = raw.strip()
    digits = re.sub(r"\D", "", text)
    if not digits:
        return text
    candidates = [f"+{digits}"] if not text.startswith("+") else [text]
    if region:
        candidates.append(text)
    for candidate in candidates:
        try:
            number = phonenumbers.parse(candidate, region)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_valid_number(number):
            return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return f"+{digits}" if len(digits) > 6 else digits


def dial_number(raw: str, country: str, *, without_country_code: bool, field_name: str = "to") -> str:
    """The E.164 number to dial (TE-8): local formats are completed with the company's country
    when the setting allows it, and refused otherwise."""
    import phonenumbers

    text = raw.strip()
    international = text.startswith("+") or text.startswith("00")
    if not international and not without_country_code:
        raise ValidationError(
            "dial the number with its country code (+33...): calling without one is off in the settings",
            field=field_name,
        )
    candidate = "+" + text[2:] if text.startswith("00") else text
    try:
        number = phonenumbers.parse(candidate, None if international else country)
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_possible_number(number):
        raise ValidationError(f"'{raw}' is not a phone number we can dial", field=field_name)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def lead_name(phone: str) -> str:
    """The name of a lead created from an unknown number: the number, readably formatted."""
    import phonenumbers

    try:
        number = phonenumbers.parse(phone, None)
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    except phonenumbers.NumberParseException:
        return phone


def number_lead(
    phone: str,
    *,
    owner: str | None,
    source: str,
    now: datetime,
    created_by: str,
    source_tag_ids: tuple[str, ...] = (),
    **event: str,
) -> tuple[Contact, FeedEntry]:
    """A lead for a number nobody has (TE-4, AD-4, outgoing SMS), and its "created" feed event.

    With an owner (who called or wrote) it is theirs and in progress; without, it waits in the
    unsorted pool, not processed.
    """
    from chalicelib.domain.contacts import Contact, ContactKind, FeedEntry, FeedKind, LeadSource, LeadStatus, Phone
    from chalicelib.domain.ids import new_id

    lead = Contact(
        id=new_id(),
        kind=ContactKind.LEAD,
        name=lead_name(phone),
        created_at=now,
        created_by=created_by,
        updated_at=now,
        phones=(Phone(phone),),
        responsible_user_id=owner,
        source_tag_ids=source_tag_ids,
        lead_status=LeadStatus.IN_PROGRESS if owner else LeadStatus.NOT_PROCESSED,
        lead_source=LeadSource(source),
    )
    created = FeedEntry(
        id=new_id(), kind=FeedKind.EVENT, time=now, user_id=owner, data={"event": "created", "source": source, **event}
    )
    return lead, created


def stable_id(*parts: str) -> str:
    """A deterministic id for something the PBX sends without one (an SMS), for idempotency."""
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:26]


def transcript_text(result: Mapping[str, Any]) -> str:
    """The text of a recognition result: `phrases` ([{result, channel}]) or `words` ([{result: [{w}]}])."""
    lines: list[str] = []
    phrases, blocks = result.get("phrases"), result.get("words")
    for phrase in phrases if isinstance(phrases, list) else []:
        if isinstance(phrase, dict) and isinstance(phrase.get("result"), str):
            lines.append(phrase["result"])
    for block in blocks if isinstance(blocks, list) else []:
        words = block.get("result") if isinstance(block, dict) else None
        if isinstance(words, list):
            lines.append(" ".join(str(w.get("w", "")) for w in words if isinstance(w, dict)).strip())
    return "\n".join(line for line in lines if line)[:100_000]
