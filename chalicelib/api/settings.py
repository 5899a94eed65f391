"""Settings of the CRM (company, SPEC ST-6; telephony, ST-4)."""

from __future__ import annotations

from pydantic import Field, SecretStr

from chalicelib.api.routing import Router
from chalicelib.api.schemas import Input, Output, VersionIn
from chalicelib.bootstrap import services
from chalicelib.domain.actor import Actor
from chalicelib.domain.crm import Crm
from chalicelib.domain.rights import Access
from chalicelib.services.telephony import settings_view

router = Router(__name__, tag="Settings")


class CurrencyRate(Input):
    code: str = Field(min_length=3, max_length=3, examples=["USD"], description="ISO 4217")
    rate: str = Field(examples=["0.92"], description="Units of the base currency per 1 unit (decimal string)")


class CompanySettingsIn(Input):
    version: VersionIn = None
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


class TelephonySettingsIn(Input):
    version: VersionIn = None
    pbx_api_key: str | None = Field(None, min_length=1, max_length=200, description="Write-only; with the secret")
    pbx_api_secret: SecretStr | None = Field(None, min_length=1, max_length=200, description="Write-only")
    pbx_timezone: str | None = Field(None, description="IANA zone of the PBX cabinet (call_start has none)")
    auto_lead_incoming_calls: bool | None = None
    auto_lead_outgoing_calls: bool | None = None
    auto_lead_incoming_sms: bool | None = None
    auto_lead_outgoing_sms: bool | None = None
    dial_without_country_code: bool | None = Field(None, description="TE-8: complete local numbers with the country")
    autodial_all_numbers: bool | None = Field(None, description="Call lists: every number of a contact, or the first")
    sms_all_numbers: bool | None = Field(None, description="Broadcasts: every number of a contact, or the first")


class TelephonySettingsOut(Output):
    pbx_keys_set: bool = Field(description="The PBX API keys are stored (they are never returned)")
    pbx_timezone: str
    auto_lead_incoming_calls: bool
    auto_lead_outgoing_calls: bool
    auto_lead_incoming_sms: bool
    auto_lead_outgoing_sms: bool
    dial_without_country_code: bool
    autodial_all_numbers: bool
    sms_all_numbers: bool
    webhook_path: str = Field(description="Give the PBX this path on the API's URL, for both notification URLs")
    version: int


@router.route("/settings/telephony", "GET", right=Access.ADMIN, response=TelephonySettingsOut)
def get_telephony_settings(actor: Actor) -> TelephonySettingsOut:
    """Telephony settings (ST-4); the PBX keys are write-only."""
    return TelephonySettingsOut(**settings_view(services().telephony.settings(actor)))


@router.route("/settings/telephony", "PUT", right=Access.ADMIN, body=TelephonySettingsIn, response=TelephonySettingsOut)
def put_telephony_settings(actor: Actor, body: TelephonySettingsIn) -> TelephonySettingsOut:
    """Change telephony settings; new PBX keys are checked with the PBX before they are kept."""
    changes = {
        name: getattr(body, name) for name in body.model_fields_set - {"version", "pbx_api_key", "pbx_api_secret"}
    }
    crm = services().telephony.update_settings(
        actor,
        body.version,
        changes,
        api_key=body.pbx_api_key,
        api_secret=body.pbx_api_secret.get_secret_value() if body.pbx_api_secret else None,
    )
    return TelephonySettingsOut(**settings_view(crm))
