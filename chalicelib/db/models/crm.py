"""The CRM (tenant) record and its deployment-wide slug."""

from __future__ import annotations

from pynamodb.attributes import (
    BooleanAttribute,
    JSONAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
    VersionAttribute,
)

from chalicelib.db.items import Item


class CrmItem(Item, discriminator="crm"):
    name = UnicodeAttribute()
    slug = UnicodeAttribute()
    country = UnicodeAttribute()
    timezone = UnicodeAttribute()
    status = UnicodeAttribute()
    has_pbx_credentials = BooleanAttribute(default=False)
    base_currency = UnicodeAttribute(default="EUR")
    # [{"code": "USD", "rate": "0.92"}]: units of the base currency per unit (decimal strings).
    currencies = JSONAttribute(default=list)
    # Telephony settings (ST-4) as the API shows them; the PBX keys are in the secret store.
    telephony = JSONAttribute(default=dict)
    created_at = UTCDateTimeAttribute()
    version = VersionAttribute()


class SlugItem(Item, discriminator="slug"):
    """Makes a CRM slug unique across the deployment and resolves it to the tenant."""

    tenant_id = UnicodeAttribute()


__all__ = ["CrmItem", "SlugItem"]
