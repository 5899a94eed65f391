"""Archived emails (EM-2), their Message-ID guards, mailbox cursors, exceptions and settings."""

from __future__ import annotations

from pynamodb.attributes import (
    BooleanAttribute,
    JSONAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
)

from chalicelib.db.items import Item


class EmailItem(Item, discriminator="email"):
    """One email (AP91); bodies and attachments are files, named here by their keys."""

    integration_id = UnicodeAttribute()
    direction = UnicodeAttribute()
    message_id = UnicodeAttribute()
    thread_id = UnicodeAttribute()
    sender = UnicodeAttribute()
    to = JSONAttribute()  # [address]
    cc = JSONAttribute()
    subject = UnicodeAttribute()
    text = UnicodeAttribute()
    has_html = BooleanAttribute(default=False)
    time = UTCDateTimeAttribute()
    contact = JSONAttribute(null=True)  # {"type", "id"}
    contacts = JSONAttribute(null=True)  # [{"type", "id"}]
    deal_id = UnicodeAttribute(null=True)
    attachments = JSONAttribute(null=True)  # [{"name", "size", "key", "content_type"}]
    user_id = UnicodeAttribute(null=True)
    in_reply_to = UnicodeAttribute(null=True)
    html_key = UnicodeAttribute(null=True)
    text_key = UnicodeAttribute(null=True)


class MessageGuardItem(Item, discriminator="email_guard"):
    """One Message-ID per CRM (AP92): written with its email, so storing twice stores nothing."""

    email_id = UnicodeAttribute()
    thread_id = UnicodeAttribute()
    deal_id = UnicodeAttribute(null=True)


class EmailCursorItem(Item, discriminator="email_cursor"):
    """How far a mailbox folder has been read (AP93): UIDVALIDITY and the last UID stored."""

    uidvalidity = NumberAttribute()
    last_uid = NumberAttribute()


class EmailExceptionItem(Item, discriminator="email_exception"):
    """EM-6 (AP95): an address or a domain whose mail never enters the CRM."""

    pattern = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()


class EmailSettingsItem(Item, discriminator="email_settings"):
    """The CRM's email settings (AP96)."""

    own_domains = JSONAttribute()
    revision = NumberAttribute(default=0)


__all__ = ["EmailCursorItem", "EmailExceptionItem", "EmailItem", "EmailSettingsItem", "MessageGuardItem"]
