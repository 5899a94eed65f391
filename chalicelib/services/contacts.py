"""Clients and leads (SPEC CL, LD): cards, lists, the lead pool, conversion, notes, identify.

Every method checks the caller's rights on the contact itself (`domain.contacts.can_see`,
`edit_right`, `delete_right`): a contact the caller may not see is reported as not found, so
ids of other users' (or other CRMs') contacts reveal nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from chalicelib.domain.contacts import (
    ChannelType,
    ClientType,
    Contact,
    ContactKind,
    ContactStatus,
    FeedEntry,
    FeedKind,
    LeadSource,
    LeadStatus,
    can_see,
    check_contact_name,
    delete_right,
    edit_right,
    normalize_emails,
    normalize_phones,
)
from chalicelib.domain.errors import ConflictError, ForbiddenError, NotFoundError, ValidationError, check_version
from chalicelib.domain.ids import new_id
from chalicelib.domain.paging import Page
from chalicelib.domain.properties import MAX_VALUES_PER_CONTACT
from chalicelib.domain.records import record
from chalicelib.domain.rights import Permission
from chalicelib.domain.sources import MAX_PER_CONTACT
from chalicelib.domain.users import EXTENSION_PATTERN, UserStatus
from chalicelib.ports.notifications import NoNotifier, Notifier
from chalicelib.services.contact_changes import changes_between
from chalicelib.services.contact_lists import ContactLists
from chalicelib.services.contact_lists import ListQuery as ListQuery  # re-exported: the routes' name for it

if TYPE_CHECKING:
    from chalicelib.domain.actor import Actor
    from chalicelib.ports.outside import Clock
    from chalicelib.ports.storage import Contacts, Storage
    from chalicelib.ports.writes import Write

MAX_TAGS = 10  # each tag is 2 filter entries and a counter in the contact's transactions
MAX_SOURCE_TAGS = MAX_PER_CONTACT
FEED_PAGE = 20


@record(frozen=True, slots=True)
class ContactInput:
    """What a create or an edit gives; None leaves a field unset (create) or as it is (edit)."""

    name: str | None = None
    status: ContactStatus | None = None
    type: ClientType | None = None
    phones: list[tuple[str, ChannelType]] | None = None
    emails: list[tuple[str, ChannelType]] | None = None
    address: str | None = None
    website: str | None = None
    comment: str | None = None
    tags: list[str] | None = None
    source_tag_ids: list[str] | None = None
    # Merged into the contact's values; None as a value removes that property.
    properties: dict[str, Any] | None = None
    lead_status: LeadStatus | None = None


@record(frozen=True, slots=True)
class Card:
    """A contact and the first page of its feed."""

    contact: Contact
    feed: Page[FeedEntry]


MAX_BULK = 500


@record(frozen=True, slots=True)
class BulkResult:
    """How one contact of a bulk change fared."""

    id: str
    status: str  # "ok" | "not_found" | "forbidden" | "conflict" | "invalid"
    message: str | None = None


@record(frozen=True, slots=True)
class Identified:
    """Whose a phone number or email is."""

    type: str  # "client" | "lead" | "user"
    id: str
    name: str
    responsible_user_id: str | None = None


class ContactService:
    def __init__(self, storage: Storage, clock: Clock, *, notifier: Notifier | None = None) -> None:
        self._storage = storage
        self._clock = clock
        self._notifier = notifier or NoNotifier()
        self._lists = ContactLists(storage)

    # --- reads -------------------------------------------------------------------------------

    def card(self, actor: Actor, kind: ContactKind, contact_id: str) -> Card:
        """The contact and its latest feed entries (one read)."""
        contact, feed = self._storage.contacts(actor.tenant_id).card(contact_id, FEED_PAGE)
        return Card(self._visible(actor, kind, contact), feed)

    def feed(
        self, actor: Actor, kind: ContactKind, contact_id: str, *, limit: int, cursor: str | None
    ) -> Page[FeedEntry]:
        repo = self._storage.contacts(actor.tenant_id)
        self._visible(actor, kind, repo.get(contact_id))
        return repo.feed(contact_id, limit=limit, cursor=cursor)

    def page(
        self, actor: Actor, kind: ContactKind, query: ListQuery, *, limit: int, cursor: str | None
    ) -> Page[Contact]:
        """One page of a list (CL-1, CL-2, LD-1): see `ContactLists.page`."""
        return self._lists.page(actor, kind, query, limit=limit, cursor=cursor)

    def tags(self, actor: Actor, *, limit: int, cursor: str | None) -> Page[tuple[str, int, int]]:
        """The tags in use (CL-4), by tag, with the clients and leads the caller sees carrying
        them: (tag, clients, leads). Counted at write time for the CRM and for each responsible
        user, so a user without `customers_view_all` (`leads_view`) gets the tags of their own
        clients (their own leads and the pool's): at most 3 Queries of `limit` counters."""
        client, lead = ContactKind.CLIENT, ContactKind.LEAD
        # (kind, every responsible user's, or this one's: None is the pool)
        columns = [(client, True, None) if actor.can(Permission.CUSTOMERS_VIEW_ALL) else (client, False, actor.user_id)]
        if actor.can(Permission.LEADS_VIEW):
            columns.append((lead, True, None))
        else:
            columns += [(lead, False, actor.user_id), (lead, False, None)]
        page = self._storage.contacts(actor.tenant_id).tag_counts(columns, limit=limit, cursor=cursor)
        counted: dict[str, list[int]] = {}
        for tag, kind, count in page.items:
            counted.setdefault(tag, [0, 0])[kind is lead] += count
        return Page([(tag, c, n) for tag, (c, n) in counted.items()], page.next_cursor)

    def identify(self, actor: Actor, phone: str) -> Identified:
        """Who owns this number (the PBX asks on every call): a contact, or a user's extension."""
        if EXTENSION_PATTERN.fullmatch(phone):
            users = self._storage.users(actor.tenant_id)
            user_id = users.find_id_by_extension(phone)
            user = users.get(user_id) if user_id else None
            if user is None or user.status is UserStatus.DEACTIVATED:
                raise NotFoundError("nobody has this number")
            return Identified(type="user", id=user.id, name=user.name)
        region = None if phone.strip().startswith("+") else self._region(actor.tenant_id)
        try:
            [number] = normalize_phones([(phone, ChannelType.OTHER)], region)
        except ValidationError:
            raise ValidationError(f"'{phone}' is not a phone number we can read", field="phone") from None
        repo = self._storage.contacts(actor.tenant_id)
        owner = repo.owner_of_phone(number.phone)
        contact = repo.get(owner) if owner else None
        if contact is None or not can_see(actor, contact):
            raise NotFoundError("nobody has this number")
        return Identified(contact.kind.value, contact.id, contact.name, contact.responsible_user_id)

    # --- writes ------------------------------------------------------------------------------

    def create(
        self,
        actor: Actor,
        kind: ContactKind,
        data: ContactInput,
        *,
        responsible_user_id: str | None = None,
        unsorted: bool = False,
        lead_source: LeadSource = LeadSource.MANUAL,
        also: Callable[[Contact], Sequence[Write]] | None = None,
    ) -> Contact:
        """A client (customers_create) or a lead (anyone: LD-3 rules for the responsible user);
        `also` gives writes that go in the same transaction (linking a call to it, say)."""
        if kind is ContactKind.CLIENT:
            actor.require(Permission.CUSTOMERS_CREATE)
            if unsorted:
                raise ValidationError("only leads can be created unsorted", field="unsorted")
        if data.name is None:
            raise ValidationError("name is required", field="name")
        responsible = None if unsorted else self._assignee(actor, responsible_user_id or actor.user_id)
        now = self._clock()
        contact = Contact(
            id=new_id(),
            kind=kind,
            name=check_contact_name(data.name),
            created_at=now,
            created_by=actor.user_id,
            updated_at=now,
            responsible_user_id=responsible,
            lead_status=(data.lead_status or LeadStatus.NOT_PROCESSED) if kind is ContactKind.LEAD else None,
            lead_source=lead_source if kind is ContactKind.LEAD else None,
        )
        contact = self._apply(actor, contact, data)
        created = self._event(actor, "created", now, {"name": contact.name})
        self._storage.contacts(actor.tenant_id).create(contact, [created], also(contact) if also else ())
        self._lead_assigned(actor, contact)
        return contact

    def update(
        self,
        actor: Actor,
        kind: ContactKind,
        contact_id: str,
        version: int | None,
        data: ContactInput,
        *,
        responsible_user_id: Any = None,
        reassign: bool = False,
    ) -> Contact:
        """Edit fields (and reassign); the feed records who changed what, old -> new."""
        before = self._visible(actor, kind, self._storage.contacts(actor.tenant_id).get(contact_id, consistent=True))
        check_version(version, before.version, "contact")
        return self._update(actor, before, data, responsible_user_id=responsible_user_id, reassign=reassign)

    def _update(
        self, actor: Actor, before: Contact, data: ContactInput, *, responsible_user_id: Any, reassign: bool
    ) -> Contact:
        self._require(actor, edit_right(before, actor))
        if data.lead_status is not None and not before.is_lead:
            raise ValidationError("only leads have a lead status", field="lead_status")
        now = self._clock()
        after = replace(self._apply(actor, before, data), updated_at=now)
        entries = []
        changes = changes_between(before, after)
        if changes:
            entries.append(self._event(actor, "updated", now, {"changes": changes}))
        if reassign and responsible_user_id != before.responsible_user_id:
            assignee = self._assignee(actor, responsible_user_id) if responsible_user_id else None
            if assignee is None and not before.is_lead:
                raise ValidationError("a client needs a responsible user", field="responsible_user_id")
            after = replace(after, responsible_user_id=assignee)
            entries.append(self._event(actor, "assigned", now, {"from": before.responsible_user_id, "to": assignee}))
        if not entries:
            return before
        saved = self._storage.contacts(actor.tenant_id).save_changes(before, after, entries)
        if saved.responsible_user_id != before.responsible_user_id:
            self._lead_assigned(actor, saved)
        return saved

    def _lead_assigned(self, actor: Actor, contact: Contact) -> None:
        """Tell a lead's new responsible user, unless they assigned it to themselves."""
        if contact.is_lead and contact.responsible_user_id:
            # Only an assignment notifies: the notifications' domain stays off the export worker's start.
            from chalicelib.domain.notifications import Link, LinkType, NotificationKind, lead_assigned_title

            self._notifier.notify(
                actor.tenant_id, contact.responsible_user_id, NotificationKind.LEAD_ASSIGNED,
                lead_assigned_title(contact.name), Link(LinkType.LEAD, contact.id), by=actor.user_id,
            )  # fmt: skip

    def delete(self, actor: Actor, kind: ContactKind, contact_id: str) -> None:
        repo = self._storage.contacts(actor.tenant_id)
        contact = self._visible(actor, kind, repo.get(contact_id, consistent=True))
        self._require(actor, delete_right(contact, actor))
        repo.delete(contact)

    def take(self, actor: Actor, lead_id: str) -> Contact:
        """Take an unsorted lead (LD-2): one conditional write, so of two takers exactly one wins."""
        repo = self._storage.contacts(actor.tenant_id)
        before = repo.get(lead_id, consistent=True)
        if before is None or not before.is_lead:
            raise NotFoundError("no such lead in this CRM")
        if not before.in_pool:
            # Checked before visibility: the one who lost the race learns it was taken.
            raise ConflictError("this lead has already been taken")
        now = self._clock()
        after = replace(before, responsible_user_id=actor.user_id, updated_at=now)
        if after.lead_status is LeadStatus.NOT_PROCESSED:
            after = replace(after, lead_status=LeadStatus.IN_PROGRESS)
        taken = self._event(actor, "taken", now, {"to": actor.user_id})
        try:
            return repo.take(before, after, taken)
        except ConflictError:
            raise ConflictError("this lead has already been taken") from None

    def close(self, actor: Actor, lead_id: str, outcome: str) -> Contact | None:
        """Close a lead (LD-5): `client` converts it in place (same id, feed, links); `poor_quality`
        deletes it and frees its phones and emails."""
        repo = self._storage.contacts(actor.tenant_id)
        lead = self._visible(actor, ContactKind.LEAD, repo.get(lead_id, consistent=True))
        if outcome == "poor_quality":
            self._require(actor, delete_right(lead, actor))
            repo.delete(lead, closed_at=self._clock())
            return None
        self._require(actor, edit_right(lead, actor))
        actor.require(Permission.CUSTOMERS_CREATE)
        if lead.responsible_user_id is None:
            raise ValidationError("take the lead or assign it before making it a client", field="outcome")
        now = self._clock()
        client = replace(
            lead,
            kind=ContactKind.CLIENT,
            lead_status=LeadStatus.FINISHED,
            type=ClientType.CLIENT,
            converted_at=now,
            updated_at=now,
        )
        converted = self._event(actor, "converted", now, {"from": "lead", "to": "client"})
        return repo.save_changes(lead, client, [converted])

    def bulk(
        self, actor: Actor, kind: ContactKind, ids: list[str], action: str, *, tag: str | None, user_id: str | None
    ) -> list[BulkResult]:
        """Tag, untag, assign or delete many contacts (CL-5): each one checked and written on its
        own (feed, filters and counters stay right), failures reported per id."""
        wanted = list(dict.fromkeys(ids))
        if not 1 <= len(wanted) <= MAX_BULK:
            raise ValidationError(f"give 1 to {MAX_BULK} ids", field="ids")
        if action in ("tag", "untag") and not (tag and tag.strip()):
            raise ValidationError(f"'{action}' needs a tag", field="tag")
        if action == "assign":
            if not user_id:
                raise ValidationError("'assign' needs a user_id", field="user_id")
            try:
                self._assignee(actor, user_id)
            except ValidationError as exc:
                raise ValidationError(exc.message, field="user_id") from None
        repo = self._storage.contacts(actor.tenant_id)
        found = {c.id: c for c in repo.get_many(wanted)}
        return [self._bulk_one(actor, kind, found.get(i), i, action, tag, user_id) for i in wanted]

    def _bulk_one(
        self,
        actor: Actor,
        kind: ContactKind,
        contact: Contact | None,
        contact_id: str,
        action: str,
        tag: str | None,
        user_id: str | None,
    ) -> BulkResult:
        if contact is None or contact.kind is not kind or not can_see(actor, contact):
            return BulkResult(contact_id, "not_found")
        try:
            if action == "delete":
                self._require(actor, delete_right(contact, actor))
                self._storage.contacts(actor.tenant_id).delete(contact)
            else:
                tags = list(contact.tags)
                if action == "tag" and tag:
                    tags.append(tag)
                elif action == "untag":
                    tags = [t for t in tags if t != " ".join((tag or "").split())]
                # The contact read in bulk is current: a concurrent edit fails its version check.
                self._update(
                    actor, contact, ContactInput(tags=tags), responsible_user_id=user_id, reassign=action == "assign"
                )
        except ForbiddenError as exc:
            return BulkResult(contact_id, "forbidden", exc.message)
        except ValidationError as exc:
            return BulkResult(contact_id, "invalid", exc.message)
        except ConflictError as exc:
            return BulkResult(contact_id, "conflict", exc.message)
        except NotFoundError:
            return BulkResult(contact_id, "not_found")
        return BulkResult(contact_id, "ok")

    # --- notes (CL-7) ------------------------------------------------------------------------

    def add_note(self, actor: Actor, kind: ContactKind, contact_id: str, text: str) -> FeedEntry:
        repo = self._storage.contacts(actor.tenant_id)
        self._visible(actor, kind, repo.get(contact_id))
        entry = FeedEntry(id=new_id(), kind=FeedKind.NOTE, time=self._clock(), user_id=actor.user_id, text=_note(text))
        repo.add_entry(contact_id, entry)
        return entry

    def edit_note(self, actor: Actor, kind: ContactKind, contact_id: str, note_id: str, text: str) -> FeedEntry:
        repo, note = self._own_note(actor, kind, contact_id, note_id)
        edited = replace(note, text=_note(text), edited_at=self._clock())
        repo.update_entry(contact_id, edited)
        return edited

    def delete_note(self, actor: Actor, kind: ContactKind, contact_id: str, note_id: str) -> None:
        repo, _ = self._own_note(actor, kind, contact_id, note_id)
        repo.delete_entry(contact_id, note_id)

    # --- helpers -----------------------------------------------------------------------------

    def _own_note(self, actor: Actor, kind: ContactKind, contact_id: str, note_id: str) -> tuple[Contacts, FeedEntry]:
        repo = self._storage.contacts(actor.tenant_id)
        self._visible(actor, kind, repo.get(contact_id))
        note = repo.get_entry(contact_id, note_id)
        if note is None or note.kind is not FeedKind.NOTE:
            raise NotFoundError("no such note on this contact")
        if note.user_id != actor.user_id:
            raise ForbiddenError("only the author of a note can change it")
        return repo, note

    def _visible(self, actor: Actor, kind: ContactKind, contact: Contact | None) -> Contact:
        if contact is None or contact.kind is not kind or not can_see(actor, contact):
            raise NotFoundError(f"no such {kind.value} in this CRM")
        return contact

    def _require(self, actor: Actor, right: Permission | None) -> None:
        if right is not None:
            actor.require(right)

    def _assignee(self, actor: Actor, user_id: str) -> str:
        """A responsible user must be an active user of the CRM."""
        if user_id == actor.user_id:
            return user_id
        user = self._storage.users(actor.tenant_id).get(user_id)
        if user is None or user.status is UserStatus.DEACTIVATED:
            raise ValidationError("no such active user in this CRM", field="responsible_user_id")
        return user_id

    def _apply(self, actor: Actor, contact: Contact, data: ContactInput) -> Contact:
        changes: dict[str, Any] = {}
        if data.name is not None:
            changes["name"] = check_contact_name(data.name)
        for name in ("status", "type", "lead_status"):
            if getattr(data, name) is not None:
                changes[name] = getattr(data, name)
        for name in ("address", "website", "comment"):
            value = getattr(data, name)
            if value is not None:
                changes[name] = value.strip() or None
        if data.phones is not None:
            region = self._region(actor.tenant_id)
            changes["phones"] = normalize_phones(data.phones, region)
        if data.emails is not None:
            changes["emails"] = normalize_emails(data.emails)
        if data.tags is not None:
            changes["tags"] = _tags(data.tags)
        if data.source_tag_ids is not None:
            changes["source_tag_ids"] = self._source_tags(actor, data.source_tag_ids)
        if data.properties:
            changes["properties"] = self._property_values(actor, contact.properties, data.properties)
        return replace(contact, **changes)

    def _property_values(self, actor: Actor, current: dict[str, Any], given: dict[str, Any]) -> dict[str, Any]:
        definitions = {d.key: d for d in self._storage.properties(actor.tenant_id).list_all()}
        values = dict(current)
        for key, raw in given.items():
            definition = definitions.get(key)
            if definition is None:
                raise ValidationError(f"no property '{key}' in this CRM", field=f"properties.{key}")
            if raw is None:
                values.pop(key, None)
            else:
                values[key] = definition.value(raw, field_name=f"properties.{key}")
        if len(values) > MAX_VALUES_PER_CONTACT:
            raise ValidationError(f"at most {MAX_VALUES_PER_CONTACT} property values per contact", field="properties")
        return values

    def _source_tags(self, actor: Actor, ids: list[str]) -> tuple[str, ...]:
        wanted = list(dict.fromkeys(ids))
        if len(wanted) > MAX_SOURCE_TAGS:
            raise ValidationError(f"at most {MAX_SOURCE_TAGS} source tags", field="source_tag_ids")
        known = self._storage.source_tags(actor.tenant_id).get_many(wanted)
        for i, source_id in enumerate(wanted):
            if source_id not in known:
                raise ValidationError("no such source tag in this CRM", field=f"source_tag_ids[{i}]")
        return tuple(wanted)

    def _region(self, tenant_id: str) -> str | None:
        crm = self._storage.crms.get(tenant_id)
        return crm.country if crm else None

    def _event(self, actor: Actor, event: str, now: datetime, data: dict[str, Any]) -> FeedEntry:
        return FeedEntry(
            id=new_id(), kind=FeedKind.EVENT, time=now, user_id=actor.user_id, data={"event": event, **data}
        )


def _tags(tags: list[str]) -> tuple[str, ...]:
    cleaned = list(dict.fromkeys(" ".join(t.split()) for t in tags if t.strip()))
    if len(cleaned) > MAX_TAGS:
        raise ValidationError(f"at most {MAX_TAGS} tags", field="tags")
    for i, tag in enumerate(cleaned):
        if len(tag) > 50:
            raise ValidationError("a tag has at most 50 characters", field=f"tags[{i}]")
    return tuple(cleaned)


def _note(text: str) -> str:
    text = text.strip()
    if not 1 <= len(text) <= 10_000:
        raise ValidationError("a note has 1 to 10000 characters", field="text")
    return text
