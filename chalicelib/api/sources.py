"""Source tags (SPEC SO-2); the tags catalogue (CL-4) is with the contacts."""

from __future__ import annotations

from pydantic import Field

from chalicelib.api.routing import Router
from chalicelib.api.schemas import Input, Output, PageOut, PageQuery, UtcDateTime, VersionIn
from chalicelib.bootstrap import services
from chalicelib.domain.actor import Actor
from chalicelib.domain.rights import Access, Permission
from chalicelib.domain.sources import SourceParam, SourceTag
from chalicelib.services.sources import Counted

router = Router(__name__, tag="Contacts")


class SourceTagIn(Input):
    param: SourceParam
    value: str = Field(min_length=1, max_length=200, examples=["+33180000000", "newsletter"])
    display_value: str | None = Field(None, max_length=200, description="Default: the value")


class SourceTagPatch(Input):
    version: VersionIn = None
    display_value: str = Field(min_length=1, max_length=200)


class SourceTagOut(Output):
    id: str
    param: str
    value: str
    display_value: str
    clients: int = Field(description="Clients carrying this tag (kept at write time)")
    leads: int
    created_at: UtcDateTime
    version: int

    @classmethod
    def of(cls, tag: SourceTag, counted: Counted | None = None) -> SourceTagOut:
        counted = counted or Counted()
        return cls(
            id=tag.id,
            param=tag.param.value,
            value=tag.value,
            display_value=tag.display_value,
            clients=counted.clients,
            leads=counted.leads,
            created_at=tag.created_at,
            version=tag.version,
        )


class SourceTagList(PageOut):
    items: list[SourceTagOut]


@router.route("/source-tags", "GET", right=Access.ANY_USER, query=PageQuery, response=SourceTagList)
def list_source_tags(actor: Actor, query: PageQuery) -> SourceTagList:
    """Source tags in creation order, with how many clients and leads each brought."""
    page = services().sources.page(actor, limit=query.limit, cursor=query.cursor)
    return SourceTagList(items=[SourceTagOut.of(t, c) for t, c in page.items], next_cursor=page.next_cursor)


@router.route(
    "/source-tags", "POST", right=Permission.CUSTOMERS_CREATE, body=SourceTagIn, response=SourceTagOut, status=201
)
def create_source_tag(actor: Actor, body: SourceTagIn) -> SourceTagOut:
    """Create a source tag (unique per param and value)."""
    return SourceTagOut.of(services().sources.create(actor, body.param, body.value, body.display_value))


@router.route(
    "/source-tags/{source_tag_id}", "PATCH", right=Permission.CUSTOMERS_EDIT, body=SourceTagPatch, response=SourceTagOut
)
def update_source_tag(actor: Actor, source_tag_id: str, body: SourceTagPatch) -> SourceTagOut:
    """Change how a source tag is shown."""
    return SourceTagOut.of(services().sources.rename(actor, source_tag_id, body.version, body.display_value))


@router.route("/source-tags/{source_tag_id}", "DELETE", right=Permission.CUSTOMERS_DELETE, status=204)
def delete_source_tag(actor: Actor, source_tag_id: str) -> None:
    """Delete a source tag no contact carries."""
    services().sources.delete(actor, source_tag_id)
