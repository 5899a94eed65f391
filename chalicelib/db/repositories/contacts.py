"""Clients and leads of one CRM: records, phone/email guards, feeds, lists.

Layout (docs/data-model.md): a contact's partition holds its record (`~CONTACT`) and its feed
(`FEED#<ulid>`), so the card and its latest feed entries are one descending Query, and a lead's
conversion rewrites one item. Lists are the record's own GSIs, keyed by kind (gsi1) and by kind
and responsible user (gsi2), both sorted by creation time.
"""

from __future__ import annotations

import contextvars
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from pynamodb.exceptions import PutError

from chalicelib.db import keys
from chalicelib.db.items import Gsi1, Gsi2, Item, narrow
from chalicelib.db.models.contacts import ContactItem, FilterItem
from chalicelib.db.models.shared import CounterItem, FeedItem, UniqueItem
from chalicelib.db.pagination import Page, decode_cursor, encode_cursor
from chalicelib.db.repositories.feeds import (
    delete_feed,
    entry_item,
    entry_put,
    feed_page,
    record_with_feed,
    to_entry,
)
from chalicelib.db.repositories.rollups import RollupRepository
from chalicelib.db.repositories.search import CONTACT, SearchIndex
from chalicelib.db.writes import (
    MAX_TRANSACTION_ITEMS,
    Delete,
    Put,
    Update,
    Write,
    must_exist,
    must_not_exist,
    transact,
    transact_refusals,
)
from chalicelib.domain.clock import isoformat_z
from chalicelib.domain.contact_snapshot import from_snapshot, snapshot
from chalicelib.domain.contacts import Contact, ContactKind, FeedEntry
from chalicelib.domain.errors import ConflictError, DuplicateError, NotFoundError, StaleVersionError, ValidationError
from chalicelib.domain.rollups import Cell
from chalicelib.domain.rollups.contacts import ClosedLead, attribute_contact, closed_lead, contributions
from chalicelib.domain.search import SearchQuery, Term, matches_words, terms_of
from chalicelib.ports.queries.contacts import Criteria, filter_values

if TYPE_CHECKING:
    from pynamodb.expressions.update import Action

OWNER_CONTACT = "contact"
_PHONE = "phone"
_EMAIL = "email"
# Partitions read at once by an undo (botocore keeps 10 connections a client: PynamoDB's default).
PARTITION_READERS = 8
# Index items a list page reads at most when the records must be checked (filters beyond the
# index's, `q`): one Query and one BatchGetItem (100 keys) a page, whatever the CRM's size.
READ_CAP = 100
# Which filter's entries serve a list when several are given: the narrowest first (a property
# value or a source tag holds few contacts; a status splits the CRM in two).
SELECTIVITY = ("property", "source", "tag", "type", "status")


class _ValueTakenError(ConflictError):
    """A guard refused a phone or email; `_transact` turns it into a DuplicateError naming the owner."""

    def __init__(self, channel: str, value: str, field: str) -> None:
        super().__init__(f"{value} already belongs to another contact", field=field)
        self.channel = channel
        self.value = value


class ContactRepository:
    def __init__(self, tenant_id: str) -> None:
        self._tenant_id = tenant_id
        self._pk = keys.tenant_pk(tenant_id)

    # --- reads -------------------------------------------------------------------------------

    def get(self, contact_id: str, *, consistent: bool = False) -> Contact | None:
        try:
            item = ContactItem.get(
                keys.contact_pk(self._tenant_id, contact_id), keys.contact_record_sk(), consistent_read=consistent
            )
        except ContactItem.DoesNotExist:
            return None
        return contact_from_item(item)

    def card(self, contact_id: str, feed_limit: int) -> tuple[Contact | None, Page[FeedEntry]]:
        """AP14: the record and its newest feed entries in one Query."""
        item, feed = record_with_feed(keys.contact_pk(self._tenant_id, contact_id), ContactItem, feed_limit)
        return (contact_from_item(item) if isinstance(item, ContactItem) else None), feed

    def feed(self, contact_id: str, *, limit: int, cursor: str | None) -> Page[FeedEntry]:
        """AP15: feed entries, newest first."""
        return feed_page(keys.contact_pk(self._tenant_id, contact_id), self._tenant_id, limit=limit, cursor=cursor)

    def get_entry(self, contact_id: str, entry_id: str) -> FeedEntry | None:
        try:
            return to_entry(FeedItem.get(keys.contact_pk(self._tenant_id, contact_id), keys.feed_sk(entry_id)))
        except FeedItem.DoesNotExist:
            return None

    def page(self, kind: ContactKind, criteria: Criteria, *, limit: int, cursor: str | None) -> Page[Contact]:
        """AP16 / AP17 / AP20: a page of a list with any combination of filters.

        The most selective index there is serves the page: the entries of one filter value
        (AP20: property, then source tag, tag, status, type; scoped to the responsible user when
        there is one), else the kind's list (AP16) or one user's (AP17). The created range is its
        key condition. What that index does not decide (the other values, the updated range) is
        checked on the records, within READ_CAP index items a page: such a page may hold fewer
        than `limit` contacts, and its cursor goes on from the last item read."""
        ranked = sorted(criteria.values, key=lambda v: (SELECTIVITY.index(v[0]), v[1]))
        served = ranked[0] if ranked else None
        checked = criteria.updated_from is not None or criteria.updated_to is not None or len(ranked) > 1
        read = READ_CAP if checked else limit
        if criteria.empty:
            return Page([], None)  # the ranges exclude each other
        low, high = criteria.created_from, criteria.created_upper
        if served is not None:
            name, value = served
            pk = keys.filter_pk(
                self._tenant_id, kind, name, value, owner=criteria.responsible, scoped=not criteria.any_responsible
            )
            entries = FilterItem.query(
                pk,
                _created_range(FilterItem.sk, low, high),
                scan_index_forward=not criteria.newest_first,
                limit=read,
                last_evaluated_key=decode_cursor(cursor, self._tenant_id, partition=pk),
            )
            found = list(entries)
            records = {c.id: c for c in self._batch_get([e.contact_id for e in found])}
            read_items = [(records.get(e.contact_id), _key(pk=e.pk, sk=e.sk)) for e in found]
            last = entries.last_evaluated_key
        else:
            index: Gsi1 | Gsi2
            if criteria.any_responsible:
                index, attribute = ContactItem.gsi1, ContactItem.gsi1sk
                hash_name, hash_key = "gsi1pk", keys.contacts_pk(self._tenant_id, kind)
            else:
                index, attribute = ContactItem.gsi2, ContactItem.gsi2sk
                hash_name, hash_key = "gsi2pk", keys.contacts_of_pk(self._tenant_id, kind, criteria.responsible)
            sort_name = hash_name.replace("pk", "sk")
            result = index.query(
                hash_key,
                _created_range(attribute, low, high),
                scan_index_forward=not criteria.newest_first,
                limit=read,
                last_evaluated_key=decode_cursor(
                    cursor, self._tenant_id, index=hash_name.removesuffix("pk"), partition=hash_key
                ),
            )
            read_items = [
                (
                    contact_from_item(narrow(i, ContactItem)),
                    _key(pk=i.pk, sk=i.sk, **{hash_name: getattr(i, hash_name), sort_name: getattr(i, sort_name)}),
                )
                for i in result
            ]
            last = result.last_evaluated_key
        rest = frozenset(ranked[1:])
        return _bounded_page(read_items, lambda c, _: criteria.keeps(kind, c, rest), limit, last)

    def search(
        self, kind: ContactKind, query: SearchQuery, criteria: Criteria, *, limit: int, cursor: str | None
    ) -> Page[Contact]:
        """AP49: `q` in a list, with any other filter: READ_CAP search items a page (contacts' only,
        AP19's partition), their records in one BatchGetItem, the filters checked on them. Pages
        follow the index (by matched term); a contact matching on several terms shows once, at
        its first."""
        term = query.term
        pk = keys.search_pk(self._tenant_id, term.kind.value, term.bucket)
        hits, last = SearchIndex(self._tenant_id).find_from(
            term, CONTACT, limit=READ_CAP, after=decode_cursor(cursor, self._tenant_id, partition=pk)
        )
        records = {c.id: c for c in self._batch_get(list(dict.fromkeys(i for i, _ in hits)))}
        read_items = [(records.get(contact_id), key) for contact_id, key in hits]

        def keeps(contact: Contact, key: dict[str, Any]) -> bool:
            first = min((t.value for t in _terms(contact) if t.kind is term.kind and t.value.startswith(term.value)),
                        default=None)  # fmt: skip
            return (
                first == keys.search_term_of(key["sk"]["S"])
                and matches_words(contact.name, query.other_words)
                and criteria.keeps(kind, contact, criteria.values)
                and criteria.in_created_range(contact)
            )

        return _bounded_page(read_items, keeps, limit, last)

    def tag_counts(
        self, columns: Sequence[tuple[ContactKind, bool, str | None]], *, limit: int, cursor: str | None
    ) -> Page[tuple[str, ContactKind, int]]:
        """AP50: (tag, kind, count) rows of the next `limit` tags after the cursor, in tag order,
        from a few counter columns: a column is (kind, every responsible user's or one user's,
        that user: None is the pool), counted at write time (`counted`). One Query of at most
        `limit` counters per column, merged."""
        prefix = keys.counter_sk("tag", "*", "")  # the cursor: the last tag shown, after this
        after = decode_cursor(cursor, self._tenant_id, partition=self._pk, sort_prefix=prefix)
        last_tag = after["sk"]["S"].removeprefix(prefix) if after else None
        rows: list[tuple[str, ContactKind, int]] = []
        bounds: list[str] = []
        for kind, any_responsible, responsible in columns:
            name = "tag" if any_responsible else keys.owner_counter("tag", responsible)
            start = keys.counter_sk(name, kind.value, "")
            low = keys.counter_sk(name, kind.value, f"{last_tag}\x00") if last_tag is not None else start
            result = CounterItem.query(self._pk, CounterItem.sk.between(low, f"{start}\U0010ffff"), limit=limit)
            rows += [(i.value, kind, int(i.count)) for i in result]
            if result.last_evaluated_key:
                bounds.append(result.last_evaluated_key["sk"]["S"].removeprefix(start))
        # Every tag up to the smallest bound has been read from every column.
        bound = min(bounds, default=None)
        tags = sorted({t for t, _, _ in rows if bound is None or t <= bound})
        shown = set(tags[:limit])
        page = sorted((r for r in rows if r[0] in shown and r[2] > 0), key=lambda r: r[0])
        more = len(tags) > limit or bound is not None
        return Page(page, encode_cursor(_key(pk=self._pk, sk=f"{prefix}{tags[:limit][-1]}")) if more else None)

    def counts(self, name: str) -> list[tuple[ContactKind, str, int]]:
        """AP21: (kind, value, count) of a counter family (tags, sources), zero counts left out."""
        items = CounterItem.query(self._pk, CounterItem.sk.startswith(keys.counters_prefix(name)))
        return [(ContactKind(i.contact_kind), i.value, int(i.count)) for i in items if i.count]

    def set_counts(self, name: str, kind: ContactKind, counts: Mapping[str, int]) -> None:
        """Write counters of a family to absolute values (a recount, services/maintenance.py):
        written twice, they are the same items. A zero count is stored as zero (lists skip it)."""
        with Item.batch_write() as batch:
            for value, count in sorted(counts.items()):
                batch.save(
                    CounterItem(
                        self._pk,
                        keys.counter_sk(name, kind.value, value),
                        name=name,
                        contact_kind=kind.value,
                        value=value,
                        count=count,
                    )
                )

    def owner_of_phone(self, e164: str) -> str | None:
        """AP18: the id of the contact with this phone."""
        return self._owner(keys.contact_phone_sk(e164))

    def owner_of_email(self, email: str) -> str | None:
        return self._owner(keys.contact_email_sk(email))

    # --- writes ------------------------------------------------------------------------------

    def create(self, contact: Contact, entries: Sequence[FeedEntry], also: Sequence[Write] = ()) -> None:
        """The record, its guards and its first feed entries (and `also`), all or nothing."""
        self._transact([*self.creation_writes(contact, entries), *also])

    def create_or_find(self, contact: Contact, entries: Sequence[FeedEntry]) -> tuple[Contact | None, bool]:
        """Create `contact`, or, when one of its phones or emails belongs to someone already
        (a concurrent creation for the same number), find that owner: (contact, created)."""
        try:
            self.create(contact, entries)
        except DuplicateError:
            owners = [self.owner_of_phone(p.phone) for p in contact.phones]
            owners += [self.owner_of_email(e.email) for e in contact.emails]
            owner = next((o for o in owners if o), None)
            return (self.get(owner) if owner else None), False
        return contact, True

    def creation_writes(self, contact: Contact, entries: Sequence[FeedEntry]) -> list[Write]:
        contact = attribute_contact(None, contact)
        item = ContactItem(
            keys.contact_pk(self._tenant_id, contact.id),
            keys.contact_record_sk(),
            created_at=contact.created_at,
            created_by=contact.created_by,
            **_attributes(contact),
            **self._index_keys(contact),
        )
        writes: list[Write] = [Put(item, condition=must_not_exist())]
        writes += [self._claim(_PHONE, p.phone, i, contact.id) for i, p in enumerate(contact.phones)]
        writes += [self._claim(_EMAIL, e.email, i, contact.id) for i, e in enumerate(contact.emails)]
        writes += [self._entry_put(contact.id, e) for e in entries]
        writes += SearchIndex(self._tenant_id).writes(CONTACT, contact.id, (), _terms(contact))
        writes += self._filter_writes(None, contact)
        writes += self._rollups().delta_updates(None, contact, contributions)
        return writes

    def save_changes(
        self, before: Contact, after: Contact, entries: Sequence[FeedEntry] = (), *, condition: Any = None
    ) -> Contact:
        """Store `after` if nobody changed the contact since `before`; guards move at once."""
        after = attribute_contact(before, after)
        old = {**_attributes(before), **self._index_keys(before)}
        new = {**_attributes(after), **self._index_keys(after)}
        actions: list[Action] = []
        for name, value in new.items():
            if value != old[name]:
                attribute = getattr(ContactItem, name)
                actions.append(attribute.remove() if value is None else attribute.set(value))
        item = ContactItem(
            keys.contact_pk(self._tenant_id, before.id), keys.contact_record_sk(), version=before.version
        )
        guard = must_exist() if condition is None else must_exist() & condition
        writes: list[Write] = [Update(item, actions, condition=guard, on_conflict=StaleVersionError("contact"))]
        old_phones, new_phones = {p.phone for p in before.phones}, [p.phone for p in after.phones]
        writes += [self._release(_PHONE, p, before.id) for p in old_phones - set(new_phones)]
        writes += [self._claim(_PHONE, p, i, after.id) for i, p in enumerate(new_phones) if p not in old_phones]
        old_emails, new_emails = {e.email for e in before.emails}, [e.email for e in after.emails]
        writes += [self._release(_EMAIL, e, before.id) for e in old_emails - set(new_emails)]
        writes += [self._claim(_EMAIL, e, i, after.id) for i, e in enumerate(new_emails) if e not in old_emails]
        writes += [self._entry_put(after.id, e) for e in entries]
        writes += SearchIndex(self._tenant_id).writes(CONTACT, after.id, _terms(before), _terms(after))
        writes += self._filter_writes(before, after)
        writes += self._rollups().delta_updates(before, after, contributions)
        self._transact(writes)
        return replace(after, version=before.version + 1)

    def take(self, before: Contact, after: Contact, entry: FeedEntry) -> Contact:
        """Give a pool lead its responsible user, only while it still has none (LD-2)."""
        return self.save_changes(before, after, [entry], condition=ContactItem.responsible_user_id.does_not_exist())

    def delete(self, contact: Contact, *, closed_at: datetime | None = None) -> None:
        """The record and its guards at once (a stale version refuses); then the feed. A lead
        closed as poor quality (`closed_at`) leaves a tombstone of what it counts for (AP66)."""
        item = ContactItem(
            keys.contact_pk(self._tenant_id, contact.id), keys.contact_record_sk(), version=contact.version
        )
        writes: list[Write] = [Delete(item, condition=must_exist(), on_conflict=StaleVersionError("contact"))]
        writes += [self._release(_PHONE, p.phone, contact.id) for p in contact.phones]
        writes += [self._release(_EMAIL, e.email, contact.id) for e in contact.emails]
        writes += SearchIndex(self._tenant_id).writes(CONTACT, contact.id, _terms(contact), ())
        writes += self._filter_writes(contact, None)
        rollups = self._rollups()
        left: Contact | ClosedLead | None = None  # what still counts once it is gone
        if closed_at is not None and contact.is_lead:
            left = closed_lead(contact, closed_at)
            writes.append(rollups.closed_lead_put(left))
        writes += rollups.delta_updates(contact, left, contributions)
        self._transact(writes)
        delete_feed(keys.contact_pk(self._tenant_id, contact.id))

    def add_entry(self, contact_id: str, entry: FeedEntry) -> None:
        self._entry_item(contact_id, entry).save(condition=must_not_exist())

    def add_entry_once(self, contact_id: str, entry: FeedEntry) -> bool:
        """Add an entry whose id is derived from an outside event; False if it is there already."""
        try:
            self.add_entry(contact_id, entry)
        except PutError as exc:
            if exc.cause_response_code == "ConditionalCheckFailedException":
                return False
            raise
        return True

    def update_entry(self, contact_id: str, entry: FeedEntry) -> None:
        """Replace an entry that exists (a note deleted meanwhile is not brought back: 404)."""
        try:
            self._entry_item(contact_id, entry).save(condition=must_exist())
        except PutError as exc:
            if exc.cause_response_code != "ConditionalCheckFailedException":
                raise
            raise NotFoundError("no such note on this contact") from None

    def delete_entry(self, contact_id: str, entry_id: str) -> None:
        FeedItem(keys.contact_pk(self._tenant_id, contact_id), keys.feed_sk(entry_id)).delete()

    # --- bulk writes (imports) -----------------------------------------------------------------
    #
    # An import writes thousands of contacts: one transaction each would cost a write request per
    # contact. Instead the guards of a whole chunk are claimed in a few conditional transactions
    # (so uniqueness holds against concurrent writers), and every other item goes in BatchWriteItem
    # calls of 25. Counters are summed over the chunk and applied by the caller with its progress.

    def owners(self, phones: Iterable[str], emails: Iterable[str]) -> dict[tuple[str, str], str]:
        """AP43: the contact id owning each of these phones and emails (BatchGetItem, 100 a call)."""
        wanted = {(self._pk, keys.contact_phone_sk(p)): (_PHONE, p) for p in phones}
        wanted |= {(self._pk, keys.contact_email_sk(e)): (_EMAIL, e) for e in emails}
        found: dict[tuple[str, str], str] = {}
        for item in UniqueItem.batch_get(list(wanted), consistent_read=True):
            found[wanted[(item.pk, item.sk)]] = item.owner_id
        return found

    def claim_guards(self, contacts: Sequence[Contact]) -> set[str]:
        """Claim the phones and emails of new contacts; the ids of those refused (a value taken by
        another contact meanwhile). A guard this contact already holds (a chunk written again
        after a crash) counts as claimed. A contact's guards are claimed together or not at all."""
        refused: set[str] = set()
        pending = [c for c in contacts if c.phones or c.emails]
        while pending:
            batch: list[Contact] = []
            writes: list[Write] = []
            for contact in pending:
                guards = self._guards(contact)
                if len(writes) + len(guards) > MAX_TRANSACTION_ITEMS:
                    break
                batch.append(contact)
                writes += guards
            owner_of = [c.id for c in batch for _ in range(len(c.phones) + len(c.emails))]
            failed = {owner_of[i] for i in transact_refusals(writes)}
            refused |= failed
            # A refused transaction wrote nothing: the batch's other contacts go again.
            pending = (
                [c for c in batch if c.id not in failed] + pending[len(batch) :] if failed else pending[len(batch) :]
            )
        return refused

    def bulk_create(self, created: Sequence[tuple[Contact, Sequence[FeedEntry]]]) -> Counter[tuple[str, str, str]]:
        """Every item of new contacts but their guards (`claim_guards`) and counters, in batches of
        25 (written again, they are the same items); returns the counters to add. Their rollup
        cells are added at the end."""
        deltas: Counter[tuple[str, str, str]] = Counter()
        rollups, cells = self._rollups(), Counter[Cell]()
        with Item.batch_write() as batch:
            for contact, entries in created:
                for write in self.creation_writes(contact, entries):
                    if isinstance(write, Put) and not isinstance(write.item, UniqueItem):
                        if isinstance(write.item, ContactItem):
                            # A transaction's put sets the first version; a batch writes items as they are.
                            write.item.version = 1
                        batch.save(write.item)
                deltas.update(counted(contact))
                cells.update(contributions(attribute_contact(None, contact), rollups.tz))
        # Like the counters, not exactly once if a chunk is written again (reconciliation repairs).
        rollups.add(cells)
        return deltas

    def partitions(self, contact_ids: Sequence[str]) -> list[tuple[Contact, list[str]]]:
        """AP44: each contact that still exists with the sort keys of its partition (record and
        feed entries), one Query per contact, PARTITION_READERS at a time (an undo reads a
        thousand partitions a chunk: one after the other, that is seconds of waiting)."""

        def read(contact_id: str) -> tuple[Contact, list[str]] | None:
            items = list(Item.query(keys.contact_pk(self._tenant_id, contact_id), consistent_read=True))
            record = next((i for i in items if isinstance(i, ContactItem)), None)
            return (contact_from_item(record), [i.sk for i in items]) if record is not None else None

        if len(contact_ids) < 2:
            results = [read(c) for c in contact_ids]
        else:
            with ThreadPoolExecutor(max_workers=PARTITION_READERS) as pool:
                # Each read in a copy of this context (logging keys, the local stack's IAM check).
                futures = [pool.submit(contextvars.copy_context().run, read, c) for c in contact_ids]
                results = [f.result() for f in futures]
        return [r for r in results if r is not None]

    def bulk_delete(self, partitions: Sequence[tuple[Contact, list[str]]]) -> Counter[tuple[str, str, str]]:
        """Remove contacts whole (record, feed, guards, search and filter entries) in batches of 25;
        returns the counters to subtract; their rollup cells are subtracted at the end."""
        deltas: Counter[tuple[str, str, str]] = Counter()
        rollups, cells = self._rollups(), Counter[Cell]()
        search = SearchIndex(self._tenant_id)
        with Item.batch_write() as batch:
            for contact, sort_keys in partitions:
                pk = keys.contact_pk(self._tenant_id, contact.id)
                for sk in sort_keys:
                    batch.delete(Item(pk, sk))
                for p in contact.phones:
                    batch.delete(UniqueItem(self._pk, keys.contact_phone_sk(p.phone)))
                for e in contact.emails:
                    batch.delete(UniqueItem(self._pk, keys.contact_email_sk(e.email)))
                for write in search.writes(CONTACT, contact.id, _terms(contact), ()):
                    batch.delete(write.item)
                for pk_sk in self._filter_entries(contact):
                    batch.delete(FilterItem(*pk_sk))
                deltas.update(counted(contact))
                cells.subtract(contributions(contact, rollups.tz))
        rollups.add(cells)
        return deltas

    def counter_deltas(self, contacts: Iterable[Contact]) -> Counter[tuple[str, str, str]]:
        """What these contacts count for in the list counters (what deleting them takes off)."""
        deltas: Counter[tuple[str, str, str]] = Counter()
        for contact in contacts:
            deltas.update(counted(contact))
        return deltas

    def counter_updates(self, deltas: Mapping[tuple[str, str, str], int]) -> list[Update]:
        """Upserts adding `deltas` to the list counters (tags, sources, properties); the first
        update of a counter creates its item, discriminator included."""
        updates = []
        for (name, kind, value), delta in sorted(deltas.items()):
            if delta:
                counter = CounterItem(self._pk, keys.counter_sk(name, kind, value))
                actions = [
                    CounterItem.kind.set(CounterItem),
                    CounterItem.count.add(delta),
                    CounterItem.name.set(name),
                    CounterItem.contact_kind.set(kind),
                    CounterItem.value.set(value),
                ]
                updates.append(Update(counter, actions))
        return updates

    def _guards(self, contact: Contact) -> list[Write]:
        mine = UniqueItem.owner_id == contact.id
        writes: list[Write] = []
        for channel, values in (
            (_PHONE, [p.phone for p in contact.phones]),
            (_EMAIL, [e.email for e in contact.emails]),
        ):
            for value in values:
                guard = UniqueItem(
                    self._pk, self._guard_sk(channel, value), owner_type=OWNER_CONTACT, owner_id=contact.id
                )
                writes.append(Put(guard, condition=must_not_exist() | mine))
        return writes

    # --- helpers -----------------------------------------------------------------------------

    def _batch_get(self, ids: list[str]) -> list[Contact]:
        if not ids:
            return []
        pairs = [keys.contact_record_key(self._tenant_id, i) for i in ids]
        return [contact_from_item(i) for i in ContactItem.batch_get(pairs)]

    def get_many(self, ids: list[str]) -> list[Contact]:
        """Contacts by id, any order, missing ones left out (BatchGetItem, 100 keys a call)."""
        return self._batch_get(ids)

    def _rollups(self) -> RollupRepository:
        return RollupRepository(self._tenant_id)

    def _filter_writes(self, before: Contact | None, after: Contact | None) -> list[Write]:
        """Move the contact's filter entries and counters from `before` to `after`."""
        old, new = self._filter_entries(before), self._filter_entries(after)
        writes: list[Write] = [Delete(FilterItem(pk, sk)) for pk, sk in sorted(old.keys() - new.keys())]
        writes += [Put(FilterItem(pk, sk, contact_id=new[(pk, sk)])) for pk, sk in sorted(new.keys() - old.keys())]
        old_counts, new_counts = counted(before), counted(after)
        deltas = {key: (key in new_counts) - (key in old_counts) for key in old_counts | new_counts}
        writes += self.counter_updates(deltas)
        return writes

    def _filter_entries(self, contact: Contact | None) -> dict[tuple[str, str], str]:
        if contact is None:
            return {}
        sk = keys.contacts_sk(isoformat_z(contact.created_at), contact.id)
        entries: dict[tuple[str, str], str] = {}
        for name, value in filter_values(contact):
            for scoped in (False, True):
                pk = keys.filter_pk(
                    self._tenant_id, contact.kind, name, value, owner=contact.responsible_user_id, scoped=scoped
                )
                entries[(pk, sk)] = contact.id
        return entries

    def _index_keys(self, contact: Contact) -> dict[str, Any]:
        sk = keys.contacts_sk(isoformat_z(contact.created_at), contact.id)
        return {
            "gsi1pk": keys.contacts_pk(self._tenant_id, contact.kind.value),
            "gsi1sk": sk,
            "gsi2pk": keys.contacts_of_pk(self._tenant_id, contact.kind.value, contact.responsible_user_id),
            "gsi2sk": sk,
        }

    def _entry_item(self, contact_id: str, entry: FeedEntry) -> FeedItem:
        return entry_item(keys.contact_pk(self._tenant_id, contact_id), entry)

    def _entry_put(self, contact_id: str, entry: FeedEntry) -> Put:
        return entry_put(keys.contact_pk(self._tenant_id, contact_id), entry)

    def _guard_sk(self, channel: str, value: str) -> str:
        return keys.contact_phone_sk(value) if channel == _PHONE else keys.contact_email_sk(value)

    def _claim(self, channel: str, value: str, index: int, contact_id: str) -> Put:
        guard = UniqueItem(self._pk, self._guard_sk(channel, value), owner_type=OWNER_CONTACT, owner_id=contact_id)
        field = f"phones[{index}].phone" if channel == _PHONE else f"emails[{index}].email"
        return Put(guard, condition=must_not_exist(), on_conflict=_ValueTakenError(channel, value, field))

    def _release(self, channel: str, value: str, contact_id: str) -> Delete:
        return Delete(UniqueItem(self._pk, self._guard_sk(channel, value)), condition=UniqueItem.owner_id == contact_id)

    def _transact(self, writes: list[Write]) -> None:
        if len(writes) > MAX_TRANSACTION_ITEMS:
            # Only an edit replacing nearly everything at once gets here: say so, write nothing.
            raise ValidationError("this edit changes too much at once; split it in two", field="body")
        try:
            transact(writes)
        except _ValueTakenError as exc:
            raise self._duplicate(exc) from exc

    def _duplicate(self, exc: _ValueTakenError) -> ConflictError:
        """Name the contact that holds the value (read only when a write was refused)."""
        value = exc.value
        owner = self._owner(self._guard_sk(exc.channel, value))
        existing = self.get(owner, consistent=True) if owner else None
        if existing is None:
            return exc
        return DuplicateError(
            f"{value} already belongs to the {existing.kind.value} '{existing.name}'",
            existing_type=existing.kind.value,
            existing_id=existing.id,
            field=exc.field,
        )

    def _owner(self, sk: str) -> str | None:
        try:
            return UniqueItem.get(self._pk, sk).owner_id
        except UniqueItem.DoesNotExist:
            return None


def counted(contact: Contact | None) -> set[tuple[str, str, str]]:
    if contact is None:
        return set()
    kind = contact.kind.value
    counted = {("tag", kind, t) for t in contact.tags} | {("source", kind, s) for s in contact.source_tag_ids}
    # Tags are counted for the responsible user too (the pool's: `-`), so a user who sees only
    # their own contacts gets the tags of those (GET /v1/tags) in O(page).
    owner = keys.owner_counter("tag", contact.responsible_user_id)
    counted |= {(owner, kind, t) for t in contact.tags}
    return counted | {("property", kind, key) for key in contact.properties}


def _key(**attributes: str) -> dict[str, Any]:
    """An item's key as DynamoDB gives it in LastEvaluatedKey (what a cursor encodes)."""
    return {name: {"S": value} for name, value in attributes.items()}


def _bounded_page(
    read: Sequence[tuple[Contact | None, dict[str, Any]]],
    keeps: Callable[[Contact, dict[str, Any]], bool],
    limit: int,
    last: dict[str, Any] | None,
) -> Page[Contact]:
    """The contacts of one bounded read that pass `keeps`, at most `limit`: the cursor is the key
    of the last one shown when the page filled up before the read's end, else the read's own."""
    shown: list[Contact] = []
    for n, (contact, key) in enumerate(read):
        if contact is None or not keeps(contact, key):
            continue  # filtered out, or an entry whose record went meanwhile
        shown.append(contact)
        if len(shown) == limit:
            more = n + 1 < len(read) or last is not None
            return Page(shown, encode_cursor(key) if more else None)
    return Page(shown, encode_cursor(last))


def _created_range(attribute: Any, created_from: datetime | None, created_to: datetime | None) -> Any:
    low = keys.contacts_sk(isoformat_z(created_from), "") if created_from else None
    # "~" sorts after every id: the bound includes the whole last millisecond.
    high = keys.contacts_sk(isoformat_z(created_to), "~") if created_to else None
    if low and high:
        return attribute.between(low, high)
    if low:
        return attribute >= low
    if high:
        return attribute <= high
    return None


def _terms(contact: Contact) -> frozenset[Term]:
    return terms_of(contact.name, tuple(e.email for e in contact.emails), tuple(p.phone for p in contact.phones))


# The record's attributes an edit can change (`contact_kind` is the contact's `kind`: the base
# item's `kind` is its discriminator).
_EDITABLE_ATTRIBUTES = (
    "name",
    "status",
    "type",
    "phones",
    "emails",
    "address",
    "website",
    "comment",
    "responsible_user_id",
    "tags",
    "source_tag_ids",
    "properties",
    "lead_status",
    "lead_source",
    "updated_at",
    "converted_at",
    "attribution",
)


def _attributes(contact: Contact) -> dict[str, Any]:
    """Stored values of the attributes an edit can change."""
    values = snapshot(contact)
    return {"contact_kind": values["kind"], **{name: values[name] for name in _EDITABLE_ATTRIBUTES}}


def contact_from_item(item: ContactItem) -> Contact:
    values = {name: getattr(item, name) for name in _EDITABLE_ATTRIBUTES}
    return from_snapshot(
        {
            **values,
            "id": item.pk.rsplit("#C#", 1)[1],
            "kind": item.contact_kind,
            "created_at": item.created_at,
            "created_by": item.created_by,
            "version": item.version,
        }
    )
