"""A CRM (tenant): its name, slug, locale, and the rules for creating one (SPEC ON-1..3)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from chalicelib.domain.errors import ValidationError
from chalicelib.domain.money import ExchangeRates
from chalicelib.domain.telephony_settings import TelephonySettings

NAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 -]*$")
NAME_MAX_LENGTH = 60
SLUG_MIN_LENGTH = 3
# Slugs that would be confusing or clash with URLs we may serve per CRM one day.
RESERVED_SLUGS = frozenset({"admin", "api", "app", "auth", "help", "login", "static", "status", "www"})


DEFAULT_CURRENCY = "EUR"
COMPANY_NAME_MAX_LENGTH = 100


class CrmStatus(StrEnum):
    # Written first, flipped to active once the identity provider and secrets are set up;
    # a CRM stuck here (the Lambda died mid-way) is rolled back by functions/provisioning.py.
    PROVISIONING = "provisioning"
    ACTIVE = "active"


@dataclass(frozen=True, slots=True)
class Crm:
    """One tenant of the deployment."""

    id: str
    slug: str
    name: str
    country: str
    timezone: str
    status: CrmStatus
    created_at: datetime
    has_pbx_credentials: bool = False
    # Company settings (ST-6): the base currency and the others with their rates.
    rates: ExchangeRates = field(default_factory=lambda: ExchangeRates(DEFAULT_CURRENCY, {}))
    telephony: TelephonySettings = field(default_factory=TelephonySettings)
    version: int = 1

    @property
    def pbx_timezone(self) -> str:
        """The zone of the PBX's `call_start` times: the telephony setting, else the CRM's."""
        return self.telephony.pbx_timezone or self.timezone

    @property
    def base_currency(self) -> str:
        return self.rates.base


def check_name(name: str, *, field_name: str = "name") -> str:
    """A CRM name: Latin letters, digits, spaces and hyphens (ON-1)."""
    name = " ".join(name.split())
    if not name or len(name) > NAME_MAX_LENGTH or not NAME_PATTERN.fullmatch(name):
        raise ValidationError(
            f"a CRM name has 1 to {NAME_MAX_LENGTH} Latin letters, digits, spaces or hyphens",
            field=field_name,
        )
    return name


def check_company_name(name: str, *, field_name: str = "name") -> str:
    """The displayed company name; any script once the slug exists (it never changes)."""
    name = " ".join(name.split())
    if not 1 <= len(name) <= COMPANY_NAME_MAX_LENGTH:
        raise ValidationError(f"a company name has 1 to {COMPANY_NAME_MAX_LENGTH} characters", field=field_name)
    return name


def slugify(name: str, *, field_name: str = "name") -> str:
    """The URL slug of a valid CRM name: 'Acme Sales' -> 'acme-sales'."""
    slug = re.sub(r"[ -]+", "-", check_name(name, field_name=field_name).lower()).strip("-")
    if len(slug) < SLUG_MIN_LENGTH:
        raise ValidationError(f"a CRM name needs at least {SLUG_MIN_LENGTH} letters or digits", field=field_name)
    if slug in RESERVED_SLUGS:
        raise ValidationError(f"'{slug}' is reserved, choose another CRM name", field=field_name)
    return slug


def check_country(country: str, *, field_name: str = "country") -> str:
    """An ISO 3166 alpha-2 code known to the phone-number library (the default phone region)."""
    import phonenumbers  # imported here: only CRM creation and settings need it

    code = country.strip().upper()
    if code not in phonenumbers.SUPPORTED_REGIONS:
        raise ValidationError("country must be an ISO 3166 alpha-2 code, e.g. FR", field=field_name)
    return code


def check_timezone(name: str, *, field_name: str = "timezone") -> str:
    """An IANA time zone name such as Europe/Paris."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError  # only settings need it: kept off the cold start

    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValidationError("timezone must be an IANA name, e.g. Europe/Paris", field=field_name) from None
    return name
