"""Email integrations (EM-1) and the CRM's count of them. Passwords are never stored here."""

from __future__ import annotations

from pynamodb.attributes import (
    JSONAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
    VersionAttribute,
)

from chalicelib.db.items import Item


class MailboxItem(Item, discriminator="email_integration"):
    """One mailbox: IMAP/SMTP settings without passwords, sharing, sync state (AP89, AP90)."""

    owner_id = UnicodeAttribute()
    name = UnicodeAttribute()
    email = UnicodeAttribute()
    imap = JSONAttribute()  # {"host", "port", "security", "username"}
    smtp = JSONAttribute()
    shared_with = JSONAttribute()  # "all" or a list of user ids ([]: personal)
    create_leads = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()
    status = UnicodeAttribute()
    last_sync_at = UTCDateTimeAttribute(null=True)
    last_error = UnicodeAttribute(null=True)
    messages = NumberAttribute(default=0)
    version = VersionAttribute()
    # A poll holds the mailbox until then (a conditional update takes it); gsi1 (AP94) says
    # when it is next due, across CRMs.
    lease_until = UTCDateTimeAttribute(null=True)


class MailboxCountItem(Item, discriminator="email_integration_count"):
    """How many integrations the CRM has (AP90): the limit is a condition on it."""

    total = NumberAttribute(default=0)


__all__ = ["MailboxCountItem", "MailboxItem"]
