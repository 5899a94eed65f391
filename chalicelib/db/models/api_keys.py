"""Public API keys (issue 20): deployment-wide records found by the key's id, and their
per-minute request counters."""

from __future__ import annotations

from pynamodb.attributes import NumberAttribute, UnicodeAttribute, UTCDateTimeAttribute

from chalicelib.db.items import Item, strings


class ApiKeyItem(Item, discriminator="api_key"):
    """A key's owner, scope and keyed hash (never the key); in gsi1 (the CRM's keys) and gsi2
    (the owner's)."""

    key_id = UnicodeAttribute()
    tenant_id = UnicodeAttribute()
    user_id = UnicodeAttribute()
    name = UnicodeAttribute()
    scope = UnicodeAttribute()
    secret_hash = UnicodeAttribute()
    rate_limit = NumberAttribute()
    allowed_origins = strings()
    created_at = UTCDateTimeAttribute()
    last_used_at = UTCDateTimeAttribute(null=True)


class ApiKeyRateItem(Item, discriminator="api_key_rate"):
    """How many requests a key made in one minute (`ttl` removes it two minutes later)."""

    requests = NumberAttribute(default=0)


__all__ = ["ApiKeyItem", "ApiKeyRateItem"]
