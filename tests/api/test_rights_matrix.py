"""The rights matrix (SPEC ST-7, X-3), generated from the route table.

For every route: without a token it is refused (unless public); with a token whose group lacks
exactly the route's declared right it is refused with 403; with that right alone it gets past
the rights check. A route declared without a right cannot exist (Router.route requires one), and
a route added to the app outside the Router fails `test_every_route_is_declared_through_the_router`.
"""

from __future__ import annotations

import re

import pytest

from app import app  # every route the API serves
from chalicelib.api.routing import RouteSpec, all_routes
from chalicelib.domain.rights import ALL_PERMISSIONS, Access, Permission
from tests.harness import Api, CrmSession, LocalAws, add_member

# Every route (all route modules loaded), so the matrix below is built from all of them.
ROUTES = all_routes()
SOME_ID = "01ZZZZZZZZZZZZZZZZZZZZZZZZ"


@pytest.fixture
def aws(module_aws: LocalAws) -> LocalAws:
    """The matrix changes nothing a check reads: one stack and one CRM (`module_crm`) for the
    module; each check makes its own users."""
    return module_aws


def call(api: Api, spec: RouteSpec, token: str | None):
    path = re.sub(r"{\w+}", SOME_ID, spec.path)
    return api.request(spec.method, path, {} if spec.body else None, token=token)


def route_id(spec: RouteSpec) -> str:
    return f"{spec.method} {spec.path} [{spec.right.value}]"


def test_every_route_is_declared_through_the_router() -> None:
    from chalicelib.api.route_table import ZCRM_ROUTE_TABLE

    served = {(f"{path}", method) for path, methods in app.routes.items() for method in methods}
    # The Teamsale-compatible routes (/v1/zcrm, installed when first called) have their own table,
    # checked against their modules in test_zcrm_contract.py; their rights are the owner's.
    teamsale = {(f"/v1{path}", method) for _, method, path, _ in ZCRM_ROUTE_TABLE}
    declared = {(spec.path, spec.method) for spec in ROUTES}
    assert served - teamsale == declared, "a route was added without Router.route(..., right=...)"


def test_the_matrix_covers_every_flag_that_governs_a_route() -> None:
    governed = {spec.right for spec in ROUTES if isinstance(spec.right, Permission)}
    assert {Permission.TEAM_ADD, Permission.TEAM_EDIT} <= governed


@pytest.mark.parametrize("spec", [s for s in ROUTES if s.right is not Access.PUBLIC], ids=route_id)
def test_private_route_refuses_a_request_without_token(api: Api, spec: RouteSpec) -> None:
    assert call(api, spec, None).status == 401


@pytest.mark.parametrize("spec", [s for s in ROUTES if s.right is Access.PUBLIC], ids=route_id)
def test_public_route_needs_no_token(api: Api, spec: RouteSpec) -> None:
    assert call(api, spec, None).status not in (401, 403)


@pytest.mark.parametrize("spec", [s for s in ROUTES if isinstance(s.right, Permission)], ids=route_id)
def test_flag_is_enforced_on_the_route_it_governs(api: Api, module_crm: CrmSession, spec: RouteSpec) -> None:
    crm = module_crm
    without = add_member(api, crm, ALL_PERMISSIONS - {spec.right})
    only = add_member(api, crm, {spec.right})

    refused = call(api, spec, without.token)
    allowed = call(api, spec, only.token)

    assert (refused.status, refused.error["code"]) == (403, "forbidden")
    assert spec.right.value in refused.error["message"]
    assert allowed.status not in (401, 403), allowed.json


@pytest.mark.parametrize("spec", [s for s in ROUTES if s.right is Access.ADMIN], ids=route_id)
def test_admin_route_refuses_a_non_admin_holding_every_flag(api: Api, module_crm: CrmSession, spec: RouteSpec) -> None:
    crm = module_crm
    everything = add_member(api, crm, ALL_PERMISSIONS)
    admin = add_member(api, crm, admin=True)

    assert call(api, spec, everything.token).status == 403
    assert call(api, spec, admin.token).status not in (401, 403)


@pytest.mark.parametrize("spec", [s for s in ROUTES if s.right is Access.ANY_USER], ids=route_id)
def test_any_user_route_is_open_to_a_user_without_rights(api: Api, module_crm: CrmSession, spec: RouteSpec) -> None:
    crm = module_crm
    nobody = add_member(api, crm, frozenset())
    assert call(api, spec, nobody.token).status not in (401, 403)


def test_docs_list_every_route_with_its_right() -> None:
    from pathlib import Path

    text = (Path(__file__).resolve().parents[2] / "docs" / "rights.md").read_text()
    documented = set(re.findall(r"^\| `(\w+) (\S+)` \| `(\w+)` \|$", text, flags=re.MULTILINE))
    assert documented == {(s.method, s.path, s.right.value) for s in ROUTES}
