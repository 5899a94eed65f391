"""The rollup cells and closed-lead tombstones (AP63-AP66), against moto."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from chalicelib.db.repositories.rollups import RollupRepository
from chalicelib.db.writes import transact
from chalicelib.domain import metrics as m
from chalicelib.domain.contacts import PoolSpan
from chalicelib.domain.rollups.contacts import ClosedLead
from tests.harness import LocalAws
from tests.meter import dynamodb_calls

NOW = datetime.now(UTC).replace(microsecond=0)
TODAY = NOW.date()


def repo() -> RollupRepository:
    return RollupRepository("tenant-1", ZoneInfo("UTC"))


def test_ap63_day_cells_of_a_scope_in_one_paged_query(aws: LocalAws) -> None:
    rollups = repo()
    first = date(2026, 1, 1)
    deltas = {(m.ALL, m.day_period(first + timedelta(days=n)), m.DEALS_WON): n + 1 for n in range(40)}
    deltas |= {("u1", m.day_period(first), m.funnel("new")): 2, (m.ALL, m.day_period(first), "tag.s1.won_value"): 5}
    transact(rollups.updates({k: v for k, v in deltas.items() if k[1] < m.day_period(date(2026, 2, 1))}, NOW))
    rollups.add({k: v for k, v in deltas.items() if k[1] >= m.day_period(date(2026, 2, 1))}, NOW)
    rollups.add({(m.ALL, m.day_period(first), m.DEALS_WON): -1}, NOW)  # ADD on an existing cell
    with dynamodb_calls() as calls:
        days = rollups.days(m.ALL, first, first + timedelta(days=2))
    assert calls.total == 1
    assert days == {
        first: {"tag.s1.won_value": 5},  # deals_won went back to 0: left out
        first + timedelta(days=1): {"deals_won": 2},
        first + timedelta(days=2): {"deals_won": 3},
    }
    assert rollups.days("u1", first, first) == {first: {"funnel.new": 2}}
    assert RollupRepository("tenant-2", ZoneInfo("UTC")).days(m.ALL, first, first) == {}
    cells = rollups.stored(m.ALL)
    assert cells[(m.ALL, m.day_period(first + timedelta(days=39)), m.DEALS_WON)] == 40


def test_ap64_recent_quarter_hours_in_one_query_with_a_ttl(aws: LocalAws) -> None:
    rollups = repo()
    start = m.period_start(m.recent_period(NOW))
    deltas = {
        ("u1", m.recent_period(start), m.CALLS_IN): 2,
        ("u1", m.recent_period(start - timedelta(minutes=15)), m.CALLS_OUT): 1,
        ("u1", m.recent_period(start - timedelta(days=20)), m.CALLS_OUT): 1,  # too old: never written
    }
    updates = rollups.updates(deltas, NOW)
    assert len(updates) == 2
    transact(updates)
    with dynamodb_calls() as calls:
        recent = rollups.recent("u1", start - timedelta(hours=1), start + timedelta(minutes=15))
    assert calls.total == 1
    assert recent == {start: {"calls_in": 2}, start - timedelta(minutes=15): {"calls_out": 1}}
    assert rollups.recent("u1", start, start) == {}


def test_ap65_gauges_of_several_scopes_in_one_batch_get(aws: LocalAws) -> None:
    rollups = repo()
    rollups.add({(m.ALL, m.NOW, m.UNSORTED): 3, ("u1", m.NOW, m.LEADS_MINE): 1, ("u1", m.NOW, m.TASKS_OPEN): 0}, NOW)
    with dynamodb_calls() as calls:
        gauges = rollups.gauges([m.ALL, "u1", "u2"])
    assert calls.total == 1
    assert gauges == {m.ALL: {"unsorted": 3}, "u1": {"leads": 1}, "u2": {}}


def test_ap66_closed_lead_tombstones_oldest_first(aws: LocalAws) -> None:
    rollups = repo()
    leads = [
        ClosedLead(
            id=f"l{n}",
            created_at=NOW - timedelta(days=3),
            closed_at=NOW - timedelta(days=2 - n),
            created_for=None,
            closed_by="u1",
            lead_source="form",
            source_tag_ids=("s1",),
            pool_spans=(PoolSpan(NOW - timedelta(days=3), NOW - timedelta(days=2 - n)),),
        )
        for n in range(3)
    ]
    transact([rollups.closed_lead_put(lead) for lead in reversed(leads)])
    page = rollups.closed_leads(limit=2, cursor=None)
    assert page.items == leads[:2]
    assert page.next_cursor
    assert rollups.closed_leads(limit=2, cursor=page.next_cursor).items == leads[2:]
