"""Webhook records (docs/data-model.md, "Webhooks"): subscriptions, their guards, their delivery
log, and the outbox the delivery worker reads."""

from __future__ import annotations

from pynamodb.attributes import NumberAttribute, UnicodeAttribute, UTCDateTimeAttribute

from chalicelib.db.items import Item


class HookItem(Item, discriminator="hook"):
    """A subscription (AP140, AP141): who made it, what event, where to."""

    event = UnicodeAttribute()
    target_url = UnicodeAttribute()
    secret = UnicodeAttribute()
    owner_id = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()
    status = UnicodeAttribute(default="active")
    failing_since = UTCDateTimeAttribute(null=True)


class HookGuardItem(Item, discriminator="hook_guard"):
    """(owner, event, URL) -> the hook (AP142): subscribing twice finds the first one."""

    hook_id = UnicodeAttribute()


class HookAttemptItem(Item, discriminator="hook_attempt"):
    """One delivery attempt of a hook (AP144), kept LOG_KEEP (ttl)."""

    webhook_id = UnicodeAttribute()
    event = UnicodeAttribute()
    at = UTCDateTimeAttribute()
    attempt = NumberAttribute()
    outcome = UnicodeAttribute()
    response_code = NumberAttribute(null=True)
    error = UnicodeAttribute(null=True)


class HookQueueItem(Item, discriminator="hook_queue"):
    """The outbox (AP145): an event written in its record's transaction (`qkind` E: the record
    as written, to fan out to the CRM's hooks), or a message to one hook waiting for its next
    attempt (M: the body as first sent). Claimed with a lease before it is worked on."""

    qkind = UnicodeAttribute()
    tenant_id = UnicodeAttribute()
    event = UnicodeAttribute()
    at = UTCDateTimeAttribute()
    message_id = UnicodeAttribute()
    record_type = UnicodeAttribute(null=True)  # E
    payload = UnicodeAttribute()  # E: the record (JSON); M: the body
    hook_id = UnicodeAttribute(null=True)  # M
    attempt = NumberAttribute(default=0)  # M: attempts made
    first_at = UTCDateTimeAttribute(null=True)  # M
    claimed_until = UTCDateTimeAttribute(null=True)


class HookWatermarkItem(Item, discriminator="hook_watermark"):
    """The oldest hour that may still hold webhook messages (AP146)."""

    bucket = UnicodeAttribute()


__all__ = ["HookAttemptItem", "HookGuardItem", "HookItem", "HookQueueItem", "HookWatermarkItem"]
