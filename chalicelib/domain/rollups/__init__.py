"""What each record contributes to the write-time rollups (`domain/metrics.py`, docs/analytics.md).

Every rollup cell is the sum, over a CRM's records (contacts, deals, tasks, calls and
closed-lead tombstones), of what each contributes: a pure function of the record and the
company's time zone. A write adds `contributions(after) - contributions(before)` in the same
transaction as the record (`delta`), so the cells always equal what the records say, and
reconciliation can recompute them from the records and compare.

One module per record family holds its `contributions` and its `attribute_*`: `contacts` (and
the closed-lead tombstone), `deals`, `tasks`, `calls`; a repository imports only its own
family's (a task write does not load the contact, deal or telephony domains). This core holds
what they share; `records` gathers every family (reconciliation, the test fakes).

Attribution ("who was responsible when it happened") is stored in the record when it happens
(`attribute_*`, called by the storage layer at each write), so a later reassignment does not
move past figures. Records stored before rollups carry none: they count for their current
responsible user (`contacts.contact_attribution`, `tasks.task_attribution`, a status change's
`by`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, TypeVar

from chalicelib.domain import metrics as m

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo  # annotations only: the callers build the zone

Cell = tuple[str, str, str]  # (scope, period, metric)
R = TypeVar("R")  # a family's record type, None included (no record: nothing counted)
# A family's `contributions`: the cells one record counts in, and by how much.
Contribute = Callable[[R, "ZoneInfo"], Counter[Cell]]


def delta(before: R, after: R, tz: ZoneInfo, contribute: Contribute[R]) -> Counter[Cell]:
    """What a write changes: `contribute(after) - contribute(before)`, negatives kept."""
    change = contribute(after, tz)
    change.subtract(contribute(before, tz))
    return nonzero(change)


def nonzero(found: Counter[Cell]) -> Counter[Cell]:
    """`found` without its zero cells."""
    return Counter({cell: n for cell, n in found.items() if n})


def recent_from(now: datetime) -> datetime:
    """The oldest quarter-hour still written and compared: older Q cells are never read."""
    return m.period_start(m.recent_period(now - m.RECENT_KEEP)) + m.RECENT_STEP


def is_kept(period: str, now: datetime) -> bool:
    """Whether a cell of `period` is written (and compared) at `now`."""
    return not period.startswith("Q") or m.period_start(period) >= recent_from(now)


def day(at: datetime, tz: ZoneInfo) -> str:
    """The D period of `at` in the company's time zone."""
    return m.day_period(at.astimezone(tz).date())


def scopes(user_id: str | None) -> tuple[str, ...]:
    """The scopes a figure of `user_id` counts in: the CRM's, and the user's when known."""
    return (m.ALL,) if user_id is None else (m.ALL, user_id)


__all__ = ["Cell", "Contribute", "day", "delta", "is_kept", "nonzero", "recent_from", "scopes"]
