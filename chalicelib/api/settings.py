"""Settings of the CRM (company, SPEC ST-6)."""

from __future__ import annotations

from pydantic import Field

from chalicelib.api.routing import Router
from chalicelib.api.schemas import Input, Output
from chalicelib.bootstrap import services
from chalicelib.domain.actor import Actor
from chalicelib.domain.crm import Crm
from chalicelib.domain.rights import Access

router = Router(__name__, tag="Settings")


class CurrencyRate(Input):
    code: str = Field(min_length=3, max_length=3, examples=["USD"], description="ISO 4217")
    rate: str = Field(examples=["0.92"], description="Units of the base currency per 1 unit (decimal string)")


class CompanySettingsIn(Input):
    version: int = Field(ge=1, description="The version you read; a stale one is a 409 conflict")
    name: str = Field(min_length=1, max_length=100)
    country: str = Field(min_length=2, max_length=2, description="ISO 3166 alpha-2; default region for phones")
    timezone: str = Field(description="IANA time zone")
    base_currency: str = Field(min_length=3, max_length=3, description="ISO 4217")
    currencies: list[CurrencyRate] = Field(default_factory=list, max_length=50)


class CurrencyRateOut(Output):
    code: str
    rate: str


class CompanySettingsOut(Output):
    id: str
    slug: str = Field(description="The CRM's address; it never changes")
    name: str
    country: str
    timezone: str
    base_currency: str
    currencies: list[CurrencyRateOut]
    version: int

    @classmethod
    def of(cls, crm: Crm) -> CompanySettingsOut:
        return cls(
            id=crm.id,
            slug=crm.slug,
            name=crm.name,
            country=crm.country,
            timezone=crm.timezone,
            base_currency=crm.base_currency,
            currencies=[CurrencyRateOut(**entry) for entry in crm.rates.to_list()],
            version=crm.version,
        )


@router.route("/settings/company", "GET", right=Access.ANY_USER, response=CompanySettingsOut)
def get_company_settings(actor: Actor) -> CompanySettingsOut:
    """Company name, country, time zone, base currency and exchange rates."""
    return CompanySettingsOut.of(services().company.get(actor))


@router.route("/settings/company", "PUT", right=Access.ADMIN, body=CompanySettingsIn, response=CompanySettingsOut)
def put_company_settings(actor: Actor, body: CompanySettingsIn) -> CompanySettingsOut:
    """Replace the company settings (administrators)."""
    crm = services().company.update(
        actor,
        body.version,
        name=body.name,
        country=body.country,
        timezone=body.timezone,
        base_currency=body.base_currency,
        currencies=[c.model_dump() for c in body.currencies],
    )
    return CompanySettingsOut.of(crm)
