"""Deals and their list copies."""

from __future__ import annotations

from pynamodb.attributes import (
    JSONAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
    VersionAttribute,
)

from chalicelib.db.items import Item, strings


class DealFields:
    """A deal's attributes, shared by its record and its list copies."""

    title = UnicodeAttribute()
    client_id = UnicodeAttribute()
    amount_minor = NumberAttribute()
    currency = UnicodeAttribute()
    status = UnicodeAttribute()
    responsible_user_id = UnicodeAttribute()
    position = UnicodeAttribute()
    history = JSONAttribute(default=list)  # [{"status", "at"}]
    created_at = UTCDateTimeAttribute()
    created_by = UnicodeAttribute()
    updated_at = UTCDateTimeAttribute()
    closed_at = UTCDateTimeAttribute(null=True)
    # The won value in base currency at the rate of the moment; the client's source tags (rollups).
    won_base_minor = NumberAttribute(null=True)
    source_tag_ids = strings()


class DealItem(Item, DealFields, discriminator="deal"):
    """A deal; gsi1 places it in its board column, gsi2 in its owner's column (AP25), gsi3
    among its client's deals (AP47)."""

    version = VersionAttribute()


class DealEntryItem(Item, DealFields, discriminator="deal_entry"):
    """A deal in the newest-first deals list (AP60: everyone's, or its responsible user's);
    gsi1 is the same list for one status (AP61). A full copy: a page is one Query."""

    deal_id = UnicodeAttribute()
    deal_version = NumberAttribute()


__all__ = ["DealEntryItem", "DealFields", "DealItem"]
