"""Telephony rules: dispositions, the facts of each PBX event, numbers (zadarma.md 1.4, TE-8)."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from chalicelib.domain.call_events import call_event
from chalicelib.domain.errors import ValidationError
from chalicelib.domain.telephony import CallDirection, CallStatus, TelephonySettings, dial_number, status_of, to_e164

PARIS = ZoneInfo("Europe/Paris")


@pytest.mark.parametrize(
    ("disposition", "status"),
    [
        ("answered", CallStatus.ANSWER),
        ("busy", CallStatus.BUSY),
        ("cancel", CallStatus.CANCEL),
        ("no answer", CallStatus.NOANSWER),
        ("failed", CallStatus.FAILED),
        ("call failed", CallStatus.FAILED),
        ("no money", CallStatus.FAILED),
        ("unallocated number", CallStatus.FAILED),
        ("no limit", CallStatus.FAILED),
        ("no day limit", CallStatus.FAILED),
        ("line limit", CallStatus.FAILED),
        ("no money, no limit", CallStatus.FAILED),
        ("No  Answer", CallStatus.NOANSWER),
        ("something new", CallStatus.FAILED),
    ],
)
def test_every_disposition_maps_to_one_of_the_five_statuses(disposition: str, status: CallStatus) -> None:
    assert status_of(disposition) is status


def test_an_incoming_end_event_brings_the_outcome_and_the_recording() -> None:
    event = call_event(
        "NOTIFY_END",
        {
            "call_start": "2026-11-26 10:00:00",
            "pbx_call_id": "in_abc",
            "caller_id": "380989897908",
            "called_did": "+33159000000",
            "internal": "101",
            "duration": "42",
            "disposition": "answered",
            "is_recorded": "1",
            "call_id_with_rec": "1585913205.75283",
        },
        PARIS,
        "FR",
    )
    assert event.direction is CallDirection.INCOMING
    assert event.first == {
        "started_at": datetime(2026, 11, 26, 10, 0, tzinfo=PARIS),
        "phone": "+380989897908",  # no '+' from the PBX: still read as international
        "did": "+33159000000",
    }
    assert event.final == {"status": "answer", "disposition": "answered", "duration_s": 42}
    assert (event.extension, event.extension_final, event.record_id) == ("101", True, "1585913205.75283")


def test_outgoing_events_take_the_destination_and_ringing_is_not_answering() -> None:
    out = call_event(
        "NOTIFY_OUT_START",
        {
            "call_start": "2026-11-26 10:00:00",
            "pbx_call_id": "out_1",
            "internal": "100",
            "destination": "0612345678",
            "caller_id": "0",
        },
        PARIS,
        "FR",
    )
    assert (out.direction, out.phone, out.extension) == (CallDirection.OUTGOING, "+33612345678", "100")
    ringing = call_event(
        "NOTIFY_INTERNAL",
        {
            "call_start": "2026-11-26 10:00:00",
            "pbx_call_id": "in_2",
            "caller_id": "+33612345678",
            "called_did": "33159000000",
            "internal": "102",
        },
        PARIS,
        "FR",
    )
    assert ringing.extension is None
    end_without_recording = call_event(
        "NOTIFY_OUT_END",
        {"pbx_call_id": "out_1", "disposition": "busy", "is_recorded": "0", "call_id_with_rec": "1.2"},
        PARIS,
        "FR",
    )
    assert end_without_recording.record_id is None
    with pytest.raises(ValidationError):
        call_event("NOTIFY_START", {"caller_id": "1"}, PARIS, "FR")


def test_numbers_from_the_pbx_become_e164_and_extensions_stay_extensions() -> None:
    assert to_e164("+33612345678", "FR") == "+33612345678"
    assert to_e164("33612345678", "FR") == "+33612345678"
    assert to_e164("0612345678", "FR") == "+33612345678"
    assert to_e164("100", "FR") == "100"


def test_dialling_completes_local_numbers_only_when_allowed() -> None:
    assert dial_number("06 12 34 56 78", "FR", without_country_code=True) == "+33612345678"
    assert dial_number("0044 20 7946 0958", "FR", without_country_code=False) == "+442079460958"
    with pytest.raises(ValidationError, match="country code"):
        dial_number("06 12 34 56 78", "FR", without_country_code=False)
    with pytest.raises(ValidationError):
        dial_number("call me", "FR", without_country_code=True)


def test_auto_lead_settings_are_per_direction_and_channel() -> None:
    settings = TelephonySettings(auto_lead_incoming_calls=False, auto_lead_outgoing_sms=False)
    assert not settings.auto_lead(CallDirection.INCOMING)
    assert settings.auto_lead(CallDirection.OUTGOING)
    assert settings.auto_lead(CallDirection.INCOMING, sms=True)
    assert not settings.auto_lead(CallDirection.OUTGOING, sms=True)
    assert not settings.auto_lead(CallDirection.INTERNAL)


def test_a_start_without_a_zone_is_read_in_the_given_zone() -> None:
    event = call_event(
        "NOTIFY_START",
        {"call_start": "2026-03-29 02:30:00", "pbx_call_id": "in_x", "caller_id": "+33612345678"},
        PARIS,
        "FR",
    )
    started = event.first["started_at"]
    assert isinstance(started, datetime)
    assert started.astimezone(UTC).isoformat() == "2026-03-29T01:30:00+00:00"  # a gap hour reads as before it
