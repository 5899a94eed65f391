"""The dashboard (SPEC DB-1..7): the caller's widgets, and their layout."""

from __future__ import annotations

from pydantic import Field

from chalicelib.api.routing import Router
from chalicelib.api.schemas import Input, Output
from chalicelib.bootstrap import services
from chalicelib.domain.actor import Actor
from chalicelib.domain.dashboard import MAX_POSITION, Widget
from chalicelib.domain.rights import Access
from chalicelib.services.dashboard import WidgetView

router = Router(__name__, tag="Dashboard")


class WidgetPlacementIn(Input):
    id: Widget
    visible: bool
    position: int = Field(ge=0, le=MAX_POSITION, description="Only the order matters; unique")


class LayoutIn(Input):
    """Each widget at most once; widgets left out follow the others, visible, in the default order."""

    widgets: list[WidgetPlacementIn] = Field(max_length=len(Widget))


class WidgetOut(Output):
    id: Widget
    visible: bool
    position: int = Field(description="0..6, in the order shown")
    data: dict[str, int] = Field(
        description="clients {total, new_this_week, new_today}; my_leads {mine, unsorted}; tasks_completed "
        "{completed_this_week, total_this_week}; tasks_overdue {count}; tasks_in_progress {count}; my_calls "
        "{incoming_today, outgoing_today, incoming_this_week, outgoing_this_week}; new_leads {today, this_week}"
    )


class DashboardOut(Output):
    """Every widget in layout order (hidden ones too); today and this week are the caller's."""

    widgets: list[WidgetOut]

    @classmethod
    def of(cls, views: list[WidgetView]) -> DashboardOut:
        return cls(
            widgets=[
                WidgetOut(id=v.placement.id, visible=v.placement.visible, position=v.placement.position, data=v.data)
                for v in views
            ]
        )


@router.route("/dashboard", "GET", right=Access.ANY_USER, response=DashboardOut)
def get_dashboard(actor: Actor) -> DashboardOut:
    """The caller's dashboard: seven widgets, today and this week in their time zone and week start."""
    return DashboardOut.of(services().dashboard.dashboard(actor))


@router.route("/dashboard/layout", "PUT", right=Access.ANY_USER, body=LayoutIn, response=DashboardOut)
def put_dashboard_layout(actor: Actor, body: LayoutIn) -> DashboardOut:
    """Save the caller's widget layout (order and visibility); answers the dashboard."""
    widgets = [(w.id.value, w.visible, w.position) for w in body.widgets]
    return DashboardOut.of(services().dashboard.set_layout(actor, widgets))
