"""Deal board totals."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from chalicelib.domain.deals import DealStatus


@dataclass(frozen=True, slots=True)
class ColumnTotal:
    status: DealStatus
    currency: str
    count: int
    amount_minor: int
