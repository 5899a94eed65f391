"""SMS broadcasts, their recipients and the SMS templates."""

from __future__ import annotations

from pynamodb.attributes import (
    NumberAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
    VersionAttribute,
)

from chalicelib.db.items import Item


class BroadcastItem(Item, discriminator="broadcast"):
    """An SMS broadcast (AP38); its counters move with each recipient's outcome."""

    status = UnicodeAttribute()
    total = NumberAttribute()
    sent = NumberAttribute(default=0)
    failed = NumberAttribute(default=0)
    text = UnicodeAttribute(null=True)
    template_id = UnicodeAttribute(null=True)
    created_by = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()
    finished_at = UTCDateTimeAttribute(null=True)
    error = UnicodeAttribute(null=True)


class RecipientItem(Item, discriminator="recipient"):
    """One number of a broadcast and what became of its SMS."""

    phone = UnicodeAttribute()
    contact_id = UnicodeAttribute(null=True)
    text = UnicodeAttribute()
    status = UnicodeAttribute()
    reason = UnicodeAttribute(null=True)
    message_id = UnicodeAttribute(null=True)


class SmsTemplateItem(Item, discriminator="sms_template"):
    title = UnicodeAttribute()
    text = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()
    version = VersionAttribute()


__all__ = ["BroadcastItem", "RecipientItem", "SmsTemplateItem"]
