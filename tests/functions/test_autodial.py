"""Autodial (AD-1..5): the real ASL run by moto; the PBX's end of call resumes it (task token)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest

from chalicelib.domain.rights import Permission
from tests.harness import Api, add_member
from tests.pbx import Pbx, call_id, fake_pbx, outgoing, wait_for_workflows

NUMBERS = ["+33611000001", "+33611000002", "+33611000003"]


@pytest.fixture
def pbx(api: Api) -> Iterator[Pbx]:
    with fake_pbx(api) as kit:
        kit.new_crm()
        yield kit


def start(pbx: Pbx, **body: Any) -> str:
    assert pbx.crm is not None
    reply = pbx.api.post("/v1/call-lists", body, token=pbx.crm.token)
    assert (reply.status, reply.json["status"]) == (202, "running"), reply.json
    return str(reply.json["id"])


def dialled(pbx: Pbx, count: int, timeout: float = 10.0) -> str:
    """Wait until the run has asked the PBX for its `count`-th call; the number it dials."""
    deadline = time.monotonic() + timeout
    while len(pbx.fake.callbacks) < count:
        assert time.monotonic() < deadline, f"no call #{count} asked for"
        time.sleep(0.01)
    callback = pbx.fake.callbacks[count - 1]
    assert (callback.from_, callback.sip) == ("100", "100")  # from the user's extension
    return f"+{callback.to}"


def end_call(pbx: Pbx, number: str, disposition: str) -> None:
    """The PBX's events for the call it connected: start, then end with `disposition`."""
    events = outgoing(call_id("out"), destination=number, disposition=disposition)
    for name in ("start", "end"):
        assert pbx.post(events[name]).status == 200


def shown(pbx: Pbx, list_id: str) -> dict[str, Any]:
    assert pbx.crm is not None
    reply = pbx.api.get(f"/v1/call-lists/{list_id}", token=pbx.crm.token)
    assert reply.status == 200, reply.json
    return dict(reply.json)


def outcomes(pbx: Pbx, list_id: str) -> list[str]:
    return [i["outcome"] for i in shown(pbx, list_id)["items"]]


def finished_runs(pbx: Pbx) -> list[dict[str, Any]]:
    return wait_for_workflows(machine="Autodial")


def test_numbers_are_dialled_in_order_and_each_outcome_is_recorded(pbx: Pbx) -> None:
    list_id = start(pbx, phones=NUMBERS)
    for i, disposition in enumerate(("answered", "no answer", "busy"), start=1):
        number = dialled(pbx, i)
        assert number == NUMBERS[i - 1]
        end_call(pbx, number, disposition)
    [run] = finished_runs(pbx)

    assert run["status"] == "SUCCEEDED"
    report = shown(pbx, list_id)
    assert (report["status"], report["total"], report["done"]) == ("completed", 3, 3)
    assert outcomes(pbx, list_id) == ["answer", "noanswer", "busy"]
    assert all(item["call_id"].startswith("out_") for item in report["items"])
    assert len(pbx.fake.callbacks) == 3  # each number once


def test_pause_stops_before_the_next_number_and_resume_goes_on_where_it_was(pbx: Pbx) -> None:
    assert pbx.crm is not None
    token = pbx.crm.token
    list_id = start(pbx, phones=NUMBERS)
    first = dialled(pbx, 1)
    ringing = shown(pbx, list_id)["items"][0]
    assert (ringing["outcome"], ringing["in_progress"]) == ("pending", True)  # API.md's enum, and what is going on
    assert pbx.api.post(f"/v1/call-lists/{list_id}/pause", token=token).json["status"] == "paused"
    end_call(pbx, first, "answered")  # the call going on is not cut
    [paused_run] = finished_runs(pbx)

    assert paused_run["status"] == "SUCCEEDED"
    assert (shown(pbx, list_id)["status"], outcomes(pbx, list_id)) == ("paused", ["answer", "pending", "pending"])
    assert len(pbx.fake.callbacks) == 1
    assert pbx.api.post(f"/v1/call-lists/{list_id}/pause", token=token).status == 409

    assert pbx.api.post(f"/v1/call-lists/{list_id}/resume", token=token).json["status"] == "running"
    end_call(pbx, dialled(pbx, 2), "no answer")
    end_call(pbx, dialled(pbx, 3), "answered")
    runs = finished_runs(pbx)
    assert sorted(r["status"] for r in runs) == ["SUCCEEDED", "SUCCEEDED"]
    assert (shown(pbx, list_id)["status"], outcomes(pbx, list_id)) == ("completed", ["answer", "noanswer", "answer"])
    assert [f"+{c.to}" for c in pbx.fake.callbacks] == NUMBERS


def test_cancel_lets_the_current_call_go_and_dials_nothing_more(pbx: Pbx) -> None:
    assert pbx.crm is not None
    list_id = start(pbx, phones=NUMBERS)
    end_call(pbx, dialled(pbx, 1), "answered")
    dialled(pbx, 2)
    canceled = pbx.api.post(f"/v1/call-lists/{list_id}/cancel", token=pbx.crm.token)
    assert canceled.json["status"] == "canceled"
    [run] = finished_runs(pbx)

    assert run["status"] == "SUCCEEDED"
    assert (shown(pbx, list_id)["status"], outcomes(pbx, list_id)) == ("canceled", ["answer", "cancel", "pending"])
    assert len(pbx.fake.callbacks) == 2
    end_call(pbx, NUMBERS[1], "answered")  # the call's late end resumes nothing
    assert outcomes(pbx, list_id) == ["answer", "cancel", "pending"]


def test_an_unknown_number_that_answers_becomes_a_lead(pbx: Pbx) -> None:
    assert pbx.crm is not None
    token = pbx.crm.token
    settings = pbx.api.get("/v1/settings/telephony", token=token).json
    pbx.api.request("PUT", "/v1/settings/telephony",
                    {"version": settings["version"], "auto_lead_outgoing_calls": False}, token=token)  # fmt: skip
    list_id = start(pbx, phones=NUMBERS[:2])
    end_call(pbx, dialled(pbx, 1), "answered")
    end_call(pbx, dialled(pbx, 2), "no answer")
    finished_runs(pbx)

    assert outcomes(pbx, list_id) == ["answer", "noanswer"]
    leads = pbx.api.get("/v1/leads?scope=all", token=token).json["items"]
    assert [(lead["phones"][0]["phone"], lead["responsible_user_id"]) for lead in leads] == [
        (NUMBERS[0], pbx.crm.admin["id"])
    ]


def test_a_refused_dial_is_recorded_and_the_run_goes_on(pbx: Pbx) -> None:
    pbx.fake.fail_next("/v1/request/callback/", status=400)
    list_id = start(pbx, phones=NUMBERS[:2])
    dialled(pbx, 1)  # the second request (the first was refused)
    end_call(pbx, NUMBERS[1], "answered")
    finished_runs(pbx)

    report = shown(pbx, list_id)
    assert [i["outcome"] for i in report["items"]] == ["failed", "answer"]
    assert "the PBX refused the call" in report["items"][0]["reason"]


def test_a_list_from_contacts_takes_all_or_the_first_numbers(pbx: Pbx) -> None:
    assert pbx.crm is not None
    token = pbx.crm.token
    phones = [{"phone": "+33611000011"}, {"phone": "+33611000012"}]
    client = pbx.api.post("/v1/clients", {"name": "Two numbers", "phones": phones}, token=token).json
    all_numbers = start(pbx, contact_ids=[client["id"]])
    pbx.api.post(f"/v1/call-lists/{all_numbers}/cancel", token=token)
    finished_runs(pbx)
    assert [(i["phone"], i["contact_id"]) for i in shown(pbx, all_numbers)["items"]] == [
        ("+33611000011", client["id"]), ("+33611000012", client["id"])
    ]  # fmt: skip
    settings = pbx.api.get("/v1/settings/telephony", token=token).json
    pbx.api.request("PUT", "/v1/settings/telephony", {"version": settings["version"], "autodial_all_numbers": False},
                    token=token)  # fmt: skip
    first_only = start(pbx, contact_ids=[client["id"]])
    assert [i["phone"] for i in shown(pbx, first_only)["items"]] == ["+33611000011"]
    pbx.api.post(f"/v1/call-lists/{first_only}/cancel", token=token)


def test_call_list_input_and_rights_are_checked(pbx: Pbx) -> None:
    assert pbx.crm is not None
    token = pbx.crm.token
    assert pbx.api.post("/v1/call-lists", {}, token=token).error["field"] == "contact_ids"
    bad = pbx.api.post("/v1/call-lists", {"phones": ["+33611000001", "nope"]}, token=token)
    assert (bad.status, bad.error["field"]) == (400, "phones[1]")
    member = add_member(pbx.api, pbx.crm, set())
    no_extension = pbx.api.post("/v1/call-lists", {"phones": NUMBERS}, token=member.token)
    assert (no_extension.status, no_extension.error["field"]) == (409, "extension")
    list_id = start(pbx, phones=NUMBERS[:1])
    assert pbx.api.get(f"/v1/call-lists/{list_id}", token=member.token).status == 404
    pbx.api.post(f"/v1/call-lists/{list_id}/cancel", token=token)
    finished_runs(pbx)


def test_call_lists_are_listed_newest_first_to_their_creator_and_administrators(pbx: Pbx) -> None:
    assert pbx.crm is not None
    token = pbx.crm.token
    first = start(pbx, phones=NUMBERS[:1])
    pbx.api.post(f"/v1/call-lists/{first}/cancel", token=token)
    second = start(pbx, phones=NUMBERS[1:])
    pbx.api.post(f"/v1/call-lists/{second}/cancel", token=token)
    finished_runs(pbx)

    listed = pbx.api.get("/v1/call-lists?limit=1", token=token)
    assert listed.status == 200, listed.json
    page_one = listed.json["items"]
    rest = pbx.api.get(f"/v1/call-lists?limit=1&cursor={listed.json['next_cursor']}", token=token).json
    assert [c["id"] for c in (*page_one, *rest["items"])] == [second, first]
    summary = {k: page_one[0][k] for k in ("status", "total", "extension", "error")}
    assert summary == {"status": "canceled", "total": 2, "extension": "100", "error": None}
    assert "items" not in page_one[0]  # the numbers are the detail's (GET /v1/call-lists/{id})
    member = add_member(pbx.api, pbx.crm, {Permission.CUSTOMERS_VIEW_ALL})
    assert pbx.api.get("/v1/call-lists", token=member.token).json["items"] == []  # not theirs
    for query, field in (("limit=0", "limit"), ("limit=101", "limit"), ("cursor=nope", "cursor")):
        bad = pbx.api.get(f"/v1/call-lists?{query}", token=token)
        assert (bad.status, bad.error["field"]) == (400, field), query


def test_a_call_whose_end_never_comes_times_out_and_the_run_goes_on(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.harness import reset_caches

    # Short, yet long enough for the second call's end to arrive on a loaded 2-core machine.
    monkeypatch.setenv("AUTODIAL_ANSWER_TIMEOUT_SECONDS", "4")
    with fake_pbx(api) as kit:
        kit.new_crm()
        reset_caches()  # read the short timeout
        list_id = start(kit, phones=NUMBERS[:2])
        dialled(kit, 1)  # its end never comes
        end_call(kit, dialled(kit, 2, timeout=15), "answered")
        finished_runs(kit)
        report = shown(kit, list_id)
    assert [i["outcome"] for i in report["items"]] == ["failed", "answer"]
    assert report["items"][0]["reason"] == "the PBX never said how the call ended"


def test_a_dial_step_of_a_canceled_or_superseded_run_dials_nothing(pbx: Pbx) -> None:
    from chalicelib.bootstrap import services
    from chalicelib.services.autodial import DialSkippedError

    assert pbx.crm is not None
    list_id = start(pbx, phones=NUMBERS)
    end_call(pbx, dialled(pbx, 1), "answered")
    dialled(pbx, 2)
    pbx.api.post(f"/v1/call-lists/{list_id}/cancel", token=pbx.crm.token)
    finished_runs(pbx)
    job = {"tenant_id": pbx.crm.id, "list_id": list_id, "run": 1, "index": 2, "phone": NUMBERS[2],
           "gap_seconds": 0, "answer_timeout_seconds": 60}  # fmt: skip
    # A dial step that was already on its way when the list was canceled (or a resume replaced
    # its run) is refused by its claim's condition: nothing rings.
    with pytest.raises(DialSkippedError):
        services().autodial.dial({"job": job, "token": "late-token"})
    with pytest.raises(DialSkippedError):
        services().autodial.dial({"job": {**job, "run": 7}, "token": "old-run-token"})
    assert len(pbx.fake.callbacks) == 2
    assert outcomes(pbx, list_id) == ["answer", "cancel", "pending"]
