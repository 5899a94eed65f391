"""Invitations (SPEC TM-3): emailed through SES, shareable links, single-use, expiring."""

from __future__ import annotations

import re

import pytest

from tests.harness import PASSWORD, Api, CrmSession, sent_emails


def token_in(body: str) -> str:
    match = re.search(r"token=([\w-]+)", body)
    assert match, body
    return match.group(1)


def test_invited_user_receives_an_email_and_can_log_in(api: Api, make_crm) -> None:
    crm: CrmSession = make_crm()

    sent = api.post("/v1/invitations", {"emails": ["zoe@example.com"]}, token=crm.token)

    assert sent.status == 201
    assert sent.json["items"][0]["status"] == "sent"
    [email] = sent_emails()
    assert email["to"] == ["zoe@example.com"]
    accept = api.post(
        "/v1/invitations/accept", {"token": token_in(email["body"]), "name": "Zoe Zed", "password": PASSWORD}
    )
    assert accept.status == 201
    assert (accept.json["email"], accept.json["name"], accept.json["status"]) == (
        "zoe@example.com",
        "Zoe Zed",
        "active",
    )
    login = api.post("/v1/auth/login", {"crm": crm.slug, "email": "zoe@example.com", "password": PASSWORD})
    assert login.status == 200
    me = api.get("/v1/me", token=login.json["access_token"]).json
    assert me["group"]["type"] == "manager"


def test_a_link_accepted_with_a_taken_email_is_refused_and_leaves_no_login(api: Api, aws, make_crm) -> None:
    crm: CrmSession = make_crm()
    link = api.post("/v1/invitation-links", {}, token=crm.token).json
    logins_before = len(aws.cognito.list_users(UserPoolId=aws.pool_id)["Users"])

    reply = api.post(
        "/v1/invitations/accept",
        {"token": link["token"], "name": "Dup", "password": PASSWORD, "email": crm.admin["email"]},
    )

    assert (reply.status, reply.error["field"]) == (409, "email")
    assert len(aws.cognito.list_users(UserPoolId=aws.pool_id)["Users"]) == logins_before
    retry = api.post(
        "/v1/invitations/accept",
        {"token": link["token"], "name": "Dup", "password": PASSWORD, "email": "fresh@example.com"},
    )
    assert retry.status == 201, "the link was not consumed by the failed attempt"


def test_pending_invitations_are_listed_newest_first(api: Api, make_crm) -> None:
    crm: CrmSession = make_crm()
    api.post("/v1/invitations", {"emails": ["a@example.com"]}, token=crm.token)
    api.post("/v1/invitation-links", {}, token=crm.token)
    items = api.get("/v1/invitations", token=crm.token).json["items"]
    assert [i["email"] for i in items] == [None, "a@example.com"]


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/v1/invitations", {"emails": ["x@example.com"]}),
        ("/v1/invitation-links", {}),
        ("/v1/users", {"name": "Xavier", "email": "x@example.com"}),
    ],
)
def test_only_admins_invite_into_the_admin_group(api: Api, make_crm, path: str, body: dict) -> None:
    from chalicelib.domain.rights import Permission
    from tests.harness import add_member

    crm: CrmSession = make_crm()
    recruiter = add_member(api, crm, {Permission.TEAM_ADD})
    groups = {g["type"]: g["id"] for g in api.get("/v1/groups", token=crm.token).json["items"]}

    reply = api.post(path, {**body, "group_id": groups["admin"]}, token=recruiter.token)

    assert (reply.status, reply.error["code"], reply.error["field"]) == (403, "forbidden", "group_id")
    assert api.get("/v1/invitations", token=crm.token).json["items"] == []  # nothing written
    assert "x@example.com" not in {u["email"] for u in api.get("/v1/users", token=crm.token).json["items"]}
    # Into another group the same recruiter may invite.
    assert api.post(path, {**body, "group_id": groups["manager"]}, token=recruiter.token).status == 201


def test_users_added_by_an_admin_are_invited_by_email(api: Api, make_crm) -> None:
    crm: CrmSession = make_crm()
    reply = api.post(
        "/v1/users", {"name": "Nina New", "email": "nina@example.com", "extension": "150"}, token=crm.token
    )
    assert reply.status == 201
    assert (reply.json["status"], reply.json["extension"], reply.json["active"]) == ("invited", "150", True)
    assert sent_emails()[0]["to"] == ["nina@example.com"]
    duplicate = api.post("/v1/users", {"name": "Nina", "email": "nina@example.com"}, token=crm.token)
    assert (duplicate.status, duplicate.error["field"]) == (409, "email")


def test_an_invited_user_deactivated_then_activated_is_invited_again_and_can_accept(api: Api, make_crm) -> None:
    crm: CrmSession = make_crm()
    nina = api.post("/v1/users", {"name": "Nina New", "email": "nina@example.com"}, token=crm.token).json
    [email] = sent_emails()

    assert api.post(f"/v1/users/{nina['id']}/deactivate", token=crm.token).json["status"] == "deactivated"
    again = api.post(f"/v1/users/{nina['id']}/activate", token=crm.token)

    assert (again.status, again.json["status"], again.json["active"]) == (200, "invited", True)
    accept = api.post(
        "/v1/invitations/accept", {"token": token_in(email["body"]), "name": "Nina", "password": PASSWORD}
    )
    assert (accept.status, accept.json["status"]) == (201, "active")
    login = api.post("/v1/auth/login", {"crm": crm.slug, "email": "nina@example.com", "password": PASSWORD})
    assert login.status == 200


def test_users_created_with_the_crm_get_their_invitation_and_can_log_in(api: Api) -> None:
    from tests.harness import crm_payload

    payload = crm_payload(users=[{"name": "Wiz Ard", "email": "wiz@example.com", "extension": "101"}])
    crm = api.post("/v1/crms", payload).json["crm"]
    [email] = sent_emails()

    accept = api.post("/v1/invitations/accept", {"token": token_in(email["body"]), "name": "Wiz", "password": PASSWORD})

    assert (email["to"], accept.status) == (["wiz@example.com"], 201)
    login = api.post("/v1/auth/login", {"crm": crm["slug"], "email": "wiz@example.com", "password": PASSWORD})
    assert login.status == 200
    assert api.get("/v1/me", token=login.json["access_token"]).json["extension"] == "101"
