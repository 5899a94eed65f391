"""Rollups kept by the writes equal their recomputation from the records (reconciliation).

The property test runs random sequences of creates, takes, conversions, poor-quality closings,
deals moved, won and canceled, tasks completed or gone overdue, calls and deletes, across days and users,
through the services over the fakes (which add cells through the same pure function as the
table's repositories), then reconciles.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chalicelib.domain import metrics as m
from chalicelib.domain.call_events import CallEvent
from chalicelib.domain.contacts import ContactKind
from chalicelib.domain.deals import DealStatus
from chalicelib.domain.errors import DomainError, UnavailableError
from chalicelib.domain.ids import new_id
from chalicelib.domain.telephony import CallDirection
from chalicelib.services.company import CompanyService
from chalicelib.services.contacts import ContactInput, ContactService
from chalicelib.services.deals import DealService
from chalicelib.services.due import DueWorker
from chalicelib.services.rollups import REBUILD_MACHINE, RollupService
from chalicelib.services.tasks import TaskService
from tests.fakes.outside import FakeFiles, FakeMailer, FakeSmsSender, FakeWorkflows
from tests.services.world import World

USERS = 3
operation = st.one_of(
    st.tuples(st.just("lead"), st.integers(-1, USERS - 1)),
    st.tuples(st.just("client"), st.integers(0, USERS - 1)),
    st.tuples(st.just("take"), st.integers(0, 50), st.integers(0, USERS - 1)),
    st.tuples(st.just("convert"), st.integers(0, 50)),
    st.tuples(st.just("poor"), st.integers(0, 50)),
    st.tuples(st.just("delete"), st.integers(0, 50)),
    st.tuples(st.just("deal"), st.integers(0, 50), st.integers(0, USERS - 1), st.sampled_from(["EUR", "USD"])),
    st.tuples(st.just("move"), st.integers(0, 50), st.sampled_from(list(DealStatus))),
    st.tuples(st.just("reassign"), st.integers(0, 50), st.integers(0, USERS - 1)),
    st.tuples(st.just("deldeal"), st.integers(0, 50)),
    st.tuples(st.just("task"), st.integers(0, USERS - 1), st.integers(-48, 48)),
    st.tuples(st.just("complete"), st.integers(0, 50)),
    st.tuples(st.just("deltask"), st.integers(0, 50)),
    st.tuples(st.just("call"), st.integers(-1, USERS - 1), st.booleans(), st.booleans(), st.integers(0, 600)),
    st.tuples(st.just("tick"), st.integers(1, 30)),
    st.tuples(st.just("due")),  # the due runner: tasks past their end go overdue
)


def _pick(items: list[Any], n: int) -> Any:
    return items[n % len(items)] if items else None


def run(world: World, operations: list[tuple[Any, ...]]) -> None:  # noqa: C901 - one case per operation
    users = [world.user(f"User{n} Test") for n in range(USERS)]
    contacts, deals, tasks = (
        ContactService(world.storage, world.clock),
        DealService(world.storage, world.clock),
        TaskService(world.storage, world.clock),
    )
    store = world.storage
    admin, tid = world.admin, world.tenant_id
    for op in operations:
        records = store.contacts(tid).records
        leads = sorted(c.id for c in records.values() if c.is_lead)
        clients = sorted(c.id for c in records.values() if not c.is_lead)
        deal_ids, task_ids = sorted(store.deals(tid).records), sorted(store.tasks(tid).records)
        try:
            match op:
                case ("lead", who):
                    owner = users[who].user_id if who >= 0 else None
                    contacts.create(
                        admin, ContactKind.LEAD, ContactInput(name="Lead"), responsible_user_id=owner,
                        unsorted=owner is None,
                    )  # fmt: skip
                case ("client", who):
                    contacts.create(
                        admin, ContactKind.CLIENT, ContactInput(name="Client"), responsible_user_id=users[who].user_id
                    )
                case ("take", n, who) if leads:
                    contacts.take(users[who], _pick(leads, n))
                case ("convert", n) if leads:
                    contacts.close(admin, _pick(leads, n), "client")
                case ("poor", n) if leads:
                    contacts.close(admin, _pick(leads, n), "poor_quality")
                case ("delete", n) if records:
                    contact = records[_pick(sorted(records), n)]
                    contacts.delete(admin, contact.kind, contact.id)
                case ("deal", n, who, currency) if clients:
                    deals.create(
                        admin, "Deal", _pick(clients, n), "100.50", currency, responsible_user_id=users[who].user_id
                    )
                case ("move", n, status) if deal_ids:
                    deals.update(admin, _pick(deal_ids, n), None, status=status)
                case ("reassign", n, who) if deal_ids:
                    deals.update(admin, _pick(deal_ids, n), None, responsible_user_id=users[who].user_id)
                case ("deldeal", n) if deal_ids:
                    deals.delete(admin, _pick(deal_ids, n))
                case ("task", who, hours):
                    start = world.clock() + timedelta(hours=hours)
                    tasks.create(admin, {"title": "Task", "start": start, "responsible_user_id": users[who].user_id})
                case ("complete", n) if task_ids:
                    tasks.complete(admin, _pick(task_ids, n), None)
                case ("deltask", n) if task_ids:
                    tasks.delete(admin, _pick(task_ids, n))
                case ("call", who, incoming, answered, seconds):
                    call_id = new_id()
                    direction = CallDirection.INCOMING if incoming else CallDirection.OUTGOING
                    calls = store.calls(tid)
                    user_id = users[who].user_id if who >= 0 else None
                    calls.apply(CallEvent(call_id, direction, {"started_at": world.clock()}), world.clock())
                    final = {"status": "answer" if answered else "noanswer", "duration_s": seconds}
                    calls.apply(CallEvent(call_id, direction, final=final, ends=True), world.clock(), user_id=user_id)
                case ("tick", hours):
                    world.clock.advance(timedelta(hours=hours))
                case ("due",):
                    DueWorker(store, world.clock, FakeMailer(), FakeSmsSender(), "https://crm.test").run()
                case _:
                    pass
        except DomainError:
            pass  # refused (a right, a closed deal...): nothing was written


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(operation, min_size=5, max_size=40))
def test_rollups_always_equal_their_recomputation(operations: list[tuple[Any, ...]]) -> None:
    world = World()
    run(world, operations)
    report = RollupService(world.storage, world.clock).reconcile(world.tenant_id)
    assert report.differences == {}


def test_a_history_counts_as_the_metrics_say(world: World) -> None:
    run(
        world,
        [
            ("lead", -1), ("take", 0, 1), ("convert", 0), ("deal", 0, 0, "USD"), ("move", 0, DealStatus.SUCCESS),
            ("lead", 2), ("poor", 0), ("task", 0, 1), ("complete", 0), ("call", 0, True, False, 0),
        ],
    )  # fmt: skip
    cells = world.storage.rollups(world.tenant_id).cells
    day = m.day_period(world.clock().date())
    users = sorted({s for s, _, _ in cells if s != m.ALL})
    assert cells[(m.ALL, day, m.LEADS_CREATED)] == 2
    assert cells[(m.ALL, day, m.LEADS_CONVERTED)] == 1
    assert cells[(m.ALL, day, m.LEADS_POOR_QUALITY)] == 1
    assert cells[(m.ALL, day, m.CLIENTS_CREATED)] == 1
    assert cells[(m.ALL, day, m.POOL_DELTA)] == 0  # entered and left the pool the same day
    assert cells[(m.ALL, m.NOW, m.UNSORTED)] == 0
    assert cells[(m.ALL, day, m.DEALS_WON)] == 1
    assert cells[(m.ALL, day, m.WON_VALUE)] == 9045  # 100.50 USD at 0.9, in euro cents
    assert cells[(m.ALL, day, m.CALLS_MISSED)] == 1
    assert cells[(m.ALL, day, m.TASKS_COMPLETED)] == 1
    assert cells[(m.ALL, m.NOW, m.CLIENTS_TOTAL)] == 1
    assert len(users) == 3
    assert RollupService(world.storage, world.clock).reconcile(world.tenant_id).clean


def test_reconciliation_reports_and_repairs_a_difference(world: World) -> None:
    run(world, [("client", 0), ("lead", 1)])
    rollups = world.storage.rollups(world.tenant_id)
    day = m.day_period(world.clock().date())
    rollups.add({(m.ALL, day, m.CLIENTS_CREATED): 2, (m.ALL, day, "stray"): 1})
    service = RollupService(world.storage, world.clock)
    report = service.reconcile(world.tenant_id)
    assert report.differences == {(m.ALL, day, m.CLIENTS_CREATED): (3, 1), (m.ALL, day, "stray"): (1, 0)}
    assert not report.repaired
    assert service.reconcile(world.tenant_id, repair=True).repaired
    assert service.reconcile(world.tenant_id).clean


def test_a_chunked_run_finds_and_repairs_what_a_run_in_one_go_does(world: World) -> None:
    run(world, [("client", 0), ("lead", 1), ("lead", -1), ("task", 2, -3), ("deal", 0, 0, "EUR"), ("tick", 30),
                ("call", 1, True, True, 60), ("move", 0, DealStatus.SUCCESS)])  # fmt: skip
    rollups = world.storage.rollups(world.tenant_id)
    day = m.day_period(world.clock().date())
    rollups.add({(m.ALL, day, m.CLIENTS_CREATED): 2, (m.ALL, day, "stray"): 1})
    files, workflows = FakeFiles(), FakeWorkflows()
    service = RollupService(world.storage, world.clock, files=files, workflows=workflows)
    name = service.start(world.tenant_id, repair=True, reason="test", settle_s=0)
    assert name is not None
    machine, state = workflows.started[name]
    assert machine == REBUILD_MACHINE
    steps = 0
    while not state.get("done"):
        before = dict(state)
        state = service.step(state, time_budget=0)  # a page a step: partial sums in the bucket
        steps += 1
        if not state["done"]:
            assert service.step(before, time_budget=0) == state  # a retried step: the same output
    assert steps > 3
    assert state["records"] == service.reconcile(world.tenant_id).records
    assert (state["difference_count"], state["repaired"]) == (2, True)
    assert [row[:3] for row in state["differences"]] == [[m.ALL, day, m.CLIENTS_CREATED], [m.ALL, day, "stray"]]
    assert service.reconcile(world.tenant_id).clean


def test_a_company_time_zone_change_starts_a_rebuild(world: World) -> None:
    workflows = FakeWorkflows()
    rollups = RollupService(world.storage, world.clock, files=FakeFiles(), workflows=workflows)
    company = CompanyService(world.storage, rollups=rollups)
    crm = company.get(world.admin)
    fields = {"name": crm.name, "country": crm.country, "base_currency": crm.base_currency, "currencies": []}
    company.update(world.admin, None, timezone=crm.timezone, **fields)
    assert workflows.started == {}  # the same zone: nothing to rebuild
    company.update(world.admin, None, timezone="Asia/Tokyo", **fields)
    ((machine, payload),) = workflows.started.values()
    assert (machine, payload["tenant_id"], payload["repair"]) == (REBUILD_MACHINE, world.tenant_id, True)


def test_a_time_zone_change_is_saved_even_when_the_rebuild_cannot_start(world: World) -> None:
    class DownWorkflows(FakeWorkflows):
        def start(self, machine: str, name: str, payload: dict[str, Any]) -> bool:
            raise UnavailableError("the workflow could not be started")

    rollups = RollupService(world.storage, world.clock, files=FakeFiles(), workflows=DownWorkflows())
    company = CompanyService(world.storage, rollups=rollups)
    crm = company.get(world.admin)
    fields = {"name": crm.name, "country": crm.country, "base_currency": crm.base_currency, "currencies": []}
    assert company.update(world.admin, None, timezone="Asia/Tokyo", **fields).timezone == "Asia/Tokyo"
    assert company.get(world.admin).timezone == "Asia/Tokyo"
