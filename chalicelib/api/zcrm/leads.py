"""Teamsale leads (`/v1/zcrm/leads`): create (or convert, or refuse as a poor fit), list, edit."""

from __future__ import annotations

from typing import Any

from chalicelib.api.zcrm.customers import list_query
from chalicelib.api.zcrm.edge import ZcrmRouter, as_dict, integer, paging
from chalicelib.api.zcrm.mapping import Lookups, contact_in, contact_out, num, optional_rid, reassignment, rid, window
from chalicelib.bootstrap import services
from chalicelib.domain.actor import Actor
from chalicelib.domain.contacts import ContactKind, LeadSource, LeadStatus
from chalicelib.domain.errors import ValidationError
from chalicelib.domain.rights import Access
from chalicelib.services.contacts import ContactInput, ListQuery

router = ZcrmRouter(__name__)
LEAD, CLIENT = ContactKind.LEAD, ContactKind.CLIENT
UNSORTED = ListQuery(scope="unsorted")
Params = dict[str, Any]


def _lead_status(fields: Params) -> LeadStatus | None:
    value = fields.get("lead_status")
    if value in (None, ""):
        return None
    try:
        return LeadStatus(str(value))
    except ValueError:
        raise ValidationError("lead_status: not_processed, in_progress or finished", field="lead_status") from None


def _lead_source(fields: Params) -> LeadSource:
    value = str(fields.get("lead_source") or "manual")
    if value not in ("manual", "call_incoming", "call_outgoing", "form"):
        raise ValidationError("lead_source: manual, call_incoming, call_outgoing or form", field="lead_source")
    return LeadSource(value)


@router.route("/leads", "GET", right=Access.ANY_USER)
def zcrm_list_leads(actor: Actor, params: Params) -> dict[str, Any]:
    """List leads. filter[responsible]: a user id; -1 the unsorted pool; -2 every lead."""
    from dataclasses import replace

    take, skip = paging(params)
    filters = as_dict(params.get("filter"), "filter")
    responsible = integer(filters, "responsible", None, low=-2, high=1 << 128)
    query = list_query({**params, "filter": {k: v for k, v in filters.items() if k != "responsible"}}, kind=LEAD)
    contacts = services().contacts
    unsorted = contacts.page(actor, LEAD, UNSORTED, limit=100, cursor=None)
    if query is None:
        return {"totalCount": 0, "uncategorizedCount": len(unsorted.items), "leads": []}
    if responsible == -1:
        query = replace(query, scope="unsorted")
    elif responsible is not None and responsible > 0:
        query = replace(query, responsible_user_id=optional_rid(responsible, "filter[responsible]"))
    items, total = window(
        lambda limit, cursor: contacts.page(actor, LEAD, query, limit=limit, cursor=cursor), skip, take
    )
    look = Lookups(actor)
    return {
        "totalCount": total,
        "uncategorizedCount": len(unsorted.items),
        "leads": [contact_out(c, look, lead=True) for c in items],
    }


@router.route("/leads", "POST", right=Access.ANY_USER)
def zcrm_create_lead(actor: Actor, params: Params) -> dict[str, Any]:
    """Create a lead (convert=0), a client directly (convert=1), or nothing: a poor fit (convert=2)."""
    convert = integer(params, "convert", 0, low=0, high=2)
    fields = as_dict(params.get("lead"), "lead")
    look = Lookups(actor)
    data = contact_in(fields, look, replace=False)
    if not data.get("name"):
        raise ValidationError("lead[name] is required", field="name")
    if convert == 2:
        return {"id": 0}  # a poor fit: nothing is created, as in Teamsale
    responsible = optional_rid(fields.get("responsible_user_id"), "responsible_user_id")
    if convert == 1:
        client = services().contacts.create(actor, CLIENT, ContactInput(**data), responsible_user_id=responsible)
        return {"id": num(client.id)}
    lead = services().contacts.create(
        actor,
        LEAD,
        ContactInput(**data, lead_status=_lead_status(fields)),
        responsible_user_id=responsible,
        lead_source=_lead_source(fields),
    )
    return {"id": num(lead.id)}


@router.route("/leads/{lead_id}", "GET", right=Access.ANY_USER)
def zcrm_get_lead(actor: Actor, params: Params, lead_id: str) -> dict[str, Any]:
    """Get a lead."""
    card = services().contacts.card(actor, LEAD, rid(lead_id, "lead"))
    return contact_out(card.contact, Lookups(actor), lead=True)


@router.route("/leads/{lead_id}", "PUT", right=Access.ANY_USER)
def zcrm_update_lead(actor: Actor, params: Params, lead_id: str) -> None:
    """Edit a lead; convert=1 makes it a client (same id), convert=2 deletes it as a poor fit."""
    convert = integer(params, "convert", 0, low=0, high=2)
    fields = as_dict(params.get("lead"), "lead")
    the_id = rid(lead_id, "lead")
    contacts = services().contacts
    if fields:
        data = contact_in(fields, Lookups(actor), replace=True)
        changes = ContactInput(**data, lead_status=_lead_status(fields))
        contacts.update(actor, LEAD, the_id, None, changes, **reassignment(fields))
    elif convert == 0:
        contacts.card(actor, LEAD, the_id)  # nothing to change: still a 404 for an unknown lead
    if convert == 1:
        contacts.close(actor, the_id, "client")
    elif convert == 2:
        contacts.close(actor, the_id, "poor_quality")


@router.route("/leads/{lead_id}", "DELETE", right=Access.ANY_USER)
def zcrm_delete_lead(actor: Actor, params: Params, lead_id: str) -> None:
    """Delete a lead."""
    services().contacts.delete(actor, LEAD, rid(lead_id, "lead"))
