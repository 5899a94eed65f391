"""Telephony (SPEC TE, ST-4, SO-1): telephony settings, calls built from PBX events, dialling rules.

A call is identified by the PBX's `pbx_call_id`, which every event of the call carries (its legs
too). Events may arrive twice or out of order, so each one is turned into a `CallEvent`
(`call_events.py`): the facts it brings, each with a rule saying whether it may overwrite what an
earlier event stored (`first` facts: the first event to know them wins; `final` facts: the end of
the call wins). Applying the events in any order gives the same call.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from chalicelib.domain.actor import Actor
    from chalicelib.domain.contacts import Contact, FeedEntry
from chalicelib.domain.errors import ValidationError
from chalicelib.domain.records import record

# Held apart so a CRM record loads them without the rest of the telephony rules.
from chalicelib.domain.telephony_settings import CallDirection as CallDirection  # noqa: TC001  (re-exported)
from chalicelib.domain.telephony_settings import TelephonySettings as TelephonySettings

# --- settings (ST-4) -------------------------------------------------------------------------

# The longest call whose duration is believed (seconds); a longer one is stored as unknown.
MAX_CALL_SECONDS = 7 * 24 * 3600


def check_timezone(name: str, *, field_name: str) -> str:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError  # only settings need it: kept off the cold start

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


@record(frozen=True, slots=True)
class Transfer:
    """A live call handed to a colleague from the call panel (TE-5), as the call's history keeps it."""

    at: datetime
    by_user_id: str
    to_user_id: str
    to_extension: str
    attended: bool = False

    def to_dict(self) -> dict[str, object]:
        return {
            "at": self.at.isoformat(),
            "by_user_id": self.by_user_id,
            "to_user_id": self.to_user_id,
            "to_extension": self.to_extension,
            "attended": self.attended,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Transfer:
        return cls(
            at=datetime.fromisoformat(str(data["at"])),
            by_user_id=str(data["by_user_id"]),
            to_user_id=str(data["to_user_id"]),
            to_extension=str(data["to_extension"]),
            attended=bool(data.get("attended", False)),
        )


@record(frozen=True, slots=True)
class Call:
    """A PBX call, as its events told it."""

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
    transfers: tuple[Transfer, ...] = ()  # handed to colleagues from the call panel (TE-5), in order

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
            **({"transfers": [t.to_dict() for t in self.transfers]} if self.transfers else {}),
        }


def can_see_call(actor: Actor, call: Call) -> bool:
    """One's own calls, or everyone's with calls_other_users_access."""
    from chalicelib.domain.rights import Permission  # a request's check: the call workers never load the rights

    return call.user_id == actor.user_id or actor.can(Permission.CALLS_OTHER_USERS_ACCESS)


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
