"""The Teamsale-compatible API's contract (issue 22): envelopes, ids, field names and enums of
the published description, and where we follow the real service instead (zadarma.md §3)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.api.test_zcrm_auth import teamsale_key
from tests.api.zcrm_client import Teamsale, build_query, sign
from tests.harness import ROOT, Api, CrmSession


@pytest.fixture
def ts(api: Api, make_crm: Any) -> Teamsale:
    crm: CrmSession = make_crm()
    return teamsale_key(api, crm.token)


def customer(ts: Teamsale, **fields: Any) -> int:
    reply = ts.call("POST", "/v1/zcrm/customers", {"customer": {"name": "Good Company", **fields}})
    assert reply.status == 200, reply.body
    return int(reply.body["data"]["id"])


def test_a_customer_reads_back_in_teamsales_shape(ts: Teamsale) -> None:
    c_id = customer(
        ts,
        status="company",
        type="partner",
        phones=[{"type": "work", "phone": "+442071234567"}],
        contacts=[{"type": "email_work", "value": "good@example.com"}, {"type": "skype", "value": "good"}],
        comment="Met at the fair",
    )
    got = ts.call("GET", f"/v1/zcrm/customers/{c_id}")
    assert got.body["status"] == "success"
    data = got.body["data"]
    assert data["id"] == c_id
    assert (data["name"], data["status"], data["type"], data["comment"]) == (
        "Good Company", "company", "partner", "Met at the fair",
    )  # fmt: skip
    assert data["phones"] == [{"type": "work", "phone": "+442071234567"}]
    assert data["contacts"] == [{"type": "email_work", "value": "good@example.com"}]  # no messengers here
    assert data["lead_source"] == "manual"
    assert len(data["created_at"]) == 19
    listed = ts.call("GET", "/v1/zcrm/customers", {"filter": {"status": "company"}}).body["data"]
    assert listed["totalCount"] == 1
    assert listed["customers"][0]["id"] == c_id
    assert ts.call("GET", "/v1/zcrm/customers", {"filter": {"country": "GB"}}).body["data"]["totalCount"] == 0


def test_put_empties_the_lists_left_out_as_the_real_service_does(ts: Teamsale) -> None:
    c_id = customer(ts, phones=[{"type": "work", "phone": "+442071234567"}])
    assert ts.call("PUT", f"/v1/zcrm/customers/{c_id}", {"customer": {"name": "Renamed"}}).body == {"status": "success"}
    data = ts.call("GET", f"/v1/zcrm/customers/{c_id}").body["data"]
    assert (data["name"], data["phones"]) == ("Renamed", [])


def test_a_used_phone_is_a_400_already_used(ts: Teamsale) -> None:
    customer(ts, phones=[{"type": "work", "phone": "+442071234567"}])
    again = ts.call(
        "POST", "/v1/zcrm/leads", {"convert": 0, "lead": {"name": "Twin", "phones": [{"phone": "+442071234567"}]}}
    )
    assert again.status == 400
    assert again.body["status"] == "error"
    assert again.body["data"]["validation_errors"] == {"phones": ["Already used"]}


def test_a_json_body_is_accepted_signed_as_its_parameters(ts: Teamsale) -> None:
    body = {"convert": 0, "lead": {"name": "Json Lead", "lead_status": "in_progress"}}
    header = f"{ts.key}:{sign(ts.secret, '/v1/zcrm/leads', build_query(body))}"
    reply = ts.http.post(
        "/v1/zcrm/leads",
        headers={"Authorization": header, "Content-Type": "application/json"},
        body=json.dumps(body),
    )
    assert reply.status_code == 200, reply.body
    lead_id = json.loads(reply.body)["data"]["id"]
    lead = ts.call("GET", f"/v1/zcrm/leads/{lead_id}").body["data"]
    assert (lead["name"], lead["lead_status"]) == ("Json Lead", "in_progress")


def test_leads_convert_and_the_unsorted_count(ts: Teamsale) -> None:
    poor = ts.call("POST", "/v1/zcrm/leads", {"convert": 2, "lead": {"name": "Poor fit"}})
    assert poor.body["data"] == {"id": 0}
    direct = ts.call("POST", "/v1/zcrm/leads", {"convert": 1, "lead": {"name": "Straight Client"}}).body["data"]["id"]
    assert ts.call("GET", f"/v1/zcrm/customers/{direct}").status == 200
    lead = ts.call("POST", "/v1/zcrm/leads", {"convert": 0, "lead": {"name": "Mine"}}).body["data"]["id"]
    leads = ts.call("GET", "/v1/zcrm/leads").body["data"]
    assert [x["id"] for x in leads["leads"]] == [lead]
    assert leads["uncategorizedCount"] == 0
    assert ts.call("PUT", f"/v1/zcrm/leads/{lead}", {"convert": 2}).status == 200
    assert ts.call("GET", f"/v1/zcrm/leads/{lead}").status == 404


def test_identify_finds_a_users_extension_and_errors_are_teamsales(ts: Teamsale) -> None:
    user = ts.call("GET", "/v1/zcrm/contacts/identify", {"phone": "100"}).body["data"]
    assert user["contact_type"] == "user"
    assert user["phone"] == {"phone": "100", "type": "internal"}
    assert user["group"]["type"] == "admin"
    nobody = ts.call("GET", "/v1/zcrm/contacts/identify", {"phone": "+15550001111"})
    assert nobody.status == 404
    assert nobody.body["status"] == "error"
    assert ts.call("GET", "/v1/zcrm/files/12").status == 404


def test_feed_notes_are_written_edited_and_deleted(ts: Teamsale) -> None:
    c_id = customer(ts)
    note = ts.call("POST", f"/v1/zcrm/customers/{c_id}/feed", {"content": "First"}).body["data"]
    assert (note["type"], note["content"], note["user_name"]) == ("note", "First", "Ada Admin")
    assert ts.call("PUT", f"/v1/zcrm/customers/{c_id}/feed/{note['id']}", {"content": "Edited"}).status == 200
    feed = ts.call("GET", f"/v1/zcrm/customers/{c_id}/feed").body["data"]
    notes = [i for i in feed["items"] if i["type"] == "note"]
    assert [n["content"] for n in notes] == ["Edited"]
    assert any(i["type"] == "event" for i in feed["items"])
    assert ts.call("DELETE", f"/v1/zcrm/customers/{c_id}/feed/{note['id']}").status == 200


def test_users_groups_and_working_hours(ts: Teamsale) -> None:
    users = ts.call("GET", "/v1/zcrm/users").body["data"]
    admin = users["users"][0]
    assert (admin["is_superadmin"], admin["enabled"], admin["internal_number"]) == (1, 1, "100")
    assert ts.call("GET", f"/v1/zcrm/users/{admin['id']}").body["data"]["email"] == admin["email"]
    hours = ts.call("GET", f"/v1/zcrm/users/{admin['id']}/working-hours").body["data"]
    assert set(hours) == {"schedulePeriod", "scheduleWorkingHours", "scheduleFixes", "customWorkingHours"}
    groups = ts.call("GET", "/v1/zcrm/users/groups").body["data"]["groups"]
    manager = next(g for g in groups if g["type"] == "manager")
    assert manager["permissions"]["customers_create"] is True
    assert manager["permissions"]["leads_view"] is False


def test_the_static_route_table_is_what_the_zcrm_modules_declare() -> None:
    import importlib

    from chalicelib.api import route_table
    from chalicelib.api.zcrm.edge import ZCRM_ROUTES

    for module in route_table.ZCRM_MODULES:
        importlib.import_module(f"chalicelib.api.{module}")
    # In ZCRM_MODULES' order, each module's in its declaration order (imports may come in any).
    declared = tuple(r for module in route_table.ZCRM_MODULES for r in ZCRM_ROUTES if r[0] == module)
    assert declared == route_table.ZCRM_ROUTE_TABLE
    published = json.loads((ROOT / "docs/reference/zadarma-teamsale/openapiteamsale.json").read_text())["paths"]
    operations = {(m.upper(), p.removeprefix("/v1")) for p, ops in published.items() for m in ops if m != "parameters"}
    assert {(method, path) for _, method, path, _ in ZCRM_ROUTES} == operations
    assert len(operations) == 45


def _nullable(schema: Any) -> Any:
    """OpenAPI 3.0's `nullable` as JSON Schema's null type."""
    if isinstance(schema, list):
        return [_nullable(s) for s in schema]
    if not isinstance(schema, dict):
        return schema
    out = {k: _nullable(v) for k, v in schema.items() if k not in ("nullable", "example")}
    if schema.get("nullable") and "type" in out:
        out["type"] = [out["type"], "null"]
        if "enum" in out:
            out["enum"] = [*out["enum"], None]
    return out


def published_200(method: str, path: str) -> dict[str, Any]:
    paths = json.loads((ROOT / "docs/reference/zadarma-teamsale/openapiteamsale.json").read_text())["paths"]
    return _nullable(paths[path][method.lower()]["responses"]["200"]["content"]["application/json"]["schema"])


def test_real_records_match_the_published_schemas(ts: Teamsale) -> None:
    """The fuzzer's random ids name nothing: here every record-reading operation answers about
    records that exist, each answer's `data` checked against its published 200 schema."""
    import jsonschema

    utm = ts.call("POST", "/v1/zcrm/customers/utms", {"utm": {"param": "utm_source", "value": "news"}}).body["data"]
    c_id = customer(
        ts, phones=[{"type": "work", "phone": "+442071234567"}], utms=[{"id": utm["id"]}], labels=[], comment="x"
    )
    lead = ts.call("POST", "/v1/zcrm/leads", {"lead": {"name": "L", "phones": [{"phone": "+442071234599"}]}})
    l_id = lead.body["data"]["id"]
    ts.call("POST", f"/v1/zcrm/customers/{c_id}/feed", {"content": "Note"})
    deal = ts.call("POST", "/v1/zcrm/deals", {"deal": {"title": "D", "budget": 10, "customer_id": c_id}}).body["data"]
    ts.call("POST", f"/v1/zcrm/deals/{deal['id']}/feed", {"content": "Deal note"})
    event = ts.call(
        "POST", "/v1/zcrm/events", {"event": {"title": "T", "start": "2030-01-02 10:00:00", "customers": [c_id, l_id]}}
    ).body["data"]
    user = ts.call("GET", "/v1/zcrm/users").body["data"]["users"][0]["id"]
    for method, template, path, params in (
        ("GET", "/v1/zcrm/customers", "/v1/zcrm/customers", {}),
        ("GET", "/v1/zcrm/customers/{c_id}", f"/v1/zcrm/customers/{c_id}", {}),
        ("GET", "/v1/zcrm/customers/{c_id}/feed", f"/v1/zcrm/customers/{c_id}/feed", {}),
        ("GET", "/v1/zcrm/customers/utms", "/v1/zcrm/customers/utms", {}),
        ("GET", "/v1/zcrm/customers/labels", "/v1/zcrm/customers/labels", {}),
        ("GET", "/v1/zcrm/leads", "/v1/zcrm/leads", {}),
        ("GET", "/v1/zcrm/leads/{lead_id}", f"/v1/zcrm/leads/{l_id}", {}),
        ("GET", "/v1/zcrm/contacts", "/v1/zcrm/contacts", {}),
        ("GET", "/v1/zcrm/contacts/identify", "/v1/zcrm/contacts/identify", {"phone": "+442071234567"}),
        ("GET", "/v1/zcrm/contacts/identify", "/v1/zcrm/contacts/identify", {"phone": "+442071234599"}),
        ("GET", "/v1/zcrm/deals", "/v1/zcrm/deals", {}),
        ("GET", "/v1/zcrm/deals/{deal_id}", f"/v1/zcrm/deals/{deal['id']}", {}),
        ("GET", "/v1/zcrm/deals/{deal_id}/feed", f"/v1/zcrm/deals/{deal['id']}/feed", {}),
        ("GET", "/v1/zcrm/events", "/v1/zcrm/events", {}),
        ("GET", "/v1/zcrm/events/{event_id}", f"/v1/zcrm/events/{event['id']}", {}),
        ("GET", "/v1/zcrm/users/{user_id}", f"/v1/zcrm/users/{user}", {}),
        ("GET", "/v1/zcrm/users/{user_id}/working-hours", f"/v1/zcrm/users/{user}/working-hours", {}),
        ("GET", "/v1/zcrm/users/groups", "/v1/zcrm/users/groups", {}),
        ("GET", "/v1/zcrm/calls", "/v1/zcrm/calls", {}),
    ):
        reply = ts.call(method, path, params)
        assert reply.status == 200, (path, reply.body)
        jsonschema.validate(reply.body["data"], published_200(method, template))


def test_ids_are_small_numbers_per_crm_and_read_back(api: Api, make_crm: Any, ts: Teamsale) -> None:
    """Every id is a small per-CRM number (safe as a JavaScript double); a number read back names
    the same record; a number naming nothing is a 404; another CRM counts from 1 on its own."""
    admin = ts.call("GET", "/v1/zcrm/users").body["data"]["users"][0]["id"]
    c_id = customer(ts, responsible_user_id=admin)
    label = ts.call("POST", "/v1/zcrm/customers/labels", {"name": "vip"}).body["data"]["id"]
    assert ts.call("PUT", f"/v1/zcrm/customers/{c_id}", {"customer": {"name": "Acme", "labels": [label]}}).status == 200

    data = ts.call("GET", f"/v1/zcrm/customers/{c_id}").body["data"]
    ids = [admin, c_id, label, data["responsible_user_id"], data["created_by"]]
    assert all(isinstance(n, int) and 0 < n < 100 for n in ids), data
    assert data["responsible_user_id"] == data["created_by"] == admin
    assert data["labels"] == [{"id": label, "label": "vip"}]
    filtered = ts.call("GET", "/v1/zcrm/customers", {"filter": {"responsible": admin}}).body["data"]
    assert [c["id"] for c in filtered["customers"]] == [c_id]
    assert ts.call("GET", "/v1/zcrm/customers", {"filter": {"responsible": 99999}}).body["data"]["totalCount"] == 0

    assert ts.call("GET", "/v1/zcrm/customers/99999").status == 404
    assert ts.call("GET", f"/v1/zcrm/deals/{c_id}").status == 404  # a customer's number is no deal
    assert ts.call("GET", f"/v1/zcrm/customers/{2**60}").status == 404

    other = teamsale_key(api, make_crm().token)
    assert other.call("GET", f"/v1/zcrm/customers/{c_id}").status == 404
    assert other.call("GET", "/v1/zcrm/users").body["data"]["users"][0]["id"] == 1
