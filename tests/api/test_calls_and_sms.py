"""Click-to-call (TE-5, TE-8), SMS and templates (SM-1, SM-3, SM-4), extension status (TM-1)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from chalicelib.db.repositories.presence import ExtensionStatusRepository
from chalicelib.domain.rights import Permission
from chalicelib.ports.queries.calls import KnownStatus
from functions.due import handler as due_handler
from infra.local.iam import acting_as
from tests.harness import Api, add_member
from tests.pbx import Pbx, call_id, fake_pbx, incoming


@pytest.fixture
def pbx(api: Api) -> Iterator[Pbx]:
    with fake_pbx(api) as kit:
        kit.new_crm()
        yield kit


def test_click_to_call_rings_the_users_extension_then_the_number(pbx: Pbx) -> None:
    assert pbx.crm is not None
    token = pbx.crm.token
    client = pbx.api.post("/v1/clients", {"name": "Acme", "phones": [{"phone": "+33612345678"}]}, token=token).json

    by_contact = pbx.api.post("/v1/calls", {"contact_id": client["id"]}, token=token)
    local = pbx.api.post("/v1/calls", {"to": "06 98 76 54 32"}, token=token)  # TE-8: completed with FR

    assert (by_contact.status, by_contact.json) == (
        202, {"status": "requested", "extension": "100", "to": "+33612345678", "contact_id": client["id"],
              "user_id": None, "via": "softphone"}
    )  # fmt: skip
    assert local.json["to"] == "+33698765432"
    assert [(c.from_, c.to, c.sip) for c in pbx.fake.callbacks] == [
        ("100", "33612345678", "100"), ("100", "33698765432", "100")
    ]  # fmt: skip
    assert all(r.authorized for r in pbx.fake.requests)  # every request signed as the real API expects


def test_calling_a_colleague_connects_the_two_extensions_through_the_pbx(pbx: Pbx) -> None:
    """TM-1: POST /v1/calls to a colleague's extension rings the caller's extension, then the
    colleague's (the PBX's callback between two internal numbers)."""
    crm = pbx.new_crm(users=[{"name": "Bo", "email": "bo@example.com", "extension": "101"},
                             {"name": "Cy", "email": "cy@example.com", "extension": "102"}])  # fmt: skip
    bo, cy = crm.users[0], crm.users[1]

    called = pbx.api.post("/v1/calls", {"to": "101"}, token=crm.token)

    assert (called.status, called.json) == (
        202, {"status": "requested", "extension": "100", "to": "101", "contact_id": None, "user_id": bo["id"],
              "via": "softphone"}
    )  # fmt: skip
    assert [(c.from_, c.to, c.sip) for c in pbx.fake.callbacks] == [("100", "101", "100")]
    # An extension no colleague has, one's own, a deactivated colleague's: 400 on `to`, nothing dialled.
    assert pbx.api.post(f"/v1/users/{cy['id']}/deactivate", token=crm.token).status == 200
    for to in ("109", "100", "102"):
        refused = pbx.api.post("/v1/calls", {"to": to}, token=crm.token)
        assert (refused.status, refused.error["field"]) == (400, "to"), (to, refused.json)
    with_contact = pbx.api.post("/v1/calls", {"to": "101", "contact_id": "x"}, token=crm.token)
    assert (with_contact.status, with_contact.error["field"]) == (400, "contact_id")
    assert len(pbx.fake.callbacks) == 1
    pbx.fake.fail_next("/v1/request/callback/", status=429)
    assert pbx.api.post("/v1/calls", {"to": "101"}, token=crm.token).status == 429


def test_dialling_rules_and_pbx_failures_are_clear_errors(pbx: Pbx) -> None:
    assert pbx.crm is not None
    token = pbx.crm.token
    settings = pbx.api.get("/v1/settings/telephony", token=token).json
    pbx.api.request("PUT", "/v1/settings/telephony",
                    {"version": settings["version"], "dial_without_country_code": False}, token=token)  # fmt: skip
    refused = pbx.api.post("/v1/calls", {"to": "06 98 76 54 32"}, token=token)
    assert (refused.status, refused.error["field"]) == (400, "to")
    assert pbx.api.post("/v1/calls", {"to": "0033698765432"}, token=token).status == 202
    assert pbx.api.post("/v1/calls", {"to": "hello"}, token=token).error["field"] == "to"
    assert pbx.api.post("/v1/calls", {}, token=token).error["field"] == "to"

    pbx.fake.fail_next("/v1/request/callback/", status=429)
    limited = pbx.api.post("/v1/calls", {"to": "+33698765432"}, token=token)
    assert (limited.status, limited.error["code"]) == (429, "rate_limited")
    pbx.fake.fail_next("/v1/request/callback/", status=502)
    assert pbx.api.post("/v1/calls", {"to": "+33698765432"}, token=token).status == 503

    no_extension = add_member(pbx.api, pbx.crm, set())
    missing = pbx.api.post("/v1/calls", {"to": "+33698765432"}, token=no_extension.token)
    assert (missing.status, missing.error["field"]) == (409, "extension")


def test_an_sms_to_a_contact_lands_in_its_feed_and_templates_fill_in_the_name(pbx: Pbx) -> None:
    assert pbx.crm is not None
    token = pbx.crm.token
    client = pbx.api.post("/v1/clients", {"name": "Ada", "phones": [{"phone": "+33612345678"}]}, token=token).json
    template = pbx.api.post("/v1/sms-templates", {"title": "Visit", "text": "Hello {name}, see you at 11:00"},
                            token=token)  # fmt: skip
    assert template.status == 201, template.json

    sent = pbx.api.post("/v1/sms", {"contact_id": client["id"], "template_id": template.json["id"]}, token=token)
    assert sent.status == 201, sent.json
    assert (sent.json["to"], sent.json["text"]) == ("+33612345678", "Hello Ada, see you at 11:00")
    assert [(s.number, s.message) for s in pbx.fake.sent_sms] == [("33612345678", "Hello Ada, see you at 11:00")]
    entry = pbx.api.get(f"/v1/clients/{client['id']}/feed", token=token).json["items"][0]
    assert (entry["kind"], entry["text"], entry["data"]["direction"]) == ("sms", "Hello Ada, see you at 11:00",
                                                                          "outgoing")  # fmt: skip


def test_an_sms_to_an_unknown_number_makes_a_lead_and_refusals_are_reported(pbx: Pbx) -> None:
    assert pbx.crm is not None
    token = pbx.crm.token
    sent = pbx.api.post("/v1/sms", {"to": "+33677777777", "text": "Thanks for your call"}, token=token)
    assert sent.status == 201, sent.json
    [lead] = pbx.api.get("/v1/leads?scope=all", token=token).json["items"]
    assert (lead["lead_source"], lead["responsible_user_id"], sent.json["contact_id"]) == (
        "sms", pbx.crm.admin["id"], lead["id"]
    )  # fmt: skip

    pbx.fake.deny_sms_to("+33688888888", "Number is blacklisted")
    denied = pbx.api.post("/v1/sms", {"to": "+33688888888", "text": "Hi"}, token=token)
    assert (denied.status, denied.error["field"]) == (409, "to")
    assert "blacklisted" in denied.error["message"]
    both = pbx.api.post("/v1/sms", {"to": "+33688888888", "text": "Hi", "template_id": "x"}, token=token)
    assert (both.status, both.error["field"]) == (400, "text")


def test_sms_templates_are_managed_by_administrators(pbx: Pbx) -> None:
    assert pbx.crm is not None
    token = pbx.crm.token
    created = pbx.api.post("/v1/sms-templates", {"title": "Promo", "text": "-10% this week"}, token=token).json
    member = add_member(pbx.api, pbx.crm, {Permission.CUSTOMERS_EDIT})
    assert pbx.api.post("/v1/sms-templates", {"title": "X", "text": "Y"}, token=member.token).status == 403
    assert [t["title"] for t in pbx.api.get("/v1/sms-templates", token=member.token).json["items"]] == ["Promo"]

    edited = pbx.api.request("PATCH", f"/v1/sms-templates/{created['id']}", {"version": 1, "text": "-20%"}, token=token)
    assert (edited.status, edited.json["text"], edited.json["version"]) == (200, "-20%", 2)
    stale = pbx.api.request("PATCH", f"/v1/sms-templates/{created['id']}", {"version": 1, "text": "x"}, token=token)
    assert stale.status == 409
    assert pbx.api.request("DELETE", f"/v1/sms-templates/{created['id']}", token=token).status == 204
    assert pbx.api.get("/v1/sms-templates", token=token).json["items"] == []


def test_past_broadcasts_are_listed_newest_first_to_their_creator_and_administrators(pbx: Pbx) -> None:
    assert pbx.crm is not None
    token = pbx.crm.token
    client = pbx.api.post("/v1/clients", {"name": "Acme", "phones": [{"phone": "+33612345678"}]}, token=token).json
    first = pbx.api.post("/v1/sms-broadcasts", {"contact_ids": [client["id"]], "text": "One"}, token=token)
    second = pbx.api.post("/v1/sms-broadcasts", {"contact_ids": [client["id"]], "text": "Two"}, token=token)
    assert (first.status, second.status) == (202, 202)

    listed = pbx.api.get("/v1/sms-broadcasts?limit=1", token=token)
    assert listed.status == 200
    page_one = listed.json["items"]
    rest = pbx.api.get(f"/v1/sms-broadcasts?limit=1&cursor={listed.json['next_cursor']}", token=token).json
    assert [b["id"] for b in (*page_one, *rest["items"])] == [second.json["id"], first.json["id"]]
    assert {k: page_one[0][k] for k in ("text", "total", "template_id")} == {"text": "Two", "total": 1,
                                                                              "template_id": None}  # fmt: skip
    member = add_member(pbx.api, pbx.crm, {Permission.CUSTOMERS_VIEW_ALL})
    assert pbx.api.get("/v1/sms-broadcasts", token=member.token).json["items"] == []  # not theirs


def test_a_deferred_sms_task_is_sent_through_the_pbx(pbx: Pbx) -> None:
    assert pbx.crm is not None
    start = datetime.now(UTC) - timedelta(minutes=1)  # due already: sent on the next run
    body = {"type": "sms", "title": "Reminder", "start": start.isoformat(), "phone": "+33612345678",
            "sms_text": "Your appointment is tomorrow", "remind_minutes_before": None}  # fmt: skip
    created = pbx.api.post("/v1/tasks", body, token=pbx.crm.token)
    assert created.status == 201, created.json

    # As the schedule runs it in AWS: the handler with the registry's access only (IAM).
    with acting_as("DueActions"):
        assert due_handler({"detail-type": "Scheduled Event"}, None)["fired"] == 1
    assert [(s.number, s.message) for s in pbx.fake.sent_sms] == [("33612345678", "Your appointment is tomorrow")]
    task = pbx.api.get(f"/v1/tasks/{created.json['id']}", token=pbx.crm.token).json
    assert (task["status"], task["sms_status"]) == ("done", "sent")


def test_the_team_list_shows_which_extensions_are_online(pbx: Pbx) -> None:
    assert pbx.crm is not None
    pbx.fake.set_extension_online("100", True)
    reply = pbx.api.get("/v1/telephony/extensions", token=pbx.crm.token)
    assert reply.status == 200, reply.json
    assert reply.json["items"] == [
        {"user_id": pbx.crm.admin["id"], "name": "Ada Admin", "extension": "100", "online": True}
    ]


def test_the_team_list_asks_the_pbx_about_an_extension_once_a_minute_however_often_it_is_read(pbx: Pbx) -> None:
    """Zadarma allows 100 requests a minute for the whole account, click-to-call and SMS included."""
    assert pbx.crm is not None

    def online() -> bool | None:
        reply = pbx.api.get("/v1/telephony/extensions", token=pbx.crm.token)
        assert reply.status == 200, reply.json
        return reply.json["items"][0]["online"]

    def asked() -> int:
        return sum(1 for r in pbx.fake.requests if r.path == "/v1/pbx/internal/100/status/")

    pbx.fake.set_extension_online("100", True)
    assert [online() for _ in range(5)] == [True] * 5
    assert asked() == 1
    pbx.fake.set_extension_online("100", False)
    assert online() is True  # what the PBX said less than a minute ago
    repo = ExtensionStatusRepository(pbx.crm.id)
    repo.save({"100": KnownStatus(True, datetime.now(UTC) - timedelta(seconds=61))})
    assert online() is False
    assert asked() == 2

    # A 429 keeps what was known, and the PBX is not asked again within the minute.
    repo.save({"100": KnownStatus(False, datetime.now(UTC) - timedelta(seconds=61))})
    pbx.fake.fail_next("/v1/pbx/internal/100/status/", status=429)
    assert [online(), online()] == [False, False]
    assert asked() == 3


def test_the_incoming_call_panel_sees_the_call_ringing_then_answered_by_one(pbx: Pbx) -> None:
    """Issue 16 item 9: GET /v1/calls/current is the call going on for the caller (ringing from
    a caller they are responsible for or nobody is, or answered by their extension), with the
    identified contact; nothing once it ended."""
    crm = pbx.new_crm()
    client = pbx.api.post("/v1/clients", {"name": "Acme", "phones": [{"phone": "+33612345678"}]}, token=crm.token).json
    assert pbx.api.get("/v1/calls/current", token=crm.token).json == {"call": None}

    events = incoming(call_id())
    pbx.post(events["start"])
    pbx.post(events["internal"])
    ringing = pbx.api.get("/v1/calls/current", token=crm.token)
    assert ringing.status == 200
    assert ringing.json["call"]["status"] is None
    assert ringing.json["call"]["contact"] == {"type": "client", "id": client["id"], "name": "Acme"}
    assert ringing.json["call"]["phone"] == "+33612345678"

    pbx.post(events["answer"])
    answered = pbx.api.get("/v1/calls/current", token=crm.token).json["call"]
    assert (answered["id"], answered["user_id"]) == (ringing.json["call"]["id"], crm.admin["id"])

    pbx.post(events["end"])
    assert pbx.api.get("/v1/calls/current", token=crm.token).json == {"call": None}

    # An unknown number ringing: shown (the caller is made a lead or nobody's yet).
    unknown = incoming(call_id(), caller="+33655555555")
    pbx.post(unknown["start"])
    current = pbx.api.get("/v1/calls/current", token=crm.token).json["call"]
    assert current["phone"] == "+33655555555"
    assert pbx.api.get("/v1/calls/current").status == 401
