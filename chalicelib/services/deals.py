"""Deals and their board (SPEC DE-1..5).

A card's place is a fractional key (fractional-indexing): moving it between two others writes
only the moved deal. Column counts and amounts are counters kept in the same transactions, per
currency: the board converts them to the base currency with today's rates when it is read.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from fractional_indexing import generate_key_between

from chalicelib.domain.contacts import ContactKind, FeedEntry, FeedKind, can_see
from chalicelib.domain.deals import BOARD_ORDER, Deal, DealStatus, StatusChange, can_see_deal, check_title
from chalicelib.domain.errors import ConflictError, ForbiddenError, NotFoundError, ValidationError, check_version
from chalicelib.domain.ids import new_id
from chalicelib.domain.money import ExchangeRates, check_currency, format_amount, from_minor, parse_amount, to_minor
from chalicelib.domain.rights import Access, Permission
from chalicelib.domain.users import UserStatus
from chalicelib.ports.writes import FeedOwner

if TYPE_CHECKING:
    from chalicelib.domain.actor import Actor
    from chalicelib.domain.paging import Page
    from chalicelib.ports.outside import Clock
    from chalicelib.ports.storage import Deals, Storage

FEED_PAGE = 20


@dataclass(frozen=True, slots=True)
class Column:
    status: DealStatus
    count: int
    total_minor: int  # in the base currency
    cards: Page[Deal]


@dataclass(frozen=True, slots=True)
class Board:
    base_currency: str
    columns: list[Column]


class DealService:
    def __init__(self, storage: Storage, clock: Clock) -> None:
        self._storage = storage
        self._clock = clock

    def rates(self, tenant_id: str) -> ExchangeRates:
        crm = self._storage.crms.get(tenant_id)
        if crm is None:
            raise NotFoundError("no such CRM")
        return crm.rates

    def create(
        self,
        actor: Actor,
        title: str,
        client_id: str,
        amount: str,
        currency: str | None,
        *,
        status: DealStatus = DealStatus.NEW,
        responsible_user_id: str | None = None,
    ) -> Deal:
        """A deal for one client (DE-1), on top of its column; the client's feed records it."""
        actor.require(Permission.CUSTOMERS_CREATE)
        client = self._storage.contacts(actor.tenant_id).get(client_id)
        if client is None or client.kind is not ContactKind.CLIENT or not can_see(actor, client):
            raise ValidationError("no such client in this CRM", field="client_id")
        currency, amount_minor = self._money(actor, amount, currency)
        responsible = responsible_user_id or actor.user_id
        if responsible != actor.user_id:
            self._check_user(actor, responsible)
        now = self._clock()
        repo = self._storage.deals(actor.tenant_id)
        first = repo.column(status, owner=None, limit=1, cursor=None).items
        deal = Deal(
            id=new_id(),
            title=check_title(title),
            client_id=client.id,
            amount_minor=amount_minor,
            currency=currency,
            status=status,
            responsible_user_id=responsible,
            position=generate_key_between(None, first[0].position if first else None),
            created_at=now,
            created_by=actor.user_id,
            updated_at=now,
            closed_at=now if status.final else None,
            history=(StatusChange(status, now, responsible),),
            source_tag_ids=client.source_tag_ids,  # for the source-effectiveness rollups (AN-3)
        )
        deal = self._won_value(actor, deal)
        created = self._event(actor, now, {"event": "created", "title": deal.title})
        on_client = FeedEntry(
            id=new_id(), kind=FeedKind.DEAL, time=now, user_id=actor.user_id,
            data={"event": "created", "deal_id": deal.id, "title": deal.title},
        )  # fmt: skip
        repo.create(
            deal, [created], [self._storage.feed_write(actor.tenant_id, FeedOwner.CONTACT, client.id, on_client)]
        )
        return deal

    def card(self, actor: Actor, deal_id: str) -> tuple[Deal, Page[FeedEntry]]:
        deal, feed = self._storage.deals(actor.tenant_id).card(deal_id, FEED_PAGE)
        return self._visible(actor, deal), feed

    def feed(self, actor: Actor, deal_id: str, *, limit: int, cursor: str | None) -> Page[FeedEntry]:
        repo = self._storage.deals(actor.tenant_id)
        self._visible(actor, repo.get(deal_id))
        return repo.feed(deal_id, limit=limit, cursor=cursor)

    def add_note(self, actor: Actor, deal_id: str, text: str) -> FeedEntry:
        repo = self._storage.deals(actor.tenant_id)
        self._visible(actor, repo.get(deal_id))
        text = text.strip()
        if not 1 <= len(text) <= 10_000:
            raise ValidationError("a note has 1 to 10000 characters", field="text")
        entry = FeedEntry(id=new_id(), kind=FeedKind.NOTE, time=self._clock(), user_id=actor.user_id, text=text)
        repo.add_entry(deal_id, entry)
        return entry

    def update(
        self,
        actor: Actor,
        deal_id: str,
        version: int | None,
        *,
        title: str | None = None,
        amount: str | None = None,
        currency: str | None = None,
        responsible_user_id: str | None = None,
        status: DealStatus | None = None,
        position: int | None = None,
    ) -> Deal:
        """Edit a deal or move its card (status and/or position): one small write."""
        actor.require(Permission.CUSTOMERS_EDIT)
        repo = self._storage.deals(actor.tenant_id)
        before = self._visible(actor, repo.get(deal_id, consistent=True))
        check_version(version, before.version, "deal")
        now = self._clock()
        after = replace(before, updated_at=now)
        if title is not None:
            after = replace(after, title=check_title(title))
        if amount is not None or currency is not None:
            money = self._money(actor, amount if amount is not None else _decimal(before), currency or before.currency)
            after = replace(after, currency=money[0], amount_minor=money[1])
        if responsible_user_id is not None and responsible_user_id != before.responsible_user_id:
            after = replace(after, responsible_user_id=self._check_user(actor, responsible_user_id))
        moving = (status is not None and status is not before.status) or position is not None
        if moving and before.status.final:
            raise ConflictError("a won or canceled deal is closed: it does not move", field="status")
        if status is not None and status is not before.status:
            after = replace(
                after,
                status=status,
                history=(*before.history, StatusChange(status, now)),
                closed_at=now if status.final else None,
            )
        if moving:
            after = replace(after, position=self._place(actor, repo, after, position or 0))
        after = self._won_value(actor, after)
        changes = _changes(before, after)
        if not changes:
            return before
        return repo.save_changes(before, after, [self._event(actor, now, {"event": "updated", "changes": changes})])

    def delete(self, actor: Actor, deal_id: str) -> None:
        actor.require(Permission.CUSTOMERS_DELETE)
        repo = self._storage.deals(actor.tenant_id)
        repo.delete(self._visible(actor, repo.get(deal_id, consistent=True)))

    def column(
        self, actor: Actor, status: DealStatus, *, responsible_user_id: str | None = None, limit: int,
        cursor: str | None,
    ) -> Page[Deal]:  # fmt: skip
        """A status column in board order: everyone's, or one user's."""
        owner = self._list_owner(actor, responsible_user_id)
        return self._storage.deals(actor.tenant_id).column(status, owner=owner, limit=limit, cursor=cursor)

    def of_client(
        self, actor: Actor, client_id: str, *, status: DealStatus | None, responsible_user_id: str | None, limit: int,
        cursor: str | None, created_from: datetime | None = None, created_to: datetime | None = None,
        newest_first: bool = True,
    ) -> Page[Deal]:  # fmt: skip
        """A client's deals, newest first, of every status (or one); everyone's or one user's."""
        owner = self._list_owner(actor, responsible_user_id)
        client = self._storage.contacts(actor.tenant_id).get(client_id)
        if client is None or client.kind is not ContactKind.CLIENT or not can_see(actor, client):
            raise ValidationError("no such client in this CRM", field="client_id")
        return self._storage.deals(actor.tenant_id).of_client(
            client_id, status=status, owner=owner, limit=limit, cursor=cursor, created_from=created_from,
            created_to=created_to, newest_first=newest_first,
        )  # fmt: skip

    def list_deals(
        self, actor: Actor, *, status: DealStatus | None = None, client_id: str | None = None,
        responsible_user_id: str | None = None, created_from: datetime | None = None,
        created_to: datetime | None = None, sort: str = "-created_at", limit: int, cursor: str | None,
    ) -> Page[Deal]:  # fmt: skip
        """The deals list (DE-3): every status by creation (newest first by default), filtered by
        status, responsible user, client and created range in any combination; without
        customers_view_all, one's own deals. `sort=board` is one status column in board order
        (the board's "more cards"). The most selective key serves the filters: a client's deals
        (AP47, status and user filter the page read), else a user's or everyone's list, for one
        status or all (AP60/AP61, every filter a key)."""
        _check_range(created_from, created_to)
        if sort == "board":
            if status is None or client_id or created_from or created_to:
                raise ValidationError("sort=board lists one status column: give status, and no client or range",
                                      field="sort")  # fmt: skip
            return self.column(actor, status, responsible_user_id=responsible_user_id, limit=limit, cursor=cursor)
        newest_first = sort != "created_at"
        if client_id:
            return self.of_client(
                actor, client_id, status=status, responsible_user_id=responsible_user_id, limit=limit, cursor=cursor,
                created_from=created_from, created_to=created_to, newest_first=newest_first,
            )  # fmt: skip
        owner = self._list_owner(actor, responsible_user_id)
        return self._storage.deals(actor.tenant_id).listed(
            owner=owner, status=status, created_from=created_from, created_to=created_to, newest_first=newest_first,
            limit=limit, cursor=cursor,
        )  # fmt: skip

    def board(self, actor: Actor, *, limit: int) -> Board:
        """Every column with its count, its total in the base currency and its first cards:
        1 read of the rates, 1 of the counters, 1 Query per column, whatever the deals."""
        actor.require(Access.ANY_USER)
        rates = self.rates(actor.tenant_id)
        repo = self._storage.deals(actor.tenant_id)
        owner = self._owner(actor)
        counts: dict[DealStatus, int] = {}
        totals: dict[DealStatus, int] = {}
        for row in repo.totals(owner):
            counts[row.status] = counts.get(row.status, 0) + row.count
            if row.currency in rates.currencies:  # a currency removed from the settings is left out
                totals[row.status] = totals.get(row.status, 0) + rates.to_base_minor(row.amount_minor, row.currency)
        columns = [
            Column(s, counts.get(s, 0), totals.get(s, 0), repo.column(s, owner=owner, limit=limit, cursor=None))
            for s in BOARD_ORDER
        ]
        return Board(rates.base, columns)

    # --- helpers -----------------------------------------------------------------------------

    def _list_owner(self, actor: Actor, responsible_user_id: str | None) -> str | None:
        """The one user whose deals a list shows (None: everyone's)."""
        actor.require(Access.ANY_USER)
        if responsible_user_id is None or responsible_user_id == actor.user_id:
            return responsible_user_id or self._owner(actor)
        if not actor.can(Permission.CUSTOMERS_VIEW_ALL):
            raise ForbiddenError("other users' deals need the 'customers_view_all' right")
        return responsible_user_id

    def _owner(self, actor: Actor) -> str | None:
        """Without customers_view_all, a user's board and lists are their own deals."""
        return None if actor.can(Permission.CUSTOMERS_VIEW_ALL) else actor.user_id

    def _place(self, actor: Actor, repo: Deals, deal: Deal, index: int) -> str:
        """A key putting `deal` at `index` of its column, as the caller sees that column."""
        if index < 0:
            raise ValidationError("position is 0 (the top) or more", field="position")
        seen = repo.column(deal.status, owner=self._owner(actor), limit=min(index, 99) + 2, cursor=None).items
        others = [d for d in seen if d.id != deal.id]
        index = min(index, len(others))
        before = others[index - 1].position if index > 0 else None
        after = others[index].position if index < len(others) else None
        if before is not None and after is not None and before >= after:
            after = None  # two cards share a key (created at the same instant): go just below the first
        return generate_key_between(before, after)

    def _won_value(self, actor: Actor, deal: Deal) -> Deal:
        """A won deal keeps its value in the base currency at the rate of the moment (DE-5)."""
        if deal.status is not DealStatus.SUCCESS or deal.won_base_minor is not None:
            return deal
        rates = self.rates(actor.tenant_id)
        if deal.currency not in rates.currencies:
            return deal
        return replace(deal, won_base_minor=rates.to_base_minor(deal.amount_minor, deal.currency))

    def _money(self, actor: Actor, amount: str, currency: str | None) -> tuple[str, int]:
        rates = self.rates(actor.tenant_id)
        code = check_currency(currency, field_name="value.currency") if currency else rates.base
        if code not in rates.currencies:
            raise ValidationError(
                f"{code} is not one of the company's currencies ({', '.join(sorted(rates.currencies))})",
                field="value.currency",
            )
        return code, to_minor(parse_amount(amount, code, field_name="value.amount"), code)

    def _check_user(self, actor: Actor, user_id: str) -> str:
        user = self._storage.users(actor.tenant_id).get(user_id)
        if user is None or user.status is UserStatus.DEACTIVATED:
            raise ValidationError("no such active user in this CRM", field="responsible_user_id")
        return user_id

    def _visible(self, actor: Actor, deal: Deal | None) -> Deal:
        if deal is None or not can_see_deal(actor, deal):
            raise NotFoundError("no such deal in this CRM")
        return deal

    def _event(self, actor: Actor, now: datetime, data: dict[str, Any]) -> FeedEntry:
        return FeedEntry(id=new_id(), kind=FeedKind.EVENT, time=now, user_id=actor.user_id, data=data)


def _check_range(created_from: datetime | None, created_to: datetime | None) -> None:
    """Bounds a key can hold: a time that has no UTC equivalent (year 1 with an offset) is a 400."""
    for name, value in (("created_from", created_from), ("created_to", created_to)):
        if value is not None:
            try:
                value.astimezone(UTC)
            except (OverflowError, ValueError):
                raise ValidationError("this time is out of range", field=name) from None


def _decimal(deal: Deal) -> str:
    return format_amount(from_minor(deal.amount_minor, deal.currency), deal.currency)


def _changes(before: Deal, after: Deal) -> list[dict[str, Any]]:
    fields = ("title", "amount_minor", "currency", "responsible_user_id", "status", "position")
    return [
        {"field": f, "old": _shown(getattr(before, f)), "new": _shown(getattr(after, f))}
        for f in fields
        if getattr(before, f) != getattr(after, f)
    ]


def _shown(value: Any) -> Any:
    return value.value if hasattr(value, "value") else value
