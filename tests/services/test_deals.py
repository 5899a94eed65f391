"""Deal rules (DE-1..5) on the fake storage: the board, money, rights, versions."""

from __future__ import annotations

from datetime import timedelta

import pytest

from chalicelib.domain.deals import DealStatus
from chalicelib.domain.errors import ConflictError, ForbiddenError, NotFoundError, ValidationError
from chalicelib.domain.rights import GroupType, Permission
from chalicelib.services.deals import DealService
from tests.services.world import World


@pytest.fixture
def deals(world: World) -> DealService:
    return DealService(world.storage, world.clock)


def test_new_deal_goes_on_top_of_its_column_and_into_the_clients_feed(world: World, deals: DealService) -> None:
    client = world.client("Bob Buyer", world.admin)
    first = deals.create(world.admin, "Fleet", client.id, "100", None)
    second = deals.create(world.admin, "Spare parts", client.id, "20.50", "USD")

    column = deals.column(world.admin, DealStatus.NEW, limit=10, cursor=None).items
    assert [d.title for d in column] == ["Spare parts", "Fleet"]
    assert (first.currency, first.amount_minor) == ("EUR", 10000)
    assert (second.currency, second.amount_minor) == ("USD", 2050)
    feed = world.storage.contacts(world.tenant_id).feeds[client.id]
    assert [e.data["title"] for e in feed] == ["Fleet", "Spare parts"]


def test_deal_needs_a_client_the_seller_can_see(world: World, deals: DealService) -> None:
    seller = world.user("Sam Seller")
    others = world.client("Olga Other", world.admin)
    with pytest.raises(ValidationError) as refused:
        deals.create(seller, "Fleet", others.id, "100", None)
    assert refused.value.field == "client_id"
    assert world.storage.deals(world.tenant_id).records == {}


def test_amount_in_a_currency_the_company_does_not_keep_is_refused(world: World, deals: DealService) -> None:
    client = world.client("Bob Buyer", world.admin)
    with pytest.raises(ValidationError) as refused:
        deals.create(world.admin, "Fleet", client.id, "100", "GBP")
    assert refused.value.field == "value.currency"


def test_responsible_user_must_be_active(world: World, deals: DealService) -> None:
    client = world.client("Bob Buyer", world.admin)
    leaver = world.user("Lea Leaver")
    world.deactivate(leaver)
    with pytest.raises(ValidationError) as refused:
        deals.create(world.admin, "Fleet", client.id, "100", None, responsible_user_id=leaver.user_id)
    assert refused.value.field == "responsible_user_id"


def test_winning_closes_the_deal_keeps_its_history_and_it_no_longer_moves(world: World, deals: DealService) -> None:
    client = world.client("Bob Buyer", world.admin)
    deal = deals.create(world.admin, "Fleet", client.id, "100", None)
    world.clock.advance(days=3)
    won = deals.update(world.admin, deal.id, None, status=DealStatus.SUCCESS)

    assert won.closed_at == world.clock()
    assert [c.status for c in won.history] == [DealStatus.NEW, DealStatus.SUCCESS]
    with pytest.raises(ConflictError) as refused:
        deals.update(world.admin, deal.id, None, status=DealStatus.NEW)
    assert refused.value.field == "status"


def test_stale_version_is_a_conflict_but_no_version_applies(world: World, deals: DealService) -> None:
    client = world.client("Bob Buyer", world.admin)
    deal = deals.create(world.admin, "Fleet", client.id, "100", None)
    deals.update(world.admin, deal.id, deal.version, title="Fleet of 10")

    with pytest.raises(ConflictError) as stale:
        deals.update(world.admin, deal.id, deal.version, title="Fleet of 12")
    assert stale.value.field == "version"
    assert deals.update(world.admin, deal.id, None, title="Fleet of 12").version == 3


def test_an_edit_that_changes_nothing_writes_nothing(world: World, deals: DealService) -> None:
    client = world.client("Bob Buyer", world.admin)
    deal = deals.create(world.admin, "Fleet", client.id, "100", None)
    same = deals.update(world.admin, deal.id, None, title="  Fleet ")
    assert same.version == deal.version
    assert len(world.storage.deals(world.tenant_id).feeds[deal.id]) == 1  # "created" only


def test_board_totals_are_in_the_base_currency_at_the_companys_rates(world: World, deals: DealService) -> None:
    client = world.client("Bob Buyer", world.admin)
    deals.create(world.admin, "Fleet", client.id, "100", None)
    deals.create(world.admin, "Parts", client.id, "100", "USD")

    board = deals.board(world.admin, limit=5)
    new = board.columns[0]
    assert board.base_currency == "EUR"
    assert (new.status, new.count, new.total_minor) == (DealStatus.NEW, 2, 19000)  # 100 EUR + 100 USD at 0.9
    assert [c.status for c in board.columns] == list(DealStatus)


def test_without_view_all_a_user_sees_only_their_own_deals(world: World, deals: DealService) -> None:
    seller = world.user("Sam Seller")
    mine = world.client("Mia Mine", seller)
    theirs = world.client("Tom Theirs", world.admin)
    own = deals.create(seller, "Mine", mine.id, "10", None)
    other = deals.create(world.admin, "Theirs", theirs.id, "10", None)

    assert [d.id for d in deals.list_deals(seller, limit=10, cursor=None).items] == [own.id]
    assert deals.board(seller, limit=5).columns[0].count == 1
    with pytest.raises(NotFoundError):
        deals.card(seller, other.id)
    with pytest.raises(ForbiddenError):
        deals.list_deals(seller, responsible_user_id=world.admin.user_id, limit=10, cursor=None)
    viewer = world.user("Vic Viewer", frozenset({Permission.CUSTOMERS_VIEW_ALL}))
    assert {d.id for d in deals.list_deals(viewer, limit=10, cursor=None).items} == {own.id, other.id}


def test_a_card_moved_to_a_position_lands_between_its_neighbours(world: World, deals: DealService) -> None:
    client = world.client("Bob Buyer", world.admin)
    created = [deals.create(world.admin, title, client.id, "1", None) for title in ("c", "b", "a")]
    assert [d.title for d in deals.column(world.admin, DealStatus.NEW, limit=10, cursor=None).items] == ["a", "b", "c"]

    deals.update(world.admin, created[2].id, None, position=2)  # "a" below "c"
    titles = [d.title for d in deals.column(world.admin, DealStatus.NEW, limit=10, cursor=None).items]
    assert titles == ["b", "c", "a"]
    with pytest.raises(ValidationError) as refused:
        deals.update(world.admin, created[0].id, None, position=-1)
    assert refused.value.field == "position"


def test_deleting_a_deal_needs_the_delete_right(world: World, deals: DealService) -> None:
    trainee = world.user("Tia Trainee", GroupType.TRAINEE)
    client = world.client("Bob Buyer", world.admin)
    deal = deals.create(world.admin, "Fleet", client.id, "100", None, responsible_user_id=trainee.user_id)
    with pytest.raises(ForbiddenError):
        deals.delete(trainee, deal.id)
    deals.delete(world.admin, deal.id)
    assert world.storage.deals(world.tenant_id).records == {}


def test_list_is_newest_first_and_filters_by_created_range(world: World, deals: DealService) -> None:
    client = world.client("Bob Buyer", world.admin)
    old = deals.create(world.admin, "Old", client.id, "1", None)
    world.clock.advance(timedelta(days=10))
    new = deals.create(world.admin, "New", client.id, "1", None)

    listed = deals.list_deals(world.admin, limit=10, cursor=None).items
    assert [d.id for d in listed] == [new.id, old.id]
    recent = deals.list_deals(world.admin, created_from=world.clock() - timedelta(days=1), limit=10, cursor=None)
    assert [d.id for d in recent.items] == [new.id]
