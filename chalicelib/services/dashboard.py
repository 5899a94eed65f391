"""The dashboard (SPEC DB-1..7): the caller's seven widgets and their layout.

"Today" and "this week" are the caller's (their time zone, else the company's, and their week
start). The figures come from the rollups only: the quarter-hour cells of the whole CRM and of
the caller over this week (one Query each), the gauges of both (one BatchGetItem), the layout
(one GetItem) and, for a caller without a time zone of their own, the CRM (one GetItem): a fixed
number of DynamoDB calls whatever the CRM's size.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from chalicelib.domain import metrics
from chalicelib.domain.analytics import Cells, recent_sums, window
from chalicelib.domain.dashboard import DEFAULT_LAYOUT, Placement, Widget, check_layout, normalise
from chalicelib.domain.errors import NotFoundError
from chalicelib.domain.rights import Access

if TYPE_CHECKING:
    from chalicelib.domain.actor import Actor
    from chalicelib.ports.outside import Clock
    from chalicelib.ports.storage import Storage


@dataclass(frozen=True, slots=True)
class WidgetView:
    placement: Placement
    data: dict[str, int]


class DashboardService:
    def __init__(self, storage: Storage, clock: Clock) -> None:
        self._storage = storage
        self._clock = clock

    def dashboard(self, actor: Actor) -> list[WidgetView]:
        """Every widget in the caller's layout order, hidden ones included (with their data)."""
        actor.require(Access.ANY_USER)
        saved = self._storage.dashboards(actor.tenant_id).get(actor.user_id)
        return self._render(actor, normalise(saved) if saved else DEFAULT_LAYOUT)

    def set_layout(self, actor: Actor, widgets: Sequence[tuple[str, bool, int]]) -> list[WidgetView]:
        """Save the caller's layout (id, visible, position) and answer the dashboard with it."""
        actor.require(Access.ANY_USER)
        layout = check_layout(widgets)
        self._storage.dashboards(actor.tenant_id).save(actor.user_id, layout)
        return self._render(actor, layout)

    def _render(self, actor: Actor, layout: Sequence[Placement]) -> list[WidgetView]:
        data = self.figures(actor)
        return [WidgetView(p, data[p.id]) for p in layout]

    def figures(self, actor: Actor) -> dict[Widget, dict[str, int]]:
        """Every widget's data for the caller, now."""
        tz = ZoneInfo(actor.user.timezone or self._company_timezone(actor))
        when = window(self._clock(), tz, actor.user.week_start.value)
        rollups = self._storage.rollups(actor.tenant_id)
        # The whole week, future quarter-hours included: tasks due later this week count.
        everyone = rollups.recent(metrics.ALL, when.week_start, when.week_end)
        mine = rollups.recent(actor.user_id, when.week_start, when.week_end)
        gauges = rollups.gauges([metrics.ALL, actor.user_id])
        crm_now, my_now = gauges.get(metrics.ALL, {}), gauges.get(actor.user_id, {})

        def today(cells: Mapping[datetime, Cells], *names: str) -> dict[str, int]:
            return recent_sums(cells, when.today_start, when.today_end, names)

        def week(cells: Mapping[datetime, Cells], *names: str) -> dict[str, int]:
            return recent_sums(cells, when.week_start, when.week_end, names)

        calls_today = today(mine, metrics.CALLS_IN, metrics.CALLS_OUT)
        calls_week = week(mine, metrics.CALLS_IN, metrics.CALLS_OUT)
        my_tasks = week(mine, metrics.TASKS_DUE, metrics.TASKS_DUE_DONE)
        return {
            Widget.CLIENTS: {
                "total": crm_now.get(metrics.CLIENTS_TOTAL, 0),
                "new_this_week": week(everyone, metrics.CLIENTS_CREATED)[metrics.CLIENTS_CREATED],
                "new_today": today(everyone, metrics.CLIENTS_CREATED)[metrics.CLIENTS_CREATED],
            },
            Widget.MY_LEADS: {
                "mine": my_now.get(metrics.LEADS_MINE, 0),
                "unsorted": crm_now.get(metrics.UNSORTED, 0),
            },
            Widget.TASKS_COMPLETED: {
                "completed_this_week": my_tasks[metrics.TASKS_DUE_DONE],
                "total_this_week": my_tasks[metrics.TASKS_DUE],
            },
            Widget.TASKS_OVERDUE: {"count": my_now.get(metrics.TASKS_OVERDUE, 0)},
            Widget.TASKS_IN_PROGRESS: {"count": my_now.get(metrics.TASKS_IN_PROGRESS, 0)},
            Widget.MY_CALLS: {
                "incoming_today": calls_today[metrics.CALLS_IN],
                "outgoing_today": calls_today[metrics.CALLS_OUT],
                "incoming_this_week": calls_week[metrics.CALLS_IN],
                "outgoing_this_week": calls_week[metrics.CALLS_OUT],
            },
            Widget.NEW_LEADS: {
                "today": today(everyone, metrics.LEADS_CREATED)[metrics.LEADS_CREATED],
                "this_week": week(everyone, metrics.LEADS_CREATED)[metrics.LEADS_CREATED],
            },
        }

    def _company_timezone(self, actor: Actor) -> str:
        crm = self._storage.crms.get(actor.tenant_id)
        if crm is None:
            raise NotFoundError("no such CRM")
        return crm.timezone
