"""What deals contribute to the rollups, the funnel, and deal attribution (`domain.rollups`,
docs/analytics.md)."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from typing import TYPE_CHECKING

from chalicelib.domain import metrics as m
from chalicelib.domain.deals import BOARD_ORDER, Deal, DealStatus
from chalicelib.domain.rollups import Cell, day, nonzero, scopes

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo


def contributions(deal: Deal | None, tz: ZoneInfo) -> Counter[Cell]:
    """The cells a deal counts in, zero cells left out."""
    found: Counter[Cell] = Counter()
    if deal is None:
        return found
    history = deal.history
    creator = (history[0].by if history else None) or deal.responsible_user_id
    created = day(deal.created_at, tz)
    for scope in scopes(creator):
        found[(scope, created, m.DEALS_CREATED)] += 1
        for status in funnel_steps(deal):
            found[(scope, created, m.funnel(status.value))] += 1
    for tag in deal.source_tag_ids:
        for scope in scopes(creator):
            found[(scope, created, m.by_source_tag(tag, "deals"))] += 1
    for change in history:
        for scope in scopes(change.by or deal.responsible_user_id):
            found[(scope, day(change.at, tz), m.entered(change.status.value))] += 1
    if deal.status.final and history and history[-1].status is deal.status:
        _deal_closed(found, deal, tz)
    return nonzero(found)


def attribute_deal(after: Deal) -> Deal:
    """Each status change carries the responsible user at that move."""
    if all(c.by is not None for c in after.history):
        return after
    # Changes already stored carry theirs (or, stored before rollups, fall back to the same).
    history = tuple(c if c.by is not None else replace(c, by=after.responsible_user_id) for c in after.history)
    return replace(after, history=history)


def _deal_closed(found: Counter[Cell], deal: Deal, tz: ZoneInfo) -> None:
    """A deal won or canceled: on the day of its last move, for who was responsible then."""
    last = deal.history[-1]
    closed = day(last.at, tz)
    for scope in scopes(last.by or deal.responsible_user_id):
        if deal.status is DealStatus.SUCCESS:
            found[(scope, closed, m.DEALS_WON)] += 1
            found[(scope, closed, m.WON_VALUE)] += _won_value(deal)
            found[(scope, closed, m.WON_DURATION_S)] += int((last.at - deal.created_at).total_seconds())
        else:
            found[(scope, closed, m.DEALS_CANCELED)] += 1
    if deal.status is DealStatus.SUCCESS:
        for tag in deal.source_tag_ids:
            for scope in scopes(last.by or deal.responsible_user_id):
                found[(scope, closed, m.by_source_tag(tag, "won_value"))] += _won_value(deal)


_OPEN_STEPS = tuple(s for s in BOARD_ORDER if not s.final)


def funnel_steps(deal: Deal) -> tuple[DealStatus, ...]:
    """The funnel steps a deal counts in: "reached this step or beyond". Every open step up to
    the furthest one it reached (`new` at least: every deal was created), all of them when it
    is won, plus `success` when won or `canceled` when canceled (its current status)."""
    if deal.status is DealStatus.SUCCESS:
        return (*_OPEN_STEPS, DealStatus.SUCCESS)
    reached = [c.status for c in deal.history if not c.status.final]
    if not deal.status.final:
        reached.append(deal.status)
    furthest = max((_OPEN_STEPS.index(s) for s in reached), default=0)
    steps = _OPEN_STEPS[: furthest + 1]
    return (*steps, DealStatus.CANCELED) if deal.status is DealStatus.CANCELED else steps


def _won_value(deal: Deal) -> int:
    # A deal won before rollups has no base value stored: its own amount (documented).
    return deal.won_base_minor if deal.won_base_minor is not None else deal.amount_minor
