"""Teamsale clients (`/v1/zcrm/customers`), their feed, source tags, labels and custom properties."""

from __future__ import annotations

from typing import Any

from chalicelib.api.schemas import MAX_TAG_LENGTH
from chalicelib.api.zcrm.edge import ZcrmRouter, as_dict, not_found, paging, text
from chalicelib.api.zcrm.mapping import (
    Lookups,
    contact_in,
    contact_kind,
    contact_out,
    feed_out,
    label_id,
    label_of,
    num,
    optional_rid,
    reassignment,
    rid,
    window,
)
from chalicelib.bootstrap import services
from chalicelib.domain.actor import Actor
from chalicelib.domain.contacts import ContactKind
from chalicelib.domain.errors import NotFoundError, ValidationError
from chalicelib.domain.rights import Access, Permission
from chalicelib.services.contacts import ContactInput, ListQuery

router = ZcrmRouter(__name__)
CLIENT = ContactKind.CLIENT
Params = dict[str, Any]


def list_query(params: Params, *, kind: ContactKind) -> ListQuery | None:
    """Teamsale's `search` and `filter[...]` as our list filters; None when a filter asks for
    what our contacts never have (country, city, employees count): nothing matches."""
    filters = as_dict(params.get("filter"), "filter")
    if any(filters.get(name) not in (None, "") for name in ("country", "city", "employees_count")):
        return None
    search = (text(params, "search", max_length=100) or "").strip()
    label = filters.get("label")
    return ListQuery(
        q=search if len(search) >= 2 else None,
        status=text(filters, "status") or None,
        type=text(filters, "type") or None,
        tag=label_of(label, "filter[label]") if label not in (None, "") else None,
        source_tag_id=optional_rid(filters.get("utm"), "filter[utm]"),
        responsible_user_id=optional_rid(filters.get("responsible"), "filter[responsible]"),
        newest_first=str(as_dict(params.get("sort"), "sort").get("desc", "1")) != "0",
    )


@router.route("/customers", "GET", right=Access.ANY_USER)
def zcrm_list_customers(actor: Actor, params: Params) -> dict[str, Any]:
    """List customers."""
    take, skip = paging(params)
    query = list_query(params, kind=CLIENT)
    if query is None:
        return {"totalCount": 0, "customers": []}
    contacts = services().contacts
    items, total = window(
        lambda limit, cursor: contacts.page(actor, CLIENT, query, limit=limit, cursor=cursor), skip, take
    )
    look = Lookups(actor)
    return {"totalCount": total, "customers": [contact_out(c, look, lead=False) for c in items]}


@router.route("/customers", "POST", right=Permission.CUSTOMERS_CREATE)
def zcrm_create_customer(actor: Actor, params: Params) -> dict[str, Any]:
    """Create a customer."""
    fields = as_dict(params.get("customer"), "customer")
    look = Lookups(actor)
    data = contact_in(fields, look, replace=False)
    if not data.get("name"):
        raise ValidationError("customer[name] is required", field="name")
    client = services().contacts.create(
        actor,
        CLIENT,
        ContactInput(**data),
        responsible_user_id=optional_rid(fields.get("responsible_user_id"), "responsible_user_id"),
    )
    return {"id": num(client.id)}


@router.route("/customers/{c_id}", "GET", right=Access.ANY_USER)
def zcrm_get_customer(actor: Actor, params: Params, c_id: str) -> dict[str, Any]:
    """Get a customer."""
    card = services().contacts.card(actor, CLIENT, rid(c_id, "customer"))
    return contact_out(card.contact, Lookups(actor), lead=False)


@router.route("/customers/{c_id}", "PUT", right=Permission.CUSTOMERS_EDIT)
def zcrm_update_customer(actor: Actor, params: Params, c_id: str) -> None:
    """Update a customer (lists left out are emptied, as Teamsale does)."""
    fields = as_dict(params.get("customer"), "customer")
    data = contact_in(fields, Lookups(actor), replace=True)
    services().contacts.update(actor, CLIENT, rid(c_id, "customer"), None, ContactInput(**data), **reassignment(fields))


@router.route("/customers/{c_id}", "DELETE", right=Permission.CUSTOMERS_DELETE)
def zcrm_delete_customer(actor: Actor, params: Params, c_id: str) -> None:
    """Delete a customer."""
    services().contacts.delete(actor, CLIENT, rid(c_id, "customer"))


# --- source tags (UTM) -----------------------------------------------------------------------


def utm_out(tag: Any, count: int) -> dict[str, Any]:
    return {
        "id": num(tag.id),
        "param": tag.param.value if tag.param.value != "utm_term" else "custom",
        "value": tag.value,
        "display_value": tag.display_value,
        "count": count,
    }


@router.route("/customers/utms", "GET", right=Access.ANY_USER)
def zcrm_list_utms(actor: Actor, params: Params) -> list[dict[str, Any]]:
    """List source tags."""
    sources = services().sources
    found: list[dict[str, Any]] = []
    cursor = None
    for _ in range(10):
        page = sources.page(actor, limit=100, cursor=cursor)
        found.extend(utm_out(tag, counted.clients + counted.leads) for tag, counted in page.items)
        cursor = page.next_cursor
        if not cursor:
            break
    return found  # a bare array, as published


def _utm_fields(params: Params) -> Params:
    return as_dict(params.get("utm"), "utm")


@router.route("/customers/utms", "POST", right=Access.ADMIN)
def zcrm_create_utm(actor: Actor, params: Params) -> dict[str, Any]:
    """Create a source tag."""
    from chalicelib.domain.sources import SourceParam

    fields = _utm_fields(params)
    try:
        param = SourceParam(text(fields, "param") or "")
    except ValueError:
        raise ValidationError("utm[param]: one of utm_source, utm_medium, utm_campaign, utm_content, phone, custom",
                              field="param") from None  # fmt: skip
    value = text(fields, "value", max_length=200) or ""
    tag = services().sources.create(actor, param, value, text(fields, "display_value", max_length=200) or None)
    return utm_out(tag, 0)


@router.route("/customers/utms/{utm_id}", "PUT", right=Access.ADMIN)
def zcrm_update_utm(actor: Actor, params: Params, utm_id: str) -> None:
    """Update a source tag (its display value: param and value name the tag)."""
    display = text(_utm_fields(params), "display_value", max_length=200)
    if not display:
        raise ValidationError("utm[display_value] is required", field="display_value")
    services().sources.rename(actor, rid(utm_id, "source tag"), None, display)


@router.route("/customers/utms/{utm_id}", "DELETE", right=Access.ADMIN)
def zcrm_delete_utm(actor: Actor, params: Params, utm_id: str) -> None:
    """Delete a source tag."""
    services().sources.delete(actor, rid(utm_id, "source tag"))


# --- labels (our tags) -----------------------------------------------------------------------


@router.route("/customers/labels", "GET", right=Access.ANY_USER)
def zcrm_list_labels(actor: Actor, params: Params) -> dict[str, Any]:
    """List labels."""
    contacts = services().contacts
    found: list[dict[str, Any]] = []
    cursor = None
    for _ in range(10):
        page = contacts.tags(actor, limit=100, cursor=cursor)
        found.extend({"id": label_id(tag), "label": tag, "count": c + ld} for tag, c, ld in page.items)
        cursor = page.next_cursor
        if not cursor:
            break
    return {"totalCount": len(found), "labels": found}


@router.route("/customers/labels", "POST", right=Access.ANY_USER)
def zcrm_create_label(actor: Actor, params: Params) -> dict[str, Any]:
    """Create a label: our labels are words put on contacts, they exist once used."""
    name = " ".join((text(params, "name", max_length=MAX_TAG_LENGTH) or "").split())
    if not name:
        raise ValidationError("name is required", field="name")
    return {"id": label_id(name), "label": name, "count": 0}


@router.route("/customers/labels/{l_id}", "DELETE", right=Access.ANY_USER)
def zcrm_delete_label(actor: Actor, params: Params, l_id: str) -> None:
    """Delete a label: not supported (a tag leaves with the last contact carrying it)."""
    try:
        label_of(l_id)
    except ValidationError:
        raise not_found("label") from None
    raise ValidationError("labels are removed from contacts (PUT customer labels), not deleted", field="l_id")


@router.route("/customers/custom-properties", "GET", right=Access.ANY_USER)
def zcrm_list_custom_properties(actor: Actor, params: Params) -> dict[str, Any]:
    """List custom properties."""
    props = list(Lookups(actor).properties.values())
    return {
        "totalCount": len(props),
        "customProperties": [{"id": num(p.id), "key": p.key, "title": p.title} for p in props],
    }


# --- the feed --------------------------------------------------------------------------------


@router.route("/customers/{c_id}/feed", "GET", right=Access.ANY_USER)
def zcrm_customer_feed(actor: Actor, params: Params, c_id: str) -> dict[str, Any]:
    """A customer's (or a lead's) feed."""
    take, skip = paging(params)
    contact_id = rid(c_id, "customer")
    kind = contact_kind(actor, contact_id)
    contacts = services().contacts
    items, total = window(
        lambda limit, cursor: contacts.feed(actor, kind, contact_id, limit=limit, cursor=cursor), skip, take
    )
    look = Lookups(actor)
    return {"totalCount": total, "items": [feed_out(e, look) for e in items]}


@router.route("/customers/{c_id}/feed", "POST", right=Access.ANY_USER)
def zcrm_add_customer_note(actor: Actor, params: Params, c_id: str) -> dict[str, Any]:
    """Add a note to a customer's (or a lead's) feed."""
    contact_id = rid(c_id, "customer")
    content = _content(params)
    entry = services().contacts.add_note(actor, contact_kind(actor, contact_id), contact_id, content)
    return feed_out(entry, Lookups(actor))


def _content(params: Params) -> str:
    content = (text(params, "content", max_length=10_000) or "").strip()
    if not content:
        raise ValidationError("content is required", field="content")
    return content


@router.route("/customers/{c_id}/feed/{i_id}", "PUT", right=Access.ANY_USER)
def zcrm_edit_customer_note(actor: Actor, params: Params, c_id: str, i_id: str) -> None:
    """Edit a note of a customer's feed."""
    contact_id = rid(c_id, "customer")
    kind = contact_kind(actor, contact_id)
    services().contacts.edit_note(actor, kind, contact_id, rid(i_id, "feed item"), _content(params))


@router.route("/customers/{c_id}/feed/{i_id}", "DELETE", right=Access.ANY_USER)
def zcrm_delete_customer_note(actor: Actor, params: Params, c_id: str, i_id: str) -> None:
    """Delete a note of a customer's feed."""
    contact_id = rid(c_id, "customer")
    kind = contact_kind(actor, contact_id)
    try:
        services().contacts.delete_note(actor, kind, contact_id, rid(i_id, "feed item"))
    except NotFoundError:
        raise not_found("feed item") from None
