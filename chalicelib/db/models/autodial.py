"""Autodial call lists, their numbers and the dial awaiting a call's end."""

from __future__ import annotations

from pynamodb.attributes import NumberAttribute, UnicodeAttribute, UTCDateTimeAttribute

from chalicelib.db.items import Item


class CallListItem(Item, discriminator="call_list"):
    """An autodial call list (AP39): where it is, how far it got."""

    status = UnicodeAttribute()
    user_id = UnicodeAttribute()
    extension = UnicodeAttribute()
    total = NumberAttribute()
    done = NumberAttribute(default=0)
    position = NumberAttribute(default=0)
    run = NumberAttribute(default=1)
    created_at = UTCDateTimeAttribute()
    error = UnicodeAttribute(null=True)


class ListEntryItem(Item, discriminator="list_entry"):
    """One number of a call list and its outcome."""

    phone = UnicodeAttribute()
    contact_id = UnicodeAttribute(null=True)
    outcome = UnicodeAttribute()
    reason = UnicodeAttribute(null=True)
    call_id = UnicodeAttribute(null=True)


class AwaitingCallItem(Item, discriminator="awaiting_call"):
    """A dialling autodial waiting for the PBX's end of call (AP40): the task token to resume."""

    list_id = UnicodeAttribute()
    index = NumberAttribute()
    token = UnicodeAttribute()


__all__ = ["AwaitingCallItem", "CallListItem", "ListEntryItem"]
