"""Outgoing email: signatures (EM-5), email broadcasts and their recipients (EM-4), the messages
a broadcast sent (found again by a DSN's Message-ID) and the addresses that bounced."""

from __future__ import annotations

from pynamodb.attributes import NumberAttribute, UnicodeAttribute, UTCDateTimeAttribute, VersionAttribute

from chalicelib.db.items import Item


class EmailSignatureItem(Item, discriminator="email_signature"):
    """AP100, AP101: a signature's sanitised HTML."""

    name = UnicodeAttribute()
    html = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()
    version = VersionAttribute()


class EmailBroadcastItem(Item, discriminator="email_broadcast"):
    """AP102, AP103: one message to each recipient; counters move with each outcome."""

    status = UnicodeAttribute()
    total = NumberAttribute()
    sent = NumberAttribute(default=0)
    failed = NumberAttribute(default=0)
    integration_id = UnicodeAttribute()
    subject = UnicodeAttribute()
    text = UnicodeAttribute()  # the body as text, the signature appended
    html = UnicodeAttribute(null=True)  # the html body, the signature appended (None: text only)
    signature_id = UnicodeAttribute(null=True)
    created_by = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()
    finished_at = UTCDateTimeAttribute(null=True)
    error = UnicodeAttribute(null=True)


class EmailRecipientItem(Item, discriminator="email_recipient"):
    """One contact of an email broadcast and what became of its message."""

    email = UnicodeAttribute()
    contact_id = UnicodeAttribute()
    status = UnicodeAttribute()
    reason = UnicodeAttribute(null=True)
    message_id = UnicodeAttribute(null=True)


class SentMessageItem(Item, discriminator="email_sent"):
    """AP104: the broadcast recipient a Message-ID was sent to (a DSN names the Message-ID)."""

    broadcast_id = UnicodeAttribute()
    index = NumberAttribute()
    email = UnicodeAttribute()


class BouncingAddressItem(Item, discriminator="email_bounce"):
    """AP105: an address a hard bounce (DSN 5.x.x) reported; broadcasts skip it."""

    status = UnicodeAttribute()
    diagnostic = UnicodeAttribute(null=True)
    bounced_at = UTCDateTimeAttribute()


__all__ = [
    "BouncingAddressItem",
    "EmailBroadcastItem",
    "EmailRecipientItem",
    "EmailSignatureItem",
    "SentMessageItem",
]
