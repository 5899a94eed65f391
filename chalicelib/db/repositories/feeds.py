"""Activity feeds (SPEC CL-7, DE-4): entries kept in the partition of their record.

Contacts and deals hold their feed next to their record (`FEED#<ulid>` beside `~CONTACT` or
`~DEAL`), so a card and its newest entries are one descending Query.
"""

from __future__ import annotations

from chalicelib.db import keys
from chalicelib.db.items import Item
from chalicelib.db.models.shared import FeedItem
from chalicelib.db.pagination import Page, decode_cursor, encode_cursor
from chalicelib.db.writes import Put, must_not_exist
from chalicelib.domain.contacts import FeedEntry, FeedKind


def entry_item(pk: str, entry: FeedEntry) -> FeedItem:
    return FeedItem(
        pk,
        keys.feed_sk(entry.id),
        entry_kind=entry.kind.value,
        time=entry.time,
        user_id=entry.user_id,
        text=entry.text,
        data=entry.data,
        edited_at=entry.edited_at,
    )


def entry_put(pk: str, entry: FeedEntry) -> Put:
    return Put(entry_item(pk, entry), condition=must_not_exist())


def to_entry(item: FeedItem) -> FeedEntry:
    return FeedEntry(
        id=item.sk.removeprefix(keys.FEED),
        kind=FeedKind(item.entry_kind),
        time=item.time,
        user_id=item.user_id,
        text=item.text,
        data=dict(item.data or {}),
        edited_at=item.edited_at,
    )


def feed_page(pk: str, tenant_id: str, *, limit: int, cursor: str | None) -> Page[FeedEntry]:
    """A feed, newest first (AP15 for contacts, the same for deals)."""
    result = FeedItem.query(
        pk,
        FeedItem.sk.startswith(keys.FEED),
        scan_index_forward=False,
        limit=limit,
        last_evaluated_key=decode_cursor(cursor, tenant_id, partition=pk),
    )
    return Page([to_entry(i) for i in result], encode_cursor(result.last_evaluated_key))


def record_with_feed(pk: str, record_type: type[Item], feed_limit: int) -> tuple[Item | None, Page[FeedEntry]]:
    """The record of a partition and its newest feed entries, in one descending Query.

    The record's sort key (`~CONTACT`, `~DEAL`) sorts after every `FEED#` key, so it comes first.
    """
    result = Item.query(pk, scan_index_forward=False, limit=feed_limit + 1)
    items = list(result)
    if not items or not isinstance(items[0], record_type):
        return None, Page([], None)
    entries = [to_entry(i) for i in items[1:] if isinstance(i, FeedItem)]
    more = result.last_evaluated_key is not None and len(entries) == feed_limit
    return items[0], Page(entries, encode_cursor(result.last_evaluated_key) if more else None)


def delete_feed(pk: str) -> None:
    """Housekeeping after the record is gone (its feed is unreachable without it)."""
    with FeedItem.batch_write() as batch:
        for entry in FeedItem.query(pk, FeedItem.sk.startswith(keys.FEED)):
            batch.delete(entry)
