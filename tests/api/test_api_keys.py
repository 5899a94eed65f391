"""Public API keys (issue 20, API-1): shown once, stored as a keyed hash, acting as their owner
within their scope and rate limit; revoked at once."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from tests.api.test_observability import request_lines
from tests.harness import Api, CrmSession, add_member
from tests.meter import dynamodb_calls


def new_key(api: Api, token: str, scope: str = "api", **extra: Any) -> dict[str, Any]:
    reply = api.post("/v1/api-keys", {"name": "Website", "scope": scope, **extra}, token=token)
    assert reply.status == 201, reply.json
    return reply.json


def with_key(api: Api, method: str, path: str, key: str, body: Any = None, **headers: str):
    return api.request(method, path, body, headers={"X-Api-Key": key, **headers})


def every_item() -> list[dict[str, Any]]:
    from chalicelib.config import get_settings
    from tests.harness import aws_client

    client = aws_client("dynamodb")
    items: list[dict[str, Any]] = []
    start = None
    while True:
        page = client.scan(TableName=get_settings().table_name, **({"ExclusiveStartKey": start} if start else {}))
        items += page["Items"]
        start = page.get("LastEvaluatedKey")
        if not start:
            return items


def test_a_key_is_shown_once_and_acts_as_its_owner(api: Api, make_crm) -> None:
    crm: CrmSession = make_crm()
    created = new_key(api, crm.token)

    assert created["key"].startswith(created["prefix"] + "_")
    assert (created["scope"], created["user_id"], created["last_used_at"]) == ("api", crm.admin["id"], None)
    listed = api.get("/v1/api-keys", token=crm.token).json["items"]
    assert [k["id"] for k in listed] == [created["id"]]
    assert "key" not in listed[0]

    me = with_key(api, "GET", "/v1/me", created["key"])
    assert (me.status, me.json["id"]) == (200, crm.admin["id"])
    assert api.get("/v1/api-keys", token=crm.token).json["items"][0]["last_used_at"] is not None


def test_no_plaintext_key_is_stored(api: Api, make_crm) -> None:
    crm: CrmSession = make_crm()
    keys = [new_key(api, crm.token, scope)["key"] for scope in ("api", "forms", "api")]
    assert with_key(api, "GET", "/v1/me", keys[0]).status == 200

    stored = repr(every_item())
    for key in keys:
        secret = key.rsplit("_", 1)[1]
        assert key not in stored
        assert secret not in stored


def test_a_deleted_key_is_refused_at_once(api: Api, make_crm) -> None:
    crm: CrmSession = make_crm()
    key = new_key(api, crm.token)
    assert with_key(api, "GET", "/v1/me", key["key"]).status == 200

    assert api.request("DELETE", f"/v1/api-keys/{key['id']}", token=crm.token).status == 204

    refused = with_key(api, "GET", "/v1/me", key["key"])
    assert (refused.status, refused.error["code"]) == (401, "unauthorized")
    assert api.get("/v1/api-keys", token=crm.token).json["items"] == []


def test_a_wrong_or_malformed_key_is_refused(api: Api, make_crm) -> None:
    crm: CrmSession = make_crm()
    key = new_key(api, crm.token)["key"]
    for presented in (key[:-1] + ("A" if key[-1] != "A" else "B"), "crm_nope_x", "Bearer " + key, ""):
        assert with_key(api, "GET", "/v1/me", presented).status == 401, presented


def test_the_61st_request_in_a_minute_is_429_with_retry_after(api: Api, make_crm, clock) -> None:
    crm: CrmSession = make_crm()
    key = new_key(api, crm.token)["key"]
    clock.set(datetime(2030, 1, 7, 10, 0, 15, tzinfo=UTC))

    statuses = [with_key(api, "GET", "/v1/me", key).status for _ in range(60)]
    limited = with_key(api, "GET", "/v1/me", key)

    assert statuses == [200] * 60
    assert (limited.status, limited.error["code"]) == (429, "rate_limited")
    assert limited.headers["Retry-After"] == "45"
    clock.advance(seconds=45)  # the next minute's window
    assert with_key(api, "GET", "/v1/me", key).status == 200


def test_a_key_of_an_inactive_owner_is_refused(api: Api, make_crm) -> None:
    crm: CrmSession = make_crm()
    member = add_member(api, crm, frozenset())
    key = new_key(api, member.token)["key"]
    assert with_key(api, "GET", "/v1/me", key).status == 200

    assert api.post(f"/v1/users/{member.id}/deactivate", token=crm.token).status == 200

    assert with_key(api, "GET", "/v1/me", key).status == 401


def test_a_forms_key_opens_only_the_form_route(api: Api, make_crm) -> None:
    crm: CrmSession = make_crm()
    key = new_key(api, crm.token, "forms")["key"]

    refused = with_key(api, "GET", "/v1/leads", key)
    assert (refused.status, refused.error["code"]) == (403, "forbidden")
    assert with_key(api, "POST", "/v1/forms/leads", key, {"name": "Zoe", "phone": "+33612345678"}).status == 201
    # ...which a user's token opens too.
    assert api.post("/v1/forms/leads", {"name": "Zoe", "email": "z@example.com"}, token=crm.token).status == 201


def test_users_see_their_own_keys_and_administrators_all(api: Api, make_crm) -> None:
    crm: CrmSession = make_crm()
    member, other = add_member(api, crm, frozenset()), add_member(api, crm, frozenset())
    mine, theirs, admins = new_key(api, member.token), new_key(api, other.token), new_key(api, crm.token)

    assert [k["id"] for k in api.get("/v1/api-keys", token=member.token).json["items"]] == [mine["id"]]
    assert {k["id"] for k in api.get("/v1/api-keys", token=crm.token).json["items"]} == {
        mine["id"],
        theirs["id"],
        admins["id"],
    }
    assert api.request("DELETE", f"/v1/api-keys/{theirs['id']}", token=member.token).status == 404
    assert api.request("DELETE", f"/v1/api-keys/{theirs['id']}", token=crm.token).status == 204
    assert with_key(api, "GET", "/v1/me", theirs["key"]).status == 401


def test_the_key_list_is_paged(api: Api, make_crm) -> None:
    crm: CrmSession = make_crm()
    created = [new_key(api, crm.token)["id"] for _ in range(3)]
    first = api.get("/v1/api-keys?limit=2", token=crm.token).json
    second = api.get(f"/v1/api-keys?limit=2&cursor={first['next_cursor']}", token=crm.token).json
    assert [k["id"] for k in first["items"] + second["items"]] == created[::-1]
    assert api.get("/v1/api-keys?cursor=bogus", token=crm.token).status == 400


def test_another_crms_key_is_not_found(api: Api, make_crm) -> None:
    owner, stranger = make_crm(), make_crm()
    key = new_key(api, owner.token)
    assert api.request("DELETE", f"/v1/api-keys/{key['id']}", token=stranger.token).status == 404
    assert api.get(f"/v1/api-keys/{key['id']}/snippet", token=stranger.token).status == 404
    assert with_key(api, "GET", "/v1/me", key["key"]).json["id"] == owner.admin["id"]


def test_bad_key_input_names_the_field(api: Api, make_crm) -> None:
    crm: CrmSession = make_crm()
    bad_scope = api.post("/v1/api-keys", {"name": "x", "scope": "root"}, token=crm.token)
    assert (bad_scope.status, bad_scope.error["field"]) == (400, "scope")
    bad_origin = api.post(
        "/v1/api-keys", {"name": "x", "scope": "forms", "allowed_origins": ["shop.example/path"]}, token=crm.token
    )
    assert (bad_origin.status, bad_origin.error["field"]) == (400, "allowed_origins[0]")


def test_a_key_request_costs_a_fixed_number_of_calls(api: Api, make_crm) -> None:
    crm: CrmSession = make_crm()
    key = new_key(api, crm.token)["key"]
    with_key(api, "GET", "/v1/me", key)  # the minute's first request also records last_used_at
    with dynamodb_calls() as calls:
        assert with_key(api, "GET", "/v1/me", key).status == 200
    # the key (GetItem), its minute's counter (UpdateItem), the owner and their group
    assert calls.total <= 4, str(calls)


@pytest.fixture
def logs() -> Iterator[io.StringIO]:
    """What the app logs at INFO (as tests/api/test_observability.py reads it)."""
    from chalicelib.observability import logger

    buffer = io.StringIO()
    level = logger.log_level
    previous = logger.registered_handler.setStream(buffer)
    logger.setLevel("INFO")
    yield buffer
    logger.setLevel(level)
    logger.registered_handler.setStream(previous)


def test_a_key_request_is_logged_with_the_key_id_never_the_key(api: Api, make_crm, logs: io.StringIO) -> None:
    crm: CrmSession = make_crm()
    created = new_key(api, crm.token)
    request_lines(logs)  # drop what creating the CRM and the key logged

    with_key(api, "GET", "/v1/me", created["key"])
    wrong = created["key"][:-2] + ("yy" if created["key"].endswith("xx") else "xx")
    with_key(api, "GET", "/v1/me", wrong)  # a wrong secret: 401, logged too

    text = logs.getvalue()
    secret = created["key"].rsplit("_", 1)[1]
    assert secret not in text
    assert secret[:-2] not in text
    lines = request_lines(logs)
    assert lines[0]["api_key_id"] == created["id"]
    assert (lines[0]["tenant_id"], lines[0]["user_id"]) == (crm.id, crm.admin["id"])
