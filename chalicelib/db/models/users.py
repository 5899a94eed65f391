"""Users, groups and invitations of a CRM."""

from __future__ import annotations

from pynamodb.attributes import (
    JSONAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
    VersionAttribute,
)

from chalicelib.db.items import Item, strings


class UserItem(Item, discriminator="user"):
    name = UnicodeAttribute()
    email = UnicodeAttribute()
    extension = UnicodeAttribute(null=True)
    group_id = UnicodeAttribute()
    status = UnicodeAttribute()
    language = UnicodeAttribute(default="en")
    timezone = UnicodeAttribute(null=True)
    week_start = UnicodeAttribute(default="monday")
    telephony_mode = UnicodeAttribute(default="webphone")
    phones = strings()
    avatar_key = UnicodeAttribute(null=True)
    # The API's working-hours document, as is (validated by domain.schedule).
    working_hours = JSONAttribute(null=True)
    # Refreshed by the user's requests (at most once a minute): the team's online indicator.
    last_seen_at = UTCDateTimeAttribute(null=True)
    created_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute()
    version = VersionAttribute()


class GroupItem(Item, discriminator="group"):
    type = UnicodeAttribute()
    title = UnicodeAttribute()
    permissions = strings()
    version = VersionAttribute()


class InvitationItem(Item, discriminator="invitation"):
    """A single-use invitation to one CRM and group; `ttl` lets DynamoDB drop expired ones."""

    invitation_id = UnicodeAttribute()
    tenant_id = UnicodeAttribute()
    group_id = UnicodeAttribute()
    email = UnicodeAttribute(null=True)  # None for a shareable link
    user_id = UnicodeAttribute(null=True)  # the invited user record, for emailed invitations
    created_by = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()
    expires_at = UTCDateTimeAttribute()


__all__ = ["GroupItem", "InvitationItem", "UserItem"]
