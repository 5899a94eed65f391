"""In-memory rollups (`chalicelib.ports.storage.Rollups`): cells kept in a Counter.

Service tests seed cells with `add` (or let the fake repositories add what records contribute)
and read them back through the port's methods, as the dashboard and analytics services do.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from datetime import date, datetime

from chalicelib.domain import metrics

Cell = tuple[str, str, str]  # (scope, period, metric)


class FakeRollups:
    def __init__(self) -> None:
        self.cells: Counter[Cell] = Counter()

    def add(self, deltas: Mapping[Cell, int]) -> None:
        for cell, delta in deltas.items():
            self.cells[cell] += delta

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
