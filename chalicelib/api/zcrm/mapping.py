"""Teamsale <-> our records: ids, enums, dates and the objects of the published description.

Ids: Teamsale's are integers, and its clients (JavaScript, PHP) read them as doubles: our
ULIDs (128 bits) would lose digits. Each CRM numbers its records 1, 2, 3... the first time
/v1/zcrm shows or is given one, one sequence for every kind of record (a number names one
record whatever the path; the services 404 a record of the wrong kind). `num` renders an id as
a placeholder the edge numbers with the rest of the answer in one batch (api/zcrm/ids.py,
services/teamsale_ids.py, AP134-AP139); `rid` reads a client's number back (one GetItem; a
number naming nothing is a 404). Labels are our tags (free words), numbered the same way by
their text (`label:<tag>`).
Dates: `YYYY-MM-DD HH:MM:SS`, in UTC.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, TypeVar

from chalicelib.api.zcrm.edge import as_dict, as_list, not_found
from chalicelib.api.zcrm.ids import Ref, ulid
from chalicelib.bootstrap import services
from chalicelib.domain.contacts import ChannelType, Contact, ContactKind, FeedEntry, FeedKind, LeadSource
from chalicelib.domain.errors import NotFoundError, ValidationError
from chalicelib.domain.paging import Page

if TYPE_CHECKING:
    from chalicelib.domain.actor import Actor
    from chalicelib.domain.properties import PropertyDef
    from chalicelib.domain.sources import SourceTag
    from chalicelib.domain.users import User

T = TypeVar("T")
LABEL = "label:"
# A well-formed ULID no record has: what an unknown number in a filter or a body stands for.
NOWHERE = "0" * 26
# How many records a list reads at most to answer `skip`, `take` and `totalCount`.
MAX_SCAN = 1000
DATE = "%Y-%m-%d %H:%M:%S"


# --- ids -------------------------------------------------------------------------------------


def num(record_id: str | None) -> Ref | int:
    """A record's Teamsale id: a placeholder the edge numbers with the rest of the answer (one
    batch for the whole answer); none (nobody responsible, the system) is 0."""
    return Ref(record_id) if record_id else 0


def rid(number: Any, what: str = "record") -> str:
    """The ULID a Teamsale id names in the caller's CRM (a 404 for anything that names none)."""
    value = _int(number)
    ref = ulid(value) if value > 0 else None
    if ref is None or ref.startswith(LABEL):
        raise not_found(what)
    return ref


def optional_rid(value: Any, field: str) -> str | None:
    """An id in a body or a filter: absent, empty or 0 is None; not a number is a 400; a number
    naming no record is an id naming nothing (the service answers as for any unknown id: an
    empty list, a 404)."""
    if value is None or value == "" or str(value).strip() == "0":
        return None
    if _int(value) <= 0:
        raise ValidationError(f"{field} is not an id", field=field)
    try:
        return rid(value)
    except NotFoundError:
        return NOWHERE


def reassignment(fields: dict[str, Any]) -> dict[str, Any]:
    """The update's reassignment arguments when the body names a responsible user (0 or empty:
    nobody), none otherwise."""
    if "responsible_user_id" not in fields:
        return {}
    return {"responsible_user_id": optional_rid(fields["responsible_user_id"], "responsible_user_id"), "reassign": True}


def label_id(tag: str) -> Ref:
    """A label (one of our tags, a free word) is numbered as records are, by its text."""
    return Ref(LABEL + tag)


def label_of(number: Any, field: str = "labels") -> str:
    value = _int(number)
    ref = ulid(value) if value > 0 else None
    if ref is None or not ref.startswith(LABEL):
        raise ValidationError(f"{field}: no such label", field=field)
    return ref.removeprefix(LABEL)


def stamp(at: datetime | None) -> str | None:
    return at.astimezone(UTC).strftime(DATE) if at else None


def parse_stamp(value: Any, field: str) -> datetime | None:
    if value is None or value == "":
        return None
    try:
        return datetime.strptime(str(value).strip(), DATE).replace(tzinfo=UTC)
    except ValueError:
        try:
            return datetime.strptime(str(value).strip(), "%Y-%m-%d").replace(tzinfo=UTC)
        except ValueError:
            raise ValidationError(f"{field} must read YYYY-MM-DD HH:MM:SS", field=field) from None


# --- lists -----------------------------------------------------------------------------------


def window(fetch: Callable[[int, str | None], Page[T]], skip: int, take: int) -> tuple[list[T], int]:
    """`take` records after `skip` of a cursor-paged list, and the total (counted up to MAX_SCAN)."""
    found: list[T] = []
    cursor: str | None = None
    while len(found) < MAX_SCAN:
        page = fetch(100, cursor)
        found.extend(page.items)
        cursor = page.next_cursor
        if not cursor:
            break
    return found[skip : skip + take], len(found)


def every(fetch: Callable[[int, str | None], Page[T]]) -> Iterator[T]:
    cursor: str | None = None
    for _ in range(MAX_SCAN // 100):
        page = fetch(100, cursor)
        yield from page.items
        cursor = page.next_cursor
        if not cursor:
            return


# --- the request's reference data, read once when needed ----------------------------------------


class Lookups:
    """Users, source tags and custom properties of the caller's CRM, read on first use."""

    def __init__(self, actor: Actor) -> None:
        self.actor = actor

    @functools.cached_property
    def users(self) -> dict[str, User]:
        team = services().team
        return {
            u.id: u
            for u in every(lambda limit, cursor: team.page(self.actor, group_id=None, limit=limit, cursor=cursor))
        }

    @functools.cached_property
    def source_tags(self) -> dict[str, SourceTag]:
        sources = services().sources
        pairs = every(lambda limit, cursor: sources.page(self.actor, limit=limit, cursor=cursor))
        return {tag.id: tag for tag, _ in pairs}

    @functools.cached_property
    def properties(self) -> dict[str, PropertyDef]:
        props = services().properties
        return {p.key: p for p in every(lambda limit, cursor: props.page(self.actor, limit=limit, cursor=cursor))}

    def user_name(self, user_id: str | None) -> str:
        user = self.users.get(user_id or "")
        return user.name if user else ""


# --- contacts --------------------------------------------------------------------------------

PHONE_TYPES = {"work": ChannelType.WORK, "personal": ChannelType.PERSONAL}
EMAIL_TYPES = {"email_work": ChannelType.WORK, "email_personal": ChannelType.PERSONAL}
# Teamsale's contact kinds without a place in our contacts (docs/teamsale-migration.md).
MESSENGERS = frozenset({"skype", "telegram", "viber", "whatsapp"})
LEAD_SOURCES = ("manual", "call_incoming", "call_outgoing", "form")


def lead_source(source: LeadSource | None) -> str:
    value = source.value if source else "manual"
    return value if value in LEAD_SOURCES else ("form" if value == "api" else "manual")


def contact_out(contact: Contact, look: Lookups, *, lead: bool) -> dict[str, Any]:
    """A client as Teamsale's customer, or a lead as its lead."""
    record: dict[str, Any] = {
        "id": num(contact.id),
        "name": contact.name,
        "responsible_user_id": num(contact.responsible_user_id),
        "comment": contact.comment or "",
        "address": contact.address or "",
        "website": contact.website or "",
        "lead_source": lead_source(contact.lead_source),
        "phones": [
            {"type": "work" if p.type is ChannelType.WORK else "personal", "phone": p.phone} for p in contact.phones
        ],
        "contacts": [
            {"type": "email_work" if e.type is ChannelType.WORK else "email_personal", "value": e.email}
            for e in contact.emails
        ],
        "labels": [{"id": label_id(t), "label": t} for t in contact.tags],
        "utms": [
            {"id": num(tag.id), "param": tag.param.value, "value": tag.value, "display_value": tag.display_value}
            for tag_id in contact.source_tag_ids
            if (tag := look.source_tags.get(tag_id)) is not None and tag.param.value != "utm_term"
        ],
        "custom_properties": [
            {"id": num(d.id), "key": key, "title": d.title, "value": "" if value is None else str(value)}
            for key, value in contact.properties.items()
            if (d := look.properties.get(key)) is not None
        ],
    }
    if lead:
        record["lead_status"] = contact.lead_status.value if contact.lead_status else "not_processed"
        record["lead_created_at"] = stamp(contact.created_at)
        record["lead_created_by"] = num(contact.created_by)
    else:
        record.update(
            status=contact.status.value,
            type=contact.type.value,
            created_at=stamp(contact.converted_at or contact.created_at),
            created_by=num(contact.created_by),
            lead_created_at=stamp(contact.created_at) if contact.converted_at else None,
            lead_created_by=num(contact.created_by) if contact.converted_at else None,
        )
    return record


def contact_in(fields: dict[str, Any], look: Lookups, *, replace: bool) -> dict[str, Any]:
    """A `customer{...}` or `lead{...}` as our ContactInput's fields. `replace` (a PUT): the lists
    left out are emptied, as the real service does (zadarma.md §3.3)."""
    from chalicelib.domain.contact_kinds import ClientType, ContactStatus

    out: dict[str, Any] = {
        name: _str(fields[name], name) for name in ("name", "comment", "address", "website") if name in fields
    }
    if "status" in fields:
        out["status"] = _enum(ContactStatus, fields["status"], "status")
    if "type" in fields:
        out["type"] = _enum(ClientType, fields["type"], "type")
    lists = (("phones", "phones", _phones), ("contacts", "emails", _emails), ("labels", "tags", _labels))
    for name, ours, read in lists:
        if name in fields or replace:
            out[ours] = read(as_list(fields.get(name), name))
    if "utms" in fields or replace:
        out["source_tag_ids"] = _utms(as_list(fields.get("utms"), "utms"), look)
    if "custom_properties" in fields:
        out["properties"] = _properties(as_list(fields.get("custom_properties"), "custom_properties"), look)
    return out


def _phones(items: list[Any]) -> list[tuple[str, ChannelType]]:
    phones = []
    for i, item in enumerate(items):
        p = as_dict(item, f"phones[{i}]")
        kind = PHONE_TYPES.get(str(p.get("type") or "work"))
        if kind is None or not p.get("phone"):
            raise ValidationError(f"phones[{i}]: a phone and a type work or personal", field=f"phones[{i}]")
        phones.append((_str(p["phone"], f"phones[{i}].phone"), kind))
    return phones


def _emails(items: list[Any]) -> list[tuple[str, ChannelType]]:
    emails = []
    for i, item in enumerate(items):
        c = as_dict(item, f"contacts[{i}]")
        kind_name = str(c.get("type") or "")
        if kind_name in MESSENGERS:
            continue  # no messenger handles in our contacts: left out (docs/teamsale-migration.md)
        kind = EMAIL_TYPES.get(kind_name)
        if kind is None or not c.get("value"):
            raise ValidationError(f"contacts[{i}]: a type and a value", field=f"contacts[{i}]")
        emails.append((_str(c["value"], f"contacts[{i}].value"), kind))
    return emails


def _labels(items: list[Any]) -> list[str]:
    return [label_of(item.get("id") if isinstance(item, dict) else item) for item in items]


def _utms(items: list[Any], look: Lookups) -> list[str]:
    ids = []
    for i, item in enumerate(items):
        tag_id = optional_rid(item.get("id") if isinstance(item, dict) else item, f"utms[{i}].id")
        if tag_id is None or tag_id not in look.source_tags:
            raise ValidationError(f"utms[{i}]: no such source tag", field=f"utms[{i}]")
        ids.append(tag_id)
    return ids


def _properties(items: list[Any], look: Lookups) -> dict[str, Any]:
    by_id = {d.id: key for key, d in look.properties.items()}
    values: dict[str, Any] = {}
    for i, item in enumerate(items):
        entry = as_dict(item, f"custom_properties[{i}]")
        key = str(entry.get("key") or "")
        if not key and (number := _int(entry.get("id"))) > 0:
            key = by_id.get(ulid(number) or "", "")
        if key not in look.properties:
            raise ValidationError(f"custom_properties[{i}]: no such property", field=f"custom_properties[{i}]")
        values[key] = entry.get("value")
    return values


def _int(value: Any) -> int:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return -1


def _str(value: Any, field: str) -> str:
    if isinstance(value, dict | list) or value is None:
        raise ValidationError(f"{field} must be a string", field=field)
    return str(value)


def _enum(enum: Any, value: Any, field: str) -> Any:
    try:
        return enum(str(value))
    except ValueError:
        raise ValidationError(f"{field}: not one of {', '.join(e.value for e in enum)}", field=field) from None


def contact_kind(actor: Actor, contact_id: str) -> ContactKind:
    """Whether an id names a client or a lead of the caller's (Teamsale's customer paths take both)."""
    for kind in (ContactKind.CLIENT, ContactKind.LEAD):
        try:
            services().contacts.card(actor, kind, contact_id)
        except NotFoundError:
            continue
        return kind
    raise not_found("customer")


# --- feeds -----------------------------------------------------------------------------------

CALL_STATUS = {"answered": "answer", "no_answer": "noanswer", "busy": "busy", "failed": "failed", "cancel": "cancel"}


def feed_out(entry: FeedEntry, look: Lookups, *, calls: bool = True) -> dict[str, Any]:
    """A feed line as Teamsale's: notes and calls as they are, everything else an event whose
    content names it (CUSTOMER_CREATED, TASK, DEAL...)."""
    item: dict[str, Any] = {
        "id": num(entry.id),
        "type": "event",
        "content": "",
        "time": stamp(entry.time),
        "user_id": num(entry.user_id),
        "user_name": look.user_name(entry.user_id),
    }
    if entry.kind is FeedKind.NOTE:
        item.update(type="note", content=entry.text or "", attached_files=[])
    elif entry.kind is FeedKind.CALL and calls:
        data = entry.data
        item.update(
            type="call",
            content=entry.text or "",
            call_id=str(data.get("call_id") or entry.id),
            call_type="outgoing" if data.get("direction") == "outgoing" else "incoming",
            call_status=CALL_STATUS.get(str(data.get("status") or data.get("outcome") or ""), "answer"),
            call_phone=str(data.get("phone") or data.get("number") or ""),
            call_duration=int(data.get("duration") or 0),
            call_record=None,
            call_contact_name=None,
        )
    else:
        event = str(entry.data.get("event") or "")
        kind = "CUSTOMER" if entry.kind is FeedKind.EVENT else entry.kind.value.upper()
        item["content"] = f"{kind}_{event.upper()}" if event else kind
    return item
