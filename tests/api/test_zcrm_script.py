"""A script written against Teamsale's published API (issue 22's "must show"): create a lead with
UTM tags, find it by phone with identify, add a feed note, create a deal, close an event. It
uses only the published paths, parameters and signing (tests/api/zcrm_client.py), and the
objects it makes then appear in our own API."""

from __future__ import annotations

from typing import Any

import pytest

from tests.api.zcrm_client import Teamsale
from tests.harness import Api, CrmSession


@pytest.fixture
def teamsale(api: Api, make_crm: Any) -> tuple[Teamsale, CrmSession]:
    crm = make_crm()
    created = api.post("/v1/api-keys", {"name": "Moved from Teamsale", "scope": "teamsale"}, token=crm.token)
    assert created.status == 201, created.json
    assert created.json["secret"]
    assert created.json["key"] == created.json["prefix"]
    return Teamsale(api._client.http, created.json["key"], created.json["secret"]), crm


def script(ts: Teamsale) -> dict[str, Any]:
    """What an integration written for Teamsale does, unchanged."""
    made: dict[str, Any] = {}
    # Source tags are created once, then referred to by id (Teamsale's rule for lead[utms]).
    utm = ts.call("POST", "/v1/zcrm/customers/utms", {"utm": {"param": "utm_source", "value": "newsletter"}})
    assert utm.status == 200, utm.body
    assert utm.body["status"] == "success", utm.body
    campaign = ts.call("POST", "/v1/zcrm/customers/utms", {"utm": {"param": "utm_campaign", "value": "spring"}})
    made["utms"] = [utm.body["data"]["id"], campaign.body["data"]["id"]]

    lead = ts.call(
        "POST",
        "/v1/zcrm/leads",
        {
            "convert": 0,
            "lead": {
                "name": "John Doe",
                "phones": [{"phone": "+442071234567", "type": "work"}],
                "contacts": [{"type": "email_work", "value": "john@example.com"}],
                "utms": [{"id": made["utms"][0]}, {"id": made["utms"][1]}],
                "lead_source": "form",
                "comment": "From the website",
            },
        },
    )
    assert lead.status == 200, lead.body
    assert lead.body["status"] == "success", lead.body
    made["lead"] = lead.body["data"]["id"]
    assert isinstance(made["lead"], int)

    found = ts.call("GET", "/v1/zcrm/contacts/identify", {"phone": "+442071234567"})
    assert found.status == 200, found.body
    assert found.body["data"]["contact_type"] == "lead"
    assert found.body["data"]["id"] == made["lead"]

    note = ts.call("POST", f"/v1/zcrm/customers/{made['lead']}/feed", {"content": "Called back, interested"})
    assert note.status == 200, note.body
    assert note.body["data"]["type"] == "note", note.body
    made["note"] = note.body["data"]["id"]

    # Deals belong to clients: the lead is converted first (convert=1), keeping its id.
    converted = ts.call("PUT", f"/v1/zcrm/leads/{made['lead']}", {"convert": 1})
    assert converted.status == 200, converted.body
    deal = ts.call(
        "POST",
        "/v1/zcrm/deals",
        {"deal": {"title": "Website redesign", "budget": 990.5, "currency": "EUR", "customer_id": made["lead"]}},
    )
    assert deal.status == 200, deal.body
    made["deal"] = deal.body["data"]["id"]

    event = ts.call(
        "POST",
        "/v1/zcrm/events",
        {
            "event": {
                "type": "call",
                "title": "Call John back",
                "start": "2030-05-26 09:00:00",
                "end": "2030-05-26 09:30:00",
                "phone": "+442071234567",
                "customers": [made["lead"]],
            }
        },
    )
    assert event.status == 200, event.body
    made["event"] = event.body["data"]["id"]
    closed = ts.call("POST", f"/v1/zcrm/events/{made['event']}/close", {"comment": "Done, he signed"})
    assert closed.status == 200, closed.body
    assert closed.body == {"status": "success"}, closed.body
    shown = ts.call("GET", f"/v1/zcrm/events/{made['event']}")
    assert shown.body["data"]["completed"] == 1
    assert shown.body["data"]["call_done"] == 1
    assert shown.body["data"]["customers"][0]["id"] == made["lead"]
    return made


def test_a_teamsale_script_runs_unchanged_and_its_objects_appear_in_our_api(
    api: Api, teamsale: tuple[Teamsale, CrmSession]
) -> None:
    from chalicelib.db.repositories.teamsale_ids import TeamsaleIdRepository

    ts, crm = teamsale
    made = script(ts)
    # Small per-CRM numbers, safe as JavaScript and PHP doubles; each names one of our records.
    assert all(0 < int(made[k]) < 1000 for k in ("lead", "deal", "event")), made

    def rid(number: Any) -> str | None:
        return TeamsaleIdRepository(crm.id).ref(int(number))

    client = api.get(f"/v1/clients/{rid(made['lead'])}", token=crm.token)
    assert client.status == 200, client.json
    assert client.json["name"] == "John Doe"
    assert client.json["phones"][0]["phone"] == "+442071234567"
    assert len(client.json["source_tag_ids"]) == 2
    notes = [e for e in client.json["feed"]["items"] if e["kind"] == "note"]
    assert [n["text"] for n in notes] == ["Called back, interested"]

    deal = api.get(f"/v1/deals/{rid(made['deal'])}", token=crm.token)
    assert deal.status == 200, deal.json
    assert deal.json["title"] == "Website redesign", deal.json
    assert deal.json["client_id"] == rid(made["lead"])

    task = api.get(f"/v1/tasks/{rid(made['event'])}", token=crm.token)
    assert task.status == 200, task.json
    assert task.json["status"] == "done"
    assert task.json["completed_comment"] == "Done, he signed"
