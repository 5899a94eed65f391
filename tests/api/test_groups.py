"""Groups and rights (SPEC ST-7): standard groups, custom groups, rights changes."""

from __future__ import annotations

from chalicelib.domain.rights import Permission
from tests.harness import Api, CrmSession, add_member


def groups_of(api: Api, crm: CrmSession) -> dict[str, dict]:
    return {g["type"]: g for g in api.get("/v1/groups", token=crm.token).json["items"] if g["type"] != "custom"}


def test_a_new_crm_has_the_four_standard_groups_with_their_default_rights(api: Api, make_crm) -> None:
    crm: CrmSession = make_crm()
    items = api.get("/v1/groups", token=crm.token).json["items"]
    assert [g["type"] for g in items] == ["admin", "manager", "chat_operator", "trainee"]
    groups = {g["type"]: g for g in items}
    assert all(groups["admin"]["permissions"].values())
    assert {k for k, on in groups["manager"]["permissions"].items() if on} == {
        "customers_create",
        "customers_edit",
        "customers_delete",
        "customers_import_export",
    }


def test_custom_group_gives_exactly_its_rights(api: Api, make_crm) -> None:
    crm: CrmSession = make_crm()
    created = api.post(
        "/v1/groups", {"title": "Recruiters", "permissions": {"team_add": True, "leads_view": True}}, token=crm.token
    )
    assert created.status == 201
    assert created.json["type"] == "custom"
    assert {k for k, on in created.json["permissions"].items() if on} == {"team_add", "leads_view"}


def test_changing_a_groups_rights_applies_to_its_members_next_request(api: Api, make_crm) -> None:
    crm: CrmSession = make_crm()
    member = add_member(api, crm, {Permission.TEAM_ADD})
    assert api.post("/v1/invitation-links", {}, token=member.token).status == 201

    changed = api.request(
        "PATCH", f"/v1/groups/{member.group_id}", {"version": 1, "permissions": {"team_add": False}}, token=crm.token
    )

    assert changed.status == 200
    assert changed.json["permissions"]["team_add"] is False
    assert api.post("/v1/invitation-links", {}, token=member.token).status == 403


def test_unknown_permission_flags_are_400_naming_them(api: Api, make_crm) -> None:
    crm: CrmSession = make_crm()
    reply = api.post("/v1/groups", {"title": "X", "permissions": {"fly": True}}, token=crm.token)
    assert (reply.status, reply.error["field"]) == (400, "permissions.fly")


def test_a_stale_group_version_is_409(api: Api, make_crm) -> None:
    crm: CrmSession = make_crm()
    group = api.post("/v1/groups", {"title": "Team"}, token=crm.token).json
    api.request("PATCH", f"/v1/groups/{group['id']}", {"version": 1, "title": "Team A"}, token=crm.token)
    stale = api.request("PATCH", f"/v1/groups/{group['id']}", {"version": 1, "title": "Team B"}, token=crm.token)
    assert (stale.status, stale.error["field"]) == (409, "version")
