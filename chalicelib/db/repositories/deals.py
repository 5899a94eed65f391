"""Deals of one CRM: records with their feed, board columns (AP25), board counters (AP26), the
newest-first list (AP60, AP61: full copies) and their title words in the search index (AP19).

Moving a card rewrites the deal's own item (its status and fractional position), its two list
copies, and the counters of the two columns in the same transaction: reading the board never
counts deals, and a list page is one Query.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from chalicelib.db import keys
from chalicelib.db.items import Item
from chalicelib.db.models.deals import DealEntryItem, DealItem
from chalicelib.db.models.shared import CounterItem
from chalicelib.db.pagination import Page, decode_cursor, encode_cursor
from chalicelib.db.ranges import time_range
from chalicelib.db.repositories.feeds import delete_feed, entry_put, feed_page, record_with_feed
from chalicelib.db.repositories.hooks import HookOutbox
from chalicelib.db.repositories.rollups import RollupRepository
from chalicelib.db.repositories.search import DEAL, SearchIndex
from chalicelib.db.writes import Delete, Put, Update, Write, must_exist, must_not_exist, transact
from chalicelib.domain.clock import isoformat_z
from chalicelib.domain.deals import Deal, DealStatus, StatusChange
from chalicelib.domain.errors import StaleVersionError
from chalicelib.domain.rollups.deals import attribute_deal, contributions
from chalicelib.domain.search import Term, terms_of
from chalicelib.ports.queries.deals import ColumnTotal

if TYPE_CHECKING:
    from chalicelib.domain.contacts import FeedEntry

ALL = "all"


class DealRepository:
    def __init__(self, tenant_id: str) -> None:
        self._tenant_id = tenant_id
        self._pk = keys.tenant_pk(tenant_id)

    def get(self, deal_id: str, *, consistent: bool = False) -> Deal | None:
        try:
            item = DealItem.get(keys.deal_pk(self._tenant_id, deal_id), keys.DEAL_RECORD, consistent_read=consistent)
        except DealItem.DoesNotExist:
            return None
        return _to_deal(item)

    def card(self, deal_id: str, feed_limit: int) -> tuple[Deal | None, Page[FeedEntry]]:
        """AP24: the deal and its newest feed entries in one Query."""
        item, feed = record_with_feed(keys.deal_pk(self._tenant_id, deal_id), DealItem, feed_limit)
        return (_to_deal(item) if isinstance(item, DealItem) else None), feed

    def feed(self, deal_id: str, *, limit: int, cursor: str | None) -> Page[FeedEntry]:
        return feed_page(keys.deal_pk(self._tenant_id, deal_id), self._tenant_id, limit=limit, cursor=cursor)

    def add_entry(self, deal_id: str, entry: FeedEntry) -> None:
        entry_put(keys.deal_pk(self._tenant_id, deal_id), entry).item.save(condition=must_not_exist())

    def column(
        self, status: DealStatus, *, owner: str | None, limit: int, cursor: str | None, after: str | None = None
    ) -> Page[Deal]:
        """AP25: one column's cards in board order (all deals, or `owner`'s), from `after` on."""
        index = DealItem.gsi2 if owner else DealItem.gsi1
        attribute = DealItem.gsi2sk if owner else DealItem.gsi1sk
        hash_key = keys.deal_column_pk(self._tenant_id, status.value, owner)
        result = index.query(
            hash_key,
            attribute > after if after else None,
            limit=limit,
            last_evaluated_key=decode_cursor(cursor, self._tenant_id, index=index.Meta.index_name, partition=hash_key),
        )
        return Page([_to_deal(i) for i in result], encode_cursor(result.last_evaluated_key))

    def of_client(
        self, client_id: str, *, status: DealStatus | None, owner: str | None, limit: int, cursor: str | None,
        created_from: datetime | None = None, created_to: datetime | None = None, newest_first: bool = True,
    ) -> Page[Deal]:  # fmt: skip
        """AP47: a client's deals newest first (or oldest), in a created range, of any status (or
        one), anyone's (or `owner`'s). The range is the key condition; status and owner filter
        the `limit` items read, so a page may hold fewer (the cursor goes on)."""
        condition = None
        if status is not None:
            condition = DealItem.status == status.value
        if owner is not None:
            mine = DealItem.responsible_user_id == owner
            condition = mine if condition is None else condition & mine
        hash_key = keys.client_deals_pk(self._tenant_id, client_id)
        result = DealItem.gsi3.query(
            hash_key,
            time_range(DealItem.gsi3sk, created_from, created_to),
            filter_condition=condition,
            scan_index_forward=not newest_first,
            limit=limit,
            last_evaluated_key=decode_cursor(cursor, self._tenant_id, index="gsi3", partition=hash_key),
        )
        return Page([_to_deal(i) for i in result], encode_cursor(result.last_evaluated_key))

    def listed(
        self, *, owner: str | None, status: DealStatus | None, created_from: datetime | None,
        created_to: datetime | None, newest_first: bool = True, limit: int, cursor: str | None,
    ) -> Page[Deal]:  # fmt: skip
        """AP60 (every status) or AP61 (one status): everyone's deals or `owner`'s, by creation,
        in a created range. Every filter is a key: a page holds `limit` deals while there are."""
        list_pk = keys.deal_list_pk(self._tenant_id, owner)
        if status is None:
            hash_key, index = list_pk, None
            query: Any = DealEntryItem.query
            attribute: Any = DealEntryItem.sk
        else:
            hash_key, index = keys.deal_list_status_pk(list_pk, status.value), "gsi1"
            query, attribute = DealEntryItem.gsi1.query, DealEntryItem.gsi1sk
        result = query(
            hash_key,
            time_range(attribute, created_from, created_to),
            scan_index_forward=not newest_first,
            limit=limit,
            last_evaluated_key=decode_cursor(cursor, self._tenant_id, index=index, partition=hash_key),
        )
        return Page([_to_deal(i) for i in result], encode_cursor(result.last_evaluated_key))

    def index_existing(self) -> int:
        """Give deals stored before AP60/AP61 and deal search existed their list copies and
        search terms (idempotent: a deal already indexed is written the same). Reads every
        board column (AP25); run once per CRM after deploying, or let each deal's next write
        do it. Returns the deals indexed."""
        count = 0
        for status in DealStatus:
            cursor: str | None = None
            while True:
                done, cursor = self.index_page(status, limit=100, cursor=cursor)
                count += done
                if cursor is None:
                    break
        return count

    def index_page(self, status: DealStatus, *, limit: int, cursor: str | None) -> tuple[int, str | None]:
        """`index_existing` for one page of one board column (AP25): bounded work a call, the
        cursor goes on. Returns the deals indexed and the cursor (None: the column is done)."""
        hash_key = keys.deal_column_pk(self._tenant_id, status.value)
        result = DealItem.gsi1.query(
            hash_key,
            limit=limit,
            last_evaluated_key=decode_cursor(cursor, self._tenant_id, index="gsi1", partition=hash_key),
        )
        search, count = SearchIndex(self._tenant_id), 0
        with Item.batch_write() as batch:
            for item in result:
                deal = _to_deal(item)
                for copy in self._copies(deal, deal.version):
                    batch.save(copy)
                for write in search.writes(DEAL, deal.id, (), _terms(deal)):
                    batch.save(write.item)
                count += 1
        return count, encode_cursor(result.last_evaluated_key)

    def totals(self, owner: str | None) -> list[ColumnTotal]:
        """AP26: count and amount per (status, currency), kept at write time."""
        items = CounterItem.query(self._pk, CounterItem.sk.startswith(keys.deal_counters_prefix(owner or ALL)))
        return [ColumnTotal(DealStatus(i.name), i.value, int(i.count), int(i.total)) for i in items if i.count]

    def create(self, deal: Deal, entries: Sequence[FeedEntry], contact_entries: Sequence[Write] = ()) -> None:
        """The deal, its first feed entries, its counters (and the client's feed entry), at once."""
        transact([*self.creation_writes(deal, entries), *contact_entries])

    def creation_writes(self, deal: Deal, entries: Sequence[FeedEntry]) -> list[Write]:
        deal = attribute_deal(deal)
        item = DealItem(
            keys.deal_pk(self._tenant_id, deal.id),
            keys.DEAL_RECORD,
            created_at=deal.created_at,
            created_by=deal.created_by,
            **self._attributes(deal),
        )
        writes: list[Write] = [Put(item, condition=must_not_exist())]
        writes += [entry_put(keys.deal_pk(self._tenant_id, deal.id), e) for e in entries]
        writes += self._counter_writes(None, deal)
        writes += self._rollups().delta_updates(None, deal, contributions)
        writes += HookOutbox(self._tenant_id).writes("deal", None, deal)
        writes += [Put(copy) for copy in self._copies(deal, 1)]
        writes += SearchIndex(self._tenant_id).writes(DEAL, deal.id, (), _terms(deal))
        return writes

    def save_changes(self, before: Deal, after: Deal, entries: Sequence[FeedEntry]) -> Deal:
        """Store `after` if the deal is still at `before.version`; the counters follow."""
        before, after = attribute_deal(before), attribute_deal(after)
        old, new = self._attributes(before), self._attributes(after)
        # The client-list keys are always written: a deal stored before AP47 existed gains them
        # on its first edit (they never change otherwise: a deal keeps its client).
        old = {**old, "gsi3pk": None, "gsi3sk": None}
        actions = [getattr(DealItem, k).set(v) for k, v in new.items() if v != old[k] and v is not None]
        actions += [getattr(DealItem, k).remove() for k, v in new.items() if v != old[k] and v is None]
        item = DealItem(keys.deal_pk(self._tenant_id, before.id), keys.DEAL_RECORD, version=before.version)
        writes: list[Write] = [Update(item, actions, condition=must_exist(), on_conflict=StaleVersionError("deal"))]
        writes += [entry_put(keys.deal_pk(self._tenant_id, after.id), e) for e in entries]
        writes += self._counter_writes(before, after)
        writes += self._rollups().delta_updates(before, after, contributions)
        writes += HookOutbox(self._tenant_id).writes("deal", before, replace(after, version=before.version + 1))
        # The list copies are always written (a deal stored before AP60 gains them on its first
        # edit); the copy in the former responsible user's list goes.
        writes += [Put(copy) for copy in self._copies(after, before.version + 1)]
        if after.responsible_user_id != before.responsible_user_id:
            writes.append(Delete(self._copies(before, before.version)[1]))
        writes += SearchIndex(self._tenant_id).writes(DEAL, after.id, _terms(before), _terms(after))
        transact(writes)
        return replace(after, version=before.version + 1)

    def delete(self, deal: Deal) -> None:
        item = DealItem(keys.deal_pk(self._tenant_id, deal.id), keys.DEAL_RECORD, version=deal.version)
        writes: list[Write] = [Delete(item, condition=must_exist(), on_conflict=StaleVersionError("deal"))]
        writes += [Delete(copy) for copy in self._copies(deal, deal.version)]
        writes += SearchIndex(self._tenant_id).writes(DEAL, deal.id, _terms(deal), ())
        writes += self._rollups().delta_updates(attribute_deal(deal), None, contributions)
        transact(writes + self._counter_writes(deal, None))
        delete_feed(keys.deal_pk(self._tenant_id, deal.id))

    def _rollups(self) -> RollupRepository:
        return RollupRepository(self._tenant_id)

    def _copies(self, deal: Deal, version: int) -> list[DealEntryItem]:
        """The deal in the everyone list and in its responsible user's (AP60), each also in its
        status's (AP61, gsi1)."""
        attributes = {k: v for k, v in self._attributes(deal).items() if not k.startswith("gsi") and v is not None}
        sk = keys.created_sk(isoformat_z(deal.created_at), deal.id)
        copies = []
        for owner in (None, deal.responsible_user_id):
            list_pk = keys.deal_list_pk(self._tenant_id, owner)
            copies.append(
                DealEntryItem(
                    list_pk,
                    sk,
                    deal_id=deal.id,
                    deal_version=version,
                    created_at=deal.created_at,
                    created_by=deal.created_by,
                    gsi1pk=keys.deal_list_status_pk(list_pk, deal.status.value),
                    gsi1sk=sk,
                    **attributes,
                )
            )
        return copies

    def _attributes(self, deal: Deal) -> dict[str, Any]:
        column = keys.deal_column_sk(deal.position, deal.id)
        return {
            "title": deal.title,
            "client_id": deal.client_id,
            "amount_minor": deal.amount_minor,
            "currency": deal.currency,
            "status": deal.status.value,
            "responsible_user_id": deal.responsible_user_id,
            "position": deal.position,
            "history": [
                {"status": c.status.value, "at": c.at.isoformat(), **({"by": c.by} if c.by else {})}
                for c in deal.history
            ],
            "won_base_minor": deal.won_base_minor,
            "source_tag_ids": list(deal.source_tag_ids),
            "updated_at": deal.updated_at,
            "closed_at": deal.closed_at,
            "gsi1pk": keys.deal_column_pk(self._tenant_id, deal.status.value),
            "gsi1sk": column,
            "gsi2pk": keys.deal_column_pk(self._tenant_id, deal.status.value, deal.responsible_user_id),
            "gsi2sk": column,
            "gsi3pk": keys.client_deals_pk(self._tenant_id, deal.client_id),
            "gsi3sk": keys.client_deals_sk(isoformat_z(deal.created_at), deal.id),
        }

    def _counter_writes(self, before: Deal | None, after: Deal | None) -> list[Write]:
        """ADD -1 / +1 to the counters the deal leaves and enters (for all, and for its owner)."""
        deltas: dict[tuple[str, str, str], list[int]] = {}
        for deal, sign in ((before, -1), (after, 1)):
            if deal is None:
                continue
            for scope in (ALL, deal.responsible_user_id):
                delta = deltas.setdefault((scope, deal.status.value, deal.currency), [0, 0])
                delta[0] += sign
                delta[1] += sign * deal.amount_minor
        writes: list[Write] = []
        for (scope, status, currency), (count, total) in sorted(deltas.items()):
            if count or total:
                counter = CounterItem(self._pk, keys.deal_counter_sk(scope, status, currency))
                actions = [
                    CounterItem.kind.set(CounterItem),  # an upsert creates the item
                    CounterItem.count.add(count),
                    CounterItem.total.add(total),
                    CounterItem.name.set(status),
                    CounterItem.contact_kind.set("deal"),
                    CounterItem.value.set(currency),
                ]
                writes.append(Update(counter, actions))
        return writes


def _terms(deal: Deal) -> frozenset[Term]:
    """A deal is found by the words of its title (AP19)."""
    return terms_of(deal.title)


def deal_from_item(item: DealItem) -> Deal:
    """A deal record read elsewhere (the search's BatchGetItem)."""
    return _to_deal(item)


def _to_deal(item: Item) -> Deal:
    if not isinstance(item, DealItem | DealEntryItem):  # a query on an index shared by record types
        raise TypeError(f"expected a deal record, read a {type(item).__name__} at {item.pk} {item.sk}")
    return Deal(
        id=item.deal_id if isinstance(item, DealEntryItem) else item.pk.rsplit("#D#", 1)[1],
        title=item.title,
        client_id=item.client_id,
        amount_minor=int(item.amount_minor),
        currency=item.currency,
        status=DealStatus(item.status),
        responsible_user_id=item.responsible_user_id,
        position=item.position,
        created_at=item.created_at,
        created_by=item.created_by,
        updated_at=item.updated_at,
        closed_at=item.closed_at,
        history=tuple(
            StatusChange(DealStatus(c["status"]), datetime.fromisoformat(c["at"]), c.get("by"))
            for c in item.history or []
        ),
        won_base_minor=int(item.won_base_minor) if item.won_base_minor is not None else None,
        source_tag_ids=tuple(item.source_tag_ids or ()),
        version=int(item.deal_version) if isinstance(item, DealEntryItem) else item.version or 1,
    )
