"""What a deal contributes to the funnel: "reached this step or beyond" (docs/analytics.md)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from chalicelib.domain import metrics as m
from chalicelib.domain.deals import Deal, DealStatus, StatusChange
from chalicelib.domain.rollups.deals import funnel_steps
from chalicelib.domain.rollups.records import contributions

T0 = datetime(2026, 3, 2, 9, tzinfo=UTC)
S = DealStatus


def a_deal(*moves: DealStatus) -> Deal:
    history = tuple(StatusChange(s, T0 + timedelta(hours=i), by="u1") for i, s in enumerate(moves))
    return Deal("d1", "Deal", "c1", 100, "EUR", moves[-1], "u1", "a", T0, "u1", T0, history=history)


def test_a_deal_counts_in_every_step_up_to_the_furthest_it_reached() -> None:
    assert funnel_steps(a_deal(S.NEW)) == (S.NEW,)
    assert funnel_steps(a_deal(S.NEW, S.DECISION)) == (S.NEW, S.IN_PROGRESS, S.DECISION)
    # Moved back: it still reached decision.
    assert funnel_steps(a_deal(S.NEW, S.DECISION, S.IN_PROGRESS)) == (S.NEW, S.IN_PROGRESS, S.DECISION)
    # Created further along the board: the steps before it count too.
    assert funnel_steps(a_deal(S.PAYMENT)) == (S.NEW, S.IN_PROGRESS, S.DECISION, S.PAYMENT)


def test_a_won_deal_counts_in_every_open_step_and_a_canceled_one_up_to_where_it_got() -> None:
    every = (S.NEW, S.IN_PROGRESS, S.DECISION, S.PAYMENT)
    assert funnel_steps(a_deal(S.NEW, S.SUCCESS)) == (*every, S.SUCCESS)
    assert funnel_steps(a_deal(S.NEW, S.IN_PROGRESS, S.CANCELED)) == (S.NEW, S.IN_PROGRESS, S.CANCELED)
    assert funnel_steps(a_deal(S.CANCELED)) == (S.NEW, S.CANCELED)
    # Reopened after a win: counts where it is now, not as won.
    assert funnel_steps(a_deal(S.NEW, S.SUCCESS, S.IN_PROGRESS)) == (S.NEW, S.IN_PROGRESS)


def test_the_funnel_cells_are_on_the_creation_day_for_the_creator_and_the_crm() -> None:
    cells = contributions(a_deal(S.NEW, S.DECISION, S.SUCCESS), ZoneInfo("UTC"))
    day = m.day_period(T0.date())
    for scope in (m.ALL, "u1"):
        assert [cells[(scope, day, m.funnel(s.value))] for s in S] == [1, 1, 1, 1, 1, 0]
