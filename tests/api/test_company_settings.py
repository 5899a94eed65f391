"""Company settings (SPEC ST-6): name, locale, base currency, exchange rates."""

from __future__ import annotations

from decimal import Decimal

from chalicelib.bootstrap import services
from tests.harness import Api, CrmSession, add_member


def settings(**changes: object) -> dict:
    return {
        "version": 1,
        "name": "Société Acme",
        "country": "FR",
        "timezone": "Europe/Paris",
        "base_currency": "EUR",
        "currencies": [{"code": "USD", "rate": "0.92"}, {"code": "jpy", "rate": "0.0061"}],
        **changes,
    }


def test_a_new_crm_has_default_settings(api: Api, make_crm) -> None:
    crm: CrmSession = make_crm("Acme Sales")
    reply = api.get("/v1/settings/company", token=crm.token).json
    assert reply == {
        "id": crm.id,
        "slug": "acme-sales",
        "name": "Acme Sales",
        "country": "FR",
        "timezone": "Europe/Paris",
        "base_currency": "EUR",
        "currencies": [],
        "version": 1,
    }


def test_admin_sets_currencies_and_amounts_convert_to_the_base_currency(api: Api, make_crm) -> None:
    crm: CrmSession = make_crm()
    reply = api.request("PUT", "/v1/settings/company", settings(version=1), token=crm.token)

    assert reply.status == 200
    assert reply.json["name"] == "Société Acme"
    assert reply.json["currencies"] == [{"code": "USD", "rate": "0.92"}, {"code": "JPY", "rate": "0.0061"}]
    assert reply.json["slug"] == crm.slug, "the address never changes"
    company = services().company
    assert company.to_base(crm.id, Decimal("100.00"), "USD") == Decimal("92.00")
    assert company.to_base(crm.id, Decimal("1000"), "JPY") == Decimal("6.10")
    assert company.to_base(crm.id, Decimal("5.55"), "EUR") == Decimal("5.55")


def test_invalid_currencies_are_400_naming_the_entry(api: Api, make_crm) -> None:
    crm: CrmSession = make_crm()
    cases = [
        (settings(version=1, base_currency="ABC"), "base_currency"),
        (settings(version=1, currencies=[{"code": "XYZ", "rate": "1"}]), "currencies[0].code"),
        (settings(version=1, currencies=[{"code": "USD", "rate": "-1"}]), "currencies[0].rate"),
        (
            settings(version=1, currencies=[{"code": "USD", "rate": "1"}, {"code": "usd", "rate": "2"}]),
            "currencies[1].code",
        ),
        (settings(version=1, currencies=[{"code": "EUR", "rate": "1"}]), "currencies[0].code"),
        (settings(version=1, country="ZZ"), "country"),
    ]
    for body, field in cases:
        reply = api.request("PUT", "/v1/settings/company", body, token=crm.token)
        assert (reply.status, reply.error["field"]) == (400, field), body


def test_settings_are_read_by_everyone_and_changed_by_admins_only(api: Api, make_crm) -> None:
    from chalicelib.domain.rights import ALL_PERMISSIONS

    crm: CrmSession = make_crm()
    member = add_member(api, crm, ALL_PERMISSIONS)
    assert api.get("/v1/settings/company", token=member.token).status == 200
    assert api.request("PUT", "/v1/settings/company", settings(version=1), token=member.token).status == 403


def test_a_stale_settings_version_is_409(api: Api, make_crm) -> None:
    crm: CrmSession = make_crm()
    api.request("PUT", "/v1/settings/company", settings(version=1), token=crm.token)
    stale = api.request("PUT", "/v1/settings/company", settings(version=1, name="Lost"), token=crm.token)
    assert (stale.status, stale.error["field"]) == (409, "version")
