"""Domain rules: CRM names and slugs, rights, principal names."""

from __future__ import annotations

import pytest

from chalicelib.domain.crm import check_country, check_timezone, slugify
from chalicelib.domain.errors import ForbiddenError, ValidationError
from chalicelib.domain.ids import new_id
from chalicelib.domain.rights import ALL_PERMISSIONS, Access, Group, GroupType, Permission, require, standard_groups
from chalicelib.domain.users import parse_principal_name, principal_name


@pytest.mark.parametrize(
    ("name", "slug"),
    [("Acme Sales", "acme-sales"), ("ACME", "acme"), ("a - b  -  c", "a-b-c"), ("Team 42", "team-42")],
)
def test_slug_of_a_latin_name(name: str, slug: str) -> None:
    assert slugify(name) == slug


@pytest.mark.parametrize("name", ["Café", "Москва", "a_b", "x.y", "-lead", "ab", "api"])
def test_names_that_make_no_valid_slug_are_refused(name: str) -> None:
    with pytest.raises(ValidationError) as error:
        slugify(name)
    assert error.value.field == "name"


def test_country_and_timezone_checks() -> None:
    assert check_country("fr") == "FR"
    assert check_timezone("America/New_York") == "America/New_York"
    for bad_country in ["XX", "FRA", ""]:
        with pytest.raises(ValidationError):
            check_country(bad_country)
    with pytest.raises(ValidationError):
        check_timezone("../etc/passwd")


def test_admin_groups_hold_every_right_whatever_is_stored() -> None:
    admin = Group(id="g", type=GroupType.ADMIN, title="Admins", permissions=frozenset())
    assert admin.effective_permissions == ALL_PERMISSIONS
    assert all(admin.flags().values())
    assert len(admin.flags()) == 13


def test_standard_groups_follow_the_vendor_defaults() -> None:
    groups = {g.type: g for g in standard_groups(new_id)}
    manager = groups[GroupType.MANAGER].flags()
    assert {flag for flag, on in manager.items() if on} == {
        "customers_create",
        "customers_edit",
        "customers_delete",
        "customers_import_export",
    }
    assert groups[GroupType.TRAINEE].effective_permissions < groups[GroupType.CHAT_OPERATOR].effective_permissions
    assert groups[GroupType.CHAT_OPERATOR].effective_permissions < groups[GroupType.MANAGER].effective_permissions


def test_require_checks_flags_and_access_levels() -> None:
    team = Group(id="g", type=GroupType.CUSTOM, title="Team", permissions=frozenset({Permission.TEAM_ADD}))
    admin = Group(id="a", type=GroupType.ADMIN, title="Admins")
    require(team, Permission.TEAM_ADD)
    require(team, Access.ANY_USER)
    require(admin, Access.ADMIN)
    with pytest.raises(ForbiddenError, match="team_edit"):
        require(team, Permission.TEAM_EDIT)
    with pytest.raises(ForbiddenError, match="administrators"):
        require(Group(id="x", type=GroupType.CUSTOM, title="All flags", permissions=ALL_PERMISSIONS), Access.ADMIN)


def test_principal_names_round_trip_and_foreign_names_are_refused() -> None:
    tenant, user = new_id(), new_id()
    assert parse_principal_name(principal_name(tenant, user)) == (tenant, user)
    for foreign in ["plainuser", ".x", "x.", "a.b.c"]:
        with pytest.raises(ValueError, match="principal"):
            parse_principal_name(foreign)
