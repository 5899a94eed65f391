"""What one chunk's rows come to, before anything is written: a new contact, an update of the
contact a phone or email matches (as the duplicate policy says), or a line of the report."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import field, replace
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from chalicelib.domain.contacts import (
    MAX_EMAILS,
    MAX_PHONES,
    ClientType,
    Contact,
    ContactKind,
    ContactStatus,
    LeadSource,
    LeadStatus,
    can_see,
    edit_right,
)
from chalicelib.domain.ids import derived_id
from chalicelib.domain.import_rows import MAX_TAGS, RowFields
from chalicelib.domain.imports import DuplicatePolicy, Import
from chalicelib.domain.records import record
from chalicelib.services.contact_changes import EDITABLE
from chalicelib.services.imports.report import ReportLine

if TYPE_CHECKING:
    from chalicelib.domain.actor import Actor


@record(slots=True)
class Chunk:
    """What one chunk's rows come to, before anything is written."""

    created: list[Contact] = field(default_factory=list)
    updates: dict[str, tuple[Contact, Contact, int]] = field(default_factory=dict)  # id -> before, after, row
    report: list[ReportLine] = field(default_factory=list)
    counts: Counter[str] = field(default_factory=Counter)


class Planner:
    """Decides, row by row, what a chunk writes: a new contact, an update, or a report line."""

    def __init__(
        self,
        record: Import,
        actor: Actor,
        owners: dict[tuple[str, str], str],
        matched: dict[str, Contact],
        chunk: Chunk,
        mapping: dict[int, Any],
        headers: Sequence[str],
    ) -> None:
        self._record = record
        self._actor = actor
        self._owners = dict(owners)
        self._matched = matched
        self._chunk = chunk
        self._new: dict[str, Contact] = {}  # contacts this chunk creates, by id
        self.row_of: dict[str, int] = {}
        self._columns = {t.field: headers[i] for i, t in mapping.items()}

    def plan(self, fields: RowFields) -> None:
        own_id = row_contact_id(self._record, fields.row)
        values = [("phone", p.phone) for p in fields.phones] + [("email", e.email) for e in fields.emails]
        # Owners other than this row's own contact (a chunk written again finds its own guards).
        holders = {v: o for v in values if (o := self._owners.get(v)) is not None and o != own_id}
        if not holders:
            self._create(fields, own_id)
            return
        policy = self._record.on_duplicate
        if policy is DuplicatePolicy.CREATE_ANYWAY:
            kept = replace(
                fields,
                phones=[p for p in fields.phones if ("phone", p.phone) not in holders],
                emails=[e for e in fields.emails if ("email", e.email) not in holders],
            )
            for channel, value in holders:
                self._line(fields.row, channel, f"{value} belongs to {self._who(holders[(channel, value)])}; "
                           "the new contact was created without it", "created")  # fmt: skip
            self._create(kept, own_id)
            return
        targets = set(holders.values())
        (channel, value), holder = next(iter(holders.items()))
        if policy is DuplicatePolicy.SKIP:
            self._line(fields.row, channel, f"{value} belongs to {self._who(holder)}", "skipped")
            self._chunk.counts["skipped"] += 1
            return
        if len(targets) > 1:
            names = " and ".join(sorted(self._who(t) for t in targets))
            self._line(fields.row, channel, f"the row matches {names}; not updated", "failed")
            self._chunk.counts["failed"] += 1
            return
        self._update(fields, holder, channel, value)

    def _create(self, fields: RowFields, contact_id: str) -> None:
        if fields.name is None:  # read_row reports a row without one
            raise RuntimeError(f"row {fields.row} reached creation without a name")
        record = self._record
        at = (record.started_at or record.created_at) + timedelta(milliseconds=fields.row)
        lead = record.entity is ContactKind.LEAD
        contact = Contact(
            id=contact_id,
            kind=record.entity,
            name=fields.name,
            created_at=at,
            created_by=record.created_by,
            updated_at=at,
            status=fields.status or ContactStatus.INDIVIDUAL,
            type=fields.type or ClientType.POTENTIAL,
            phones=tuple(fields.phones),
            emails=tuple(fields.emails),
            address=fields.address,
            website=fields.website,
            comment=fields.comment,
            responsible_user_id=fields.responsible_user_id or record.created_by,
            tags=tuple(fields.tags),
            properties=dict(fields.properties),
            lead_status=LeadStatus.NOT_PROCESSED if lead else None,
            lead_source=LeadSource.IMPORT if lead else None,
        )
        self._new[contact.id] = contact
        self.row_of[contact.id] = fields.row
        self._chunk.created.append(contact)
        self._chunk.counts["created"] += 1
        for p in contact.phones:
            self._owners[("phone", p.phone)] = contact.id
        for e in contact.emails:
            self._owners[("email", e.email)] = contact.id

    def _update(self, fields: RowFields, holder: str, channel: str, value: str) -> None:
        if holder in self._new:  # a row repeating an earlier row of this chunk: merged into it
            merged, problem = filled(self._new[holder], fields)
            if problem:
                self._line(fields.row, channel, problem, "failed")
                self._chunk.counts["failed"] += 1
                return
            index = self._chunk.created.index(self._new[holder])
            self._chunk.created[index] = self._new[holder] = merged
            # Counted once, as created: the file repeats a contact it brings.
            self._line(fields.row, channel, f"{value} is also on row {self.row_of[holder]}; the two rows "
                       "were merged into one contact", "updated")  # fmt: skip
            for p in merged.phones:
                self._owners.setdefault(("phone", p.phone), holder)
            for e in merged.emails:
                self._owners.setdefault(("email", e.email), holder)
            return
        existing = self._chunk.updates[holder][1] if holder in self._chunk.updates else self._matched.get(holder)
        if existing is None:
            self._line(fields.row, channel, f"{value} belongs to a contact that no longer exists", "failed")
            self._chunk.counts["failed"] += 1
            return
        if existing.kind is not self._record.entity:
            self._line(fields.row, channel, f"{value} belongs to {self._who(holder)}, not a "
                       f"{self._record.entity.value}; not updated", "skipped")  # fmt: skip
            self._chunk.counts["skipped"] += 1
            return
        right = edit_right(existing, self._actor)
        if not can_see(self._actor, existing) or (right is not None and not self._actor.can(right)):
            self._line(fields.row, channel, f"{value} belongs to a contact you may not change", "failed")
            self._chunk.counts["failed"] += 1
            return
        merged, problem = filled(existing, fields)
        if problem:
            self._line(fields.row, channel, problem, "failed")
            self._chunk.counts["failed"] += 1
            return
        before = self._chunk.updates[holder][0] if holder in self._chunk.updates else existing
        self._chunk.updates[holder] = (before, merged, fields.row)
        self._chunk.counts["updated"] += 1
        for p in merged.phones:
            self._owners.setdefault(("phone", p.phone), holder)
        for e in merged.emails:
            self._owners.setdefault(("email", e.email), holder)

    def _who(self, contact_id: str) -> str:
        contact = self._new.get(contact_id) or self._matched.get(contact_id)
        if contact is None:
            return "another contact"
        if contact.id in self._new:
            return f"row {self.row_of[contact.id]} of this file"
        # A contact the importer may not see is not named.
        return f"the {contact.kind.value} '{contact.name}'" if can_see(self._actor, contact) else "another contact"

    def _line(self, row: int, channel: str, reason: str, outcome: str) -> None:
        column = self._columns.get(channel, "")
        self._chunk.report.append(ReportLine(row, column, reason, outcome))


def filled(contact: Contact, fields: RowFields) -> tuple[Contact, str | None]:
    """`contact` with the row's values: given fields replace, phones, emails, tags and properties
    are added; (contact, why not) when the result would break a limit."""
    phones = list(contact.phones) + [p for p in fields.phones if p.phone not in {q.phone for q in contact.phones}]
    emails = list(contact.emails) + [e for e in fields.emails if e.email not in {f.email for f in contact.emails}]
    tags = list(dict.fromkeys([*contact.tags, *fields.tags]))
    if len(phones) > MAX_PHONES:
        return contact, f"the contact would have more than {MAX_PHONES} phone numbers; not updated"
    if len(emails) > MAX_EMAILS:
        return contact, f"the contact would have more than {MAX_EMAILS} emails; not updated"
    if len(tags) > MAX_TAGS:
        return contact, f"the contact would have more than {MAX_TAGS} tags; not updated"
    changes: dict[str, Any] = {"phones": tuple(phones), "emails": tuple(emails), "tags": tuple(tags)}
    for name in ("name", "status", "type", "address", "website", "comment", "responsible_user_id"):
        value = getattr(fields, name)
        if value is not None:
            changes[name] = value
    if fields.properties:
        changes["properties"] = {**contact.properties, **fields.properties}
    return replace(contact, **changes), None


# The fields an import may change and its undo gives back.
RESTORABLE = (*EDITABLE, "responsible_user_id")


def merge_onto(current: Contact, expected: Contact, wanted: Contact) -> Contact:
    """`current` with each field that still equals `expected` set to `wanted`'s value."""
    changes = {
        name: getattr(wanted, name)
        for name in RESTORABLE
        if getattr(current, name) == getattr(expected, name) and getattr(wanted, name) != getattr(expected, name)
    }
    return replace(current, **changes)


def row_contact_id(record: Import, row: int) -> str:
    """The id the contact of a row gets: the same on every run of the chunk (idempotent writes),
    ordered like the file's rows."""
    at = (record.started_at or record.created_at) + timedelta(milliseconds=row)
    return derived_id(at, f"{record.id}#{row}")
