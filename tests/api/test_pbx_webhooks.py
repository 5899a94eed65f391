"""PBX webhooks (TE-1..4, SO-1, SO-3): signed, idempotent, order-independent; auto-leads; routing."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from chalicelib.domain.clock import isoformat_z
from chalicelib.domain.rights import Permission
from tests.fakes.clock import ManualClock
from tests.harness import Api, add_member, admin_actor
from tests.meter import dynamodb_calls
from tests.pbx import KEY, Pbx, call_id, executions, fake_pbx, incoming, outgoing, pbx_now, wait_for_workflows


@pytest.fixture
def pbx(api: Api) -> Iterator[Pbx]:
    with fake_pbx(api) as kit:
        kit.new_crm()
        yield kit


def calls(pbx: Pbx, query: str = "") -> list[dict[str, Any]]:
    assert pbx.crm is not None
    reply = pbx.api.get(f"/v1/calls{query}", token=pbx.crm.token)
    assert reply.status == 200, reply.json
    return list(reply.json["items"])


def leads(pbx: Pbx) -> list[dict[str, Any]]:
    assert pbx.crm is not None
    return list(pbx.api.get("/v1/leads?scope=all&limit=100", token=pbx.crm.token).json["items"])


def feed(pbx: Pbx, kind: str, contact_id: str) -> list[dict[str, Any]]:
    assert pbx.crm is not None
    path = f"/v1/{'clients' if kind == 'client' else 'leads'}/{contact_id}/feed"
    return list(pbx.api.get(path, token=pbx.crm.token).json["items"])


def test_the_url_check_is_echoed_as_plain_text_before_anything_else(pbx: Pbx) -> None:
    for method in ("GET", "POST"):
        reply = pbx.api.request(method, "/v1/webhooks/zadarma/no-such-crm?zd_echo=abc123XYZ")
        assert (reply.status, reply.body, reply.headers["Content-Type"]) == (
            200, b"abc123XYZ", "text/plain; charset=utf-8"
        )  # fmt: skip


def test_unsigned_or_wrongly_signed_events_are_refused_and_store_nothing(pbx: Pbx) -> None:
    events = incoming(call_id())
    assert pbx.post(events["start"], signature="").status == 401
    assert pbx.post(events["start"], secret="not-the-secret").status == 401
    raw_digest = "qYzEgNtEr3nggu/qK8vft7JvS10="  # base64 of the raw digest: not Zadarma's scheme
    assert pbx.post(events["start"], signature=raw_digest).status == 401
    assert calls(pbx) == []
    assert leads(pbx) == []


def test_a_secret_changed_on_another_server_is_honoured_without_waiting_for_the_cache(
    pbx: Pbx, clock: ManualClock
) -> None:
    """Each API container keeps the CRM's PBX secret a few minutes; the PBX signs with the new
    one as soon as it is changed."""
    from chalicelib.bootstrap import services
    from chalicelib.ports.pbx import PBX_SECRET

    assert pbx.crm is not None
    assert pbx.post(incoming(call_id())["start"]).status == 200  # the secret is now kept here
    services().secrets.put(pbx.crm.id, PBX_SECRET, {"api_key": KEY, "api_secret": "rotated-secret"})  # elsewhere
    pbx.fake.add_account(KEY, "rotated-secret")

    fresh = incoming(call_id())["start"]
    assert pbx.post(fresh, secret="rotated-secret").status == 401  # the copy kept is seconds old: not read again
    clock.advance(seconds=11)  # ...and now older than the recheck interval
    assert pbx.post(fresh, secret="rotated-secret").status == 200
    assert pbx.post(incoming(call_id())["start"]).status == 401  # the old secret no longer works


def test_an_unknown_event_is_acknowledged_and_stores_nothing(pbx: Pbx) -> None:
    reply = pbx.post({"event": "NOTIFY_INTERNAL_END", "pbx_call_id": call_id()}, signature="whatever")
    assert (reply.status, reply.json) == (200, {})
    assert pbx.post({"event": "DOCUMENT", "result": "{}"}, signature="").status == 200
    assert calls(pbx) == []


def test_an_incoming_call_from_an_unknown_number_is_logged_with_a_new_lead_and_its_recording(pbx: Pbx) -> None:
    assert pbx.crm is not None
    cid = call_id()
    started = datetime.now(UTC).replace(microsecond=0)
    events = incoming(cid, start=started.astimezone(ZoneInfo("Europe/Paris")).strftime("%Y-%m-%d %H:%M:%S"))
    pbx.fake.add_recording(call_id=events["end"]["call_id_with_rec"], pbx_call_id=cid, content=b"ID3 fake mp3")
    replies = [pbx.post(events[name]) for name in ("start", "internal", "answer", "end", "record")]
    assert [r.status for r in replies] == [200] * 5
    wait_for_workflows()

    [call] = calls(pbx)
    assert (call["id"], call["direction"], call["status"], call["duration_s"]) == (cid, "incoming", "answer", 42)
    assert (call["phone"], call["did"], call["user_id"]) == ("+33612345678", "+33159000000", pbx.crm.admin["id"])
    assert call["started_at"] == isoformat_z(started)  # read in the CRM's zone (Paris)
    assert (call["has_recording"], call["recording"]) == (True, "ready")
    [lead] = leads(pbx)
    assert call["contact"] == {"type": "lead", "id": lead["id"], "name": lead["name"]}
    assert (lead["lead_source"], lead["responsible_user_id"], lead["lead_status"]) == (
        "call_incoming", None, "not_processed"
    )  # fmt: skip
    tags = pbx.api.get("/v1/source-tags", token=pbx.crm.token).json["items"]
    assert [(t["param"], t["value"]) for t in tags] == [("phone", "+33159000000")]  # SO-1: the number called
    assert lead["source_tag_ids"] == [tags[0]["id"]]
    entries = feed(pbx, "lead", lead["id"])
    call_entries = [e for e in entries if e["kind"] == "call"]
    assert len(call_entries) == 1
    assert {k: call_entries[0]["data"][k] for k in ("call_id", "status", "duration_s", "has_recording")} == {
        "call_id": cid, "status": "answer", "duration_s": 42, "has_recording": True
    }  # fmt: skip
    # API.md's Feed item: a call's entry carries the call itself, in the Call's fields.
    assert call_entries[0]["call"] == {
        "id": cid, "direction": "incoming", "status": "answer", "phone": "+33612345678",
        "user_id": pbx.crm.admin["id"], "started_at": isoformat_z(started), "duration_s": 42,
        "has_recording": True, "transferred_to": [],
    }  # fmt: skip
    assert all(e["call"] is None for e in entries if e["kind"] != "call")
    recording = pbx.api.get(f"/v1/calls/{cid}/recording", token=pbx.crm.token)
    assert recording.status == 302
    import requests

    assert requests.get(recording.headers["Location"], timeout=5).content == b"ID3 fake mp3"


def test_a_replayed_webhook_creates_nothing_new(pbx: Pbx) -> None:
    cid = call_id()
    events = incoming(cid)
    pbx.fake.add_recording(call_id=events["end"]["call_id_with_rec"], pbx_call_id=cid, content=b"mp3")
    for _ in range(2):
        for name in ("start", "answer", "end", "record"):
            assert pbx.post(events[name]).status == 200
    wait_for_workflows()

    assert len(calls(pbx)) == 1
    [lead] = leads(pbx)
    assert sorted(e["kind"] for e in feed(pbx, "lead", lead["id"])) == ["call", "event"]
    assert len(executions()) == 1  # one copy of the recording, however often it was announced


def test_events_in_any_order_make_the_same_call(pbx: Pbx) -> None:
    forward, backward = call_id(), call_id()
    start = pbx_now()  # both calls start the same second
    for cid, order in ((forward, ("start", "answer", "end")), (backward, ("end", "answer", "start"))):
        events = incoming(cid, caller="+33611111111", start=start)
        events["end"]["is_recorded"] = "0"
        for name in order:
            assert pbx.post(events[name]).status == 200

    shown = {c["id"]: c for c in calls(pbx)}
    keep = ("direction", "status", "duration_s", "phone", "started_at", "user_id", "contact")
    assert {k: shown[forward][k] for k in keep} == {k: shown[backward][k] for k in keep}
    assert len(leads(pbx)) == 1


def test_concurrent_webhooks_for_one_unknown_number_create_one_lead(pbx: Pbx) -> None:
    deliveries = [incoming(call_id(), caller="+33622222222")[name] for name in ("start", "end") for _ in range(4)]
    for delivery in deliveries:
        delivery["is_recorded"] = "0"
    statuses: list[int] = []
    threads = [threading.Thread(target=lambda d=d: statuses.append(pbx.post(d).status)) for d in deliveries]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert statuses == [200] * len(deliveries)
    [lead] = leads(pbx)
    assert {c["contact"]["id"] for c in calls(pbx)} == {lead["id"]}


def test_an_outgoing_call_to_an_unknown_number_makes_a_lead_for_the_caller(pbx: Pbx) -> None:
    assert pbx.crm is not None
    events = outgoing(call_id("out"), destination="+33698765432")
    for name in ("start", "end"):
        assert pbx.post(events[name]).status == 200
    [call] = calls(pbx)
    assert (call["direction"], call["status"], call["duration_s"]) == ("outgoing", "answer", 65)
    [lead] = leads(pbx)
    assert (lead["lead_source"], lead["responsible_user_id"]) == ("call_outgoing", pbx.crm.admin["id"])


def test_auto_leads_follow_the_telephony_settings(pbx: Pbx) -> None:
    assert pbx.crm is not None
    settings = pbx.api.get("/v1/settings/telephony", token=pbx.crm.token).json
    changed = pbx.api.request(
        "PUT", "/v1/settings/telephony",
        {"version": settings["version"], "auto_lead_incoming_calls": False}, token=pbx.crm.token,
    )  # fmt: skip
    assert changed.status == 200, changed.json
    events = incoming(call_id(), caller="+33633333333")
    events["end"]["is_recorded"] = "0"
    for name in ("start", "end"):
        pbx.post(events[name])
    assert leads(pbx) == []
    [call] = calls(pbx)
    assert call["contact"] is None

    # TE-6: the widget makes a client of the unknown caller in one request.
    made = pbx.api.post(f"/v1/calls/{call['id']}/contact", {"type": "client", "name": "Walk-in"}, token=pbx.crm.token)
    assert made.status == 201, made.json
    client = made.json["contact"]
    assert client["phones"][0]["phone"] == "+33633333333"
    assert made.json["call"]["contact"] == {"type": "client", "id": client["id"], "name": "Walk-in"}
    assert [e["kind"] for e in feed(pbx, "client", client["id"])].count("call") == 1
    again = pbx.api.post(f"/v1/calls/{call['id']}/contact", {"type": "lead", "name": "Twice"}, token=pbx.crm.token)
    assert again.status == 409


def test_a_contact_for_a_call_linked_meanwhile_is_not_created(pbx: Pbx, monkeypatch: pytest.MonkeyPatch) -> None:
    """The contact and the call's link are one transaction: a call linked by someone else
    between the widget's read and its write gets no second contact."""
    from dataclasses import replace

    from chalicelib.bootstrap import services
    from chalicelib.db.repositories.calls import CallRepository

    assert pbx.crm is not None
    token = pbx.crm.token
    settings = pbx.api.get("/v1/settings/telephony", token=token).json
    off = {"version": settings["version"], "auto_lead_incoming_calls": False}
    pbx.api.request("PUT", "/v1/settings/telephony", off, token=token)
    events = incoming(call_id(), caller="+33644444444")
    events["end"]["is_recorded"] = "0"
    for name in ("start", "end"):
        pbx.post(events[name])
    [call] = calls(pbx)
    telephony = services().telephony
    stale = telephony.call(admin_actor(pbx.crm), call["id"])
    other = pbx.api.post("/v1/clients", {"name": "Other", "phones": [{"phone": "+33655555555"}]}, token=token).json
    CallRepository(pbx.crm.id).set_contact(call["id"], "client", other["id"], "Other")  # meanwhile
    monkeypatch.setattr(telephony, "call", lambda actor, call_id: replace(stale, contact_id=None))

    made = pbx.api.post(f"/v1/calls/{call['id']}/contact", {"type": "client", "name": "Second"}, token=token)
    assert (made.status, made.error["field"]) == (409, "call_id")
    assert [c["name"] for c in pbx.api.get("/v1/clients", token=token).json["items"]] == ["Other"]
    assert leads(pbx) == []
    again = pbx.api.post("/v1/clients", {"name": "Free", "phones": [{"phone": "+33644444444"}]}, token=token)
    assert again.status == 201  # the number was not taken by a half-made contact


def test_call_start_is_read_in_the_pbx_time_zone(pbx: Pbx) -> None:
    assert pbx.crm is not None
    settings = pbx.api.get("/v1/settings/telephony", token=pbx.crm.token).json
    pbx.api.request("PUT", "/v1/settings/telephony", {"version": settings["version"], "pbx_timezone": "Europe/Kyiv"},
                    token=pbx.crm.token)  # fmt: skip
    events = incoming(call_id(), start="2026-11-26 22:00:00")
    pbx.post(events["start"])
    assert calls(pbx)[0]["started_at"] == "2026-11-26T20:00:00.000Z"


def test_a_known_callers_call_goes_to_their_manager_when_working(pbx: Pbx, clock: ManualClock) -> None:
    assert pbx.crm is not None
    token = pbx.crm.token
    client = pbx.api.post("/v1/clients", {"name": "Acme Dental", "phones": [{"phone": "+33644444444"}]}, token=token)
    reply = pbx.post(incoming(call_id(), caller="+33644444444")["start"])
    # The admin (extension 100) is responsible and has no working hours: always available.
    assert reply.json == {"caller_name": "Acme Dental", "redirect": "100", "return_timeout": 20}
    me = pbx.api.get("/v1/me", token=token).json
    closed = {"timezone": "Europe/Paris", "period_days": 7, "start_date": "2026-11-23", "shifts": []}
    assert pbx.api.request("PUT", "/v1/me/working-hours", closed, token=token).status == 200
    clock.advance(seconds=61)  # the routing target is kept a minute per container (pbx_events.CACHE_TTL)
    off = pbx.post(incoming(call_id(), caller="+33644444444")["start"])
    assert off.json == {"caller_name": "Acme Dental"}  # not working now: the PBX's own scenario
    assert client.json["responsible_user_id"] == me["id"]
    assert pbx.post(incoming(call_id(), caller="+33655555555")["start"]).json == {"caller_name": "+33 6 55 55 55 55"}


def test_transcripts_are_stored_and_searchable(pbx: Pbx) -> None:
    assert pbx.crm is not None
    cid = call_id()
    events = incoming(cid)
    record = events["end"]["call_id_with_rec"]
    pbx.fake.add_recording(call_id=record, pbx_call_id=cid, content=b"mp3")
    for name in ("start", "end"):
        pbx.post(events[name])
    wait_for_workflows()
    words = {"words": [{"result": [{"s": 0.1, "e": 0.4, "w": "hello"}, {"s": 0.5, "e": 0.9, "w": "invoice"}],
                        "channel": 1}]}  # fmt: skip
    import json

    assert pbx.post({"event": "SPEECH_RECOGNITION", "call_id": record, "result": json.dumps(words)}).status == 200

    assert pbx.api.get(f"/v1/calls/{cid}", token=pbx.crm.token).json["transcript"] == "hello invoice"
    assert [c["id"] for c in calls(pbx, "?q=invoice")] == [cid]
    assert [c["id"] for c in calls(pbx, "?q=5678")] == [cid]  # the caller's last digits
    assert calls(pbx, "?q=refund") == []


def test_a_transcript_still_in_progress_is_asked_for_again_when_no_event_brings_it(pbx: Pbx) -> None:
    """The REST fallback for a SPEECH_RECOGNITION event that never came (TE-2)."""
    assert pbx.crm is not None
    slow, never = call_id(), call_id()
    slow_events, never_events = incoming(slow, caller="+33610000003"), incoming(never, caller="+33610000004")
    for cid, events in ((slow, slow_events), (never, never_events)):
        pbx.fake.add_recording(call_id=events["end"]["call_id_with_rec"], pbx_call_id=cid, content=b"mp3")
    slow_record = slow_events["end"]["call_id_with_rec"]
    pbx.fake.set_transcript(slow_record, [(1, "about the invoice")], in_progress_for=3)
    for events in (slow_events, never_events):
        for name in ("start", "end"):
            pbx.post(events[name])
    runs = wait_for_workflows()

    assert sorted(r["status"] for r in runs) == ["SUCCEEDED", "SUCCEEDED"]  # no transcript is no failure
    shown = {c["id"]: c for c in calls(pbx)}
    assert (shown[slow]["recording"], shown[never]["recording"]) == ("ready", "ready")
    assert pbx.api.get(f"/v1/calls/{slow}", token=pbx.crm.token).json["transcript"] == "about the invoice"
    assert pbx.api.get(f"/v1/calls/{never}", token=pbx.crm.token).json["transcript"] is None
    asked = [r.params["call_id"] for r in pbx.fake.requests if r.path == "/v1/speech_recognition/"]
    assert asked.count(slow_record) == 4  # 3 "in progress", then the text
    assert asked.count(never_events["end"]["call_id_with_rec"]) == 1  # "not available": asked once
    assert [c["id"] for c in calls(pbx, "?q=invoice")] == [slow]


def test_a_call_search_with_many_matches_comes_in_pages_that_miss_none(pbx: Pbx) -> None:
    assert pbx.crm is not None
    import json

    ids = []
    for i in range(7):
        cid = call_id()
        events = incoming(cid, caller=f"+3361000{i:04d}")
        events["end"]["is_recorded"] = "0"
        for name in ("start", "end"):
            pbx.post(events[name])
        said = {"words": [{"result": [{"s": 0.1, "e": 0.4, "w": "invoice"}, {"s": 0.5, "e": 0.9, "w": f"n{i}"}],
                           "channel": 1}]}  # fmt: skip
        pbx.post({"event": "SPEECH_RECOGNITION", "pbx_call_id": cid, "result": json.dumps(said)})
        ids.append(cid)
    pbx.api.post("/v1/clients", {"name": "Invoice Ltd"}, token=pbx.crm.token)  # a contact's term: not a call

    seen, cursor, pages = [], "", 0
    while True:
        reply = pbx.api.get(f"/v1/calls?q=invoice&limit=3{cursor}", token=pbx.crm.token)
        assert reply.status == 200, reply.json
        page = [c["id"] for c in reply.json["items"]]
        assert len(page) <= 3
        seen += page
        pages += 1
        if reply.json["next_cursor"] is None:
            break
        cursor = f"&cursor={reply.json['next_cursor']}"
    assert sorted(seen) == sorted(ids)  # every match once
    assert pages in (3, 4)  # 3 + 3 + 1 (an empty last page when the 6th match ends a slice)
    bad = pbx.api.get("/v1/calls?q=invoice&cursor=bm90LWEtY3Vyc29y", token=pbx.crm.token)
    assert (bad.status, bad.error["field"]) == (400, "cursor")


def test_call_tracking_utm_values_become_the_leads_source_tags(pbx: Pbx) -> None:
    assert pbx.crm is not None
    events = incoming(call_id(), caller="+33666666666")
    pbx.post(events["start"])
    import json

    tracking = {"caller_id": "+33666666666", "utm_source": "google", "utm_campaign": "winter"}
    assert pbx.post({"event": "CALL_TRACKING", "result": json.dumps(tracking)}).status == 200
    [lead] = leads(pbx)
    tags = {
        t["id"]: (t["param"], t["value"]) for t in pbx.api.get("/v1/source-tags", token=pbx.crm.token).json["items"]
    }
    assert sorted(tags[i] for i in lead["source_tag_ids"]) == [
        ("phone", "+33159000000"), ("utm_campaign", "winter"), ("utm_source", "google")
    ]  # fmt: skip


def test_an_incoming_sms_lands_in_the_senders_feed_once(pbx: Pbx) -> None:
    import json

    result = json.dumps({"caller_id": "33677777777", "caller_did": "33159000000", "text": "Call me back please"})
    for _ in range(2):
        assert pbx.post({"event": "SMS", "result": result}).status == 200
    [lead] = leads(pbx)
    assert lead["lead_source"] == "sms"
    sms = [e for e in feed(pbx, "lead", lead["id"]) if e["kind"] == "sms"]
    assert [(e["text"], e["data"]["direction"]) for e in sms] == [("Call me back please", "incoming")]


def test_the_call_log_shows_ones_own_calls_unless_allowed_more(pbx: Pbx) -> None:
    assert pbx.crm is not None
    manager = add_member(pbx.api, pbx.crm, {Permission.CUSTOMERS_CREATE})
    listener = add_member(pbx.api, pbx.crm, {Permission.CALLS_OTHER_USERS_ACCESS})
    events = outgoing(call_id("out"), disposition="busy")
    for name in ("start", "end"):
        pbx.post(events[name])

    assert [c["status"] for c in calls(pbx)] == ["busy"]
    assert pbx.api.get("/v1/calls", token=manager.token).json["items"] == []
    assert pbx.api.get(f"/v1/calls/{events['start']['pbx_call_id']}", token=manager.token).status == 404
    assert len(pbx.api.get("/v1/calls", token=listener.token).json["items"]) == 1
    forbidden = pbx.api.get(f"/v1/calls?user_id={pbx.crm.admin['id']}", token=manager.token)
    assert forbidden.status == 403
    assert calls(pbx, "?direction=incoming") == []
    assert len(calls(pbx, "?status=busy&direction=outgoing")) == 1


def test_a_recording_not_ready_is_fetched_later_and_a_missing_one_fails_visibly(pbx: Pbx) -> None:
    assert pbx.crm is not None
    late, missing = call_id(), call_id()
    late_events, missing_events = incoming(late, caller="+33610000001"), incoming(missing, caller="+33610000002")
    record = late_events["end"]["call_id_with_rec"]
    pbx.fake.add_recording(call_id=record, pbx_call_id=late, content=b"late mp3", not_ready_for=2)
    for events in (late_events, missing_events):
        for name in ("start", "end"):
            pbx.post(events[name])
    described = {d["name"]: d for d in wait_for_workflows()}

    shown = {c["id"]: c for c in calls(pbx)}
    assert (shown[late]["recording"], shown[late]["has_recording"]) == ("ready", True)
    assert shown[missing]["recording"] == "failed"
    statuses = sorted(d["status"] for d in described.values())
    assert statuses == ["FAILED", "SUCCEEDED"]
    assert pbx.api.get(f"/v1/calls/{missing}/recording", token=pbx.crm.token).status == 404
    record_requests = [r for r in pbx.fake.requests if r.path == "/v1/pbx/record/request/"]
    assert sum(1 for r in record_requests if r.params.get("call_id") == record) == 3  # 2 not ready, then the link


def test_each_event_costs_a_fixed_number_of_dynamodb_calls(pbx: Pbx) -> None:
    assert pbx.crm is not None
    token = pbx.crm.token
    pbx.api.post("/v1/clients", {"name": "Known", "phones": [{"phone": "+33688888888"}]}, token=token)

    def costs(count: int) -> dict[str, Any]:
        for i in range(count):
            pbx.api.post("/v1/clients", {"name": f"Filler {i}", "phones": [{"phone": f"+3361234{i:04d}"}]}, token=token)
        events = incoming(call_id(), caller="+33688888888")
        events["end"]["is_recorded"] = "0"
        measured = {}
        for name in ("start", "internal", "answer", "end"):
            with dynamodb_calls() as meter:
                reply = pbx.post(events[name])
                assert reply.status == 200
            measured[name] = dict(meter)
            if name == "start":  # the answer routes the call to the client's manager
                assert reply.json == {"caller_name": "Known", "redirect": "100", "return_timeout": 20}
        return measured

    with dynamodb_calls() as cold:  # the container's first event: the slug, the CRM, the manager read
        assert pbx.post(incoming(call_id(), caller="+33688888888")["start"]).status == 200
    assert cold == {"GetItem": 5, "TransactWriteItems": 1}, str(cold)
    few, many = costs(0), costs(60)
    assert few == many
    # START, with what rarely changes kept a minute (slug, CRM, the manager): identify (phone
    # guard + contact), then the new call, its feed line and its search terms in one transaction.
    # At most 3 calls: the caller hears them as ringing delay (before: 8).
    assert few["start"] == {"GetItem": 2, "TransactWriteItems": 1}
    assert few["answer"] == {"GetItem": 1, "UpdateItem": 1, "PutItem": 1}  # the extension's owner
    assert few["internal"] == {"UpdateItem": 1, "PutItem": 1}
    # The call before the end (GetItem) and its rollup cells (one TransactWriteItems): issue 15.
    assert few["end"] == {"GetItem": 2, "UpdateItem": 1, "PutItem": 1, "BatchWriteItem": 1, "TransactWriteItems": 1}


def test_an_unknown_callers_recorded_call_costs_a_fixed_number_of_dynamodb_calls(pbx: Pbx) -> None:
    """The auto-lead path (a new lead with its source tag) and the recording's events."""
    assert pbx.crm is not None
    token = pbx.crm.token

    def costs(count: int) -> dict[str, Any]:
        for i in range(count):
            pbx.api.post("/v1/clients", {"name": f"Filler {i}", "phones": [{"phone": f"+3361234{i:04d}"}]}, token=token)
        # The first call to a DID also makes the DID's source tag: not what is measured here.
        warm_up = incoming(call_id(), caller=f"+3369998{count:04d}")
        pbx.post(warm_up["start"])
        cid = call_id()
        events = incoming(cid, caller=f"+3369999{count:04d}")
        pbx.fake.add_recording(call_id=events["end"]["call_id_with_rec"], pbx_call_id=cid, content=b"mp3")
        record = {"event": "NOTIFY_RECORD", "call_id_with_rec": events["end"]["call_id_with_rec"], "pbx_call_id": cid}
        measured = {}
        for name, event in (("start", events["start"]), ("end", events["end"]), ("record", record)):
            with dynamodb_calls() as meter:
                assert pbx.post(event).status == 200
            measured[name] = dict(meter)
        wait_for_workflows()
        return measured

    few, many = costs(0), costs(60)
    assert few == many
    # START (slug and CRM kept a minute): identify (a phone guard, none) + the DID's source tag,
    # then the lead and its guards in one transaction, the new call with its feed line and its
    # search terms in another.
    assert few["start"] == {"GetItem": 2, "TransactWriteItems": 2}
    # END and RECORD: the call, its feed line, the recording id it is known by (the copy itself
    # is the workflow's).
    # + the call before the end (GetItem) and its rollup cells (one TransactWriteItems): issue 15.
    assert few["end"] == {"GetItem": 2, "UpdateItem": 1, "BatchWriteItem": 1, "PutItem": 2, "TransactWriteItems": 1}
    assert few["record"] == {"UpdateItem": 1, "PutItem": 2}


def test_telephony_settings_keep_the_keys_write_only_and_check_them(pbx: Pbx) -> None:
    assert pbx.crm is not None
    token = pbx.crm.token
    shown = pbx.api.get("/v1/settings/telephony", token=token).json
    assert shown["pbx_keys_set"] is True
    assert "pbx_api_secret" not in shown
    assert "pbx_api_key" not in shown
    assert shown["webhook_path"] == f"/v1/webhooks/zadarma/{pbx.crm.slug}"
    wrong = {"version": shown["version"], "pbx_api_key": "wrong", "pbx_api_secret": "nope"}
    bad = pbx.api.request("PUT", "/v1/settings/telephony", wrong, token=token)
    assert (bad.status, bad.error["field"]) == (400, "pbx_api_key")
    half = pbx.api.request("PUT", "/v1/settings/telephony", {"version": shown["version"], "pbx_api_key": KEY},
                           token=token)  # fmt: skip
    assert (half.status, half.error["field"]) == (400, "pbx_api_secret")
    zone = pbx.api.request("PUT", "/v1/settings/telephony", {"version": shown["version"], "pbx_timezone": "Mars/Base"},
                           token=token)  # fmt: skip
    assert (zone.status, zone.error["field"]) == (400, "pbx_timezone")
    pbx.fake.add_account("new-key", "new-secret")
    good = pbx.api.request("PUT", "/v1/settings/telephony",
                           {"version": shown["version"], "pbx_api_key": "new-key", "pbx_api_secret": "new-secret",
                            "sms_all_numbers": True}, token=token)  # fmt: skip
    assert good.status == 200, good.json
    assert good.json["sms_all_numbers"] is True
    stale = pbx.api.request("PUT", "/v1/settings/telephony", {"version": shown["version"]}, token=token)
    assert stale.status == 409
    # Events are now checked with the new secret.
    events = incoming(call_id())
    assert pbx.post(events["start"]).status == 401
    assert pbx.post(events["start"], secret="new-secret").status == 200


def test_a_multipart_sms_event_is_accepted_like_a_form_encoded_one(pbx: Pbx) -> None:
    import json

    from chalicelib.integrations.zadarma.webhooks import sign_event

    assert pbx.crm is not None
    result = json.dumps({"caller_id": "+33699999999", "caller_did": "33159000000", "text": "Bonjour"})
    boundary = "------------------------bc73bf4f2aad"
    body = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="event"\r\n\r\nSMS\r\n'
        f'--{boundary}\r\nContent-Disposition: form-data; name="result"\r\n\r\n{result}\r\n--{boundary}--\r\n'
    )
    headers = {
        "Content-Type": f"multipart/form-data; boundary={boundary}",
        "User-Agent": "Zadarma API",
        "Signature": sign_event({"event": "SMS", "result": result}, pbx.secret),
    }
    reply = pbx.api.request("POST", f"/v1/webhooks/zadarma/{pbx.crm.slug}", body, headers=headers)
    assert reply.status == 200, reply.json
    [lead] = leads(pbx)
    assert [e["text"] for e in feed(pbx, "lead", lead["id"]) if e["kind"] == "sms"] == ["Bonjour"]


def test_a_call_between_two_extensions_is_internal_and_mints_no_lead(pbx: Pbx) -> None:
    """TM-1: calling a colleague rings their extension; the caller is an extension, not a number."""
    from infra.local.replay import internal_events

    assert pbx.crm is not None
    events = internal_events("101", pbx.crm.admin["extension"])
    assert [pbx.post(e).status for e in events] == [200] * 3

    [call] = calls(pbx)
    assert (call["direction"], call["status"], call["user_id"]) == ("internal", "answer", pbx.crm.admin["id"])
    assert call["contact"] is None
    assert leads(pbx) == []
