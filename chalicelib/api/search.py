"""Universal search."""

from __future__ import annotations

from pydantic import Field

from chalicelib.api.routing import Router
from chalicelib.api.schemas import Input, Output
from chalicelib.bootstrap import services
from chalicelib.domain.actor import Actor
from chalicelib.domain.rights import Access

router = Router(__name__, tag="Search")


class SearchQueryIn(Input):
    q: str = Field(min_length=2, max_length=100, description="A name's word (prefix), an email, or phone digits")
    limit: int = Field(20, ge=1, le=50)


class HitOut(Output):
    type: str = Field(description="client | lead | user | deal")
    id: str
    title: str
    subtitle: str | None = Field(description="A phone or email; a user's extension; a deal's value and status")


class SearchOut(Output):
    items: list[HitOut]


@router.route("/search", "GET", right=Access.ANY_USER, query=SearchQueryIn, response=SearchOut)
def search(actor: Actor, query: SearchQueryIn) -> SearchOut:
    """Find clients, leads and colleagues by a word of the name, an email or the last digits of a phone,
    and deals by a word of their title (only what the caller may see)."""
    hits = services().search.search(actor, query.q, limit=query.limit)
    return SearchOut(items=[HitOut(type=h.type, id=h.id, title=h.title, subtitle=h.subtitle) for h in hits])
