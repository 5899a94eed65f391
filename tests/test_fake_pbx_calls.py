"""The local stack's fake PBX plays a requested call into the CRM whose PBX key asked for it
(infra/local/stack.py `requested_call`), in-process: a number is an outgoing call, a
colleague's extension an internal one."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from infra.local.fake_zadarma import RequestedCallback
from infra.local.replay import signed_delivery
from infra.local.stack import requested_call
from tests.harness import PASSWORD, Api, CrmSession, new_crm
from tests.pbx import KEY, SECRET, Pbx, fake_pbx

OTHER_KEY, OTHER_SECRET = "other-pbx-key", "other-pbx-secret"


@pytest.fixture
def pbx(api: Api) -> Iterator[Pbx]:
    with fake_pbx(api) as kit:
        kit.fake.add_account(OTHER_KEY, OTHER_SECRET)
        yield kit


def _play(pbx: Pbx, callback: RequestedCallback) -> tuple[str, list[str]]:
    """Deliver what the fake PBX plays for `callback`; the CRM's slug and the events' names."""
    played = requested_call(callback, pbx.fake.secret_of)
    assert played is not None
    slug, secret, events = played
    for fields in events:
        body, headers = signed_delivery(fields, secret)
        reply = pbx.api.request("POST", f"/v1/webhooks/zadarma/{slug}", body.decode(), headers=headers)
        assert reply.status == 200, (fields, reply.json)
    return slug, [e["event"] for e in events]


def _calls(pbx: Pbx, crm: CrmSession) -> list[dict]:
    return pbx.api.get("/v1/calls", token=crm.token).json["items"]


def test_a_requested_call_is_played_into_the_crm_whose_pbx_key_asked(pbx: Pbx) -> None:
    demo = pbx.new_crm()  # the demo CRM's role: the first CRM with a PBX
    colleagues = [{"name": "Bo", "email": "bo@example.com", "extension": "101"}]
    mine = new_crm(pbx.api, pbx={"api_key": OTHER_KEY, "api_secret": OTHER_SECRET}, users=colleagues)
    assert pbx.api.request("PATCH", "/v1/me", {"telephony_mode": "softphone"}, token=mine.token).status == 200
    callbacks: list[RequestedCallback] = []
    pbx.fake.on_callback = callbacks.append

    assert pbx.api.post("/v1/calls", {"to": "+33612345678"}, token=mine.token).status == 202
    assert pbx.api.post("/v1/calls", {"to": "101"}, token=mine.token).status == 202
    [outgoing, internal] = callbacks
    assert (outgoing.api_key, internal.api_key) == (OTHER_KEY, OTHER_KEY)

    assert _play(pbx, outgoing) == (mine.slug, ["NOTIFY_OUT_START", "NOTIFY_OUT_END"])
    assert _play(pbx, internal) == (mine.slug, ["NOTIFY_INTERNAL", "NOTIFY_ANSWER", "NOTIFY_END"])

    calls = _calls(pbx, mine)
    assert len(calls) == 2
    assert [c["direction"] for c in calls if c["phone"] == "+33612345678"] == ["outgoing"]
    assert all(c["direction"] != "outgoing" for c in calls if c["phone"] != "+33612345678")
    assert _calls(pbx, demo) == []  # nothing went into the other CRM


def test_a_key_shared_by_crms_goes_to_the_one_with_the_calling_extension(pbx: Pbx) -> None:
    first = pbx.new_crm()
    admin = {"name": "Al", "email": "al@example.com", "password": PASSWORD, "extension": "555"}
    second = new_crm(pbx.api, pbx={"api_key": KEY, "api_secret": SECRET}, admin=admin)
    assert requested_call(RequestedCallback("555", "33612345678", None, False, KEY), pbx.fake.secret_of)[0] == (
        second.slug
    )
    assert requested_call(RequestedCallback("100", "33612345678", None, False, KEY), pbx.fake.secret_of)[0] == (
        first.slug
    )
    assert requested_call(RequestedCallback("100", "33612345678", None, False, "unknown"), pbx.fake.secret_of) is None
