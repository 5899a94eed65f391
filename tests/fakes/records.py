"""Fake repositories of the records most services share: CRMs, users, groups, contacts, deals,
properties, source tags, SMS templates (Protocols in `chalicelib/ports/storage.py`)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from chalicelib.domain.contacts import Contact, ContactKind, FeedEntry
from chalicelib.domain.crm import Crm
from chalicelib.domain.deals import Deal, DealStatus
from chalicelib.domain.errors import ConflictError, DuplicateError, NotFoundError, StaleVersionError
from chalicelib.domain.invitations import Invitation
from chalicelib.domain.paging import Page
from chalicelib.domain.properties import PropertyDef
from chalicelib.domain.rights import Group
from chalicelib.domain.rollups.contacts import attribute_contact, closed_lead
from chalicelib.domain.rollups.deals import attribute_deal
from chalicelib.domain.sms import SmsTemplate
from chalicelib.domain.sources import SourceParam, SourceTag
from chalicelib.domain.users import PRESENCE_REFRESH, User, UserStatus
from chalicelib.ports.queries.contacts import Criteria, filter_values
from chalicelib.ports.queries.deals import ColumnTotal
from tests.fakes.base import FakeWrite, claim, commit, page, versioned_delete, versioned_save
from tests.fakes.rollups import FakeRollups

if TYPE_CHECKING:
    from tests.fakes.storage import FakeStorage


def _newest_first(entries: list[FeedEntry]) -> list[FeedEntry]:
    return sorted(entries, key=lambda e: (e.time, e.id), reverse=True)


def _in_range(at: datetime, low: datetime | None, high: datetime | None) -> bool:
    return (low is None or at >= low) and (high is None or at <= high)


class FakeCrms:
    def __init__(self) -> None:
        self.records: dict[str, Crm] = {}
        self.slugs: dict[str, str] = {}
        self.active: set[str] = set()

    def create(self, crm: Crm, members: Sequence[Any]) -> None:
        taken = ConflictError(f"the CRM address '{crm.slug}' is taken, choose another name", field="name")
        commit([claim(self.slugs, crm.slug, crm.id, taken), FakeWrite(lambda: self.records.__setitem__(crm.id, crm))])
        commit(members)

    def get(self, tenant_id: str) -> Crm | None:
        return self.records.get(tenant_id)

    def resolve_slug(self, slug: str) -> str | None:
        return self.slugs.get(slug)

    def save_company(self, before: Crm, after: Crm) -> Crm:
        return versioned_save(self.records, before, after, "settings")

    def save_telephony(self, before: Crm, after: Crm) -> Crm:
        return versioned_save(self.records, before, after, "settings")

    def mark_active(self, tenant_id: str) -> None:
        self.active.add(tenant_id)


class FakeUsers:
    def __init__(self, storage: FakeStorage) -> None:
        self.records: dict[str, User] = {}
        self.emails: dict[str, str] = {}
        self.extensions: dict[str, str] = {}

    def get(self, user_id: str, *, consistent: bool = False) -> User | None:
        return self.records.get(user_id)

    def get_many(self, user_ids: list[str]) -> list[User]:
        return [self.records[i] for i in user_ids if i in self.records]

    def get_and_mark_seen(self, user_id: str, now: datetime) -> User | None:
        user = self.records.get(user_id)
        if user is not None and (user.last_seen_at is None or now - user.last_seen_at >= PRESENCE_REFRESH):
            user = self.records[user_id] = replace(user, last_seen_at=now)
        return user

    def require(self, user_id: str) -> User:
        user = self.records.get(user_id)
        if user is None:
            raise NotFoundError("no such user in this CRM")
        return user

    def find_id_by_email(self, email: str) -> str | None:
        return self.emails.get(email)

    def find_id_by_extension(self, extension: str) -> str | None:
        return self.extensions.get(extension)

    def _by_name(self, users: list[User]) -> list[User]:
        return sorted(users, key=lambda u: (u.name.casefold(), u.id))

    def list_by_name(self, *, limit: int, cursor: str | None = None) -> Page[User]:
        return page(self._by_name(list(self.records.values())), limit, cursor)

    def list_by_group(self, group_id: str, *, limit: int, cursor: str | None = None) -> Page[User]:
        members = [u for u in self.records.values() if u.group_id == group_id]
        return page(self._by_name(members), limit, cursor)

    def _guards(self, user: User) -> list[FakeWrite]:
        writes = [claim(self.emails, user.email, user.id, _used("email", user.email))]
        if user.extension:
            writes.append(claim(self.extensions, user.extension, user.id, _used("extension", user.extension)))
        return writes

    def creation_writes(self, user: User) -> list[FakeWrite]:
        def check() -> None:
            if user.id in self.records:
                raise ConflictError("the user exists")

        return [FakeWrite(lambda: self.records.__setitem__(user.id, user), check), *self._guards(user)]

    def change_writes(self, before: User, after: User) -> list[FakeWrite]:
        saved = replace(after, version=before.version + 1)

        def check() -> None:
            current = self.records.get(before.id)
            if current is None or current.version != before.version:
                raise StaleVersionError("user")

        def apply() -> None:
            if before.email != after.email:
                self.emails.pop(before.email, None)
            if before.extension and before.extension != after.extension:
                self.extensions.pop(before.extension, None)
            self.records[after.id] = saved

        return [FakeWrite(apply, check), *self._guards(after)]

    def save_changes(self, before: User, after: User) -> User:
        commit(self.change_writes(before, after))
        return self.records[after.id]

    def set_status(self, user_id: str, status: UserStatus) -> None:
        self.records[user_id] = replace(self.require(user_id), status=status)

    def drop_search_terms(self, user: User) -> None:
        """The fake keeps no search index for users."""

    def deletion_writes(self, user: User) -> list[FakeWrite]:
        def apply() -> None:
            self.records.pop(user.id, None)
            self.emails.pop(user.email, None)
            if user.extension:
                self.extensions.pop(user.extension, None)

        return [FakeWrite(apply)]


def _used(what: str, value: str) -> ConflictError:
    return ConflictError(f"the {what} {value} is already used", field=what)


class FakeGroups:
    def __init__(self) -> None:
        self.records: dict[str, Group] = {}

    def get(self, group_id: str) -> Group | None:
        return self.records.get(group_id)

    def list_all(self) -> list[Group]:
        return sorted(self.records.values(), key=lambda g: g.id)

    def page(self, *, limit: int, cursor: str | None = None) -> Page[Group]:
        return page(self.list_all(), limit, cursor)

    def save_changes(self, before: Group, after: Group) -> Group:
        return versioned_save(self.records, before, after, "group")

    def delete(self, group: Group) -> None:
        versioned_delete(self.records, group, "group")

    def creation_writes(self, group: Group) -> list[FakeWrite]:
        return [FakeWrite(lambda: self.records.__setitem__(group.id, group))]


class FakeContacts:
    """Records, phone and email guards, feeds; lists filtered in memory with the same Criteria."""

    rollups = FakeRollups()  # the tenant's, set by FakeStorage

    def __init__(self, storage: FakeStorage) -> None:
        self.records: dict[str, Contact] = {}
        self.feeds: dict[str, list[FeedEntry]] = {}
        self.phones: dict[str, str] = {}
        self.emails: dict[str, str] = {}

    def get(self, contact_id: str, *, consistent: bool = False) -> Contact | None:
        return self.records.get(contact_id)

    def get_many(self, ids: list[str]) -> list[Contact]:
        return [self.records[i] for i in ids if i in self.records]

    def card(self, contact_id: str, feed_limit: int) -> tuple[Contact | None, Page[FeedEntry]]:
        return self.records.get(contact_id), self.feed(contact_id, limit=feed_limit, cursor=None)

    def feed(self, contact_id: str, *, limit: int, cursor: str | None) -> Page[FeedEntry]:
        return page(_newest_first(self.feeds.get(contact_id, [])), limit, cursor)

    def get_entry(self, contact_id: str, entry_id: str) -> FeedEntry | None:
        return next((e for e in self.feeds.get(contact_id, []) if e.id == entry_id), None)

    def page(self, kind: ContactKind, criteria: Criteria, *, limit: int, cursor: str | None) -> Page[Contact]:
        kept = [
            c
            for c in self.records.values()
            if criteria.keeps(kind, c, criteria.values) and criteria.in_created_range(c)
        ]
        kept.sort(key=lambda c: (c.created_at, c.id), reverse=criteria.newest_first)
        return page(kept, limit, cursor)

    def counts(self, name: str) -> list[tuple[ContactKind, str, int]]:
        """Contacts per tag, source tag or property key and kind (the table keeps counters)."""
        counted: dict[tuple[ContactKind, str], int] = {}
        for contact in self.records.values():
            if name == "tag":
                values: Sequence[str] = contact.tags
            elif name == "source":
                values = contact.source_tag_ids
            else:
                values = list(contact.properties)
            for value in values:
                counted[(contact.kind, value)] = counted.get((contact.kind, value), 0) + 1
        return [(kind, value, n) for (kind, value), n in sorted(counted.items())]

    def owner_of_phone(self, e164: str) -> str | None:
        return self.phones.get(e164)

    def owner_of_email(self, email: str) -> str | None:
        return self.emails.get(email)

    def owners(self, phones: Iterable[str], emails: Iterable[str]) -> dict[tuple[str, str], str]:
        found = {("phone", p): self.phones[p] for p in phones if p in self.phones}
        found |= {("email", e): self.emails[e] for e in emails if e in self.emails}
        return found

    def _guards(self, contact: Contact) -> list[FakeWrite]:
        writes = []
        for phone in contact.phones:
            writes.append(self._claim(self.phones, phone.phone, contact, "phone"))
        for email in contact.emails:
            writes.append(self._claim(self.emails, email.email, contact, "email"))
        return writes

    def _claim(self, guards: dict[str, str], value: str, contact: Contact, field: str) -> FakeWrite:
        def check() -> None:
            owner = guards.get(value, contact.id)
            if owner != contact.id:
                existing = self.records[owner]
                raise DuplicateError(
                    f"the {field} {value} belongs to another {existing.kind.value}",
                    existing_type=existing.kind.value,
                    existing_id=owner,
                    field=field,
                )

        return FakeWrite(lambda: guards.__setitem__(value, contact.id), check)

    def creation_writes(self, contact: Contact, entries: Sequence[FeedEntry]) -> list[FakeWrite]:
        contact = attribute_contact(None, contact)

        def apply() -> None:
            self.records[contact.id] = contact
            self.feeds.setdefault(contact.id, []).extend(entries)
            self.rollups.record(None, contact)

        return [FakeWrite(apply), *self._guards(contact)]

    def create(self, contact: Contact, entries: Sequence[FeedEntry], also: Sequence[Any] = ()) -> None:
        commit([*self.creation_writes(contact, entries), *also])

    def create_or_find(self, contact: Contact, entries: Sequence[FeedEntry]) -> tuple[Contact | None, bool]:
        try:
            self.create(contact, entries)
        except DuplicateError as duplicate:
            return self.records.get(duplicate.existing_id), False
        return contact, True

    def save_changes(
        self, before: Contact, after: Contact, entries: Sequence[FeedEntry] = (), *, condition: Any = None
    ) -> Contact:
        saved = replace(attribute_contact(before, after), version=before.version + 1)

        def check() -> None:
            current = self.records.get(before.id)
            if current is None or current.version != before.version:
                raise StaleVersionError(before.kind.value)

        def apply() -> None:
            for phone in {p.phone for p in before.phones} - {p.phone for p in after.phones}:
                self.phones.pop(phone, None)
            for email in {e.email for e in before.emails} - {e.email for e in after.emails}:
                self.emails.pop(email, None)
            self.records[after.id] = saved
            self.feeds.setdefault(after.id, []).extend(entries)
            self.rollups.record(before, saved)

        commit([FakeWrite(apply, check), *self._guards(after)])
        return saved

    def take(self, before: Contact, after: Contact, entry: FeedEntry) -> Contact:
        current = self.records.get(before.id)
        if current is not None and current.responsible_user_id is not None:
            raise ConflictError("the lead has a responsible user")
        return self.save_changes(before, after, [entry])

    def delete(self, contact: Contact, *, closed_at: datetime | None = None) -> None:
        versioned_delete(self.records, contact, contact.kind.value)
        if closed_at is not None and contact.is_lead:
            tombstone = closed_lead(contact, closed_at)
            self.rollups.closed.append(tombstone)
            self.rollups.record(contact, tombstone)
        else:
            self.rollups.record(contact, None)
        for phone in contact.phones:
            self.phones.pop(phone.phone, None)
        for email in contact.emails:
            self.emails.pop(email.email, None)
        self.feeds.pop(contact.id, None)

    def add_entry(self, contact_id: str, entry: FeedEntry) -> None:
        self.feeds.setdefault(contact_id, []).append(entry)

    def add_entry_once(self, contact_id: str, entry: FeedEntry) -> bool:
        if self.get_entry(contact_id, entry.id) is not None:
            return False
        self.add_entry(contact_id, entry)
        return True

    def update_entry(self, contact_id: str, entry: FeedEntry) -> None:
        feed = self.feeds.get(contact_id, [])
        if all(e.id != entry.id for e in feed):
            raise NotFoundError("no such note on this contact")
        self.feeds[contact_id] = [entry if e.id == entry.id else e for e in feed]

    def delete_entry(self, contact_id: str, entry_id: str) -> None:
        self.feeds[contact_id] = [e for e in self.feeds.get(contact_id, []) if e.id != entry_id]

    def values(self, contact_id: str) -> set[tuple[str, str]]:
        """What the contact can be filtered on now (for assertions)."""
        return filter_values(self.records[contact_id])


class FakeDeals:
    """Deals, their feeds, the board's columns (by position) and per-column totals."""

    rollups = FakeRollups()  # the tenant's, set by FakeStorage

    def __init__(self) -> None:
        self.records: dict[str, Deal] = {}
        self.feeds: dict[str, list[FeedEntry]] = {}

    def get(self, deal_id: str, *, consistent: bool = False) -> Deal | None:
        return self.records.get(deal_id)

    def card(self, deal_id: str, feed_limit: int) -> tuple[Deal | None, Page[FeedEntry]]:
        return self.records.get(deal_id), self.feed(deal_id, limit=feed_limit, cursor=None)

    def feed(self, deal_id: str, *, limit: int, cursor: str | None) -> Page[FeedEntry]:
        return page(_newest_first(self.feeds.get(deal_id, [])), limit, cursor)

    def add_entry(self, deal_id: str, entry: FeedEntry) -> None:
        self.feeds.setdefault(deal_id, []).append(entry)

    def _mine(self, owner: str | None) -> list[Deal]:
        return [d for d in self.records.values() if owner is None or d.responsible_user_id == owner]

    def column(
        self, status: DealStatus, *, owner: str | None, limit: int, cursor: str | None, after: str | None = None
    ) -> Page[Deal]:
        cards = [d for d in self._mine(owner) if d.status is status and (after is None or d.position > after)]
        return page(sorted(cards, key=lambda d: (d.position, d.id)), limit, cursor)

    def of_client(
        self, client_id: str, *, status: DealStatus | None, owner: str | None, limit: int, cursor: str | None,
        created_from: datetime | None = None, created_to: datetime | None = None, newest_first: bool = True,
    ) -> Page[Deal]:  # fmt: skip
        deals = [
            d
            for d in self._mine(owner)
            if d.client_id == client_id
            and (status is None or d.status is status)
            and _in_range(d.created_at, created_from, created_to)
        ]
        return page(sorted(deals, key=lambda d: (d.created_at, d.id), reverse=newest_first), limit, cursor)

    def listed(
        self, *, owner: str | None, status: DealStatus | None, created_from: datetime | None,
        created_to: datetime | None, newest_first: bool = True, limit: int, cursor: str | None,
    ) -> Page[Deal]:  # fmt: skip
        deals = [
            d
            for d in self._mine(owner)
            if (status is None or d.status is status) and _in_range(d.created_at, created_from, created_to)
        ]
        return page(sorted(deals, key=lambda d: (d.created_at, d.id), reverse=newest_first), limit, cursor)

    def totals(self, owner: str | None) -> list[ColumnTotal]:
        sums: dict[tuple[DealStatus, str], tuple[int, int]] = {}
        for deal in self._mine(owner):
            count, total = sums.get((deal.status, deal.currency), (0, 0))
            sums[(deal.status, deal.currency)] = (count + 1, total + deal.amount_minor)
        return [ColumnTotal(s, c, n, t) for (s, c), (n, t) in sums.items()]

    def creation_writes(self, deal: Deal, entries: Sequence[FeedEntry]) -> list[FakeWrite]:
        deal = attribute_deal(deal)

        def check() -> None:
            if deal.id in self.records:
                raise ConflictError("the deal exists")

        def apply() -> None:
            self.records[deal.id] = deal
            self.feeds.setdefault(deal.id, []).extend(entries)
            self.rollups.record(None, deal)

        return [FakeWrite(apply, check)]

    def create(self, deal: Deal, entries: Sequence[FeedEntry], contact_entries: Sequence[Any] = ()) -> None:
        commit([*self.creation_writes(deal, entries), *contact_entries])

    def save_changes(self, before: Deal, after: Deal, entries: Sequence[FeedEntry]) -> Deal:
        before, after = attribute_deal(before), attribute_deal(after)
        saved = versioned_save(self.records, before, after, "deal")
        self.feeds.setdefault(after.id, []).extend(entries)
        self.rollups.record(before, saved)
        return saved

    def delete(self, deal: Deal) -> None:
        versioned_delete(self.records, deal, "deal")
        self.rollups.record(attribute_deal(deal), None)
        self.feeds.pop(deal.id, None)


class FakeProperties:
    def __init__(self) -> None:
        self.records: dict[str, PropertyDef] = {}

    def list_all(self) -> list[PropertyDef]:
        return sorted(self.records.values(), key=lambda p: p.id)

    def page(self, *, limit: int, cursor: str | None = None) -> Page[PropertyDef]:
        return page(self.list_all(), limit, cursor)

    def get(self, property_id: str) -> PropertyDef | None:
        return self.records.get(property_id)

    def create(self, definition: PropertyDef) -> None:
        if any(p.key == definition.key for p in self.records.values()):
            raise ConflictError(f"a property '{definition.key}' already exists", field="key")
        self.records[definition.id] = definition

    def save_changes(self, before: PropertyDef, after: PropertyDef) -> PropertyDef:
        return versioned_save(self.records, before, after, "property")

    def delete(self, definition: PropertyDef) -> None:
        versioned_delete(self.records, definition, "property")


class FakeSourceTags:
    def __init__(self, contacts: FakeContacts) -> None:
        self.records: dict[str, SourceTag] = {}
        self._contacts = contacts

    def list_all(self) -> list[SourceTag]:
        return sorted(self.records.values(), key=lambda t: t.id)

    def page(self, *, limit: int, cursor: str | None = None) -> Page[SourceTag]:
        return page(self.list_all(), limit, cursor)

    def counts(self, ids: list[str]) -> dict[tuple[ContactKind, str], int]:
        return {(kind, tag): n for kind, tag, n in self._contacts.counts("source") if tag in ids}

    def get(self, source_tag_id: str) -> SourceTag | None:
        return self.records.get(source_tag_id)

    def get_many(self, ids: list[str]) -> dict[str, SourceTag]:
        return {i: self.records[i] for i in ids if i in self.records}

    def find(self, param: SourceParam, value: str) -> str | None:
        return next((t.id for t in self.records.values() if t.param is param and t.value == value), None)

    def create(self, tag: SourceTag) -> None:
        if self.find(tag.param, tag.value) is not None:
            raise ConflictError(f"a source tag {tag.param.value}={tag.value} already exists", field="value")
        self.records[tag.id] = tag

    def rename(self, before: SourceTag, display_value: str) -> SourceTag:
        return versioned_save(self.records, before, replace(before, display_value=display_value), "source tag")

    def delete(self, tag: SourceTag) -> None:
        versioned_delete(self.records, tag, "source tag")


class FakeSmsTemplates:
    def __init__(self) -> None:
        self.records: dict[str, SmsTemplate] = {}

    def list_all(self) -> list[SmsTemplate]:
        return sorted(self.records.values(), key=lambda t: t.id)

    def page(self, *, limit: int, cursor: str | None = None) -> Page[SmsTemplate]:
        return page(self.list_all(), limit, cursor)

    def get(self, template_id: str) -> SmsTemplate | None:
        return self.records.get(template_id)

    def create(self, template: SmsTemplate) -> None:
        self.records[template.id] = template

    def save(self, before: SmsTemplate, after: SmsTemplate) -> SmsTemplate:
        return versioned_save(self.records, before, after, "template")

    def delete(self, template: SmsTemplate) -> None:
        versioned_delete(self.records, template, "template")


class FakeInvitations:
    """Invitations of every CRM by token hash (deployment-wide, like the table's items)."""

    def __init__(self) -> None:
        self.records: dict[str, Invitation] = {}

    def get_by_token_hash(self, digest: str) -> Invitation | None:
        return self.records.get(digest)

    def list_pending(self, tenant_id: str, *, limit: int = 100) -> list[Invitation]:
        mine = [i for i in self.records.values() if i.tenant_id == tenant_id]
        return sorted(mine, key=lambda i: (i.created_at, i.id), reverse=True)[:limit]

    def creation_writes(self, invitation: Invitation, digest: str) -> list[FakeWrite]:
        return [FakeWrite(lambda: self.records.__setitem__(digest, invitation))]

    def use_write(self, digest: str) -> FakeWrite:
        def check() -> None:
            if digest not in self.records:
                raise ConflictError("this invitation has already been used", field="token")

        return FakeWrite(lambda: self.records.pop(digest, None), check)
