"""The web phone and telephony modes over HTTP, with the fake PBX (TE-5, TE-7, TM-1).

`GET /v1/me/webphone` serves one's own WebRTC key from the PBX's `GET /v1/webrtc/get_key/`;
`POST /v1/calls` follows the caller's mode; `POST /v1/calls/{id}/transfer` records a hand-over.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from tests.harness import Api
from tests.pbx import Pbx, call_id, fake_pbx, incoming

ALWAYS = {"timezone": "Europe/Paris", "period_days": 1, "start_date": "2026-01-01",
          "shifts": [{"day": 0, "start": "00:00", "end": "00:00"}]}  # fmt: skip


def never() -> dict[str, object]:
    """A schedule with the days around now off (whatever the zone)."""
    today = datetime.now(UTC).date()
    days = [(today + timedelta(days=d)).isoformat() for d in (-1, 0, 1)]
    return {**ALWAYS, "exceptions": [{"date": d, "shifts": []} for d in days]}


@pytest.fixture
def pbx(api: Api) -> Iterator[Pbx]:
    with fake_pbx(api) as kit:
        yield kit


def set_mode(pbx: Pbx, token: str, mode: str, hours: dict[str, object] | None = None) -> None:
    assert pbx.api.request("PATCH", "/v1/me", {"telephony_mode": mode}, token=token).status == 200
    if hours is not None:
        assert pbx.api.request("PUT", "/v1/me/working-hours", hours, token=token).status == 200


def test_the_webphone_key_comes_from_the_pbx_once_and_is_the_users_own(pbx: Pbx) -> None:
    crm = pbx.new_crm(mode="webphone")
    first = pbx.api.get("/v1/me/webphone", token=crm.token)
    assert first.status == 200, first.json
    assert (first.json["key"], first.json["extension"], first.json["widget"]) == (
        "fake-webrtc-100-1",
        "100",
        "stand_in",
    )
    assert (first.json["mode"], first.json["phone"]) == ("webphone", "webphone")
    expires = datetime.fromisoformat(first.json["expires_at"].replace("Z", "+00:00"))
    assert timedelta(hours=71) < expires - datetime.now(UTC) <= timedelta(hours=72)

    again = pbx.api.get("/v1/me/webphone", token=crm.token)
    assert again.json["key"] == "fake-webrtc-100-1"  # kept: the PBX is asked once
    assert pbx.fake.webrtc_keys == ["100"]
    assert all(r.authorized for r in pbx.fake.requests if r.path == "/v1/webrtc/get_key/")


def test_click_to_call_follows_the_callers_mode(pbx: Pbx) -> None:
    crm = pbx.new_crm()  # softphone: the PBX's callback
    softphone = pbx.api.post("/v1/calls", {"to": "+33612345678"}, token=crm.token)
    assert (softphone.status, softphone.json["via"]) == (202, "softphone")
    assert [(c.from_, c.to) for c in pbx.fake.callbacks] == [("100", "33612345678")]

    set_mode(pbx, crm.token, "webphone")
    webphone = pbx.api.post("/v1/calls", {"to": "06 98 76 54 32"}, token=crm.token)
    assert (webphone.status, webphone.json["via"], webphone.json["to"]) == (202, "webphone", "+33698765432")
    assert len(pbx.fake.callbacks) == 1  # nothing asked of the PBX: the web phone dials

    set_mode(pbx, crm.token, "webphone_working_hours", ALWAYS)
    assert pbx.api.post("/v1/calls", {"to": "+33612345678"}, token=crm.token).json["via"] == "webphone"
    assert pbx.api.get("/v1/me/webphone", token=crm.token).json["phone"] == "webphone"
    set_mode(pbx, crm.token, "webphone_working_hours", never())
    assert pbx.api.post("/v1/calls", {"to": "+33612345678"}, token=crm.token).json["via"] == "softphone"
    assert pbx.api.get("/v1/me/webphone", token=crm.token).json["phone"] == "softphone"
    assert len(pbx.fake.callbacks) == 2


def test_a_transfer_from_the_call_panel_is_recorded_in_the_call_and_its_feed(pbx: Pbx) -> None:
    crm = pbx.new_crm(mode="webphone", users=[{"name": "Bo", "email": "bo@example.com", "extension": "101"}])
    bo = crm.users[0]
    client = pbx.api.post("/v1/clients", {"name": "Acme", "phones": [{"phone": "+33612345678"}]}, token=crm.token).json
    pbx_call = call_id()
    events = incoming(pbx_call)
    for name in ("start", "internal", "answer"):
        assert pbx.post(events[name]).status == 200

    done = pbx.api.post(f"/v1/calls/{pbx_call}/transfer", {"user_id": bo["id"]}, token=crm.token)
    assert done.status == 200, done.json
    assert (done.json["digits"], done.json["to_extension"], done.json["attended"]) == ("#101", "101", False)
    call = pbx.api.get(f"/v1/calls/{pbx_call}", token=crm.token).json
    assert [(t["to_user_id"], t["to_extension"], t["attended"]) for t in call["transfers"]] == [
        (bo["id"], "101", False)
    ]
    feed = pbx.api.get(f"/v1/clients/{client['id']}/feed", token=crm.token).json["items"]
    (line,) = [item for item in feed if item["kind"] == "call"]
    assert line["call"]["transferred_to"] == [bo["id"]]

    attended = pbx.api.post(f"/v1/calls/{pbx_call}/transfer", {"user_id": bo["id"], "attended": True}, token=crm.token)
    assert attended.json["digits"] == "*101"
    assert pbx.api.post(f"/v1/calls/{pbx_call}/transfer", {"user_id": crm.admin["id"]}, token=crm.token).status == 400
    assert pbx.post(events["end"]).status == 200
    over = pbx.api.post(f"/v1/calls/{pbx_call}/transfer", {"user_id": bo["id"]}, token=crm.token)
    assert (over.status, over.error["field"]) == (409, "call_id")
