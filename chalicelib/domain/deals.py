"""Deals (SPEC DE): the sale of something to one client, moved across a board of statuses.

`success` and `canceled` are final: they set `closed_at` and the deal no longer moves. Each
status change is kept with the time it happened, so the time spent in each status (and the
average deal duration) can be computed later without replaying anything.
"""

from __future__ import annotations

from dataclasses import field
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from chalicelib.domain.errors import ValidationError
from chalicelib.domain.records import record

if TYPE_CHECKING:
    from chalicelib.domain.actor import Actor


class DealStatus(StrEnum):
    NEW = "new"
    IN_PROGRESS = "in_progress"
    DECISION = "decision"
    PAYMENT = "payment"
    SUCCESS = "success"
    CANCELED = "canceled"

    @property
    def final(self) -> bool:
        return self in (DealStatus.SUCCESS, DealStatus.CANCELED)


BOARD_ORDER = tuple(DealStatus)


@record(frozen=True, slots=True)
class StatusChange:
    """A deal's move to a status (its history)."""

    status: DealStatus
    at: datetime
    # The responsible user at that move (None: stored before rollups); rollup bookkeeping, not
    # part of equality.
    by: str | None = field(default=None, compare=False)


@record(frozen=True, slots=True)
class Deal:
    """A deal with a client, in one column of the board."""

    id: str
    title: str
    client_id: str
    amount_minor: int  # in `currency`'s minor units
    currency: str
    status: DealStatus
    responsible_user_id: str
    position: str  # fractional order key within its status column
    created_at: datetime
    created_by: str
    updated_at: datetime
    closed_at: datetime | None = None
    history: tuple[StatusChange, ...] = ()
    version: int = 1
    # The won value in the base currency at the rate of the moment it was won (DE-5).
    won_base_minor: int | None = None
    # The client's source tags when the deal was created (source effectiveness, AN-3).
    source_tag_ids: tuple[str, ...] = ()


def can_see_deal(actor: Actor, deal: Deal) -> bool:
    """Like clients: one's own deals, or all with customers_view_all."""
    from chalicelib.domain.rights import Permission  # a request's check: the deal workers never load the rights

    return deal.responsible_user_id == actor.user_id or actor.can(Permission.CUSTOMERS_VIEW_ALL)


def check_title(title: str) -> str:
    title = " ".join(title.split())
    if not 1 <= len(title) <= 200:
        raise ValidationError("a title has 1 to 200 characters", field="title")
    return title


def time_in_status(deal: Deal, now: datetime) -> dict[str, float]:
    """Seconds spent in each status so far (the current one up to `now`, or to `closed_at`)."""
    spent: dict[str, float] = {}
    changes = list(deal.history)
    for change, following in zip(changes, [*changes[1:], None], strict=True):
        end = following.at if following else (deal.closed_at or now)
        spent[change.status.value] = spent.get(change.status.value, 0.0) + (end - change.at).total_seconds()
    return spent
