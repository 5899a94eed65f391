"""Names of the write-time rollups (docs/analytics.md): where a figure is kept, and under what name.

A rollup cell is (scope, period, metric): `scope` is the whole CRM (`ALL`) or one user's id;
`period` is a day of the company's time zone (`D2026-12-05`), a recent quarter-hour in UTC
(`Q2026-12-05T13:45`, kept a few days, so "today" and "this week" can be cut in any user's time
zone) or `NOW` (a gauge: the current value, e.g. the unsorted pool's size). Every cell is the sum
of what each record (and closed-lead tombstone) contributes to it (`domain/rollups/`), so a
rollup can always be recomputed from the records and compared (reconciliation).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

ALL = "*"  # the scope of the whole CRM; any other scope is a user id
NOW = "NOW"  # the period of gauges

RECENT_STEP = timedelta(minutes=15)  # every UTC offset in use is a multiple of 15 minutes
RECENT_KEEP = timedelta(days=9)  # a week back from any time zone, and a margin; then TTL removes it


def day_period(day: date) -> str:
    return f"D{day.isoformat()}"


def recent_period(at: datetime) -> str:
    """The UTC quarter-hour holding `at`."""
    at = at.astimezone(UTC)
    return f"Q{at.replace(minute=at.minute - at.minute % 15, second=0, microsecond=0):%Y-%m-%dT%H:%M}"


def period_day(period: str) -> date:
    return date.fromisoformat(period[1:])


def period_start(period: str) -> datetime:
    """The UTC start of a recent period."""
    return datetime.strptime(period[1:], "%Y-%m-%dT%H:%M").replace(tzinfo=UTC)


# --- flows, per day (D) and scope ---------------------------------------------------------------
CLIENTS_CREATED = "clients_created"  # clients created directly, and leads converted (at conversion)
LEADS_CREATED = "leads_created"
LEADS_CONVERTED = "leads_converted"
LEADS_POOR_QUALITY = "leads_poor_quality"
POOL_DELTA = "pool_delta"  # leads entering (+1) and leaving (-1) the unsorted pool that day
DEALS_CREATED = "deals_created"
DEALS_WON = "deals_won"
DEALS_CANCELED = "deals_canceled"
WON_VALUE = "won_value"  # minor units of the base currency, at the rate stored with the won deal
WON_DURATION_S = "won_duration_s"  # created -> won, summed over the deals won that day
CALLS_IN = "calls_in"  # every incoming call, missed or not
CALLS_OUT = "calls_out"
CALLS_MISSED = "calls_missed"  # incoming calls nobody answered
TALK_S = "talk_s"
TASKS_CREATED = "tasks_created"
TASKS_COMPLETED = "tasks_completed"
TASKS_WENT_OVERDUE = "tasks_went_overdue"

# --- recent quarter-hours (Q), for the dashboard ------------------------------------------------
TASKS_DUE = "tasks_due"  # tasks ending in that quarter-hour (a task's "due" time is its end)
TASKS_DUE_DONE = "tasks_due_done"  # those of them completed
# plus CLIENTS_CREATED, LEADS_CREATED, CALLS_IN, CALLS_OUT

# --- gauges (NOW) -------------------------------------------------------------------------------
CLIENTS_TOTAL = "clients_total"
LEADS_MINE = "leads"  # leads a user is responsible for (scope: the user)
UNSORTED = "unsorted"  # the unsorted pool (scope: ALL)
TASKS_OPEN = "tasks_open"  # not done (open or in progress)
TASKS_IN_PROGRESS = "tasks_in_progress"
TASKS_OVERDUE = "tasks_overdue"  # not done and past their end


def leads_by_source(lead_source: str) -> str:
    """Leads created from one lead source (`manual`, `call_incoming`, `form`...)."""
    return f"leads_created.{lead_source}"


def funnel(status: str) -> str:
    """Deals created that day that reached `status` or beyond (at any time since): the funnel's
    steps, never growing along the board (`domain.rollups.deals.funnel_steps`)."""
    return f"funnel.{status}"


def entered(status: str) -> str:
    """Deals entering `status` that day (the day of the move)."""
    return f"entered.{status}"


SOURCE_COUNTS = ("leads", "clients", "deals", "won_value")


def by_source_tag(tag_id: str, what: str) -> str:
    """Per source tag (AN-3): `leads` created, `clients` created (or converted), `deals` created
    for a client carrying the tag, `won_value` of those won. Kept for the CRM and for the user
    the event is attributed to (as the other day cells), so a user's sources report is theirs."""
    return f"tag.{tag_id}.{what}"


def source_tag_of(metric: str) -> tuple[str, str] | None:
    """(tag id, what) of a `by_source_tag` metric, else None."""
    if not metric.startswith("tag."):
        return None
    tag_id, _, what = metric[4:].rpartition(".")
    return tag_id, what
