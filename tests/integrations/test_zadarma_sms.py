"""ZadarmaSmsSender: the SmsSender port over a CRM's own Zadarma account, and how refusals map."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest

from chalicelib.domain.errors import UnavailableError
from chalicelib.integrations.zadarma.sms import ZadarmaSmsSender
from chalicelib.ports.outside import SmsReceipt, SmsRejectedError
from infra.local.fake_zadarma import FakeZadarma

KEY, SECRET = "crm-key", "crm-secret"
KEYS = {"acme": (KEY, SECRET), "forged": (KEY, "wrong-secret")}


@pytest.fixture
def fake() -> Iterator[FakeZadarma]:
    with FakeZadarma({KEY: SECRET}) as server:
        yield server


@pytest.fixture
def sender(fake: FakeZadarma) -> ZadarmaSmsSender:
    return ZadarmaSmsSender(KEYS.get, fake.base_url)


def test_sms_is_sent_from_the_crms_own_account(sender: ZadarmaSmsSender, fake: FakeZadarma) -> None:
    receipt = sender.send("acme", "+33612345678", "Your appointment is at 14:00")

    assert receipt == SmsReceipt(message_id=None, parts=1)
    assert [(sms.number, sms.message) for sms in fake.sent_sms] == [("33612345678", "Your appointment is at 14:00")]


def test_parts_are_what_zadarma_counted(sender: ZadarmaSmsSender) -> None:
    assert sender.send("acme", "+33612345678", "é" * 100).parts == 2


def test_a_crm_without_pbx_keys_is_refused(fake: FakeZadarma) -> None:
    sender = ZadarmaSmsSender(lambda tenant_id: None, fake.base_url)

    with pytest.raises(SmsRejectedError, match="the PBX API keys are not set"):
        sender.send("acme", "+33612345678", "Hello")
    assert fake.requests == []


def test_a_denied_number_is_refused_with_zadarmas_reason(sender: ZadarmaSmsSender, fake: FakeZadarma) -> None:
    fake.deny_sms_to("+33612345678", "The number is in the stop list")

    with pytest.raises(SmsRejectedError, match="The number is in the stop list"):
        sender.send("acme", "+33612345678", "Hello")


def test_wrong_keys_are_a_permanent_refusal(sender: ZadarmaSmsSender) -> None:
    with pytest.raises(SmsRejectedError, match="Not authorized"):
        sender.send("forged", "+33612345678", "Hello")


def test_a_rate_limit_is_retried_later(sender: ZadarmaSmsSender, fake: FakeZadarma) -> None:
    fake.fail_next("/v1/sms/send/", 429)

    with pytest.raises(UnavailableError):
        sender.send("acme", "+33612345678", "Hello")


def test_the_rate_limit_holds_back_the_crms_next_sms(sender: ZadarmaSmsSender, fake: FakeZadarma) -> None:
    fake.fail_next("/v1/sms/send/", 429)
    with pytest.raises(UnavailableError):
        sender.send("acme", "+33612345678", "Hello")
    sent = len(fake.requests)

    with pytest.raises(UnavailableError):
        sender.send("acme", "+33612345679", "Hello again")

    assert len(fake.requests) == sent


@pytest.mark.parametrize("status", [500, 503])
def test_a_server_error_is_retried_later(sender: ZadarmaSmsSender, fake: FakeZadarma, status: int) -> None:
    fake.fail_next("/v1/sms/send/", status)

    with pytest.raises(UnavailableError):
        sender.send("acme", "+33612345678", "Hello")


def test_an_unreachable_zadarma_is_retried_later() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    sender = ZadarmaSmsSender(KEYS.get, f"http://127.0.0.1:{port}")

    with pytest.raises(UnavailableError):
        sender.send("acme", "+33612345678", "Hello")


def test_another_refusal_is_permanent(sender: ZadarmaSmsSender, fake: FakeZadarma) -> None:
    fake.fail_next("/v1/sms/send/", 400)

    with pytest.raises(SmsRejectedError):
        sender.send("acme", "+33612345678", "Hello")


def test_an_invalid_number_is_refused(sender: ZadarmaSmsSender) -> None:
    with pytest.raises(SmsRejectedError, match="Check phone's number"):
        sender.send("acme", "not a number", "Hello")
