"""Teamsale deals and their feed."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from chalicelib.api.zcrm.edge import ZcrmRouter, as_dict, paging, text
from chalicelib.api.zcrm.mapping import Lookups, every, feed_out, num, optional_rid, rid, stamp, window
from chalicelib.bootstrap import services
from chalicelib.domain.actor import Actor
from chalicelib.domain.contacts import ContactKind
from chalicelib.domain.deals import Deal, DealStatus
from chalicelib.domain.errors import NotFoundError, ValidationError
from chalicelib.domain.money import minor_unit
from chalicelib.domain.rights import Access, Permission

router = ZcrmRouter(__name__)
Params = dict[str, Any]


def deal_out(deal: Deal, actor: Actor, look: Lookups) -> dict[str, Any]:
    record: dict[str, Any] = {
        "id": num(deal.id),
        "title": deal.title,
        "budget": float(Decimal(deal.amount_minor).scaleb(-minor_unit(deal.currency))),
        "currency": deal.currency,
        "status": deal.status.value,
        "responsible_user": num(deal.responsible_user_id),
        "created_at": stamp(deal.created_at),
        "created_by": num(deal.created_by),
        "customer_id": num(deal.client_id),
        "customer_is_lead": 0,
    }
    try:
        client = services().contacts.card(actor, ContactKind.CLIENT, deal.client_id).contact
    except NotFoundError:
        return record
    record.update(customer_name=client.name, customer_responsible_user=num(client.responsible_user_id))
    return record


def _status(value: Any, field: str = "status") -> DealStatus | None:
    if value in (None, ""):
        return None
    try:
        return DealStatus(str(value))
    except ValueError:
        raise ValidationError(f"{field}: one of {', '.join(s.value for s in DealStatus)}", field=field) from None


def _budget(fields: Params) -> str | None:
    value = fields.get("budget")
    if value in (None, ""):
        return None
    if isinstance(value, dict | list | bool):
        raise ValidationError("budget must be a number", field="budget")
    return str(value)


def _title(fields: Params, *, required: bool) -> str | None:
    title = (text(fields, "title", max_length=200) or "").strip()
    if required and not title:
        raise ValidationError("deal[title] is required", field="title")
    return title or None


@router.route("/deals", "GET", right=Access.ANY_USER)
def zcrm_list_deals(actor: Actor, params: Params) -> dict[str, Any]:
    """List deals (search by title, filter by currency, responsible user and status)."""
    take, skip = paging(params)
    filters = as_dict(params.get("filter"), "filter")
    status = _status(filters.get("status"), "filter[status]")
    owner = optional_rid(filters.get("responsible_user"), "filter[responsible_user]")
    currency = (text(filters, "currency", max_length=3) or "").upper()
    search = (text(params, "search", max_length=100) or "").strip().lower()
    deals = services().deals
    found = [
        d
        for d in every(
            lambda limit, cursor: deals.list_deals(
                actor, status=status, responsible_user_id=owner, limit=limit, cursor=cursor
            )
        )
        if (not currency or d.currency == currency) and (not search or search in d.title.lower())
    ]
    look = Lookups(actor)
    return {"totalCount": len(found), "deals": [deal_out(d, actor, look) for d in found[skip : skip + take]]}


@router.route("/deals", "POST", right=Permission.CUSTOMERS_CREATE)
def zcrm_create_deal(actor: Actor, params: Params) -> dict[str, Any]:
    """Create a deal for a client (Teamsale's customer_id; our deals always have a client)."""
    fields = as_dict(params.get("deal"), "deal")
    title = _title(fields, required=True)
    client_id = optional_rid(fields.get("customer_id"), "customer_id")
    if client_id is None:
        raise ValidationError("deal[customer_id] is required: every deal belongs to a client", field="customer_id")
    deal = services().deals.create(
        actor,
        title or "",
        client_id,
        _budget(fields) or "0",
        (text(fields, "currency", max_length=3) or None),
        status=_status(fields.get("status")) or DealStatus.NEW,
        responsible_user_id=optional_rid(fields.get("responsible_user"), "responsible_user"),
    )
    return {"id": num(deal.id)}


@router.route("/deals/{deal_id}", "GET", right=Access.ANY_USER)
def zcrm_get_deal(actor: Actor, params: Params, deal_id: str) -> dict[str, Any]:
    """Get a deal."""
    deal, _ = services().deals.card(actor, rid(deal_id, "deal"))
    return deal_out(deal, actor, Lookups(actor))


@router.route("/deals/{deal_id}", "PUT", right=Permission.CUSTOMERS_EDIT)
def zcrm_update_deal(actor: Actor, params: Params, deal_id: str) -> None:
    """Edit a deal (its customer cannot change, as in Teamsale)."""
    fields = as_dict(params.get("deal"), "deal")
    services().deals.update(
        actor,
        rid(deal_id, "deal"),
        None,
        title=_title(fields, required=False),
        amount=_budget(fields),
        currency=text(fields, "currency", max_length=3) or None,
        responsible_user_id=optional_rid(fields.get("responsible_user"), "responsible_user"),
        status=_status(fields.get("status")),
    )


@router.route("/deals/{deal_id}", "DELETE", right=Permission.CUSTOMERS_DELETE)
def zcrm_delete_deal(actor: Actor, params: Params, deal_id: str) -> None:
    """Delete a deal."""
    services().deals.delete(actor, rid(deal_id, "deal"))


@router.route("/deals/{deal_id}/feed", "GET", right=Access.ANY_USER)
def zcrm_deal_feed(actor: Actor, params: Params, deal_id: str) -> dict[str, Any]:
    """A deal's feed."""
    take, skip = paging(params)
    the_id = rid(deal_id, "deal")
    deals = services().deals
    items, total = window(lambda limit, cursor: deals.feed(actor, the_id, limit=limit, cursor=cursor), skip, take)
    look = Lookups(actor)
    return {"totalCount": total, "items": [feed_out(e, look, calls=False) for e in items]}


@router.route("/deals/{deal_id}/feed", "POST", right=Access.ANY_USER)
def zcrm_add_deal_note(actor: Actor, params: Params, deal_id: str) -> dict[str, Any]:
    """Add a note to a deal's feed."""
    content = (text(params, "content", max_length=10_000) or "").strip()
    if not content:
        raise ValidationError("content is required", field="content")
    entry = services().deals.add_note(actor, rid(deal_id, "deal"), content)
    return feed_out(entry, Lookups(actor), calls=False)


def _deal_note(actor: Actor, deal_id: str, item_id: str) -> None:
    """A deal's notes are written once in our CRM: editing or deleting one is refused (a 400),
    after checking both ids name something."""
    the_id = rid(deal_id, "deal")
    services().deals.card(actor, the_id)
    rid(item_id, "feed item")
    raise ValidationError("a deal's notes cannot be edited or deleted in this CRM", field="i_id")


@router.route("/deals/{deal_id}/feed/{i_id}", "PUT", right=Access.ANY_USER)
def zcrm_edit_deal_note(actor: Actor, params: Params, deal_id: str, i_id: str) -> None:
    """Edit a note of a deal's feed: not supported."""
    _deal_note(actor, deal_id, i_id)


@router.route("/deals/{deal_id}/feed/{i_id}", "DELETE", right=Access.ANY_USER)
def zcrm_delete_deal_note(actor: Actor, params: Params, deal_id: str, i_id: str) -> None:
    """Delete a note of a deal's feed: not supported."""
    _deal_note(actor, deal_id, i_id)
