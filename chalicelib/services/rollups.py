"""Reconciliation of the write-time rollups (docs/analytics.md): recompute a CRM's cells from its
records, compare them with the stored cells, report the differences and optionally repair them.

The records are read through the ordinary lists, a page at a time (never a Scan): contacts of
each kind (AP16), deals (AP60), every user's tasks as responsible (AP6 then AP28), calls (AP34)
and the closed-lead tombstones (AP66); the stored cells one Query per scope (AP63: the CRM and
each user). Day cells and gauges are compared exactly; quarter-hour cells only within the
recent window (older ones are neither written nor read). A repair ADDs the difference to each
differing cell, so a write racing the repair is not lost (it lands on top).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import TypeVar
from zoneinfo import ZoneInfo

from chalicelib.domain import metrics
from chalicelib.domain.contacts import ContactKind
from chalicelib.domain.errors import NotFoundError
from chalicelib.domain.paging import Page
from chalicelib.domain.rollups import Cell, Record, contributions, is_kept
from chalicelib.ports.outside import Clock
from chalicelib.ports.queries.calls import CallFilter
from chalicelib.ports.queries.contacts import Criteria
from chalicelib.ports.queries.tasks import ListFilter, TaskListKind
from chalicelib.ports.storage import Storage

PAGE = 100
T = TypeVar("T")


@dataclass
class Reconciliation:
    tenant_id: str
    records: int = 0  # records (and tombstones) read
    cells: int = 0  # cells compared
    # cell -> (stored, computed), for every cell that differs
    differences: dict[Cell, tuple[int, int]] = field(default_factory=dict)
    repaired: bool = False

    @property
    def clean(self) -> bool:
        return not self.differences


class RollupService:
    def __init__(self, storage: Storage, clock: Clock) -> None:
        self._storage = storage
        self._clock = clock

    def records(self, tenant_id: str) -> Iterator[Record]:
        """Every record of the CRM that counts in the rollups, a page at a time."""
        contacts = self._storage.contacts(tenant_id)
        for kind in ContactKind:
            yield from _all(lambda c, k=kind: contacts.page(k, Criteria(), limit=PAGE, cursor=c))  # type: ignore[misc]
        deals = self._storage.deals(tenant_id)
        yield from _all(
            lambda c: deals.listed(owner=None, status=None, created_from=None, created_to=None, limit=PAGE, cursor=c)
        )
        tasks, seen = self._storage.tasks(tenant_id), set[str]()
        for user_id in self._user_ids(tenant_id):
            listed = _all(
                lambda c, u=user_id: tasks.page(TaskListKind.RESPONSIBLE, u, ListFilter(), limit=PAGE, cursor=c)  # type: ignore[misc]
            )
            for task in listed:
                if task.id not in seen and task.responsible_user_id == user_id:
                    seen.add(task.id)
                    yield task
        calls = self._storage.calls(tenant_id)
        yield from _all(lambda c: calls.page(None, CallFilter(), limit=PAGE, cursor=c))
        rollups = self._storage.rollups(tenant_id)
        yield from _all(lambda c: rollups.closed_leads(limit=PAGE, cursor=c))

    def reconcile(self, tenant_id: str, *, repair: bool = False) -> Reconciliation:
        """Compare the stored cells with the records' sum; with `repair`, make them equal."""
        crm = self._storage.crms.get(tenant_id)
        if crm is None:
            raise NotFoundError("no such CRM")
        tz, now = ZoneInfo(crm.timezone), self._clock()
        report = Reconciliation(tenant_id)
        computed: Counter[Cell] = Counter()
        for record in self.records(tenant_id):
            report.records += 1
            computed.update(contributions(record, tz))
        rollups = self._storage.rollups(tenant_id)
        stored: Counter[Cell] = Counter()
        scopes = {metrics.ALL, *self._user_ids(tenant_id), *(scope for scope, _, _ in computed)}
        for scope in sorted(scopes):
            stored.update(rollups.stored(scope))
        report.differences = differences(stored, computed, now)
        report.cells = len({c for c in (stored | computed) if is_kept(c[1], now)})
        if repair and report.differences:
            rollups.add({cell: want - have for cell, (have, want) in report.differences.items()})
            report.repaired = True
        return report

    def _user_ids(self, tenant_id: str) -> list[str]:
        users = self._storage.users(tenant_id)
        return [u.id for u in _all(lambda c: users.list_by_name(limit=PAGE, cursor=c))]


def _all(fetch: Callable[[str | None], Page[T]]) -> Iterator[T]:
    """Every item of a paged list, one page at a time."""
    cursor: str | None = None
    while True:
        found = fetch(cursor)
        yield from found.items
        if (cursor := found.next_cursor) is None:
            return


def differences(stored: Counter[Cell], computed: Counter[Cell], now: datetime) -> dict[Cell, tuple[int, int]]:
    """(stored, computed) of every cell that differs, Q cells only within the recent window."""
    return {
        cell: (stored[cell], computed[cell])
        for cell in sorted(set(stored) | set(computed))
        if stored[cell] != computed[cell] and is_kept(cell[1], now)
    }
