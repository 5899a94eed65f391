"""Calls and the PBX extensions' status."""

from __future__ import annotations

from pynamodb.attributes import (
    BooleanAttribute,
    JSONAttribute,
    ListAttribute,
    MapAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
)

from chalicelib.db.items import Item


class TransferMap(MapAttribute[str, object]):
    """A hand-over of the live call to a colleague (TE-5)."""

    at = UTCDateTimeAttribute()
    by_user_id = UnicodeAttribute()
    to_user_id = UnicodeAttribute()
    to_extension = UnicodeAttribute()
    attended = BooleanAttribute(default=False)


class CallItem(Item, discriminator="call"):
    """A call, upserted by each PBX event (AP33); gsi1 lists it by time (AP34), gsi2 per user (AP35)."""

    direction = UnicodeAttribute()
    started_at = UTCDateTimeAttribute(null=True)  # from the PBX's call_start
    received_at = UTCDateTimeAttribute()  # the first event's arrival (a fallback for started_at)
    phone = UnicodeAttribute(null=True)
    did = UnicodeAttribute(null=True)
    extension = UnicodeAttribute(null=True)
    user_id = UnicodeAttribute(null=True)
    contact_type = UnicodeAttribute(null=True)
    contact_id = UnicodeAttribute(null=True)
    contact_name = UnicodeAttribute(null=True)
    status = UnicodeAttribute(null=True)
    disposition = UnicodeAttribute(null=True)
    duration_s = NumberAttribute(null=True)
    record_id = UnicodeAttribute(null=True)
    recording = UnicodeAttribute(null=True)
    recording_key = UnicodeAttribute(null=True)
    recording_error = UnicodeAttribute(null=True)
    transcript = UnicodeAttribute(null=True)
    seq = NumberAttribute(default=0)
    transfers = ListAttribute(of=TransferMap, null=True)  # TE-5: appended one by one (AP147)


class ExtensionStatusItem(Item, discriminator="pbx_status"):
    """The extensions' online status as the PBX last said it: {extension: {"online", "at"}}."""

    statuses = JSONAttribute(default=dict)


class WebphoneKeyItem(Item, discriminator="webphone_key"):
    """A user's WebRTC key of the PBX (valid 72 h), kept to be served again until renewed (AP148-149)."""

    key = UnicodeAttribute()
    extension = UnicodeAttribute()
    fetched_at = UTCDateTimeAttribute()


__all__ = ["CallItem", "ExtensionStatusItem", "TransferMap", "WebphoneKeyItem"]
