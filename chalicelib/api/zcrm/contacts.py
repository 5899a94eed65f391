"""Teamsale's unified contacts (clients, leads, users) and `identify` by phone."""

from __future__ import annotations

import functools
from typing import Any

from chalicelib.api.zcrm.edge import ZcrmRouter, paging, text
from chalicelib.api.zcrm.mapping import Lookups, every, num
from chalicelib.bootstrap import services
from chalicelib.domain.actor import Actor
from chalicelib.domain.contacts import ChannelType, Contact, ContactKind
from chalicelib.domain.errors import ValidationError
from chalicelib.domain.paging import Page
from chalicelib.domain.rights import Access, GroupType
from chalicelib.domain.users import User
from chalicelib.services.contacts import ListQuery

router = ZcrmRouter(__name__)
Params = dict[str, Any]


def _phone(contact: Contact, digits: str | None = None) -> dict[str, str] | None:
    for p in contact.phones:
        if digits is None or p.phone.lstrip("+").endswith(digits[-9:]):
            return {"phone": p.phone, "type": "work" if p.type is ChannelType.WORK else "personal"}
    return None


def contact_brief(contact: Contact, look: Lookups, digits: str | None = None) -> dict[str, Any]:
    """A client (`customer`) or a lead as identify and the contacts list show them."""
    record: dict[str, Any] = {
        "contact_type": "lead" if contact.is_lead else "customer",
        "id": num(contact.id),
        "name": contact.name,
    }
    if not contact.is_lead:
        record.update(status=contact.status.value, type=contact.type.value)
    if (phone := _phone(contact, digits)) is not None:
        record["phone"] = phone
    owner = look.users.get(contact.responsible_user_id or "")
    if owner is not None:
        record["responsible"] = {"id": num(owner.id), "name": owner.name, "ext_num": owner.extension or ""}
    return record


def user_brief(user: User, look: Lookups) -> dict[str, Any]:
    record: dict[str, Any] = {"contact_type": "user", "id": num(user.id), "name": user.name, "role": "", "status": ""}
    if user.extension:
        record["phone"] = {"phone": user.extension, "type": "internal"}
    groups = services().groups
    try:
        group = groups.get(look.actor, user.group_id)
        record["group"] = {"type": group.type.value, "title": group.title if group.type is GroupType.CUSTOM else ""}
    except Exception:  # noqa: BLE001 - a user whose group vanished shows without one
        pass
    return record


def _page(actor: Actor, kind: ContactKind, query: ListQuery, limit: int, cursor: str | None) -> Page[Contact]:
    return services().contacts.page(actor, kind, query, limit=limit, cursor=cursor)


@router.route("/contacts", "GET", right=Access.ANY_USER)
def zcrm_list_contacts(actor: Actor, params: Params) -> dict[str, Any]:
    """Clients, leads and users in one list; `search` matches names, phones, emails, extensions."""
    take, skip = paging(params)
    search = (text(params, "search", max_length=100) or "").strip()
    query = ListQuery(q=search if len(search) >= 2 else None)
    look = Lookups(actor)
    found: list[dict[str, Any]] = []
    for kind in (ContactKind.CLIENT, ContactKind.LEAD):
        found.extend(contact_brief(c, look) for c in every(functools.partial(_page, actor, kind, query)))
    needle = search.lower()
    found.extend(
        user_brief(u, look)
        for u in look.users.values()
        if not needle or needle in u.name.lower() or needle == (u.extension or "") or needle in u.email.lower()
    )
    return {"totalCount": len(found), "contacts": found[skip : skip + take]}


@router.route("/contacts/identify", "GET", right=Access.ANY_USER)
def zcrm_identify(actor: Actor, params: Params) -> dict[str, Any]:
    """Who owns a phone number: a client, a lead, or a user's extension."""
    phone = (text(params, "phone", max_length=40) or "").strip()
    if not phone:
        raise ValidationError("phone is required", field="phone")
    found = services().contacts.identify(actor, phone)
    look = Lookups(actor)
    if found.type == "user":
        return user_brief(services().team.get(actor, found.id), look)
    kind = ContactKind.LEAD if found.type == "lead" else ContactKind.CLIENT
    card = services().contacts.card(actor, kind, found.id)
    return contact_brief(card.contact, look, "".join(c for c in phone if c.isdigit()))
