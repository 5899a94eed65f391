"""Deals and the Kanban board (SPEC DE-1..5)."""

from __future__ import annotations

from typing import Literal

from pydantic import AwareDatetime, Field

from chalicelib.api.contacts import FeedEntryOut, FeedPage, NoteIn
from chalicelib.api.records import DealOut, MoneyOut
from chalicelib.api.routing import Router
from chalicelib.api.schemas import Id, Input, Output, PageOut, PageQuery, VersionIn
from chalicelib.bootstrap import services
from chalicelib.domain.actor import Actor
from chalicelib.domain.clock import utcnow
from chalicelib.domain.deals import DealStatus
from chalicelib.domain.money import format_amount, from_minor
from chalicelib.domain.rights import Access, Permission

router = Router(__name__, tag="Deals")


class MoneyIn(Input):
    amount: str = Field(examples=["1234.50"], description="Decimal string")
    currency: str | None = Field(None, min_length=3, max_length=3, description="Default: the base currency")


class DealIn(Input):
    title: str = Field(min_length=1, max_length=200)
    client_id: Id
    value: MoneyIn
    status: DealStatus = DealStatus.NEW
    responsible_user_id: Id | None = Field(None, description="Default: the creator")


class DealPatch(Input):
    version: VersionIn = None
    title: str | None = Field(None, min_length=1, max_length=200)
    value: MoneyIn | None = None
    responsible_user_id: Id | None = None
    status: DealStatus | None = Field(None, description="Moves the card to that column")
    position: int | None = Field(None, ge=0, le=100, description="0 = top of the (new) column, as you see it")


class DealCard(DealOut):
    feed: FeedPage


class DealList(PageOut):
    items: list[DealOut]


class DealQuery(PageQuery):
    status: DealStatus | None = Field(None, description="Deals in this status only")
    client_id: Id | None = Field(None, description="One client's deals")
    responsible_user_id: Id | None = Field(None, description="One user's deals (others' need customers_view_all)")
    created_from: AwareDatetime | None = Field(None, description="Created at or after this time")
    created_to: AwareDatetime | None = Field(None, description="Created before this time")
    sort: Literal["-created_at", "created_at", "board"] = Field(
        "-created_at",
        description="Newest first (default), oldest first, or `board`: one status column in board order "
        "(needs status; the board's next_cursor goes on with it)",
    )


class BoardQuery(Input):
    limit: int = Field(20, ge=1, le=100, description="Cards per column")


class ColumnOut(Output):
    status: str
    count: int
    total: MoneyOut = Field(description="In the base currency, with the company's current rates")
    items: list[DealOut]
    next_cursor: str | None = Field(description="GET /v1/deals?status=<status>&sort=board&cursor= for more cards")


class BoardOut(Output):
    columns: list[ColumnOut]


@router.route("/deals", "GET", right=Access.ANY_USER, query=DealQuery, response=DealList)
def list_deals(actor: Actor, query: DealQuery) -> DealList:
    """Deals of every status, newest first (DE-3), filtered by status, responsible user, client and
    created range in any combination; everyone's, or one's own without customers_view_all. A
    client's page is filtered from the deals read, so it may hold fewer than `limit` items while
    next_cursor goes on."""
    page = services().deals.list_deals(
        actor,
        status=query.status,
        client_id=query.client_id,
        responsible_user_id=query.responsible_user_id,
        created_from=query.created_from,
        created_to=query.created_to,
        sort=query.sort,
        limit=query.limit,
        cursor=query.cursor,
    )
    now = utcnow()
    return DealList(items=[DealOut.of(d, now) for d in page.items], next_cursor=page.next_cursor)


@router.route("/deals", "POST", right=Permission.CUSTOMERS_CREATE, body=DealIn, response=DealOut, status=201)
def create_deal(actor: Actor, body: DealIn) -> DealOut:
    """Create a deal for a client, on top of its column."""
    deal = services().deals.create(
        actor,
        body.title,
        body.client_id,
        body.value.amount,
        body.value.currency,
        status=body.status,
        responsible_user_id=body.responsible_user_id,
    )
    return DealOut.of(deal)


@router.route("/deals/board", "GET", right=Access.ANY_USER, query=BoardQuery, response=BoardOut)
def get_board(actor: Actor, query: BoardQuery) -> BoardOut:
    """The Kanban board: per status its count, its total in the base currency and its first cards."""
    board = services().deals.board(actor, limit=query.limit)
    now = utcnow()
    columns = [
        ColumnOut(
            status=c.status.value,
            count=c.count,
            total=MoneyOut(
                amount=format_amount(from_minor(c.total_minor, board.base_currency), board.base_currency),
                currency=board.base_currency,
            ),
            items=[DealOut.of(d, now) for d in c.cards.items],
            next_cursor=c.cards.next_cursor,
        )
        for c in board.columns
    ]
    return BoardOut(columns=columns)


@router.route("/deals/{deal_id}", "GET", right=Access.ANY_USER, response=DealCard)
def get_deal(actor: Actor, deal_id: str) -> DealCard:
    """A deal with the newest entries of its feed."""
    deal, feed = services().deals.card(actor, deal_id)
    return DealCard(**DealOut.of(deal).model_dump(), feed=FeedPage.of(feed))


@router.route("/deals/{deal_id}", "PATCH", right=Permission.CUSTOMERS_EDIT, body=DealPatch, response=DealOut)
def update_deal(actor: Actor, deal_id: str, body: DealPatch) -> DealOut:
    """Edit a deal, or move its card: `status` changes the column, `position` the place in it."""
    deal = services().deals.update(
        actor,
        deal_id,
        body.version,
        title=body.title,
        amount=body.value.amount if body.value else None,
        currency=body.value.currency if body.value else None,
        responsible_user_id=body.responsible_user_id,
        status=body.status,
        position=body.position,
    )
    return DealOut.of(deal)


@router.route("/deals/{deal_id}", "DELETE", right=Permission.CUSTOMERS_DELETE, status=204)
def delete_deal(actor: Actor, deal_id: str) -> None:
    """Delete a deal."""
    services().deals.delete(actor, deal_id)


@router.route("/deals/{deal_id}/feed", "GET", right=Access.ANY_USER, query=PageQuery, response=FeedPage)
def deal_feed(actor: Actor, deal_id: str, query: PageQuery) -> FeedPage:
    """The deal's activity feed, newest first."""
    return FeedPage.of(services().deals.feed(actor, deal_id, limit=query.limit, cursor=query.cursor))


@router.route("/deals/{deal_id}/notes", "POST", right=Access.ANY_USER, body=NoteIn, response=FeedEntryOut, status=201)
def add_deal_note(actor: Actor, deal_id: str, body: NoteIn) -> FeedEntryOut:
    """Add a note to the deal's feed."""
    return FeedEntryOut.of(services().deals.add_note(actor, deal_id, body.text))
