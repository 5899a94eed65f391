"""Rights and tenancy with API keys (issue 20, item 5): the rights matrix and the cross-tenant
tests of the bearer-token suites (contact routes, versioned records, list cursors, search), run
again with an `api` key of the same user. A key
acts as its owner, so every route must answer it exactly as it answers the owner's token; and
a `forms` key opens nothing but the form route."""

from __future__ import annotations

import re

import pytest

from chalicelib.api.routing import API_PREFIX, FORM_PATHS, RouteSpec
from chalicelib.domain.rights import ALL_PERMISSIONS, Access, Permission
from tests.api.test_api_keys import new_key
from tests.api.test_contacts import CONTACT_ROUTES, client, lead
from tests.api.test_list_pages import LISTS
from tests.api.test_rights_matrix import ROUTES, SOME_ID, route_id
from tests.api.test_versions import CASES as VERSION_CASES
from tests.api.test_versions import PARAM
from tests.harness import Api, CrmSession, LocalAws, add_member


@pytest.fixture
def aws(module_aws: LocalAws) -> LocalAws:
    """As in test_rights_matrix.py: one stack for the module, the matrix's checks in one CRM
    (`module_crm`), each with its own users and keys; the cross-tenant tests make their CRMs."""
    return module_aws


def call(api: Api, spec: RouteSpec, key: str | None):
    path = re.sub(r"{\w+}", SOME_ID, spec.path)
    headers = {"X-Api-Key": key} if key is not None else {}
    return api.request(spec.method, path, {} if spec.body else None, headers=headers)


def key_of(api: Api, token: str, scope: str = "api") -> str:
    return new_key(api, token, scope, rate_limit=1000)["key"]


@pytest.mark.parametrize("spec", [s for s in ROUTES if isinstance(s.right, Permission)], ids=route_id)
def test_flag_is_enforced_with_a_key(api: Api, module_crm: CrmSession, spec: RouteSpec) -> None:
    crm = module_crm
    without = key_of(api, add_member(api, crm, ALL_PERMISSIONS - {spec.right}).token)
    only = key_of(api, add_member(api, crm, {spec.right}).token)

    refused = call(api, spec, without)
    allowed = call(api, spec, only)

    assert (refused.status, refused.error["code"]) == (403, "forbidden")
    assert spec.right.value in refused.error["message"]
    assert allowed.status not in (401, 403), allowed.json


@pytest.mark.parametrize("spec", [s for s in ROUTES if s.right is Access.ADMIN], ids=route_id)
def test_admin_route_refuses_a_non_admins_key(api: Api, module_crm: CrmSession, spec: RouteSpec) -> None:
    crm = module_crm
    everything = key_of(api, add_member(api, crm, ALL_PERMISSIONS).token)
    admin = key_of(api, add_member(api, crm, admin=True).token)

    assert call(api, spec, everything).status == 403
    assert call(api, spec, admin).status not in (401, 403)


@pytest.mark.parametrize("spec", [s for s in ROUTES if s.right is Access.ANY_USER], ids=route_id)
def test_any_user_route_is_open_to_a_key_without_rights(api: Api, module_crm: CrmSession, spec: RouteSpec) -> None:
    crm = module_crm
    nobody = key_of(api, add_member(api, crm, frozenset()).token)
    assert call(api, spec, nobody).status not in (401, 403)


@pytest.mark.parametrize("spec", [s for s in ROUTES if s.right is not Access.PUBLIC], ids=route_id)
def test_a_forms_key_opens_only_the_form_route(api: Api, module_crm: CrmSession, spec: RouteSpec) -> None:
    owner = add_member(api, module_crm, admin=True)  # keys of their own (a user holds at most 50)
    forms = key_of(api, owner.token, "forms")
    reply = call(api, spec, forms)
    if spec.path.removeprefix(API_PREFIX) in FORM_PATHS:
        assert reply.status not in (401, 403), reply.json
    else:
        assert (reply.status, reply.error["code"]) == (403, "forbidden")


@pytest.mark.parametrize("spec", CONTACT_ROUTES, ids=lambda s: f"{s.method} {s.path}")
def test_another_crms_contact_is_not_found_with_a_key(api: Api, make_crm, spec: RouteSpec) -> None:
    owner: CrmSession = make_crm()
    stranger = key_of(api, make_crm().token)
    theirs = client(api, owner) if spec.path.startswith("/v1/clients/") else lead(api, owner)
    kind = "clients" if spec.path.startswith("/v1/clients/") else "leads"
    note = api.post(f"/v1/{kind}/{theirs['id']}/notes", {"text": "private"}, token=owner.token).json
    path = re.sub(r"{note_id}", note["id"], re.sub(r"{(client|lead)_id}", theirs["id"], spec.path))
    valid_bodies = {"notes": {"text": "x"}, "close": {"outcome": "client"}}
    body = next((b for part, b in valid_bodies.items() if part in spec.path), {"version": 1}) if spec.body else None

    reply = api.request(spec.method, path, body, headers={"X-Api-Key": stranger})

    assert reply.status == 404, (spec.path, reply.json)


def test_a_key_sees_only_its_owners_crm(api: Api, make_crm) -> None:
    owner, stranger = make_crm(), make_crm()
    mine = lead(api, owner)
    key = key_of(api, stranger.token)
    listed = api.get("/v1/leads?scope=all", headers={"X-Api-Key": key}).json["items"]
    assert mine["id"] not in [item["id"] for item in listed]
    assert api.get(f"/v1/leads/{mine['id']}", headers={"X-Api-Key": key}).status == 404


@pytest.mark.parametrize(
    "case", [c for c in VERSION_CASES if PARAM.search(c.path)], ids=lambda c: f"{c.method} {c.path}"
)
def test_another_crms_record_is_not_found_with_a_key(api: Api, make_crm, case) -> None:
    other: CrmSession = make_crm()
    key = key_of(api, make_crm().token)
    record_id, version = case.make(api, other)
    for body in (case.change, {**case.change, "version": version}):
        reply = api.request(case.method, case.url(record_id), body, headers={"X-Api-Key": key})
        assert (reply.status, reply.error["code"]) == (404, "not_found"), reply.json


@pytest.mark.parametrize("path", list(LISTS))
def test_another_crms_cursor_is_refused_with_a_key(api: Api, make_crm, path: str) -> None:
    other: CrmSession = make_crm()
    key = key_of(api, make_crm().token)
    for n in range(3):
        api.post(path, LISTS[path](n), token=other.token)
    cursor = api.get(f"{path}?limit=1", token=other.token).json["next_cursor"]
    reply = api.get(f"{path}?cursor={cursor}", headers={"X-Api-Key": key})
    assert (reply.status, reply.error["field"]) == (400, "cursor")


def test_another_crms_contacts_are_never_searched_with_a_key(api: Api, make_crm) -> None:
    other: CrmSession = make_crm()
    key = key_of(api, make_crm().token)
    api.post("/v1/clients", {"name": "Secretive Corp"}, token=other.token)
    assert api.get("/v1/search?q=secret", headers={"X-Api-Key": key}).json["items"] == []
