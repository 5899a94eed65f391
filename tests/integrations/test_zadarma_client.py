"""The Zadarma REST client against FakeZadarma on loopback: signing, methods and failures."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator

import pytest
import requests

from chalicelib.integrations.zadarma.client import (
    RateLimit,
    SmsResult,
    Transcript,
    ZadarmaClient,
    ZadarmaError,
    ZadarmaRateLimitedError,
    ZadarmaUnavailableError,
)
from chalicelib.integrations.zadarma.signing import build_query
from infra.local.fake_zadarma import RATE_LIMIT, FakeZadarma, RequestedCallback, SentSms

KEY, SECRET = "a1b2c3d4e5", "test_secret_0123456789"


@pytest.fixture
def fake() -> Iterator[FakeZadarma]:
    with FakeZadarma({KEY: SECRET}) as server:
        yield server


@pytest.fixture
def client(fake: FakeZadarma) -> ZadarmaClient:
    return ZadarmaClient(KEY, SECRET, fake.base_url, timeout=5)


def closed_port_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


# --- signing ----------------------------------------------------------------------------------------------------


def test_signed_request_is_accepted(client: ZadarmaClient, fake: FakeZadarma) -> None:
    assert client.timezone() == "UTC+3"

    received = fake.requests[-1]
    assert received.authorized
    assert (received.method, received.path, received.raw) == ("GET", "/v1/info/timezone/", b"format=json")


def test_a_wrong_secret_is_not_authorized(fake: FakeZadarma) -> None:
    client = ZadarmaClient(KEY, "not-the-secret", fake.base_url)

    with pytest.raises(ZadarmaError) as caught:
        client.timezone()

    assert type(caught.value) is ZadarmaError
    assert caught.value.http_status == 401
    assert caught.value.message == "Not authorized"
    assert not fake.requests[-1].authorized


def test_an_unknown_key_is_not_authorized(fake: FakeZadarma) -> None:
    with pytest.raises(ZadarmaError) as caught:
        ZadarmaClient("unknown", SECRET, fake.base_url).timezone()

    assert caught.value.http_status == 401


def test_an_added_account_is_accepted(fake: FakeZadarma) -> None:
    fake.add_account("second", "second-secret")

    assert ZadarmaClient("second", "second-secret", fake.base_url).timezone() == "UTC+3"


def test_post_body_is_exactly_the_signed_string(client: ZadarmaClient, fake: FakeZadarma) -> None:
    message = "Hi there ~ ok! Ça coûte 5€ (promo) *today*'s"

    client.send_sms("+442037691880", message)

    received = fake.requests[-1]
    assert received.authorized
    assert received.raw == build_query({"number": "442037691880", "message": message, "format": "json"}).encode()
    assert b"%7E" in received.raw
    assert b"%21" in received.raw
    assert b"%2A" in received.raw
    assert fake.sent_sms[0].message == message


def test_nested_params_are_signed_over_bracket_notation(client: ZadarmaClient, fake: FakeZadarma) -> None:
    lead = {"lead": {"name": "John Doe", "phones": [{"phone": "+44123456789", "type": "work"}]}}

    with pytest.raises(ZadarmaError):  # the fake has no Teamsale: it still checks the signature first
        client.request("POST", "/v1/zcrm/leads", lead)

    received = fake.requests[-1]
    assert received.authorized
    assert received.params["lead[phones][0][phone]"] == "+44123456789"


def test_path_is_sent_as_given(client: ZadarmaClient, fake: FakeZadarma) -> None:
    with pytest.raises(ZadarmaError) as caught:
        client.request("GET", "/v1/info/balance")  # no trailing slash: another method for Zadarma

    assert caught.value.http_status == 404
    assert fake.requests[-1].authorized
    assert client.request("GET", "/v1/info/balance/")["currency"] == "USD"


# --- methods ----------------------------------------------------------------------------------------------------


def test_callback_rings_the_extension_then_the_client(client: ZadarmaClient, fake: FakeZadarma) -> None:
    answer = client.callback("100", "+442037691881", sip="100", predicted=True)

    assert answer["status"] == "success"
    assert answer["to"] == "442037691881"
    assert fake.callbacks == [RequestedCallback(from_="100", to="442037691881", sip="100", predicted=True, api_key=KEY)]


def test_callback_without_prediction_sends_no_flag(client: ZadarmaClient, fake: FakeZadarma) -> None:
    client.callback("+442037691880", "+442037691881")

    assert fake.requests[-1].params == {"format": "json", "from": "442037691880", "to": "442037691881"}
    assert fake.callbacks[0].predicted is False


def test_send_sms_sends_digits_and_the_sender_as_caller_id(client: ZadarmaClient, fake: FakeZadarma) -> None:
    result = client.send_sms("+442037691880", "Hello world!", sender="Teamsale")

    assert result == SmsResult(messages=1, cost="0.06", currency="USD", denied=())
    assert fake.sent_sms == [SentSms(number="442037691880", message="Hello world!", sender="Teamsale", parts=1)]
    assert fake.requests[-1].params["caller_id"] == "Teamsale"
    assert "sender" not in fake.requests[-1].params


def test_send_sms_reports_denied_numbers(client: ZadarmaClient, fake: FakeZadarma) -> None:
    fake.deny_sms_to("+33612345678", "The number is in the stop list")

    result = client.send_sms("+33612345678", "Hello")

    assert result.messages == 0
    assert result.denied == (("33612345678", "The number is in the stop list"),)
    assert fake.sent_sms == []


def test_record_link_by_call_id_downloads_the_recording(client: ZadarmaClient, fake: FakeZadarma) -> None:
    fake.add_recording(call_id="1585918082.92858", pbx_call_id="in_394b", content=b"ID3-mp3-bytes")

    links = client.record_links(call_id="1585918082.92858")

    assert len(links) == 1
    assert fake.requests[-1].params["lifetime"] == "5184000"
    assert client.download(links[0]) == b"ID3-mp3-bytes"


def test_record_links_by_pbx_call_id_return_every_leg(client: ZadarmaClient, fake: FakeZadarma) -> None:
    fake.add_recording(call_id="1.1", pbx_call_id="in_abc", content=b"leg one")
    fake.add_recording(call_id="1.2", pbx_call_id="in_abc", content=b"leg two")

    links = client.record_links(pbx_call_id="in_abc", lifetime=180)

    assert [client.download(link) for link in links] == [b"leg one", b"leg two"]


def test_a_recording_not_ready_yet_is_file_not_found_then_found(client: ZadarmaClient, fake: FakeZadarma) -> None:
    fake.add_recording(call_id="1.1", pbx_call_id="in_abc", content=b"mp3", not_ready_for=1)

    with pytest.raises(ZadarmaError) as caught:
        client.record_links(call_id="1.1")

    assert caught.value.message == "File not found"
    assert not isinstance(caught.value, ZadarmaUnavailableError)
    assert client.download(client.record_links(call_id="1.1")[0]) == b"mp3"


def test_record_links_needs_exactly_one_id(client: ZadarmaClient) -> None:
    with pytest.raises(ValueError, match="exactly one"):
        client.record_links()
    with pytest.raises(ValueError, match="exactly one"):
        client.record_links(call_id="1.1", pbx_call_id="in_abc")


def test_download_of_a_dead_link_is_unavailable(client: ZadarmaClient, fake: FakeZadarma) -> None:
    with pytest.raises(ZadarmaUnavailableError) as caught:
        client.download(f"{fake.base_url}/recordings/gone.mp3")

    assert caught.value.http_status == 404


def test_download_refuses_non_web_links_and_oversized_files(client: ZadarmaClient, fake: FakeZadarma) -> None:
    fake.add_recording(call_id="1.1", pbx_call_id="in_abc", content=b"x" * 100)
    link = client.record_links(call_id="1.1")[0]

    with pytest.raises(ZadarmaError, match="not a web link"):
        client.download("file:///etc/passwd")
    with pytest.raises(ZadarmaError, match="larger than 10 bytes"):
        client.download(link, max_bytes=10)


def test_extension_status_reads_is_online(client: ZadarmaClient, fake: FakeZadarma) -> None:
    fake.set_extension_online("100", True)

    assert client.extension_status("100") is True
    assert client.extension_status("101") is False
    assert fake.requests[-1].path == "/v1/pbx/internal/101/status/"
    with pytest.raises(ValueError, match="not a PBX extension"):
        client.extension_status("../info")


def test_speech_recognition_returns_phrases_by_channel(client: ZadarmaClient, fake: FakeZadarma) -> None:
    fake.set_transcript("1585918082.92858", [(1, "Hello, how can I help?"), (2, "I'd like a quote")])

    transcript = client.speech_recognition("1585918082.92858", lang="en-EN")

    assert transcript == Transcript("recognized", ((1, "Hello, how can I help?"), (2, "I'd like a quote")))
    assert fake.requests[-1].params["return"] == "phrases"
    assert fake.requests[-1].params["lang"] == "en-EN"


def test_speech_recognition_of_an_unknown_recording_has_no_phrases(client: ZadarmaClient) -> None:
    assert client.speech_recognition("0.0") == Transcript("not available for recognize", ())


def test_timezone_follows_the_cabinet(client: ZadarmaClient, fake: FakeZadarma) -> None:
    fake.timezone = "UTC-5"

    assert client.timezone() == "UTC-5"


# --- rate limits and failures -----------------------------------------------------------------------------------


def test_every_answer_updates_the_rate_limit(client: ZadarmaClient) -> None:
    client.timezone()
    client.timezone()

    limit = client.last_rate_limit
    assert limit is not None
    assert (limit.limit, limit.remaining) == (RATE_LIMIT, RATE_LIMIT - 2)
    assert limit.reset_at is not None
    assert time.time() < limit.reset_at <= time.time() + 60


def test_429_is_rate_limited_with_its_reset_time(client: ZadarmaClient, fake: FakeZadarma) -> None:
    fake.fail_next("/v1/sms/send/", 429)

    with pytest.raises(ZadarmaRateLimitedError) as caught:
        client.send_sms("+442037691880", "Hello")

    assert caught.value.http_status == 429
    assert caught.value.message == "You exceeded the rate limit"
    assert caught.value.reset_at is not None
    assert caught.value.reset_at > time.time()


def test_no_request_is_sent_while_the_limit_is_exhausted(client: ZadarmaClient, fake: FakeZadarma) -> None:
    fake.fail_next("/v1/sms/send/", 429)
    with pytest.raises(ZadarmaRateLimitedError):
        client.send_sms("+442037691880", "Hello")
    sent = len(fake.requests)

    with pytest.raises(ZadarmaRateLimitedError) as caught:
        client.timezone()

    assert len(fake.requests) == sent
    assert caught.value.http_status is None


def test_a_past_or_implausible_reset_does_not_hold_requests_back(client: ZadarmaClient) -> None:
    client.last_rate_limit = RateLimit(limit=100, remaining=0, reset_at=time.time() - 1)
    assert client.timezone() == "UTC+3"

    # A reset days away is a misread header (milliseconds, say), not a reason to stop for days.
    client.last_rate_limit = RateLimit(limit=100, remaining=0, reset_at=time.time() * 1000)
    assert client.timezone() == "UTC+3"


def test_the_fake_enforces_the_rate_limit_like_zadarma(client: ZadarmaClient, fake: FakeZadarma) -> None:
    for _ in range(RATE_LIMIT):
        client.request("GET", "/v1/info/balance/")

    assert client.last_rate_limit is not None
    assert client.last_rate_limit.remaining == 0
    with pytest.raises(ZadarmaRateLimitedError):
        client.timezone()  # refused by the client itself
    client.last_rate_limit = None
    with pytest.raises(ZadarmaRateLimitedError) as caught:
        client.timezone()  # refused by the server
    assert caught.value.http_status == 429


@pytest.mark.parametrize("status", [500, 502, 503])
def test_server_errors_are_unavailable(client: ZadarmaClient, fake: FakeZadarma, status: int) -> None:
    fake.fail_next("/v1/info/timezone/", status)

    with pytest.raises(ZadarmaUnavailableError) as caught:
        client.timezone()

    assert caught.value.http_status == status
    assert client.timezone() == "UTC+3"  # the failure was for one request only


def test_client_errors_are_permanent(client: ZadarmaClient, fake: FakeZadarma) -> None:
    fake.fail_next("/v1/request/callback/", 400)

    with pytest.raises(ZadarmaError) as caught:
        client.callback("100", "+442037691881")

    assert type(caught.value) is ZadarmaError
    assert caught.value.http_status == 400


def test_a_closed_port_is_unavailable() -> None:
    client = ZadarmaClient(KEY, SECRET, closed_port_url(), timeout=2)

    with pytest.raises(ZadarmaUnavailableError):
        client.timezone()
    with pytest.raises(ZadarmaUnavailableError):
        client.download(f"{closed_port_url()}/recordings/1.1.mp3")


def test_the_fake_refuses_unsigned_requests_and_always_sends_rate_limit_headers(fake: FakeZadarma) -> None:
    response = requests.get(f"{fake.base_url}/v1/info/balance/?format=json", timeout=5)

    assert response.status_code == 401
    assert response.json() == {"status": "error", "message": "Not authorized"}
    assert {"X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset"} <= set(response.headers)
    assert fake.requests[-1].authorized is False
