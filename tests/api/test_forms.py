"""Website forms (issue 20, LD-4): POST /v1/forms/leads with an API key."""

from __future__ import annotations

from typing import Any

from tests.api.test_api_keys import new_key, with_key
from tests.harness import Api, CrmSession

FORM = {
    "name": "Zoe Visitor",
    "phone": "+33612345678",
    "email": "zoe@example.com",
    "comment": "Call me about the offer",
    "utm_source": "google",
    "utm_campaign": "spring",
}


def post(api: Api, key: str, body: dict[str, Any], **headers: str):
    return with_key(api, "POST", "/v1/forms/leads", key, body, **headers)


def test_a_form_lead_lands_in_the_pool_with_its_utm_source_tags(api: Api, make_crm) -> None:
    crm: CrmSession = make_crm()
    key = new_key(api, crm.token, "forms")["key"]

    reply = post(api, key, FORM)

    assert reply.status == 201, reply.json
    lead = reply.json
    assert (lead["lead_source"], lead["lead_status"], lead["responsible_user_id"]) == ("form", "not_processed", None)
    assert [p["phone"] for p in lead["phones"]] == ["+33612345678"]
    assert lead["comment"] == "Call me about the offer"
    tags = {t["id"]: (t["param"], t["value"]) for t in api.get("/v1/source-tags", token=crm.token).json["items"]}
    assert sorted(tags[i] for i in lead["source_tag_ids"]) == [("utm_campaign", "spring"), ("utm_source", "google")]
    pool = api.get("/v1/leads?scope=unsorted", token=crm.token).json["items"]
    assert [item["id"] for item in pool] == [lead["id"]]

    # The same UTM values again reuse their tags.
    again = post(api, key, {**FORM, "phone": "+33612345679", "email": "other@example.com"}).json
    assert sorted(again["source_tag_ids"]) == sorted(lead["source_tag_ids"])


def test_a_returning_person_gets_a_feed_entry_not_a_second_lead(api: Api, make_crm) -> None:
    crm: CrmSession = make_crm()
    key = new_key(api, crm.token, "forms")["key"]
    first = post(api, key, FORM).json

    by_email = post(api, key, {"name": "Zoe", "email": "ZOE@example.com", "comment": "Second message"})

    assert by_email.status == 200, by_email.json
    assert by_email.json == {"id": first["id"], "kind": "lead", "created": False}
    assert len(api.get("/v1/leads?scope=all", token=crm.token).json["items"]) == 1
    feed = api.get(f"/v1/leads/{first['id']}/feed", token=crm.token).json["items"]
    submitted = [e for e in feed if e["kind"] == "event" and e["data"]["event"] == "form_submitted"]
    assert [e["data"]["comment"] for e in submitted] == ["Second message"]


def test_a_filled_honeypot_answers_like_a_lead_but_writes_nothing(api: Api, make_crm) -> None:
    crm: CrmSession = make_crm()
    key = new_key(api, crm.token, "forms")["key"]

    reply = post(api, key, {**FORM, "_gotcha": "http://spam.example"})

    assert reply.status == 201
    assert (reply.json["name"], reply.json["lead_source"]) == ("Zoe Visitor", "form")
    assert api.get(f"/v1/leads/{reply.json['id']}", token=crm.token).status == 404
    assert api.get("/v1/leads?scope=all", token=crm.token).json["items"] == []
    assert api.get("/v1/source-tags", token=crm.token).json["items"] == []


def test_allowed_origins_and_cors(api: Api, make_crm) -> None:
    crm: CrmSession = make_crm()
    key = new_key(api, crm.token, "forms", allowed_origins=["https://Shop.example"])["key"]

    refused = post(api, key, FORM, Origin="https://evil.example")
    allowed = post(api, key, FORM, Origin="https://shop.example")
    server_side = post(api, key, {**FORM, "phone": "+33612345670", "email": "s@example.com"})

    assert (refused.status, refused.error["code"], refused.error["field"]) == (403, "forbidden", "Origin")
    assert allowed.status == 201
    assert allowed.headers["Access-Control-Allow-Origin"] == "https://shop.example"
    assert server_side.status == 201  # no Origin: a server, not a browser


def test_the_form_route_answers_a_preflight_from_any_origin(api: Api) -> None:
    # chalice's test client cannot read a preflight's answer (no body): its local gateway can.
    from chalice.config import Config
    from chalice.local import LocalGateway

    from app import app

    gateway = LocalGateway(app, Config())
    headers = {"origin": "https://shop.example", "access-control-request-method": "POST"}
    reply = gateway.handle_request(method="OPTIONS", path="/v1/forms/leads", headers=headers, body=b"")

    assert reply["statusCode"] == 200
    assert reply["headers"]["Access-Control-Allow-Origin"] == "*"
    assert "X-Api-Key" in reply["headers"]["Access-Control-Allow-Headers"]
    assert "POST" in reply["headers"]["Access-Control-Allow-Methods"]


def test_a_form_needs_a_name_and_a_phone_or_an_email(api: Api, make_crm) -> None:
    crm: CrmSession = make_crm()
    key = new_key(api, crm.token, "forms")["key"]
    assert post(api, key, {"name": "Zoe"}).error["field"] == "phone"
    assert post(api, key, {"phone": "+33612345678"}).error["field"] == "name"
    assert post(api, key, {"name": "Zoe", "phone": "not a phone"}).status == 400
    assert post(api, key, {"name": "Zoe", "phone": "+33612345678", "extra": 1}).error["field"] == "extra"


def test_an_api_key_posts_forms_too(api: Api, make_crm) -> None:
    crm: CrmSession = make_crm()
    key = new_key(api, crm.token, "api")["key"]
    assert post(api, key, FORM).status == 201


def test_the_snippet_posts_to_the_form_route_with_the_key(api: Api, make_crm) -> None:
    crm: CrmSession = make_crm()
    key = new_key(api, crm.token, "forms")
    snippet = api.get(f"/v1/api-keys/{key['id']}/snippet", token=crm.token).json
    assert snippet["endpoint"].endswith("/v1/forms/leads")
    assert snippet["endpoint"] in snippet["html"]
    assert key["prefix"] + "_" in snippet["html"]
    assert 'name="_gotcha"' in snippet["html"]
    assert key["key"] not in snippet["html"]
