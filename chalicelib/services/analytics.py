"""Analytics reports (SPEC AN-1..7, DE-5, DE-6, SO): read from the write-time rollups, never from
the records.

A report reads the day cells of one scope (the whole CRM, or the user asked for) over the
period: one Query. Reports with `by_user` read one Query per user shown (the users themselves
are one Query a hundred users), the `tasks` report one BatchGetItem of the users' gauges, the
`sources` report one Query of the source tags, the `leads` report the CRM's pool gauge and day
cells up to today. The cost grows with the days and users, never with the records.

Rights (docs/analytics-api.md): `user_id` other than one's own needs the view-all right of the
report's area (AREA_RIGHT). Without `user_id`, a caller with that right gets the whole CRM's
figures (and every user in `by_user`), a caller without it their own (as `user_id` = oneself).
The leads report's pool series is CRM-wide for everyone (the pool has no user; the dashboard
shows its size to everyone too).

The reports are returned as the API's JSON shapes (API.md "Analytics"), dates as `date`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from chalicelib.domain import metrics
from chalicelib.domain.analytics import (
    Cells,
    Interval,
    Period,
    Report,
    avg_duration_days,
    conversion,
    money,
    pool_series,
    prefixed,
    resolve_period,
    series,
    total,
    total_all,
)
from chalicelib.domain.deals import BOARD_ORDER
from chalicelib.domain.errors import ForbiddenError, NotFoundError
from chalicelib.domain.paging import MAX_LIMIT
from chalicelib.domain.rights import Access, Permission

if TYPE_CHECKING:
    from chalicelib.domain.actor import Actor
    from chalicelib.domain.crm import Crm
    from chalicelib.domain.users import User
    from chalicelib.ports.outside import Clock
    from chalicelib.ports.storage import Rollups, Storage

# The right that shows other users' figures, per report (docs/analytics-api.md).
AREA_RIGHT: Mapping[Report, Permission] = {
    Report.DEALS: Permission.CUSTOMERS_VIEW_ALL,
    Report.CALLS: Permission.CALLS_OTHER_USERS_ACCESS,
    Report.SOURCES: Permission.CUSTOMERS_VIEW_ALL,
    Report.LEADS: Permission.LEADS_VIEW,
    Report.CLIENTS: Permission.CUSTOMERS_VIEW_ALL,
    Report.TASKS: Permission.CALENDAR_OTHER_USERS_ACCESS,
    # Team productivity is mostly clients, conversions and won deals: the customer base's right.
    Report.TEAM: Permission.CUSTOMERS_VIEW_ALL,
}

Json = dict[str, Any]


class AnalyticsService:
    def __init__(self, storage: Storage, clock: Clock) -> None:
        self._storage = storage
        self._clock = clock

    def report(
        self,
        actor: Actor,
        report: Report,
        *,
        first: date | None = None,
        last: date | None = None,
        interval: Interval = Interval.DAY,
        user_id: str | None = None,
    ) -> Json:
        actor.require(Access.ANY_USER)
        right = AREA_RIGHT[report]
        sees_all = actor.can(right)
        if user_id is not None and user_id != actor.user_id:
            if not sees_all:
                raise ForbiddenError(f"another user's figures need the '{right.value}' right", field="user_id")
            if self._storage.users(actor.tenant_id).get(user_id) is None:
                raise NotFoundError("no such user in this CRM", field="user_id")
        if user_id is None and not sees_all:
            user_id = actor.user_id  # without the area's right, one's own figures
        crm = self._crm(actor)
        today = self._clock().astimezone(ZoneInfo(crm.timezone)).date()
        first, last = resolve_period(first, last, today)
        run = _Run(
            self._storage,
            actor,
            crm,
            Period(first, last, interval, actor.user.week_start.value),
            today,
            user_id,
            sees_all,
        )
        body: Json = getattr(run, report.value)()
        return {"from": first, "to": last, "interval": interval.value, **body}

    def _crm(self, actor: Actor) -> Crm:
        crm = self._storage.crms.get(actor.tenant_id)
        if crm is None:
            raise NotFoundError("no such CRM")
        return crm


class _Run:
    """One report's reads and assembly."""

    def __init__(
        self,
        storage: Storage,
        actor: Actor,
        crm: Crm,
        period: Period,
        today: date,
        user_id: str | None,
        sees_all: bool,
    ) -> None:
        self.storage, self.actor, self.period, self.today = storage, actor, period, today
        self.currency = crm.base_currency
        self.user_id = user_id
        self.scope = user_id or metrics.ALL
        self.sees_all = sees_all
        self.rollups: Rollups = storage.rollups(actor.tenant_id)

    # --- reads ---------------------------------------------------------------------------------

    def days(self, scope: str | None = None) -> dict[date, dict[str, int]]:
        return self.rollups.days(scope or self.scope, self.period.first, self.period.last)

    def users(self) -> list[tuple[str, bool]]:
        """(id, active) of the users `by_user` shows: the one asked for; else, with the area's
        right, everyone (one Query a hundred users); else the caller."""
        if self.user_id is not None:
            return [(self.user_id, True)]
        if not self.sees_all:
            return [(self.actor.user_id, True)]
        repo = self.storage.users(self.actor.tenant_id)
        found: list[User] = []
        cursor: str | None = None
        while True:
            page = repo.list_by_name(limit=MAX_LIMIT, cursor=cursor)
            found.extend(page.items)
            cursor = page.next_cursor
            if cursor is None:
                return [(u.id, u.active) for u in found]

    def per_user(self) -> list[tuple[str, dict[date, dict[str, int]]]]:
        """(user id, day cells) for each user shown (one Query each); deactivated users without
        figures in the period are left out."""
        rows = []
        for uid, active in self.users():
            days = self.days(uid)
            if days or active:
                rows.append((uid, days))
        return rows

    def money(self, minor: int) -> Json:
        return {"amount": money(minor, self.currency), "currency": self.currency}

    # --- reports -------------------------------------------------------------------------------

    def deals(self) -> Json:
        days = self.days()
        t = total(
            days,
            metrics.DEALS_CREATED,
            metrics.DEALS_WON,
            metrics.DEALS_CANCELED,
            metrics.WON_VALUE,
            metrics.WON_DURATION_S,
        )
        won, canceled = t[metrics.DEALS_WON], t[metrics.DEALS_CANCELED]
        steps = total(days, *(metrics.funnel(s.value) for s in BOARD_ORDER))
        return {
            "totals": {
                "created": t[metrics.DEALS_CREATED],
                "won": won,
                "canceled": canceled,
                "won_value": self.money(t[metrics.WON_VALUE]),
                "conversion": conversion(won, canceled),
                "avg_duration_days": avg_duration_days(t[metrics.WON_DURATION_S], won),
            },
            "funnel": [{"status": s.value, "count": steps[metrics.funnel(s.value)]} for s in BOARD_ORDER],
            "series": [
                {
                    "date": start,
                    "created": v[metrics.DEALS_CREATED],
                    "won": v[metrics.DEALS_WON],
                    "won_value": self.money(v[metrics.WON_VALUE]),
                }
                for start, v in series(self.period, days, metrics.DEALS_CREATED, metrics.DEALS_WON, metrics.WON_VALUE)
            ],
        }

    def calls(self) -> Json:
        names = (metrics.CALLS_IN, metrics.CALLS_OUT, metrics.CALLS_MISSED, metrics.TALK_S)

        def figures(cells: Mapping[date, Cells]) -> Json:
            t = total(cells, *names)
            return {
                "incoming": t[metrics.CALLS_IN],
                "outgoing": t[metrics.CALLS_OUT],
                "missed": t[metrics.CALLS_MISSED],
                "duration_s": t[metrics.TALK_S],
            }

        days = self.days()
        return {
            "totals": figures(days),
            "by_user": [{"user_id": uid, **figures(d)} for uid, d in self._per_user_reusing(days)],
            "series": [
                {
                    "date": start,
                    "incoming": v[metrics.CALLS_IN],
                    "outgoing": v[metrics.CALLS_OUT],
                    "missed": v[metrics.CALLS_MISSED],
                }
                for start, v in series(self.period, days, *names)
            ],
        }

    def sources(self) -> Json:
        sums = total_all(self.days())
        items = []
        for tag in self.storage.source_tags(self.actor.tenant_id).list_all():
            counts = {what: sums.get(metrics.by_source_tag(tag.id, what), 0) for what in metrics.SOURCE_COUNTS}
            items.append(
                {
                    "source_tag_id": tag.id,
                    "param": tag.param.value,
                    "value": tag.value,
                    "leads": counts["leads"],
                    "clients": counts["clients"],
                    "deals": counts["deals"],
                    "won_value": self.money(counts["won_value"]),
                }
            )
        return {"items": items}

    def leads(self) -> Json:
        # The pool's size at the end of a day is the size now less the deltas of the days after:
        # the CRM's day cells are read up to today (one Query, shared with the report's own
        # cells when the report is the CRM's).
        pool_last = max(self.period.last, self.today)
        pool_days = self.rollups.days(metrics.ALL, self.period.first, pool_last)
        days = pool_days if self.scope == metrics.ALL else self.days()
        pool_now = self.rollups.gauges([metrics.ALL]).get(metrics.ALL, {}).get(metrics.UNSORTED, 0)
        names = (metrics.LEADS_CREATED, metrics.LEADS_CONVERTED, metrics.LEADS_POOR_QUALITY)
        in_period = {d: c for d, c in days.items() if self.period.first <= d <= self.period.last}
        t = total(in_period, *names)
        by_source = prefixed(total_all(in_period), metrics.leads_by_source(""))
        sizes = pool_series(self.period, pool_now, pool_days, metrics.POOL_DELTA)
        buckets = series(self.period, days, metrics.LEADS_CREATED, metrics.LEADS_CONVERTED)
        return {
            "totals": {
                "created": t[metrics.LEADS_CREATED],
                "converted": t[metrics.LEADS_CONVERTED],
                "poor_quality": t[metrics.LEADS_POOR_QUALITY],
            },
            "by_source": [
                {"lead_source": source, "count": count}
                for source, count in sorted(by_source.items(), key=lambda kv: (-kv[1], kv[0]))
            ],
            "series": [
                {
                    "date": start,
                    "created": v[metrics.LEADS_CREATED],
                    "converted": v[metrics.LEADS_CONVERTED],
                    "unsorted": size,
                }
                for (start, v), size in zip(buckets, sizes, strict=True)
            ],
        }

    def clients(self) -> Json:
        days = self.days()
        return {
            "totals": {"created": total(days, metrics.CLIENTS_CREATED)[metrics.CLIENTS_CREATED]},
            "by_user": [
                {"user_id": uid, "created": total(d, metrics.CLIENTS_CREATED)[metrics.CLIENTS_CREATED]}
                for uid, d in self._per_user_reusing(days)
            ],
            "series": [
                {"date": start, "created": v[metrics.CLIENTS_CREATED]}
                for start, v in series(self.period, days, metrics.CLIENTS_CREATED)
            ],
        }

    def tasks(self) -> Json:
        rows = self.per_user()
        gauges = self.rollups.gauges([uid for uid, _ in rows]) if rows else {}
        return {
            "by_user": [
                {
                    "user_id": uid,
                    "open": gauges.get(uid, {}).get(metrics.TASKS_OPEN, 0),
                    "completed": total(d, metrics.TASKS_COMPLETED)[metrics.TASKS_COMPLETED],
                    "overdue": gauges.get(uid, {}).get(metrics.TASKS_OVERDUE, 0),
                }
                for uid, d in rows
            ]
        }

    def team(self) -> Json:
        names = (
            metrics.CALLS_IN,
            metrics.CALLS_OUT,
            metrics.TALK_S,
            metrics.CLIENTS_CREATED,
            metrics.LEADS_CONVERTED,
            metrics.DEALS_WON,
            metrics.WON_VALUE,
            metrics.TASKS_COMPLETED,
        )
        rows = []
        for uid, days in self.per_user():
            t = total(days, *names)
            rows.append(
                {
                    "user_id": uid,
                    "calls": t[metrics.CALLS_IN] + t[metrics.CALLS_OUT],
                    "talk_s": t[metrics.TALK_S],
                    "clients_created": t[metrics.CLIENTS_CREATED],
                    "leads_converted": t[metrics.LEADS_CONVERTED],
                    "deals_won": t[metrics.DEALS_WON],
                    "won_value": self.money(t[metrics.WON_VALUE]),
                    "tasks_completed": t[metrics.TASKS_COMPLETED],
                }
            )
        return {"by_user": rows}

    def _per_user_reusing(self, days: dict[date, dict[str, int]]) -> Sequence[tuple[str, Mapping[date, Cells]]]:
        """by_user rows; when the report is one user's, its own cells are that user's row."""
        if self.user_id is not None:
            return [(self.user_id, days)]
        return self.per_user()
