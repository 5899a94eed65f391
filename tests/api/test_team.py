"""The team (SPEC TM-1, TM-2): list, edit, group moves, deactivation, presence."""

from __future__ import annotations

from chalicelib.domain.rights import Permission
from tests.fakes.clock import ManualClock
from tests.harness import PASSWORD, Api, CrmSession, add_member


def test_the_team_list_is_sorted_by_name_with_presence_and_paginated(api: Api, make_crm) -> None:
    crm: CrmSession = make_crm(users=[{"name": f"User {c}", "email": f"{c}@example.com"} for c in "dcba"])

    first = api.get("/v1/users?limit=3", token=crm.token)
    second = api.get(f"/v1/users?limit=3&cursor={first.json['next_cursor']}", token=crm.token)

    names = [u["name"] for u in first.json["items"] + second.json["items"]]
    assert names == ["Ada Admin", "User a", "User b", "User c", "User d"]
    assert second.json["next_cursor"] is None
    admin = first.json["items"][0]
    assert admin["online"] is True, "her own requests refresh her presence"
    assert admin["last_seen_at"] is not None
    assert first.json["items"][1]["online"] is False


def test_presence_goes_offline_after_five_minutes(api: Api, make_crm, clock: ManualClock) -> None:
    crm: CrmSession = make_crm()
    api.get("/v1/me", token=crm.token)
    clock.advance(minutes=6)
    colleague = add_member(api, crm)

    listed = api.get("/v1/users", token=colleague.token).json["items"]

    assert {u["name"]: u["online"] for u in listed}["Ada Admin"] is False


def test_list_filters_by_group(api: Api, make_crm) -> None:
    crm: CrmSession = make_crm(users=[{"name": "Mia", "email": "mia@example.com"}])
    managers = api.get(f"/v1/users?group_id={crm.users[0]['group_id']}", token=crm.token).json["items"]
    assert [u["name"] for u in managers] == ["Mia"]


def test_moving_a_user_to_another_group_applies_on_their_next_request(api: Api, make_crm) -> None:
    crm: CrmSession = make_crm()
    member = add_member(api, crm, {Permission.TEAM_ADD})
    assert api.post("/v1/invitation-links", {}, token=member.token).status == 201
    groups = {g["type"]: g for g in api.get("/v1/groups", token=crm.token).json["items"]}
    version = api.get(f"/v1/users/{member.id}", token=crm.token).json["version"]

    moved = api.request(
        "PATCH", f"/v1/users/{member.id}", {"version": version, "group_id": groups["trainee"]["id"]}, token=crm.token
    )

    assert moved.status == 200
    assert api.post("/v1/invitation-links", {}, token=member.token).status == 403
    assert api.get("/v1/me", token=member.token).json["group"]["type"] == "trainee"


def test_editing_a_users_extension_and_email_keeps_both_unique(api: Api, make_crm) -> None:
    crm: CrmSession = make_crm(users=[{"name": "Bo", "email": "bo@example.com", "extension": "101"}])
    bo = crm.users[0]

    taken = api.request("PATCH", f"/v1/users/{bo['id']}", {"version": 1, "extension": "100"}, token=crm.token)
    moved = api.request(
        "PATCH",
        f"/v1/users/{bo['id']}",
        {"version": 1, "extension": "102", "email": "bo@new.example.com"},
        token=crm.token,
    )
    reuse_old = api.post("/v1/users", {"name": "Cy", "email": "bo@example.com", "extension": "101"}, token=crm.token)
    removed = api.request("PATCH", f"/v1/users/{bo['id']}", {"version": 2, "extension": None}, token=crm.token)

    assert (taken.status, taken.error["field"]) == (409, "extension")
    assert (moved.status, moved.json["extension"], moved.json["email"]) == (200, "102", "bo@new.example.com")
    assert reuse_old.status == 201, "the old email and extension were released"
    assert (removed.status, removed.json["extension"]) == (200, None)


def test_a_stale_version_does_not_overwrite_a_colleagues_edit(api: Api, make_crm) -> None:
    crm: CrmSession = make_crm(users=[{"name": "Bo", "email": "bo@example.com"}])
    bo = crm.users[0]["id"]
    api.request("PATCH", f"/v1/users/{bo}", {"version": 1, "name": "Bo First"}, token=crm.token)
    stale = api.request("PATCH", f"/v1/users/{bo}", {"version": 1, "name": "Bo Lost"}, token=crm.token)
    assert (stale.status, stale.error["field"]) == (409, "version")
    assert api.get(f"/v1/users/{bo}", token=crm.token).json["name"] == "Bo First"


def test_deactivation_refuses_the_users_valid_token_and_login_at_once(api: Api, aws, make_crm) -> None:
    crm: CrmSession = make_crm()
    member = add_member(api, crm)
    assert api.get("/v1/me", token=member.token).status == 200

    reply = api.post(f"/v1/users/{member.id}/deactivate", token=crm.token)

    assert (reply.status, reply.json["active"], reply.json["status"]) == (200, False, "deactivated")
    assert api.get("/v1/me", token=member.token).status == 401
    assert api.post("/v1/auth/login", {"crm": crm.slug, "email": member.email, "password": PASSWORD}).status == 401
    login = aws.cognito.admin_get_user(UserPoolId=aws.pool_id, Username=f"{crm.id}.{member.id}")
    assert login["Enabled"] is False

    assert api.post(f"/v1/users/{member.id}/activate", token=crm.token).json["status"] == "active"
    assert api.post("/v1/auth/login", {"crm": crm.slug, "email": member.email, "password": PASSWORD}).status == 200


def test_unknown_user_or_group_is_named(api: Api, make_crm) -> None:
    crm: CrmSession = make_crm()
    missing = api.get("/v1/users/01ZZZZZZZZZZZZZZZZZZZZZZZZ", token=crm.token)
    bad_group = api.request(
        "PATCH", f"/v1/users/{crm.admin['id']}", {"version": 1, "group_id": "nope"}, token=crm.token
    )
    assert missing.status == 404
    assert (bad_group.status, bad_group.error["field"]) == (400, "group_id")


def test_another_crms_user_is_not_found(api: Api, make_crm) -> None:
    first, second = make_crm(), make_crm()
    assert api.get(f"/v1/users/{second.admin['id']}", token=first.token).status == 404
    assert api.post(f"/v1/users/{second.admin['id']}/deactivate", token=first.token).status == 404
