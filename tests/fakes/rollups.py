"""In-memory rollups (`chalicelib.ports.storage.Rollups`): cells kept in a Counter.

Service tests seed cells with `add` (or let the fake repositories add what records contribute)
and read them back through the port's methods, as the dashboard and analytics services do.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime
from zoneinfo import ZoneInfo

from chalicelib.domain import metrics
from chalicelib.domain.paging import Page
from chalicelib.domain.rollups import delta
from chalicelib.domain.rollups.contacts import ClosedLead
from chalicelib.domain.rollups.records import Record, contributions
from tests.fakes.base import page

Cell = tuple[str, str, str]  # (scope, period, metric)


class FakeRollups:
    def __init__(self) -> None:
        self.cells: Counter[Cell] = Counter()
        self.closed: list[ClosedLead] = []  # closed-lead tombstones (FakeContacts.delete)
        # The company's time zone (FakeStorage points it at the CRM record).
        self.zone: Callable[[], ZoneInfo] = lambda: ZoneInfo("UTC")

    @property
    def tz(self) -> ZoneInfo:
        return self.zone()

    def record(self, before: Record | None, after: Record | None) -> None:
        """What the fake repositories do at each write: add what the record's change brings
        (the same pure function as the table's repositories; no recent-window cut)."""
        self.add(delta(before, after, self.tz, contributions))

    def add(self, deltas: Mapping[Cell, int]) -> None:
        for cell, n in deltas.items():
            self.cells[cell] += n

    def _periods(self, scope: str, prefix: str) -> dict[str, dict[str, int]]:
        found: dict[str, dict[str, int]] = defaultdict(dict)
        for (s, period, metric), value in self.cells.items():
            if s == scope and period.startswith(prefix) and value:
                found[period][metric] = value
        return found

    def days(self, scope: str, first: date, last: date) -> dict[date, dict[str, int]]:
        return {
            metrics.period_day(p): v
            for p, v in self._periods(scope, "D").items()
            if first <= metrics.period_day(p) <= last
        }

    def recent(self, scope: str, start: datetime, end: datetime) -> dict[datetime, dict[str, int]]:
        return {
            metrics.period_start(p): v
            for p, v in self._periods(scope, "Q").items()
            if start <= metrics.period_start(p) < end
        }

    def gauges(self, scopes: Sequence[str]) -> dict[str, dict[str, int]]:
        return {s: self._periods(s, metrics.NOW).get(metrics.NOW, {}) for s in scopes}

    def stored(self, scope: str) -> Counter[Cell]:
        """Every stored cell of one scope (reconciliation)."""
        return Counter({c: v for c, v in self.cells.items() if c[0] == scope and v})

    def closed_leads(self, *, limit: int, cursor: str | None) -> Page[ClosedLead]:
        return page(sorted(self.closed, key=lambda c: (c.closed_at, c.id)), limit, cursor)
