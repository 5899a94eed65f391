"""Google Calendar sync (issue 19): connections, the CRM's pushers, OAuth consents, links and
pending pushes. Tokens are never stored here (SecretStore `google-<uid>`)."""

from __future__ import annotations

from pynamodb.attributes import (
    BooleanAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UnicodeSetAttribute,
    UTCDateTimeAttribute,
)

from chalicelib.db.items import Item


class CalendarItem(Item, discriminator="gcal_connection"):
    """One user's connection (AP120); in gsi1 `G#GCAL` by next sync while it syncs (AP121)."""

    user_id = UnicodeAttribute()
    google_email = UnicodeAttribute()
    calendar_id = UnicodeAttribute()
    push = BooleanAttribute()
    pull = BooleanAttribute()
    status = UnicodeAttribute()
    connected_at = UTCDateTimeAttribute()
    next_sync_at = UTCDateTimeAttribute()
    last_sync_at = UTCDateTimeAttribute(null=True)
    last_error = UnicodeAttribute(null=True)
    sync_token = UnicodeAttribute(null=True)
    lease_until = UTCDateTimeAttribute(null=True)
    version = NumberAttribute(default=0)
    channel_id = UnicodeAttribute(null=True)
    channel_resource_id = UnicodeAttribute(null=True)
    channel_expires_at = UTCDateTimeAttribute(null=True)
    channel_token_hash = UnicodeAttribute(null=True)


class CalendarPushersItem(Item, discriminator="gcal_pushers"):
    """The CRM's users whose task changes go to Google (AP122)."""

    users = UnicodeSetAttribute(null=True)


class OAuthStateItem(Item, discriminator="oauth_state"):
    """A consent in progress (AP123), dropped by TTL when it never comes back."""

    tenant_id = UnicodeAttribute()
    user_id = UnicodeAttribute()
    code_verifier = UnicodeAttribute(null=True)
    expires_at = UTCDateTimeAttribute()


class CalendarLinkItem(Item, discriminator="gcal_link"):
    """A task shown as an event in one user's calendar: written twice, by task and by event."""

    task_id = UnicodeAttribute()
    event_id = UnicodeAttribute()
    etag = UnicodeAttribute()
    task_version = NumberAttribute()


class CalendarAccountItem(Item, discriminator="gcal_account"):
    """The Google account a user's links belong to (kept across a disconnection)."""

    email = UnicodeAttribute()


class CalendarPendingItem(Item, discriminator="gcal_pending"):
    """A task changed since some of its pushers last synced: `users`, those still to push it;
    `task_version`, the latest change that marked it."""

    task_id = UnicodeAttribute()
    task_version = NumberAttribute()
    users = UnicodeSetAttribute(null=True)


__all__ = [
    "CalendarAccountItem",
    "CalendarItem",
    "CalendarLinkItem",
    "CalendarPendingItem",
    "CalendarPushersItem",
    "OAuthStateItem",
]
