"""Custom properties (SPEC CL-6): the fields a CRM adds to its clients and leads."""

from __future__ import annotations

from pydantic import Field

from chalicelib.api.routing import Router
from chalicelib.api.schemas import Input, Output, PageOut, PageQuery, VersionIn
from chalicelib.bootstrap import services
from chalicelib.domain.actor import Actor
from chalicelib.domain.properties import PropertyKind
from chalicelib.domain.rights import Access

router = Router(__name__, tag="Contacts")


class PropertyIn(Input):
    key: str = Field(min_length=1, max_length=40, examples=["industry"], description="Used in filters: property.<key>=")
    title: str = Field(min_length=1, max_length=100)
    kind: PropertyKind
    options: list[str] | None = Field(None, max_length=50, description="For select properties")


class PropertyPatch(Input):
    version: VersionIn = None
    title: str | None = Field(None, min_length=1, max_length=100)
    options: list[str] | None = Field(None, max_length=50)


class PropertyOut(Output):
    id: str
    key: str
    title: str
    kind: str
    options: list[str]
    version: int


class PropertyList(PageOut):
    items: list[PropertyOut]


@router.route("/properties", "GET", right=Access.ANY_USER, query=PageQuery, response=PropertyList)
def list_properties(actor: Actor, query: PageQuery) -> PropertyList:
    """The CRM's custom properties, in creation order."""
    page = services().properties.page(actor, limit=query.limit, cursor=query.cursor)
    return PropertyList.model_validate(page)


@router.route("/properties", "POST", right=Access.ADMIN, body=PropertyIn, response=PropertyOut, status=201)
def create_property(actor: Actor, body: PropertyIn) -> PropertyOut:
    """Define a property: text, number, date, or select with options."""
    definition = services().properties.create(actor, body.key, body.title, body.kind, body.options)
    return PropertyOut.model_validate(definition)


@router.route("/properties/{property_id}", "PATCH", right=Access.ADMIN, body=PropertyPatch, response=PropertyOut)
def update_property(actor: Actor, property_id: str, body: PropertyPatch) -> PropertyOut:
    """Rename a property or change a select's options."""
    definition = services().properties.update(actor, property_id, body.version, title=body.title, options=body.options)
    return PropertyOut.model_validate(definition)


@router.route("/properties/{property_id}", "DELETE", right=Access.ADMIN, status=204)
def delete_property(actor: Actor, property_id: str) -> None:
    """Delete a property no contact has a value for."""
    services().properties.delete(actor, property_id)
