"""Custom properties (SPEC CL-6): defined by admins, validated by kind, filterable."""

from __future__ import annotations

from tests.harness import Api, CrmSession


def define(api: Api, crm: CrmSession, key: str, kind: str, **extra: object) -> dict:
    reply = api.post("/v1/properties", {"key": key, "title": key.title(), "kind": kind, **extra}, token=crm.token)
    assert reply.status == 201, reply.json
    return reply.json


def test_values_are_validated_by_kind_and_stored_canonically(api: Api, make_crm) -> None:
    crm: CrmSession = make_crm()
    define(api, crm, "employees", "number")
    define(api, crm, "since", "date")
    define(api, crm, "industry", "select", options=["Retail", "Energy"])
    define(api, crm, "note", "text")

    created = api.post(
        "/v1/clients",
        {
            "name": "Acme",
            "properties": {"employees": "120.0", "since": "2021-03-04", "industry": "Energy", "note": " ok "},
        },
        token=crm.token,
    )

    assert created.status == 201
    assert created.json["properties"] == {"employees": "120", "since": "2021-03-04", "industry": "Energy", "note": "ok"}
    for values, field in [
        ({"employees": "many"}, "properties.employees"),
        ({"since": "04/03/2021"}, "properties.since"),
        ({"industry": "Mining"}, "properties.industry"),
        ({"colour": "red"}, "properties.colour"),
    ]:
        reply = api.post("/v1/clients", {"name": "X", "properties": values}, token=crm.token)
        assert (reply.status, reply.error["field"]) == (400, field), values


def test_edits_merge_values_and_null_removes_one(api: Api, make_crm) -> None:
    crm: CrmSession = make_crm()
    define(api, crm, "employees", "number")
    define(api, crm, "note", "text")
    acme = api.post("/v1/clients", {"name": "Acme", "properties": {"employees": 5, "note": "hi"}}, token=crm.token).json

    edited = api.request(
        "PATCH",
        f"/v1/clients/{acme['id']}",
        {"version": 1, "properties": {"employees": 6, "note": None}},
        token=crm.token,
    )

    assert edited.json["properties"] == {"employees": "6"}
    change = api.get(f"/v1/clients/{acme['id']}/feed", token=crm.token).json["items"][0]["data"]["changes"]
    assert change == [{"field": "properties", "old": {"employees": "5", "note": "hi"}, "new": {"employees": "6"}}]


def test_lists_filter_on_a_property_value(api: Api, make_crm) -> None:
    crm: CrmSession = make_crm()
    define(api, crm, "industry", "select", options=["Retail", "Energy"])
    define(api, crm, "city", "text")
    api.post("/v1/clients", {"name": "A", "properties": {"industry": "Energy", "city": "Lyon"}}, token=crm.token)
    api.post("/v1/clients", {"name": "B", "properties": {"industry": "Retail", "city": "Paris"}}, token=crm.token)

    energy = api.get("/v1/clients?property.industry=Energy", token=crm.token).json["items"]
    lyon = api.get("/v1/clients?property.city=LYON", token=crm.token).json["items"]
    unknown = api.get("/v1/clients?property.colour=red", token=crm.token)
    stray = api.get("/v1/clients?colour=red", token=crm.token)

    assert [c["name"] for c in energy] == ["A"]
    assert [c["name"] for c in lyon] == ["A"], "text filters ignore case"
    assert (unknown.status, unknown.error["field"]) == (400, "property.colour")
    assert (stray.status, stray.error["field"]) == (400, "colour")


def test_definitions_are_checked(api: Api, make_crm) -> None:
    crm: CrmSession = make_crm()
    bad_key = api.post("/v1/properties", {"key": "Bad Key", "title": "T", "kind": "text"}, token=crm.token)
    no_options = api.post("/v1/properties", {"key": "pick", "title": "T", "kind": "select"}, token=crm.token)
    stray_options = api.post(
        "/v1/properties", {"key": "free", "title": "T", "kind": "text", "options": ["a"]}, token=crm.token
    )
    assert (bad_key.error["field"], no_options.error["field"], stray_options.error["field"]) == (
        "key",
        "options",
        "options",
    )
