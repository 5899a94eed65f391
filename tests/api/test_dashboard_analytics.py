"""The dashboard and analytics over HTTP (API.md "Dashboard", "Analytics"): shapes, validation,
rights and DynamoDB call budgets. The rollups are a FakeRollups seeded with cells (the DynamoDB
rollup repository has its own tests); the budget tests that need the real one skip without it."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

from chalicelib.domain import metrics
from chalicelib.domain.rights import Permission
from tests.fakes.clock import ManualClock
from tests.fakes.rollups import FakeRollups
from tests.harness import Api, CrmSession, add_member
from tests.meter import dynamodb_calls

REPORTS = ("deals", "calls", "sources", "leads", "clients", "tasks", "team")
WIDGETS = ["clients", "my_leads", "tasks_completed", "tasks_overdue", "tasks_in_progress", "my_calls", "new_leads"]


class MeteredRollups(FakeRollups):
    """FakeRollups counting the port's reads (each is one DynamoDB call in the real repository)."""

    def __init__(self) -> None:
        super().__init__()
        self.reads: list[str] = []

    def days(self, scope: str, first: date, last: date) -> dict[date, dict[str, int]]:
        self.reads.append("days")
        return super().days(scope, first, last)

    def recent(self, scope: str, start: datetime, end: datetime) -> dict[datetime, dict[str, int]]:
        self.reads.append("recent")
        return super().recent(scope, start, end)

    def gauges(self, scopes: Any) -> dict[str, dict[str, int]]:
        self.reads.append("gauges")
        return super().gauges(scopes)


@pytest.fixture
def rollups(api: Api, monkeypatch: pytest.MonkeyPatch, clock: ManualClock) -> MeteredRollups:
    from chalicelib.bootstrap import services

    fake = MeteredRollups()
    monkeypatch.setattr(services().storage, "rollups", lambda tenant_id: fake, raising=False)
    return fake


def put(api: Api, path: str, body: Any, token: str) -> Any:
    return api.request("PUT", path, body, token=token)


def test_the_dashboard_has_the_seven_widgets_with_their_data(api: Api, make_crm, rollups: MeteredRollups) -> None:
    crm: CrmSession = make_crm()
    rollups.add(
        {
            (metrics.ALL, metrics.NOW, metrics.CLIENTS_TOTAL): 12,
            (crm.admin["id"], metrics.NOW, metrics.LEADS_MINE): 3,
            (metrics.ALL, metrics.recent_period(datetime.now(UTC)), metrics.LEADS_CREATED): 2,
        }
    )
    reply = api.get("/v1/dashboard", token=crm.token)
    assert reply.status == 200, reply.json
    widgets = reply.json["widgets"]
    assert [w["id"] for w in widgets] == WIDGETS
    assert [(w["visible"], w["position"]) for w in widgets] == [(True, i) for i in range(7)]
    data = {w["id"]: w["data"] for w in widgets}
    assert data["clients"] == {"total": 12, "new_this_week": 0, "new_today": 0}
    assert data["my_leads"] == {"mine": 3, "unsorted": 0}
    assert data["new_leads"] == {"today": 2, "this_week": 2}
    assert set(data["my_calls"]) == {"incoming_today", "outgoing_today", "incoming_this_week", "outgoing_this_week"}
    assert set(data["tasks_completed"]) == {"completed_this_week", "total_this_week"}
    assert data["tasks_overdue"] == {"count": 0}
    assert data["tasks_in_progress"] == {"count": 0}


def test_the_layout_is_saved_per_user(api: Api, make_crm, rollups: MeteredRollups) -> None:
    crm: CrmSession = make_crm()
    colleague = add_member(api, crm)
    layout = {
        "widgets": [
            {"id": "my_calls", "visible": False, "position": 0},
            {"id": "clients", "visible": True, "position": 4},
        ]
    }
    reply = put(api, "/v1/dashboard/layout", layout, crm.token)
    assert reply.status == 200, reply.json
    assert [(w["id"], w["visible"], w["position"]) for w in reply.json["widgets"]][:3] == [
        ("my_calls", False, 0),
        ("clients", True, 1),
        ("my_leads", True, 2),
    ]
    assert "data" in reply.json["widgets"][0]
    assert api.get("/v1/dashboard", token=crm.token).json["widgets"][0]["id"] == "my_calls"
    assert api.get("/v1/dashboard", token=colleague.token).json["widgets"][0]["id"] == "clients"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"widgets": [{"id": "weather", "visible": True, "position": 0}]}, "widgets[0].id"),
        (
            {
                "widgets": [
                    {"id": "clients", "visible": True, "position": 0},
                    {"id": "clients", "visible": True, "position": 1},
                ]
            },
            "widgets[1].id",
        ),
        (
            {
                "widgets": [
                    {"id": "clients", "visible": True, "position": 1},
                    {"id": "my_leads", "visible": True, "position": 1},
                ]
            },
            "widgets[1].position",
        ),
        ({"widgets": [{"id": "clients", "visible": True, "position": -1}]}, "widgets[0].position"),
        ({"widgets": [{"id": "clients", "visible": "yes", "position": 0}]}, "widgets[0].visible"),
        ({"widgets": [{"id": "clients", "position": 0}]}, "widgets[0].visible"),
        ({}, "widgets"),
    ],
)
def test_a_bad_layout_is_a_400_naming_the_field(
    api: Api, make_crm, rollups: MeteredRollups, body: dict[str, Any], field: str
) -> None:
    crm: CrmSession = make_crm()
    reply = put(api, "/v1/dashboard/layout", body, crm.token)
    assert reply.status == 400, reply.json
    assert reply.json["error"]["field"] == field


def test_every_report_has_its_shape(api: Api, make_crm, rollups: MeteredRollups) -> None:
    crm: CrmSession = make_crm()
    today = date.today()
    rollups.add(
        {
            (metrics.ALL, metrics.day_period(today), metrics.DEALS_CREATED): 3,
            (metrics.ALL, metrics.day_period(today), metrics.DEALS_WON): 2,
            (metrics.ALL, metrics.day_period(today), metrics.DEALS_CANCELED): 1,
            (metrics.ALL, metrics.day_period(today), metrics.WON_VALUE): 150000,
        }
    )
    keys = {
        "deals": {"totals", "funnel", "series"},
        "calls": {"totals", "by_user", "series"},
        "sources": {"items"},
        "leads": {"totals", "by_source", "series"},
        "clients": {"totals", "by_user", "series"},
        "tasks": {"by_user"},
        "team": {"by_user"},
    }
    for report in REPORTS:
        reply = api.get(f"/v1/analytics/{report}?interval=week", token=crm.token)
        assert reply.status == 200, (report, reply.json)
        assert set(reply.json) == {"from", "to", "interval"} | keys[report], report
        assert reply.json["interval"] == "week"
    deals = api.get("/v1/analytics/deals", token=crm.token).json
    assert deals["totals"]["conversion"] == pytest.approx(2 / 3)
    assert deals["totals"]["won_value"]["amount"] == "1500.00"
    assert deals["totals"]["avg_duration_days"] == 0.0
    assert [s["status"] for s in deals["funnel"]] == [
        "new",
        "in_progress",
        "decision",
        "payment",
        "success",
        "canceled",
    ]
    assert len(deals["series"]) == 30
    assert set(deals["series"][0]) == {"date", "created", "won", "won_value"}
    team = api.get("/v1/analytics/team", token=crm.token).json["by_user"]
    assert set(team[0]) == {
        "user_id", "calls", "talk_s", "clients_created", "leads_converted", "deals_won", "won_value", "tasks_completed",
    }  # fmt: skip


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("from=2026-02-30", "from"),
        ("to=yesterday", "to"),
        ("from=2026-03-05&to=2026-03-01", "to"),
        ("from=2020-01-01&to=2026-03-01", "to"),
        ("interval=year", "interval"),
        ("user_id=" + "x" * 300, "user_id"),
        ("colour=red", "colour"),
    ],
)
def test_bad_report_parameters_are_a_400_naming_the_field(
    api: Api, make_crm, rollups: MeteredRollups, query: str, field: str
) -> None:
    crm: CrmSession = make_crm()
    reply = api.get(f"/v1/analytics/deals?{query}", token=crm.token)
    assert reply.status == 400, reply.json
    assert reply.json["error"]["field"] == field


def test_an_unknown_report_is_a_400(api: Api, make_crm, rollups: MeteredRollups) -> None:
    crm: CrmSession = make_crm()
    reply = api.get("/v1/analytics/weather", token=crm.token)
    assert reply.status == 400
    assert reply.json["error"]["field"] == "report"


def test_another_users_figures_need_the_areas_right(api: Api, make_crm, rollups: MeteredRollups) -> None:
    crm: CrmSession = make_crm()
    plain = add_member(api, crm)
    caller = add_member(api, crm, {Permission.CALLS_OTHER_USERS_ACCESS})
    admin_id = crm.admin["id"]
    for report in REPORTS:
        refused = api.get(f"/v1/analytics/{report}?user_id={admin_id}", token=plain.token)
        assert refused.status == 403, report
        assert refused.json["error"]["field"] == "user_id"
        assert api.get(f"/v1/analytics/{report}?user_id={plain.id}", token=plain.token).status == 200
    assert api.get(f"/v1/analytics/calls?user_id={admin_id}", token=caller.token).status == 200
    assert api.get(f"/v1/analytics/deals?user_id={admin_id}", token=caller.token).status == 403
    own_rows = api.get("/v1/analytics/calls", token=plain.token).json["by_user"]
    assert [r["user_id"] for r in own_rows] == [plain.id]
    all_rows = api.get("/v1/analytics/calls", token=crm.token).json["by_user"]
    assert {r["user_id"] for r in all_rows} == {admin_id, plain.id, caller.id}
    unknown = api.get("/v1/analytics/deals?user_id=nobody", token=crm.token)
    assert unknown.status == 404
    assert unknown.json["error"]["field"] == "user_id"


def test_the_openapi_document_describes_the_reports(api: Api) -> None:
    doc = api.get("/v1/openapi.json").json
    assert "/v1/dashboard" in doc["paths"]
    assert "put" in doc["paths"]["/v1/dashboard/layout"]
    for report in REPORTS:
        operation = doc["paths"][f"/v1/analytics/{report}"]["get"]
        assert {p["name"] for p in operation["parameters"]} == {"from", "to", "interval", "user_id"}
    deals = doc["components"]["schemas"]["DealsReport"]
    assert {"from", "to", "interval", "totals", "funnel", "series"} <= set(deals["properties"])


# --- budgets -------------------------------------------------------------------------------------


def test_the_dashboard_costs_a_fixed_number_of_reads(api: Api, make_crm, rollups: MeteredRollups) -> None:
    crm: CrmSession = make_crm()
    own_zone = api.get("/v1/me", token=crm.token).json.get("timezone") is not None
    with dynamodb_calls() as calls:
        assert api.get("/v1/dashboard", token=crm.token).status == 200
    # Authentication (2), the layout (and the CRM, for a user without a time zone of their own).
    assert calls == {"GetItem": 3 if own_zone else 4}, str(calls)
    # The rollups: this week's quarter-hours of the CRM and of the caller, the gauges of both.
    assert sorted(rollups.reads) == ["gauges", "recent", "recent"]


def test_a_12_month_report_reads_one_scope_once(api: Api, make_crm, rollups: MeteredRollups) -> None:
    crm: CrmSession = make_crm()
    for report, reads in (("deals", ["days"]), ("calls", ["days", "days"]), ("leads", ["days", "gauges"])):
        rollups.reads.clear()
        with dynamodb_calls() as calls:
            reply = api.get(f"/v1/analytics/{report}?from=2025-03-01&to=2026-02-28&interval=month", token=crm.token)
        assert reply.status == 200
        assert len(reply.json["series"]) == 12
        assert "Scan" not in calls
        assert sorted(rollups.reads) == reads, report


def _real_rollups() -> None:
    pytest.importorskip("chalicelib.db.repositories.rollups")


def test_the_dashboard_costs_the_same_with_10_or_5000_clients(api: Api, make_crm) -> None:
    _real_rollups()
    from tests.api.test_budgets import add_clients

    small, large = make_crm(), make_crm()
    add_clients(small, 10)
    add_clients(large, 5000)

    def cost(crm: CrmSession) -> Any:
        with dynamodb_calls() as calls:
            assert api.get("/v1/dashboard", token=crm.token).status == 200
        return calls

    small_cost, large_cost = cost(small), cost(large)
    assert small_cost == large_cost
    # Authentication (2), the layout (+ the CRM for a user without a time zone), this week's
    # quarter-hours (the CRM's, the caller's), the gauges (both scopes).
    assert small_cost["Query"] == 2, str(small_cost)
    assert small_cost["BatchGetItem"] == 1, str(small_cost)
    assert small_cost["GetItem"] in (2, 3), str(small_cost)
    assert small_cost.total == small_cost["GetItem"] + 4, str(small_cost)


def test_a_12_month_report_is_one_query_and_no_scan(api: Api, make_crm) -> None:
    _real_rollups()
    crm: CrmSession = make_crm()
    with dynamodb_calls() as calls:
        reply = api.get("/v1/analytics/deals?from=2025-03-01&to=2026-02-28&interval=month", token=crm.token)
    assert reply.status == 200
    # Authentication (2; + presence on the first request), the CRM (time zone, base currency), the
    # CRM's day cells.
    assert calls == {"UpdateItem": 1, "GetItem": 3, "Query": 1}, str(calls)
