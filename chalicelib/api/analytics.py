"""Analytics reports (SPEC AN-1..7, DE-5, DE-6, SO), read from the write-time rollups.

`GET /v1/analytics/{report}` for the seven reports of API.md, each its own route (and shape in the
OpenAPI document); any other report name is a 400 naming `report`.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import ConfigDict, Field

from chalicelib.api.routing import Router
from chalicelib.api.schemas import Id, Input, Output
from chalicelib.bootstrap import services
from chalicelib.domain.actor import Actor
from chalicelib.domain.analytics import Interval, Report
from chalicelib.domain.errors import ValidationError
from chalicelib.domain.rights import Access

router = Router(__name__, tag="Analytics")


class ReportQuery(Input):
    from_: date | None = Field(
        None, alias="from", description="First day (company time zone), inclusive; default: 29 days before `to`"
    )
    to: date | None = Field(None, description="Last day, inclusive; default: today. At most ~3 years after `from`")
    interval: Interval = Field(Interval.DAY, description="Series buckets; a week starts on your week start")
    user_id: Id | None = Field(None, description="One user's figures; others' need the report's view-all right")


class AmountOut(Output):
    amount: str = Field(examples=["1234.50"], description="Decimal string")
    currency: str = Field(description="The base currency")


class ReportOut(Output):
    model_config = ConfigDict(from_attributes=True, defer_build=True, serialize_by_alias=True, validate_by_name=True)

    from_: date = Field(alias="from")
    to: date
    interval: Interval


class DealTotals(Output):
    created: int
    won: int
    canceled: int
    won_value: AmountOut
    conversion: float = Field(description="won / (won + canceled), 0..1; 0 when none closed")
    avg_duration_days: float | None = Field(description="Created -> won, mean over won deals; null when none")


class FunnelStep(Output):
    status: str
    count: int = Field(description="Deals created in the period that reached this status")


class DealPoint(Output):
    date: date
    created: int
    won: int
    won_value: AmountOut


class DealsReport(ReportOut):
    totals: DealTotals
    funnel: list[FunnelStep]
    series: list[DealPoint]


class CallFigures(Output):
    incoming: int
    outgoing: int
    missed: int
    duration_s: int


class UserCalls(CallFigures):
    user_id: str


class CallPoint(Output):
    date: date
    incoming: int
    outgoing: int
    missed: int


class CallsReport(ReportOut):
    totals: CallFigures
    by_user: list[UserCalls]
    series: list[CallPoint]


class SourceItem(Output):
    source_tag_id: str
    param: str
    value: str
    leads: int
    clients: int
    deals: int
    won_value: AmountOut


class SourcesReport(ReportOut):
    items: list[SourceItem]


class LeadTotals(Output):
    created: int
    converted: int
    poor_quality: int


class LeadSourceCount(Output):
    lead_source: str
    count: int


class LeadPoint(Output):
    date: date
    created: int
    converted: int
    unsorted: int = Field(description="The unsorted pool's size at the end of the bucket's last day")


class LeadsReport(ReportOut):
    totals: LeadTotals
    by_source: list[LeadSourceCount]
    series: list[LeadPoint]


class ClientTotals(Output):
    created: int


class UserClients(Output):
    user_id: str
    created: int


class ClientPoint(Output):
    date: date
    created: int


class ClientsReport(ReportOut):
    totals: ClientTotals
    by_user: list[UserClients]
    series: list[ClientPoint]


class UserTasks(Output):
    user_id: str
    open: int = Field(description="Now")
    completed: int = Field(description="In the period")
    overdue: int = Field(description="Now")


class TasksReport(ReportOut):
    by_user: list[UserTasks]


class UserTeam(Output):
    user_id: str
    calls: int
    talk_s: int
    clients_created: int
    leads_converted: int
    deals_won: int
    won_value: AmountOut
    tasks_completed: int


class TeamReport(ReportOut):
    by_user: list[UserTeam]


def _report(actor: Actor, report: Report, query: ReportQuery) -> dict[str, Any]:
    return services().analytics.report(
        actor, report, first=query.from_, last=query.to, interval=query.interval, user_id=query.user_id
    )


@router.route("/analytics/deals", "GET", right=Access.ANY_USER, query=ReportQuery, response=DealsReport)
def deals_report(actor: Actor, query: ReportQuery) -> DealsReport:
    """Deals: totals, conversion, average duration, the funnel and a series (others': customers_view_all)."""
    return DealsReport.model_validate(_report(actor, Report.DEALS, query))


@router.route("/analytics/calls", "GET", right=Access.ANY_USER, query=ReportQuery, response=CallsReport)
def calls_report(actor: Actor, query: ReportQuery) -> CallsReport:
    """Calls: totals, per user and a series (others': calls_other_users_access)."""
    return CallsReport.model_validate(_report(actor, Report.CALLS, query))


@router.route("/analytics/sources", "GET", right=Access.ANY_USER, query=ReportQuery, response=SourcesReport)
def sources_report(actor: Actor, query: ReportQuery) -> SourcesReport:
    """Source effectiveness: leads, clients, deals and won value per source tag (others': customers_view_all)."""
    return SourcesReport.model_validate(_report(actor, Report.SOURCES, query))


@router.route("/analytics/leads", "GET", right=Access.ANY_USER, query=ReportQuery, response=LeadsReport)
def leads_report(actor: Actor, query: ReportQuery) -> LeadsReport:
    """Leads: created, converted, poor quality, by lead source, the pool over time (others': leads_view)."""
    return LeadsReport.model_validate(_report(actor, Report.LEADS, query))


@router.route("/analytics/clients", "GET", right=Access.ANY_USER, query=ReportQuery, response=ClientsReport)
def clients_report(actor: Actor, query: ReportQuery) -> ClientsReport:
    """Clients created: totals, per user and a series (others': customers_view_all)."""
    return ClientsReport.model_validate(_report(actor, Report.CLIENTS, query))


@router.route("/analytics/tasks", "GET", right=Access.ANY_USER, query=ReportQuery, response=TasksReport)
def tasks_report(actor: Actor, query: ReportQuery) -> TasksReport:
    """Tasks per user: open and overdue now, completed in the period (others': calendar_other_users_access)."""
    return TasksReport.model_validate(_report(actor, Report.TASKS, query))


@router.route("/analytics/team", "GET", right=Access.ANY_USER, query=ReportQuery, response=TeamReport)
def team_report(actor: Actor, query: ReportQuery) -> TeamReport:
    """Team productivity per user (others': customers_view_all)."""
    return TeamReport.model_validate(_report(actor, Report.TEAM, query))


@router.route("/analytics/{report}", "GET", right=Access.ANY_USER)
def unknown_report(actor: Actor, report: str) -> None:
    """Any other report name: 400 naming `report`."""
    raise ValidationError(f"unknown report {report!r}: one of {', '.join(r.value for r in Report)}", field="report")
