"""Notification center records (docs/data-model.md, "Notifications")."""

from __future__ import annotations

from pynamodb.attributes import BooleanAttribute, UnicodeAttribute, UTCDateTimeAttribute

from chalicelib.db.items import Item


class NotificationItem(Item, discriminator="notification"):
    """One notification of one user; gsi1 (the unread list) while not marked read on its own;
    `ttl` lets DynamoDB drop it after the retention window."""

    kind_name = UnicodeAttribute(attr_name="nkind")  # NotificationKind (`kind` is the discriminator)
    time = UTCDateTimeAttribute()
    title = UnicodeAttribute()
    link_type = UnicodeAttribute(null=True)
    link_id = UnicodeAttribute(null=True)
    read = BooleanAttribute(default=False)


class NotificationInboxItem(Item, discriminator="notification_inbox"):
    """A user's unread state: the "read up to" watermark, and one number attribute per UTC day
    (`u<yyyymmdd>`, keys.notification_day_attribute) counting that day's unread notifications.
    The day attributes are not declared: the repository reads and writes them by name."""

    read_before = UTCDateTimeAttribute(null=True)
