"""Records several areas write: uniqueness guards, counters, feed entries, search terms."""

from __future__ import annotations

from pynamodb.attributes import (
    JSONAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
)

from chalicelib.db.items import Item


class UniqueItem(Item, discriminator="unique"):
    """A guard item: a unique value (email, extension...) and the record that owns it."""

    owner_type = UnicodeAttribute()
    owner_id = UnicodeAttribute()


class CounterItem(Item, discriminator="counter"):
    """A count kept at write time (contacts per tag, per source tag): read in O(1)."""

    name = UnicodeAttribute()
    contact_kind = UnicodeAttribute()
    value = UnicodeAttribute()
    count = NumberAttribute(default=0)  # type: ignore[assignment]  # stored name; Model.count is never called on counters
    # Sum kept with the count where it means something (deals: amount in minor units).
    total = NumberAttribute(default=0)


class FeedItem(Item, discriminator="feed"):
    """One entry of a contact's activity feed; ids are ULIDs, so the sort key is time order."""

    entry_kind = UnicodeAttribute()
    time = UTCDateTimeAttribute()
    user_id = UnicodeAttribute(null=True)
    text = UnicodeAttribute(null=True)
    data = JSONAttribute(default=dict)
    edited_at = UTCDateTimeAttribute(null=True)
    # Entries kept up to date by outside events (a call's): the number of the event written, so
    # a late, older event never overwrites a newer state.
    seq = NumberAttribute(null=True)


class SearchItem(Item, discriminator="search"):
    """One search term of a record: the key is everything (the record is fetched by id)."""

    entity_type = UnicodeAttribute()  # "contact" | "user"
    entity_id = UnicodeAttribute()


__all__ = ["CounterItem", "FeedItem", "SearchItem", "UniqueItem"]
