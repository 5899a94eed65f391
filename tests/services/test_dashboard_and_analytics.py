"""The dashboard and analytics reports, from rollup cells seeded in FakeRollups."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from chalicelib.domain import metrics
from chalicelib.domain.analytics import Interval, Report
from chalicelib.domain.errors import ForbiddenError, NotFoundError, ValidationError
from chalicelib.domain.rights import GroupType, Permission
from chalicelib.domain.sources import SourceParam, SourceTag
from chalicelib.services.analytics import AnalyticsService
from chalicelib.services.dashboard import DashboardService
from tests.services.world import World

# START is Monday 2026-03-02 09:00 UTC; the world's clock is moved to Wednesday 10:00 UTC.
NOW = datetime(2026, 3, 4, 10, 0, tzinfo=UTC)


def d(day: str) -> str:
    return metrics.day_period(date.fromisoformat(day))


def q(at: datetime) -> str:
    return metrics.recent_period(at)


@pytest.fixture
def now(world: World) -> datetime:
    world.clock.set(NOW)
    return NOW


def dashboard(world: World) -> DashboardService:
    return DashboardService(world.storage, world.clock)


def analytics(world: World) -> AnalyticsService:
    return AnalyticsService(world.storage, world.clock)


def data(views: list) -> dict:
    return {v.placement.id.value: v.data for v in views}


def test_the_dashboard_cuts_today_and_this_week_in_the_callers_zone(world: World, now: datetime) -> None:
    me = world.user("Mia Manager")
    other = world.user("Oscar Other")
    cells = world.storage.rollups(world.tenant_id)
    cells.add(
        {
            (metrics.ALL, metrics.NOW, metrics.CLIENTS_TOTAL): 42,
            (metrics.ALL, metrics.NOW, metrics.UNSORTED): 5,
            (me.user_id, metrics.NOW, metrics.LEADS_MINE): 7,
            (me.user_id, metrics.NOW, metrics.TASKS_OVERDUE): 2,
            (me.user_id, metrics.NOW, metrics.TASKS_IN_PROGRESS): 3,
            (other.user_id, metrics.NOW, metrics.TASKS_OVERDUE): 9,
            # Last Sunday 23:00 UTC: Monday 00:00 in Paris, this week.
            (metrics.ALL, q(datetime(2026, 3, 1, 23, 0, tzinfo=UTC)), metrics.CLIENTS_CREATED): 1,
            # Last Sunday 22:45 UTC: still Sunday in Paris, last week.
            (metrics.ALL, q(datetime(2026, 3, 1, 22, 45, tzinfo=UTC)), metrics.CLIENTS_CREATED): 100,
            (metrics.ALL, q(NOW - timedelta(hours=1)), metrics.CLIENTS_CREATED): 2,
            (metrics.ALL, q(NOW - timedelta(hours=1)), metrics.LEADS_CREATED): 4,
            (metrics.ALL, q(NOW - timedelta(days=1)), metrics.LEADS_CREATED): 1,
            (me.user_id, q(NOW - timedelta(minutes=30)), metrics.CALLS_IN): 3,
            (me.user_id, q(NOW - timedelta(days=1)), metrics.CALLS_OUT): 2,
            (other.user_id, q(NOW), metrics.CALLS_IN): 50,
            # Tasks due this week, later ones included; one done.
            (me.user_id, q(NOW - timedelta(days=1)), metrics.TASKS_DUE): 1,
            (me.user_id, q(NOW - timedelta(days=1)), metrics.TASKS_DUE_DONE): 1,
            (me.user_id, q(NOW + timedelta(days=2)), metrics.TASKS_DUE): 2,
        }
    )
    views = dashboard(world).dashboard(me)
    assert [v.placement.id.value for v in views] == [
        "clients", "my_leads", "tasks_completed", "tasks_overdue", "tasks_in_progress", "my_calls", "new_leads",
    ]  # fmt: skip
    assert data(views) == {
        "clients": {"total": 42, "new_this_week": 3, "new_today": 2},
        "my_leads": {"mine": 7, "unsorted": 5},
        "tasks_completed": {"completed_this_week": 1, "total_this_week": 3},
        "tasks_overdue": {"count": 2},
        "tasks_in_progress": {"count": 3},
        "my_calls": {"incoming_today": 3, "outgoing_today": 0, "incoming_this_week": 3, "outgoing_this_week": 2},
        "new_leads": {"today": 4, "this_week": 5},
    }


def test_a_saved_layout_orders_and_hides_widgets_per_user(world: World, now: datetime) -> None:
    me, other = world.user("Mia Manager"), world.user("Oscar Other")
    views = dashboard(world).set_layout(me, [("new_leads", False, 3), ("clients", True, 7)])
    assert [(v.placement.id.value, v.placement.visible, v.placement.position) for v in views][:3] == [
        ("new_leads", False, 0),
        ("clients", True, 1),
        ("my_leads", True, 2),
    ]
    assert dashboard(world).dashboard(me)[0].placement.id.value == "new_leads"
    assert dashboard(world).dashboard(other)[0].placement.id.value == "clients"
    with pytest.raises(ValidationError) as bad:
        dashboard(world).set_layout(me, [("clients", True, 0), ("clients", True, 1)])
    assert bad.value.field == "widgets[1].id"


def seed_deals(world: World, scope: str) -> None:
    world.storage.rollups(world.tenant_id).add(
        {
            (scope, d("2026-03-02"), metrics.DEALS_CREATED): 3,
            (scope, d("2026-03-02"), metrics.funnel("new")): 3,
            (scope, d("2026-03-02"), metrics.funnel("in_progress")): 2,
            (scope, d("2026-03-02"), metrics.funnel("decision")): 2,
            (scope, d("2026-03-02"), metrics.funnel("payment")): 2,
            (scope, d("2026-03-02"), metrics.funnel("success")): 2,
            (scope, d("2026-03-02"), metrics.funnel("canceled")): 1,
            (scope, d("2026-03-03"), metrics.DEALS_WON): 2,
            (scope, d("2026-03-03"), metrics.WON_VALUE): 123450,
            (scope, d("2026-03-03"), metrics.WON_DURATION_S): 2 * 86400,
            (scope, d("2026-03-04"), metrics.DEALS_CANCELED): 1,
        }
    )


def test_the_deals_report_totals_the_funnel_and_a_series(world: World, now: datetime) -> None:
    seed_deals(world, metrics.ALL)
    report = analytics(world).report(world.admin, Report.DEALS, first=date(2026, 3, 1), interval=Interval.WEEK)
    assert (report["from"], report["to"], report["interval"]) == (date(2026, 3, 1), date(2026, 3, 4), "week")
    assert report["totals"] == {
        "created": 3,
        "won": 2,
        "canceled": 1,
        "won_value": {"amount": "1234.50", "currency": "EUR"},
        "conversion": pytest.approx(2 / 3),
        "avg_duration_days": 1.0,
    }
    assert [(s["status"], s["count"]) for s in report["funnel"]] == [
        ("new", 3), ("in_progress", 2), ("decision", 2), ("payment", 2), ("success", 2), ("canceled", 1),
    ]  # fmt: skip
    assert report["series"] == [
        {"date": date(2026, 2, 23), "created": 0, "won": 0, "won_value": {"amount": "0.00", "currency": "EUR"}},
        {"date": date(2026, 3, 2), "created": 3, "won": 2, "won_value": {"amount": "1234.50", "currency": "EUR"}},
    ]


def test_the_default_period_is_the_last_30_days_of_the_company(world: World, now: datetime) -> None:
    report = analytics(world).report(world.admin, Report.CLIENTS)
    assert (report["from"], report["to"]) == (date(2026, 2, 3), date(2026, 3, 4))
    assert len(report["series"]) == 30


def test_another_users_figures_need_the_areas_view_all_right(world: World, now: datetime) -> None:
    me = world.user("Mia Manager", GroupType.MANAGER)
    other = world.user("Oscar Other")
    seed_deals(world, me.user_id)
    service = analytics(world)
    assert service.report(me, Report.DEALS, user_id=me.user_id)["totals"]["won"] == 2
    for report in Report:
        with pytest.raises(ForbiddenError) as refused:
            service.report(me, report, user_id=other.user_id)
        assert refused.value.field == "user_id"
    calls_viewer = world.user("Cal Caller", frozenset({Permission.CALLS_OTHER_USERS_ACCESS}))
    assert service.report(calls_viewer, Report.CALLS, user_id=other.user_id)["totals"]["incoming"] == 0
    with pytest.raises(ForbiddenError):
        service.report(calls_viewer, Report.DEALS, user_id=other.user_id)
    with pytest.raises(NotFoundError) as unknown:
        service.report(world.admin, Report.DEALS, user_id="nobody")
    assert unknown.value.field == "user_id"


def test_by_user_rows_are_everyones_with_the_right_else_ones_own(world: World, now: datetime) -> None:
    me = world.user("Mia Manager")
    other = world.user("Oscar Other")
    world.storage.rollups(world.tenant_id).add(
        {
            (me.user_id, d("2026-03-03"), metrics.CALLS_IN): 2,
            (me.user_id, d("2026-03-03"), metrics.TALK_S): 60,
            (other.user_id, d("2026-03-03"), metrics.CALLS_OUT): 5,
            (metrics.ALL, d("2026-03-03"), metrics.CALLS_IN): 2,
            (metrics.ALL, d("2026-03-03"), metrics.CALLS_OUT): 5,
            (metrics.ALL, d("2026-03-03"), metrics.CALLS_MISSED): 1,
        }
    )
    service = analytics(world)
    everyone = service.report(world.admin, Report.CALLS)
    assert everyone["totals"] == {"incoming": 2, "outgoing": 5, "missed": 1, "duration_s": 0}
    rows = {r["user_id"]: r for r in everyone["by_user"]}
    assert set(rows) == {world.admin.user_id, me.user_id, other.user_id}
    assert rows[me.user_id] == {"user_id": me.user_id, "incoming": 2, "outgoing": 0, "missed": 0, "duration_s": 60}
    own = service.report(me, Report.CALLS)
    assert [r["user_id"] for r in own["by_user"]] == [me.user_id]
    team = service.report(world.admin, Report.TEAM, user_id=other.user_id)
    assert team["by_user"] == [
        {
            "user_id": other.user_id, "calls": 5, "talk_s": 0, "clients_created": 0, "leads_converted": 0,
            "deals_won": 0, "won_value": {"amount": "0.00", "currency": "EUR"}, "tasks_completed": 0,
        }
    ]  # fmt: skip


def test_the_leads_report_counts_sources_and_the_pool_back_from_now(world: World, now: datetime) -> None:
    world.storage.rollups(world.tenant_id).add(
        {
            (metrics.ALL, metrics.NOW, metrics.UNSORTED): 4,
            (metrics.ALL, d("2026-03-02"), metrics.LEADS_CREATED): 3,
            (metrics.ALL, d("2026-03-02"), metrics.leads_by_source("form")): 2,
            (metrics.ALL, d("2026-03-02"), metrics.leads_by_source("manual")): 1,
            (metrics.ALL, d("2026-03-02"), metrics.POOL_DELTA): 3,
            (metrics.ALL, d("2026-03-03"), metrics.LEADS_CONVERTED): 1,
            (metrics.ALL, d("2026-03-03"), metrics.POOL_DELTA): -1,
            (metrics.ALL, d("2026-03-04"), metrics.LEADS_POOR_QUALITY): 1,
            (metrics.ALL, d("2026-03-04"), metrics.POOL_DELTA): 1,
        }
    )
    report = analytics(world).report(world.admin, Report.LEADS, first=date(2026, 3, 1), last=date(2026, 3, 3))
    assert report["totals"] == {"created": 3, "converted": 1, "poor_quality": 0}
    assert report["by_source"] == [{"lead_source": "form", "count": 2}, {"lead_source": "manual", "count": 1}]
    assert [(s["date"], s["unsorted"]) for s in report["series"]] == [
        (date(2026, 3, 1), 1),
        (date(2026, 3, 2), 4),
        (date(2026, 3, 3), 3),
    ]


def test_the_sources_report_lists_each_source_tag(world: World, now: datetime) -> None:
    tag = SourceTag("tag1", SourceParam("utm_source"), "newsletter", "Newsletter", NOW)
    world.storage.source_tags(world.tenant_id).create(tag)
    world.storage.rollups(world.tenant_id).add(
        {
            (metrics.ALL, d("2026-03-03"), metrics.by_source_tag("tag1", "leads")): 4,
            (metrics.ALL, d("2026-03-03"), metrics.by_source_tag("tag1", "won_value")): 990,
        }
    )
    report = analytics(world).report(world.admin, Report.SOURCES)
    assert report["items"] == [
        {
            "source_tag_id": "tag1", "param": "utm_source", "value": "newsletter", "leads": 4, "clients": 0,
            "deals": 0, "won_value": {"amount": "9.90", "currency": "EUR"},
        }
    ]  # fmt: skip


def test_the_tasks_report_reads_gauges_and_completions(world: World, now: datetime) -> None:
    me = world.user("Mia Manager")
    world.storage.rollups(world.tenant_id).add(
        {
            (me.user_id, metrics.NOW, metrics.TASKS_OPEN): 4,
            (me.user_id, metrics.NOW, metrics.TASKS_OVERDUE): 1,
            (me.user_id, d("2026-03-03"), metrics.TASKS_COMPLETED): 2,
        }
    )
    report = analytics(world).report(me, Report.TASKS)
    assert report["by_user"] == [{"user_id": me.user_id, "open": 4, "completed": 2, "overdue": 1}]


def test_bad_periods_name_the_field(world: World, now: datetime) -> None:
    with pytest.raises(ValidationError) as bad:
        analytics(world).report(world.admin, Report.DEALS, first=date(2026, 3, 4), last=date(2026, 3, 1))
    assert bad.value.field == "to"
    with pytest.raises(ValidationError) as bad:
        analytics(world).report(world.admin, Report.DEALS, first=date(2022, 1, 1), last=date(2026, 3, 1))
    assert bad.value.field == "to"


def test_without_the_areas_right_a_report_is_ones_own(world: World, now: datetime) -> None:
    me = world.user("Sam Seller", frozenset())  # no view-all right at all
    other = world.user("Oscar Other")
    tag = SourceTag("tag1", SourceParam("utm_source"), "newsletter", "Newsletter", NOW)
    world.storage.source_tags(world.tenant_id).create(tag)
    world.storage.rollups(world.tenant_id).add(
        {
            (me.user_id, d("2026-03-03"), metrics.CALLS_IN): 2,
            (other.user_id, d("2026-03-03"), metrics.CALLS_IN): 5,
            (metrics.ALL, d("2026-03-03"), metrics.CALLS_IN): 7,
            (me.user_id, d("2026-03-03"), metrics.LEADS_CREATED): 1,
            (metrics.ALL, d("2026-03-03"), metrics.LEADS_CREATED): 3,
            (metrics.ALL, d("2026-03-03"), metrics.POOL_DELTA): 2,
            (metrics.ALL, metrics.NOW, metrics.UNSORTED): 2,
            (me.user_id, d("2026-03-03"), metrics.by_source_tag("tag1", "leads")): 1,
            (metrics.ALL, d("2026-03-03"), metrics.by_source_tag("tag1", "leads")): 3,
        }
    )
    service = analytics(world)
    mine = service.report(me, Report.CALLS)
    assert mine["totals"]["incoming"] == 2
    assert [r["user_id"] for r in mine["by_user"]] == [me.user_id]
    assert service.report(world.admin, Report.CALLS)["totals"]["incoming"] == 7  # the right: the CRM's
    leads = service.report(me, Report.LEADS, first=date(2026, 3, 2), last=date(2026, 3, 3))
    assert leads["totals"]["created"] == 1
    # The pool has no user: its size is the CRM's, for everyone (as on the dashboard).
    assert [(s["date"], s["unsorted"]) for s in leads["series"]] == [(date(2026, 3, 2), 0), (date(2026, 3, 3), 2)]
    assert service.report(me, Report.SOURCES)["items"][0]["leads"] == 1
    assert service.report(world.admin, Report.SOURCES)["items"][0]["leads"] == 3
