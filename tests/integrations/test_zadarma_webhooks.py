"""Zadarma notifications: bodies as Zadarma posts them, and which signatures verify."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chalicelib.integrations.zadarma.webhooks import (
    CALL_EVENTS,
    WebhookError,
    WebhookEvent,
    encode_form,
    parse_body,
    parse_event,
    sign_event,
    signature_string,
    verify,
)

SECRET = "test_secret_0123456789"
FORM = "application/x-www-form-urlencoded"

# Captured traffic (zadarma.md 1.6), plus the fields the docs list for the events it lacks.
CAPTURED: dict[str, dict[str, str]] = {
    "NOTIFY_START": {
        "event": "NOTIFY_START",
        "call_start": "2020-04-03 14:07:26",
        "pbx_call_id": "in_b9ece52e1505a214e6ba05f93430ec60bd5213bf",
        "caller_id": "+380989897908",
        "called_did": "380947102794",
    },
    "NOTIFY_INTERNAL": {
        "event": "NOTIFY_INTERNAL",
        "call_start": "2020-04-03 14:07:26",
        "pbx_call_id": "in_b9ece52e1505a214e6ba05f93430ec60bd5213bf",
        "caller_id": "+380989897908",
        "called_did": "380947102794",
        "internal": "100",
    },
    "NOTIFY_ANSWER": {
        "event": "NOTIFY_ANSWER",
        "call_start": "2020-04-03 14:07:26",
        "pbx_call_id": "in_b9ece52e1505a214e6ba05f93430ec60bd5213bf",
        "caller_id": "+380989897908",
        "destination": "100",
        "internal": "100",
    },
    "NOTIFY_END": {
        "event": "NOTIFY_END",
        "call_start": "2020-04-03 13:53:27",
        "pbx_call_id": "in_ebfde719b6137eac462cb8506d977e3bb21bdc6a",
        "caller_id": "+380989897908",
        "called_did": "380947102794",
        "duration": "0",
        "disposition": "cancel",
        "status_code": "16",
        "is_recorded": "0",
    },
    "NOTIFY_OUT_START": {
        "event": "NOTIFY_OUT_START",
        "call_start": "2020-04-03 14:26:47",
        "pbx_call_id": "out_dcb22bcd4e78fa4b627aa2e0c67d0191cd0a5068",
        "caller_id": "0",
        "internal": "100",
        "destination": "+380989897908",
    },
    "NOTIFY_OUT_END": {
        "event": "NOTIFY_OUT_END",
        "call_start": "2020-04-03 14:26:47",
        "pbx_call_id": "out_dcb22bcd4e78fa4b627aa2e0c67d0191cd0a5068",
        "caller_id": "0",
        "internal": "100",
        "destination": "+380989897908",
        "duration": "0",
        "disposition": "cancel",
        "status_code": "16",
        "is_recorded": "1",
        "call_id_with_rec": "1585913205.75283",
    },
    "NOTIFY_RECORD": {
        "event": "NOTIFY_RECORD",
        "pbx_call_id": "in_394b269d3ae9043550ea60e0fa826ff689beac13",
        "call_id_with_rec": "1585918082.92858",
    },
    "NOTIFY_IVR": {
        "event": "NOTIFY_IVR",
        "call_start": "2020-04-03 14:07:26",
        "pbx_call_id": "in_b9ece52e1505a214e6ba05f93430ec60bd5213bf",
        "caller_id": "+380989897908",
        "called_did": "380947102794",
        "wait_dtmf[name]": "menu",
        "wait_dtmf[digits]": "2",
        "wait_dtmf[default_behaviour]": "0",
    },
}
SMS_RESULT = json.dumps(
    {"caller_did": "442037691880", "caller_id": "33612345678", "text": "Bonjour, rappelez-moi ~ à 14h!"}
)


def multipart(fields: dict[str, str], boundary: str) -> bytes:
    lines = []
    for name, value in fields.items():
        lines += [f"--{boundary}", f'Content-Disposition: form-data; name="{name}"', "", value]
    lines.append(f"--{boundary}--")
    return ("\r\n".join(lines) + "\r\n").encode()


# --- parsing ----------------------------------------------------------------------------------------------------


def test_url_encoded_call_event_is_parsed_with_raw_values() -> None:
    body = encode_form(CAPTURED["NOTIFY_START"])

    event = parse_event(FORM, body)

    assert event.name == "NOTIFY_START"
    assert event.get("caller_id") == "+380989897908"  # the '+' survives url-encoding
    assert event.get("call_start") == "2020-04-03 14:07:26"
    assert dict(event.fields) == CAPTURED["NOTIFY_START"]


@given(st.dictionaries(st.text(min_size=1), st.text(), max_size=20))
def test_any_form_zadarma_posts_parses_back_to_its_fields(fields: dict[str, str]) -> None:
    assert parse_body(FORM, encode_form(fields)) == fields


def test_blank_values_are_kept() -> None:
    assert parse_body(FORM, b"event=NOTIFY_ANSWER&internal=&caller_id=%2B1") == {
        "event": "NOTIFY_ANSWER",
        "internal": "",
        "caller_id": "+1",
    }


def test_bracket_keys_stay_flat() -> None:
    event = parse_event(FORM, encode_form(CAPTURED["NOTIFY_IVR"]))

    assert event.get("wait_dtmf[name]") == "menu"
    assert event.get("wait_dtmf[digits]") == "2"


def test_multipart_sms_is_parsed_and_its_result_decoded() -> None:
    boundary = "----------------------------bc73bf4f2aad"
    body = multipart({"event": "SMS", "result": SMS_RESULT}, boundary)

    event = parse_event(f"multipart/form-data; boundary={boundary}", body)

    assert event.name == "SMS"
    assert event.get("result") == SMS_RESULT
    assert event.result == {
        "caller_did": "442037691880",
        "caller_id": "33612345678",
        "text": "Bonjour, rappelez-moi ~ à 14h!",
    }


def test_multipart_whose_declared_boundary_is_not_the_one_in_the_body_is_still_parsed() -> None:
    # Zadarma's known bug: headers boundary != body boundary.
    body = multipart({"event": "SMS", "result": SMS_RESULT}, "----------------------------5a1f0c2de9b8")

    event = parse_event("multipart/form-data; boundary=----------------------------bc73bf4f2aad", body)

    assert event.name == "SMS"
    assert event.get("result") == SMS_RESULT


def test_multipart_without_any_boundary_is_malformed() -> None:
    with pytest.raises(WebhookError):
        parse_body("multipart/form-data; boundary=abc", b"event=SMS")


def test_unknown_or_missing_content_type_is_read_as_url_encoded() -> None:
    body = encode_form(CAPTURED["NOTIFY_RECORD"])

    assert parse_event(None, body).name == "NOTIFY_RECORD"
    assert parse_event("text/plain", body).name == "NOTIFY_RECORD"


def test_query_fields_are_merged_under_body_fields() -> None:
    event = parse_event(FORM, b"event=NOTIFY_START&caller_id=%2B1", query={"caller_id": "forged", "crm": "acme"})

    assert event.get("caller_id") == "+1"
    assert event.get("crm") == "acme"


def test_zd_echo_alone_is_not_an_event() -> None:
    # The route answers the URL check before parsing; here it is just a body without an event.
    with pytest.raises(WebhookError):
        parse_event(None, b"", query={"zd_echo": "abc123"})


def test_a_body_without_event_is_refused() -> None:
    with pytest.raises(WebhookError):
        parse_event(FORM, b"caller_id=%2B1&called_did=2")
    with pytest.raises(WebhookError):
        parse_event(FORM, b"event=&caller_id=1")


def test_result_is_none_when_absent_or_not_json() -> None:
    assert WebhookEvent("SMS", {"event": "SMS"}).result is None
    assert WebhookEvent("SMS", {"event": "SMS", "result": "{not json"}).result is None


def test_call_events_are_the_notify_events() -> None:
    assert set(CAPTURED) <= CALL_EVENTS
    assert "NOTIFY_INTERNAL_END" in CALL_EVENTS
    assert "SMS" not in CALL_EVENTS


# --- signatures -------------------------------------------------------------------------------------------------


def test_captured_notify_start_signs_to_the_vector() -> None:
    assert sign_event(CAPTURED["NOTIFY_START"], SECRET) == "YTk4Y2M0ODBkYjQ0YWY3OWUwODJlZmVhMmJjYmRmYjdiMjZmNGI1ZA=="
    assert sign_event(CAPTURED["NOTIFY_RECORD"], SECRET) == "MzllYjU3YTE4YTA2NzJlZjM5OTQ0M2YwMjIyOGQ5ZDY4MGZhMWU0Yg=="


@pytest.mark.parametrize(
    ("name", "sign_string"),
    [
        ("NOTIFY_START", "+380989897908" + "380947102794" + "2020-04-03 14:07:26"),
        ("NOTIFY_INTERNAL", "+380989897908" + "380947102794" + "2020-04-03 14:07:26"),
        ("NOTIFY_ANSWER", "+380989897908" + "100" + "2020-04-03 14:07:26"),
        ("NOTIFY_END", "+380989897908" + "380947102794" + "2020-04-03 13:53:27"),
        ("NOTIFY_OUT_START", "100" + "+380989897908" + "2020-04-03 14:26:47"),
        ("NOTIFY_OUT_END", "100" + "+380989897908" + "2020-04-03 14:26:47"),
        ("NOTIFY_RECORD", "in_394b269d3ae9043550ea60e0fa826ff689beac13" + "1585918082.92858"),
        ("NOTIFY_IVR", "+380989897908" + "380947102794" + "2020-04-03 14:07:26"),
    ],
)
def test_each_call_event_verifies_over_its_documented_fields(name: str, sign_string: str) -> None:
    fields = CAPTURED[name]
    event = parse_event(FORM, encode_form(fields))
    signature = sign_event(fields, SECRET)

    assert signature_string(event) == sign_string
    assert verify(event, signature, SECRET)
    assert not verify(event, signature, "another_secret")


def test_unsigned_fields_can_change_without_breaking_the_signature() -> None:
    # Zadarma signs only a few fields: duration and disposition are not covered.
    signature = sign_event(CAPTURED["NOTIFY_END"], SECRET)
    changed = parse_event(FORM, encode_form({**CAPTURED["NOTIFY_END"], "duration": "999"}))

    assert verify(changed, signature, SECRET)


def test_a_changed_signed_field_fails() -> None:
    signature = sign_event(CAPTURED["NOTIFY_START"], SECRET)
    forged = parse_event(FORM, encode_form({**CAPTURED["NOTIFY_START"], "caller_id": "+33612345678"}))

    assert not verify(forged, signature, SECRET)


def test_raw_digest_base64_is_rejected() -> None:
    event = parse_event(FORM, encode_form(CAPTURED["NOTIFY_START"]))
    sign_string = signature_string(event)
    assert sign_string is not None
    raw = hmac.new(SECRET.encode(), sign_string.encode(), hashlib.sha1).digest()

    assert base64.b64encode(raw).decode() == "qYzEgNtEr3nggu/qK8vft7JvS10="
    assert not verify(event, "qYzEgNtEr3nggu/qK8vft7JvS10=", SECRET)


@pytest.mark.parametrize("name", ["SMS", "NUMBER_LOOKUP", "CALL_TRACKING", "SPEECH_RECOGNITION"])
def test_result_events_verify_over_the_raw_result(name: str) -> None:
    boundary = "----------------------------bc73bf4f2aad"
    fields = {"event": name, "result": SMS_RESULT}
    event = parse_event(f"multipart/form-data; boundary={boundary}", multipart(fields, boundary))

    assert signature_string(event) == SMS_RESULT
    assert verify(event, sign_event(fields, SECRET), SECRET)


def test_speech_recognition_with_extra_ids_verifies_over_result_only() -> None:
    result = json.dumps({"words": [{"result": [{"s": 0.02, "e": 0.22, "w": "hello"}], "channel": 1}]})
    fields = {"event": "SPEECH_RECOGNITION", "pbx_call_id": "in_1", "result": result}
    event = parse_event(FORM, encode_form(fields))

    assert verify(event, sign_event({"event": "SPEECH_RECOGNITION", "result": result}, SECRET), SECRET)
    assert event.result["words"][0]["channel"] == 1


@pytest.mark.parametrize("name", ["NOTIFY_INTERNAL_END", "DOCUMENT", "SOMETHING_NEW"])
def test_undocumented_events_have_no_signature_and_never_verify(name: str) -> None:
    fields = {**CAPTURED["NOTIFY_INTERNAL"], "event": name, "result": "{}"}
    event = parse_event(FORM, encode_form(fields))
    guessed = sign_event({**fields, "event": "NOTIFY_INTERNAL"}, SECRET)

    assert signature_string(event) is None
    assert not verify(event, guessed, SECRET)
    with pytest.raises(WebhookError):
        sign_event(fields, SECRET)


def test_missing_signed_field_means_no_signature_string() -> None:
    fields = {key: value for key, value in CAPTURED["NOTIFY_START"].items() if key != "called_did"}

    assert signature_string(WebhookEvent("NOTIFY_START", fields)) is None


@pytest.mark.parametrize("signature", [None, "", "   "])
def test_missing_signature_fails(signature: str | None) -> None:
    event = parse_event(FORM, encode_form(CAPTURED["NOTIFY_START"]))

    assert not verify(event, signature, SECRET)


def test_empty_secret_never_verifies() -> None:
    event = parse_event(FORM, encode_form(CAPTURED["NOTIFY_START"]))

    assert not verify(event, sign_event(CAPTURED["NOTIFY_START"], ""), "")


def test_non_ascii_signature_header_fails_without_raising() -> None:
    event = parse_event(FORM, encode_form(CAPTURED["NOTIFY_START"]))

    assert not verify(event, "YTk4Y2M0ODBkYjQ0YWY3OWUwODJlZmVhMmJjYmRmYjdiMjZmNGI1ZA=é", SECRET)


def test_encode_form_is_what_php_posts() -> None:
    assert encode_form({"event": "SMS", "result": '{"text":"a b~"}'}) == (
        b"event=SMS&result=%7B%22text%22%3A%22a+b%7E%22%7D"
    )
