"""A CRM's custom property definitions and source tags."""

from __future__ import annotations

from pynamodb.attributes import UnicodeAttribute, UTCDateTimeAttribute, VersionAttribute

from chalicelib.db.items import Item, strings


class PropertyItem(Item, discriminator="property"):
    key = UnicodeAttribute()
    title = UnicodeAttribute()
    property_kind = UnicodeAttribute()
    options = strings()
    version = VersionAttribute()


class SourceTagItem(Item, discriminator="source"):
    param = UnicodeAttribute()
    value = UnicodeAttribute()
    display_value = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()
    version = VersionAttribute()


__all__ = ["PropertyItem", "SourceTagItem"]
