"""Clients and leads: the record and its filter-list entries (its feed is `shared.FeedItem`)."""

from __future__ import annotations

from pynamodb.attributes import (
    JSONAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
    VersionAttribute,
)

from chalicelib.db.items import Item, strings


class ContactItem(Item, discriminator="contact"):
    """A client or a lead; gsi1 lists it by kind, gsi2 by kind and responsible user."""

    contact_kind = UnicodeAttribute()  # `kind` is the base item's discriminator
    name = UnicodeAttribute()
    status = UnicodeAttribute()
    type = UnicodeAttribute()
    phones = JSONAttribute(default=list)  # [{"phone": E.164, "type"}]
    emails = JSONAttribute(default=list)  # [{"email", "type"}]
    address = UnicodeAttribute(null=True)
    website = UnicodeAttribute(null=True)
    comment = UnicodeAttribute(null=True)
    responsible_user_id = UnicodeAttribute(null=True)
    tags = strings()
    source_tag_ids = strings()
    properties = JSONAttribute(default=dict)
    lead_status = UnicodeAttribute(null=True)
    lead_source = UnicodeAttribute(null=True)
    created_at = UTCDateTimeAttribute()
    created_by = UnicodeAttribute()
    updated_at = UTCDateTimeAttribute()
    converted_at = UTCDateTimeAttribute(null=True)
    version = VersionAttribute()
    # Who was responsible when it was created, converted, and its spans in the pool (rollups).
    attribution = JSONAttribute(null=True)


class FilterItem(Item, discriminator="filter"):
    """A contact listed under one filter value (AP20); the record is fetched by id."""

    contact_id = UnicodeAttribute()


__all__ = ["ContactItem", "FilterItem"]
