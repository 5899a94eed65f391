"""Deal board totals."""

from __future__ import annotations

from typing import TYPE_CHECKING

from chalicelib.domain.records import record

if TYPE_CHECKING:
    from chalicelib.domain.deals import DealStatus


@record(frozen=True, slots=True)
class ColumnTotal:
    """The deals of one board column in one currency: how many and how much."""

    status: DealStatus
    currency: str
    count: int
    amount_minor: int
