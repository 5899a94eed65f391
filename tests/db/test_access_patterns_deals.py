"""Access patterns of deals: the card (AP24), board columns (AP25) and counters (AP26), a client's
deals (AP47), against moto."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from chalicelib.db import keys
from chalicelib.db.pagination import Page
from chalicelib.db.repositories.deals import DealRepository
from chalicelib.domain.contacts import FeedEntry, FeedKind
from chalicelib.domain.deals import Deal, DealStatus, StatusChange
from chalicelib.domain.errors import ValidationError
from chalicelib.ports.queries.deals import ColumnTotal
from tests.harness import LocalAws
from tests.meter import dynamodb_calls

T0 = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)
NEW, WON = DealStatus.NEW, DealStatus.SUCCESS


@pytest.fixture
def repo(aws: LocalAws) -> DealRepository:
    return DealRepository("tenant-1")


def a_deal(n: int, *, status: DealStatus = NEW, owner: str = "u1", position: str = "a0", client: str = "c1",
           amount: int = 100, currency: str = "EUR") -> Deal:  # fmt: skip
    at = T0 + timedelta(hours=n)
    return Deal(
        id=f"d{n:02d}",
        title=f"Deal {n}",
        client_id=client,
        amount_minor=amount,
        currency=currency,
        status=status,
        responsible_user_id=owner,
        position=position,
        created_at=at,
        created_by=owner,
        updated_at=at,
        history=(StatusChange(status, at),),
    )


def ids(page: Page[Deal]) -> list[str]:
    return [d.id for d in page.items]


def test_ap24_a_deals_card_and_its_newest_feed_entries_in_one_query(repo: DealRepository) -> None:
    """AP24: the deal and its newest feed entries come in one Query, with a cursor when there are more."""
    deal = a_deal(1)
    entries = [FeedEntry(f"E{n}", FeedKind.NOTE, T0 + timedelta(minutes=n), "u1", text=f"note {n}") for n in range(3)]
    repo.create(deal, entries)

    with dynamodb_calls() as calls:
        found, feed = repo.card(deal.id, 2)
    assert calls == {"Query": 1}
    assert found == deal
    assert [e.id for e in feed.items] == ["E2", "E1"]
    rest = repo.feed(deal.id, limit=5, cursor=feed.next_cursor)
    assert [e.id for e in rest.items] == ["E0"]
    assert repo.card("d99", 2) == (None, Page([], None))


def test_ap25_a_board_column_in_board_order_for_everyone_or_one_user(repo: DealRepository) -> None:
    """AP25: a column's deals in board order (position), everyone's or one user's, one Query a page."""
    for deal in (a_deal(1, position="a2"), a_deal(2, position="a0", owner="u2"), a_deal(3, position="a1"),
                 a_deal(4, position="a0", status=WON)):  # fmt: skip
        repo.create(deal, [])

    with dynamodb_calls() as calls:
        first = repo.column(NEW, owner=None, limit=2, cursor=None)
    assert calls == {"Query": 1}
    rest = repo.column(NEW, owner=None, limit=2, cursor=first.next_cursor)
    assert ids(first) + ids(rest) == ["d02", "d03", "d01"]
    assert ids(repo.column(NEW, owner="u1", limit=10, cursor=None)) == ["d03", "d01"]
    assert ids(repo.column(WON, owner=None, limit=10, cursor=None)) == ["d04"]
    assert ids(repo.column(NEW, owner=None, limit=10, cursor=None, after=keys.deal_column_sk("a1", "d03"))) == ["d01"]
    with pytest.raises(ValidationError):  # a cursor of another column
        repo.column(NEW, owner="u1", limit=2, cursor=first.next_cursor)


def test_ap26_board_counters_per_status_and_currency_follow_every_write(repo: DealRepository) -> None:
    """AP26: count and amount per status and currency, everyone's or one user's, in one Query, kept by every write."""
    one, two = a_deal(1, amount=100), a_deal(2, amount=250, owner="u2")
    dollars = a_deal(3, amount=40, currency="USD")
    for deal in (one, two, dollars):
        repo.create(deal, [])

    with dynamodb_calls() as calls:
        totals = repo.totals(None)
    assert calls == {"Query": 1}
    assert sorted(totals, key=lambda t: t.currency) == [ColumnTotal(NEW, "EUR", 2, 350), ColumnTotal(NEW, "USD", 1, 40)]
    won = repo.save_changes(two, replace(two, status=WON, amount_minor=300), [])
    assert sorted(repo.totals(None), key=lambda t: (t.status, t.currency)) == [
        ColumnTotal(NEW, "EUR", 1, 100), ColumnTotal(NEW, "USD", 1, 40), ColumnTotal(WON, "EUR", 1, 300),
    ]  # fmt: skip
    assert repo.totals("u2") == [ColumnTotal(WON, "EUR", 1, 300)]
    repo.delete(won)
    assert repo.totals("u2") == []  # an emptied counter is left out


def test_ap47_a_clients_deals_newest_first_with_status_and_owner_filtering_the_page(repo: DealRepository) -> None:
    """AP47: a client's deals newest first (or oldest), in a created range; status and owner filter the page read."""
    for deal in (a_deal(1), a_deal(2, status=WON), a_deal(3, owner="u2"), a_deal(4, client="c2")):
        repo.create(deal, [])

    def of_c1(**kwargs: object) -> list[str]:
        query = {"status": None, "owner": None, "limit": 10, "cursor": None, **kwargs}
        return ids(repo.of_client("c1", **query))  # type: ignore[arg-type]

    with dynamodb_calls() as calls:
        assert of_c1() == ["d03", "d02", "d01"]
    assert calls == {"Query": 1}
    assert of_c1(newest_first=False) == ["d01", "d02", "d03"]
    assert of_c1(status=NEW) == ["d03", "d01"]
    assert of_c1(owner="u1") == ["d02", "d01"]
    assert of_c1(status=NEW, owner="u1") == ["d01"]
    assert of_c1(created_from=T0 + timedelta(hours=2), created_to=T0 + timedelta(hours=3)) == ["d02"]  # [from, to)
    seen, cursor = [], None
    while True:  # a page may hold fewer than `limit` (DynamoDB filters the items read): the cursor goes on
        page = repo.of_client("c1", status=NEW, owner=None, limit=1, cursor=cursor)
        seen += ids(page)
        if (cursor := page.next_cursor) is None:
            break
    assert seen == ["d03", "d01"]
    assert ids(repo.of_client("c2", status=None, owner=None, limit=10, cursor=None)) == ["d04"]
