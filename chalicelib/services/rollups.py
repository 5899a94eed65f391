"""Reconciliation of the write-time rollups (docs/analytics.md): recompute a CRM's cells from its
records, compare them with the stored cells, report the differences and optionally repair them.

The records are read through the ordinary lists, a page at a time (never a Scan): contacts of
each kind (AP16), deals (AP60), every user's tasks as responsible (AP6 then AP28), calls (AP34)
and the closed-lead tombstones (AP66); the stored cells one Query per scope (AP63: the CRM and
each user). Day cells and gauges are compared exactly; quarter-hour cells only within the
recent window (older ones are neither written nor read). A repair ADDs the difference to each
differing cell, so a write racing the repair is not lost (it lands on top).

Two ways to run it: `reconcile` in one go (tests, the operators' CLI), and in chunks for a big
CRM: the `RollupRebuild` state machine calls `step` until done; each step reads pages of one
source after another while its time lasts and keeps the partial sums (the computed cells) in the
private bucket between steps, one object per step, so a retried step starts from the same input.
The last step compares and repairs. A company time zone change starts one with repair (`start`).
Records written while a long run reads may show as differences (and a repair may then be off
by them): a second run reports (and repairs) what raced.
"""

from __future__ import annotations

import gzip
import json
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import field
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeVar

from chalicelib.domain import metrics
from chalicelib.domain.errors import NotFoundError
from chalicelib.domain.paging import Page
from chalicelib.domain.records import record
from chalicelib.domain.rollups import Cell, is_kept
from chalicelib.observability import logger

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo

    from chalicelib.domain.rollups.records import Record
    from chalicelib.ports.outside import Clock, FileStore, Workflows
    from chalicelib.ports.storage import Storage

PAGE = 100
T = TypeVar("T")


@record(slots=True)
class Reconciliation:
    """What a reconciliation found (and whether it repaired it)."""

    tenant_id: str
    records: int = 0  # records (and tombstones) read
    cells: int = 0  # cells compared
    # cell -> (stored, computed), for every cell that differs
    differences: dict[Cell, tuple[int, int]] = field(default_factory=dict)
    repaired: bool = False

    @property
    def clean(self) -> bool:
        return not self.differences

    def summary(self, limit: int = 100) -> dict[str, Any]:
        """What a run answers: counts, and the first `limit` differences as
        [scope, period, metric, stored, computed] rows (a step's output stays small)."""
        rows = [[*cell, have, want] for cell, (have, want) in list(self.differences.items())[:limit]]
        return {"records": self.records, "cells": self.cells, "difference_count": len(self.differences),
                "differences": rows, "repaired": self.repaired}  # fmt: skip


# The chunked run (`RollupService.step`, the `RollupRebuild` state machine): its partial sums
# between steps, in the private bucket (one object per step: a retried step reads the same input).
REBUILD_MACHINE = "RollupRebuild"
# After a company time zone change, writes may use the old zone for as long as the storage
# layer caches it (db/repositories/rollups: 60 s): the rebuild waits that out first.
SETTLE_S = 90


def _scratch_key(tenant_id: str, run: str, step: int) -> str:
    return f"tenants/{tenant_id}/reconcile/{run}/{step}.json.gz"


class RollupService:
    def __init__(
        self, storage: Storage, clock: Clock, *, files: FileStore | None = None, workflows: Workflows | None = None
    ) -> None:
        self._storage = storage
        self._clock = clock
        self._files = files
        self._workflows = workflows

    # --- the records, by source: each source is read a page at a time ------------------------

    def sources(self, tenant_id: str) -> list[str]:
        """Where the CRM's records are listed: contacts of each kind, deals, each user's tasks
        as responsible, calls, closed-lead tombstones."""
        from chalicelib.domain.contact_kinds import ContactKind

        users = [f"tasks:{u}" for u in self._user_ids(tenant_id)]
        return [*(f"contacts:{k.value}" for k in ContactKind), "deals", *users, "calls", "closed"]

    def fetch(self, tenant_id: str, source: str, cursor: str | None) -> Page[Record]:
        """One page of a source's records."""
        # A run's lists (and below, every record family's contributions) load with its first
        # page: the API's company service builds this service for `start` only.
        from chalicelib.domain.contact_kinds import ContactKind
        from chalicelib.ports.queries.calls import CallFilter
        from chalicelib.ports.queries.contacts import Criteria
        from chalicelib.ports.queries.tasks import ListFilter, TaskListKind

        kind, _, arg = source.partition(":")
        if kind == "contacts":
            return self._storage.contacts(tenant_id).page(ContactKind(arg), Criteria(), limit=PAGE, cursor=cursor)  # type: ignore[return-value]
        if kind == "deals":
            deals = self._storage.deals(tenant_id)
            return deals.listed(owner=None, status=None, created_from=None, created_to=None, limit=PAGE, cursor=cursor)  # type: ignore[return-value]
        if kind == "tasks":
            found = self._storage.tasks(tenant_id).page(
                TaskListKind.RESPONSIBLE, arg, ListFilter(), limit=PAGE, cursor=cursor
            )
            # A task is in its responsible user's list once: counted there only.
            return Page([t for t in found.items if t.responsible_user_id == arg], found.next_cursor)
        if kind == "calls":
            return self._storage.calls(tenant_id).page(None, CallFilter(), limit=PAGE, cursor=cursor)  # type: ignore[return-value]
        return self._storage.rollups(tenant_id).closed_leads(limit=PAGE, cursor=cursor)  # type: ignore[return-value]

    def records(self, tenant_id: str) -> Iterator[Record]:
        """Every record of the CRM that counts in the rollups, a page at a time."""
        for source in self.sources(tenant_id):
            yield from _all(lambda c, s=source: self.fetch(tenant_id, s, c))  # type: ignore[misc]

    # --- in one go (tests, the CLI) ------------------------------------------------------------

    def reconcile(self, tenant_id: str, *, repair: bool = False) -> Reconciliation:
        """Compare the stored cells with the records' sum; with `repair`, make them equal."""
        from chalicelib.domain.rollups.records import contributions

        tz = self._tz(tenant_id)
        report = Reconciliation(tenant_id)
        computed: Counter[Cell] = Counter()
        for found in self.records(tenant_id):
            report.records += 1
            computed.update(contributions(found, tz))
        return self._compare(report, computed, repair=repair)

    # --- in chunks (the RollupRebuild state machine) -------------------------------------------

    def start(self, tenant_id: str, *, repair: bool, reason: str, settle_s: int | None = None) -> str | None:
        """Start a chunked reconciliation (with `repair`: a rebuild) in the background; the run's
        name, or None when there is no background runner (tests without one)."""
        if self._workflows is None:
            return None
        run = f"{tenant_id}-{reason}-{self._clock():%Y%m%dT%H%M%S}"
        settle = SETTLE_S if settle_s is None else settle_s
        payload = {"tenant_id": tenant_id, "repair": repair, "run": run, "step": 0, "settle_s": settle}
        self._workflows.start(REBUILD_MACHINE, run, payload)
        return run

    def step(self, state: dict[str, Any], time_budget: float | None = None) -> dict[str, Any]:
        """One step of a chunked run: read pages of records while `time_budget` lasts, adding
        what they contribute to the partial sums kept in the bucket between steps; once every
        source is read, compare (and repair). `state` is the previous step's output."""
        from chalicelib.domain.rollups.records import contributions

        deadline = None if time_budget is None else time.monotonic() + time_budget
        tenant_id, run, n = state["tenant_id"], state["run"], int(state.get("step", 0))
        files = self._require_files()
        tz = self._tz(tenant_id)
        if n == 0:
            scratch: dict[str, Any] = {"sources": self.sources(tenant_id), "source": 0, "cursor": None,
                                       "records": 0, "sums": []}  # fmt: skip
        else:
            raw = files.get(_scratch_key(tenant_id, run, n))
            if raw is None:
                raise RuntimeError(f"reconciliation {run}: the partial sums of step {n} are missing")
            scratch = json.loads(gzip.decompress(raw))
        sums: Counter[Cell] = Counter({(a, b, c): v for a, b, c, v in scratch["sums"]})
        sources: list[str] = scratch["sources"]
        while scratch["source"] < len(sources):
            page = self.fetch(tenant_id, sources[scratch["source"]], scratch["cursor"])
            for found in page.items:
                sums.update(contributions(found, tz))
            scratch["records"] += len(page.items)
            if page.next_cursor is None:
                scratch["source"], scratch["cursor"] = scratch["source"] + 1, None
            else:
                scratch["cursor"] = page.next_cursor
            if deadline is not None and time.monotonic() > deadline and scratch["source"] < len(sources):
                scratch["sums"] = [[*cell, v] for cell, v in sums.items() if v]
                files.put(
                    _scratch_key(tenant_id, run, n + 1), gzip.compress(json.dumps(scratch).encode()), "application/gzip"
                )
                return {**state, "step": n + 1, "done": False, "records": scratch["records"]}
        report = self._compare(
            Reconciliation(tenant_id, records=scratch["records"]), sums, repair=bool(state.get("repair"))
        )
        logger.info(
            "rollups reconciled in steps",
            extra={"tenant_id": tenant_id, "run": run, "steps": n + 1, "differences": len(report.differences),
                   "repaired": report.repaired},
        )  # fmt: skip
        return {**state, "step": n + 1, "done": True, **report.summary()}

    # --- shared --------------------------------------------------------------------------------

    def _compare(self, report: Reconciliation, computed: Counter[Cell], *, repair: bool) -> Reconciliation:
        now = self._clock()
        rollups = self._storage.rollups(report.tenant_id)
        stored: Counter[Cell] = Counter()
        scopes = {metrics.ALL, *self._user_ids(report.tenant_id), *(scope for scope, _, _ in computed)}
        for scope in sorted(scopes):
            stored.update(rollups.stored(scope))
        report.differences = differences(stored, computed, now)
        report.cells = len({c for c in (stored | computed) if is_kept(c[1], now)})
        if repair and report.differences:
            rollups.add({cell: want - have for cell, (have, want) in report.differences.items()})
            report.repaired = True
        return report

    def _tz(self, tenant_id: str) -> ZoneInfo:
        from zoneinfo import ZoneInfo  # a run's first need: `start` (the API's) has none

        crm = self._storage.crms.get(tenant_id)
        if crm is None:
            raise NotFoundError("no such CRM")
        return ZoneInfo(crm.timezone)

    def _require_files(self) -> FileStore:
        if self._files is None:
            raise RuntimeError("a chunked reconciliation needs the file store")
        return self._files

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
