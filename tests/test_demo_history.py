"""The local stack's demo CRM comes with weeks of history written through the normal paths."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from chalicelib.bootstrap import services
from chalicelib.domain import metrics
from chalicelib.domain.contacts import ContactKind
from chalicelib.ports.queries.calls import CallFilter
from chalicelib.ports.queries.contacts import Criteria
from infra.local.seed import DEMO_SLUG, seed_demo, seed_demo_history
from tests.harness import LocalAws


def test_demo_crm_has_weeks_of_calls_contacts_and_deals(aws: LocalAws) -> None:
    assert seed_demo()
    seed_demo_history()
    storage = services().storage
    tenant_id = storage.crms.resolve_slug(DEMO_SLUG)
    assert tenant_id is not None
    weeks_ago = datetime.now(UTC) - timedelta(days=14)
    old_calls = storage.calls(tenant_id).page(None, CallFilter(start_to=weeks_ago), limit=100, cursor=None)
    assert len(old_calls.items) >= 5, "calls reach weeks back"
    assert len({c.user_id for c in old_calls.items}) >= 2, "several users' calls"
    leads = storage.contacts(tenant_id).page(ContactKind.LEAD, Criteria(newest_first=False), limit=100, cursor=None)
    clients = storage.contacts(tenant_id).page(ContactKind.CLIENT, Criteria(), limit=100, cursor=None)
    assert len(leads.items) >= 10
    assert len(clients.items) >= 10
    assert any(c.converted_at is not None for c in clients.items), "some leads became clients"
    assert min(c.created_at for c in leads.items) < weeks_ago
    # The dashboard has figures: the weeks' flows, and tasks left open gone overdue (the due
    # runner's evening passes).
    users = storage.users(tenant_id).list_by_name(limit=10).items
    gauges = storage.rollups(tenant_id).gauges([metrics.ALL, *(u.id for u in users)])
    assert gauges[metrics.ALL][metrics.UNSORTED] > 0
    assert sum(g.get(metrics.TASKS_OVERDUE, 0) for g in gauges.values()) > 0
    month = storage.rollups(tenant_id).days(metrics.ALL, (weeks_ago - timedelta(days=14)).date(), weeks_ago.date())
    assert sum(d.get(metrics.DEALS_WON, 0) + d.get(metrics.CALLS_IN, 0) for d in month.values()) > 0
