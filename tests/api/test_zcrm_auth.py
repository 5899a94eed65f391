"""The Teamsale-compatible API's authentication, rights and limits over HTTP (issue 22): a good
signature passes, a bad one is Teamsale's 401; another CRM's ids are 404; the owner's rights
apply (403); 100 requests a minute, then 429."""

from __future__ import annotations

from typing import Any

import pytest

from chalicelib.domain.rights import Permission
from tests.api.zcrm_client import Teamsale
from tests.harness import Api, CrmSession, add_member

AUTH_ERROR = {"status": "error", "message": "Auth error"}


def teamsale_key(api: Api, token: str) -> Teamsale:
    created = api.post("/v1/api-keys", {"name": "Moved from Teamsale", "scope": "teamsale"}, token=token)
    assert created.status == 201, created.json
    assert created.json["rate_limit"] == 100
    return Teamsale(api._client.http, created.json["key"], created.json["secret"])


@pytest.fixture
def crm(make_crm: Any) -> CrmSession:
    return make_crm()


def test_a_good_signature_passes_and_a_bad_one_is_a_401(api: Api, crm: CrmSession) -> None:
    ts = teamsale_key(api, crm.token)
    good = ts.call("GET", "/v1/zcrm/users")
    assert good.status == 200, good.body
    assert good.body["data"]["totalCount"] == 1

    assert ts.call("GET", "/v1/zcrm/users", secret="0" * 40).body == AUTH_ERROR
    assert ts.call("GET", "/v1/zcrm/users", secret="0" * 40).status == 401
    nobody = Teamsale(ts.http, "01ARZ3NDEKTSV4RRFFQ69G5FAV", ts.secret)
    assert nobody.call("GET", "/v1/zcrm/users").status == 401
    unsigned = ts.http.get("/v1/zcrm/users")
    assert unsigned.status_code == 401
    # The parameters are signed: changing one after signing is refused.
    signed = ts.call("GET", "/v1/zcrm/customers", {"take": 5})
    assert signed.status == 200
    from tests.api.zcrm_client import sign

    header = f"{ts.key}:{sign(ts.secret, '/v1/zcrm/customers', 'take=5')}"
    assert ts.http.get("/v1/zcrm/customers?take=6", headers={"Authorization": header}).status_code == 401


def test_an_ordinary_key_or_a_bearer_token_does_not_open_it(api: Api, crm: CrmSession) -> None:
    plain = api.post("/v1/api-keys", {"name": "Zapier", "scope": "api"}, token=crm.token).json
    as_teamsale = Teamsale(api._client.http, plain["id"], "x" * 40)
    assert as_teamsale.call("GET", "/v1/zcrm/users").status == 401
    reply = api.get("/v1/zcrm/users", token=crm.token)
    assert reply.status == 401
    # And a Teamsale key does not open our own API.
    ts = teamsale_key(api, crm.token)
    assert api.get("/v1/users", headers={"X-Api-Key": ts.key}).status == 401


def test_a_deleted_key_is_refused_at_once(api: Api, crm: CrmSession) -> None:
    created = api.post("/v1/api-keys", {"name": "Moved", "scope": "teamsale"}, token=crm.token).json
    ts = Teamsale(api._client.http, created["key"], created["secret"])
    assert ts.call("GET", "/v1/zcrm/users").status == 200
    assert api.request("DELETE", f"/v1/api-keys/{created['id']}", token=crm.token).status == 204
    assert ts.call("GET", "/v1/zcrm/users").status == 401


def test_another_crms_records_are_not_found(api: Api, make_crm: Any) -> None:
    first, second = make_crm(), make_crm()
    mine = teamsale_key(api, first.token)
    created = mine.call("POST", "/v1/zcrm/customers", {"customer": {"name": "Good Company"}})
    assert created.status == 200, created.body
    customer = created.body["data"]["id"]

    theirs = teamsale_key(api, second.token)
    for method, path in (
        ("GET", f"/v1/zcrm/customers/{customer}"),
        ("PUT", f"/v1/zcrm/customers/{customer}"),
        ("DELETE", f"/v1/zcrm/customers/{customer}"),
        ("GET", f"/v1/zcrm/customers/{customer}/feed"),
    ):
        reply = theirs.call(method, path, {"customer": {"name": "Stolen"}} if method == "PUT" else None)
        assert reply.status == 404, (method, path, reply.body)
        assert reply.body["status"] == "error"
    assert mine.call("GET", f"/v1/zcrm/customers/{customer}").body["data"]["name"] == "Good Company"


def test_the_owners_rights_apply(api: Api, crm: CrmSession) -> None:
    member = add_member(api, crm, {Permission.LEADS_VIEW})
    ts = teamsale_key(api, member.token)
    refused = ts.call("POST", "/v1/zcrm/customers", {"customer": {"name": "Good Company"}})
    assert refused.status == 403, refused.body
    assert refused.body["status"] == "error"
    assert ts.call("POST", "/v1/zcrm/leads", {"convert": 0, "lead": {"name": "Fine"}}).status == 200
    assert ts.call("POST", "/v1/zcrm/customers/utms", {"utm": {"param": "utm_source", "value": "x"}}).status == 403


def test_a_hundred_requests_a_minute_then_429(api: Api, crm: CrmSession) -> None:
    ts = teamsale_key(api, crm.token)
    statuses = [ts.call("GET", "/v1/zcrm/customers/custom-properties").status for _ in range(201)]
    # 201 requests span at most two minutes' windows: one of them holds more than 100.
    assert 429 in statuses
    assert statuses.index(429) >= 100 or statuses[:100].count(200) < 100
    limited = ts.call("GET", "/v1/zcrm/users")
    if limited.status == 429:
        assert limited.body == {"status": "error", "message": "You exceeded the rate limit"}
