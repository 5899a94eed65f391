"""What each record contributes to the write-time rollups (`domain/metrics.py`, docs/analytics.md).

Every rollup cell is the sum, over a CRM's records (contacts, deals, tasks, calls and
closed-lead tombstones), of `contributions(record, tz)`: a pure function of the record and the
company's time zone. A write adds `contributions(after) - contributions(before)` in the same
transaction as the record (`delta`), so the cells always equal what the records say, and
reconciliation can recompute them from the records and compare.

Attribution ("who was responsible when it happened") is stored in the record when it happens
(`attribute_*`, called by the storage layer at each write), so a later reassignment does not
move past figures. Records stored before rollups carry none: they count for their current
responsible user (`_contact_attribution`, `tasks.task_attribution`, a status change's `by`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from zoneinfo import ZoneInfo

from chalicelib.domain import metrics as m
from chalicelib.domain.contacts import Contact, ContactAttribution, LeadSource, PoolSpan
from chalicelib.domain.deals import BOARD_ORDER, Deal, DealStatus
from chalicelib.domain.tasks import Task, TaskAttribution, TaskStatus, is_overdue, mark_overdue, task_attribution
from chalicelib.domain.telephony import Call, CallDirection, CallStatus

Cell = tuple[str, str, str]  # (scope, period, metric)


@dataclass(frozen=True, slots=True)
class ClosedLead:
    """What a lead closed as poor quality (LD-5: the lead is deleted) still counts for: a small
    tombstone kept so `leads_created` and `leads_poor_quality` survive and can be recomputed."""

    id: str
    created_at: datetime
    closed_at: datetime
    created_for: str | None
    closed_by: str | None  # the responsible user when it was closed (None: closed from the pool)
    lead_source: str | None = None
    source_tag_ids: tuple[str, ...] = ()
    pool_spans: tuple[PoolSpan, ...] = ()


Record = Contact | Deal | Task | Call | ClosedLead


def contributions(record: Record | None, tz: ZoneInfo) -> Counter[Cell]:
    """The cells `record` counts in, and by how much (zero cells left out)."""
    found: Counter[Cell] = Counter()
    if record is None:
        return found
    if isinstance(record, Contact):
        _contact(found, record, tz)
    elif isinstance(record, Deal):
        _deal(found, record, tz)
    elif isinstance(record, Task):
        _task_cells(found, record, tz)
    elif isinstance(record, Call):
        _call(found, record, tz)
    else:
        _closed_lead(found, record, tz)
    return Counter({cell: n for cell, n in found.items() if n})


def delta(before: Record | None, after: Record | None, tz: ZoneInfo) -> Counter[Cell]:
    """What a write changes: `contributions(after) - contributions(before)`, negatives kept."""
    change = contributions(after, tz)
    change.subtract(contributions(before, tz))
    return Counter({cell: n for cell, n in change.items() if n})


def total(records: Iterable[Record], tz: ZoneInfo) -> Counter[Cell]:
    """Every cell as the records say (what reconciliation compares the stored cells with)."""
    found: Counter[Cell] = Counter()
    for record in records:
        found.update(contributions(record, tz))
    return found


def recent_from(now: datetime) -> datetime:
    """The oldest quarter-hour still written and compared: older Q cells are never read."""
    return m.period_start(m.recent_period(now - m.RECENT_KEEP)) + m.RECENT_STEP


def is_kept(period: str, now: datetime) -> bool:
    """Whether a cell of `period` is written (and compared) at `now`."""
    return not period.startswith("Q") or m.period_start(period) >= recent_from(now)


# --- attribution, fixed by the storage layer at each write ---------------------------------------


def attribute_contact(before: Contact | None, after: Contact) -> Contact:
    """`after` with its attribution carried on from `before` and updated for what changed:
    the responsible user at creation, at conversion, and the spans spent in the pool."""
    if after.attribution is not None and (before is None or after.attribution != before.attribution):
        return after  # set by the caller (an import restoring a snapshot, say)
    if before is None:
        first: tuple[PoolSpan, ...] = (PoolSpan(after.created_at),) if after.in_pool else ()
        return replace(after, attribution=ContactAttribution(after.responsible_user_id, pool_spans=first))
    current = _contact_attribution(before)
    spans = current.pool_spans
    if before.in_pool and not after.in_pool and spans and spans[-1].left is None:
        spans = (*spans[:-1], PoolSpan(spans[-1].entered, after.updated_at))
    elif after.in_pool and not before.in_pool:
        spans = (*spans, PoolSpan(after.updated_at))
    converted_by = current.converted_by
    if before.is_lead and not after.is_lead:
        converted_by = after.responsible_user_id
    return replace(after, attribution=replace(current, converted_by=converted_by, pool_spans=spans))


def attribute_deal(after: Deal) -> Deal:
    """Each status change carries the responsible user at that move."""
    if all(c.by is not None for c in after.history):
        return after
    # Changes already stored carry theirs (or, stored before rollups, fall back to the same).
    history = tuple(c if c.by is not None else replace(c, by=after.responsible_user_id) for c in after.history)
    return replace(after, history=history)


def attribute_task(before: Task | None, after: Task) -> Task:
    """The responsible user at creation and at completion; completion or a new end clears the
    overdue state (the marks of past overdue transitions stay); a task not done written after
    its end is marked overdue at once (its OVERDUE due action only covers later ends)."""
    current = task_attribution(before) if before is not None else TaskAttribution(after.responsible_user_id)
    if after.attribution is not None and before is not None and after.attribution != before.attribution:
        current = after.attribution  # the due runner marking it overdue
    completed_by = current.completed_by
    if after.done and (before is None or not before.done):
        completed_by = after.responsible_user_id
    elif not after.done:
        completed_by = None
    task = replace(after, attribution=replace(current, completed_by=completed_by))
    if not task.done and task.end < task.updated_at:
        # Written after its end (created late, moved into the past, reopened, or edited before
        # the due runner got to it): it goes overdue with this write. Later ends: the runner.
        return mark_overdue(task) or task
    return task


def closed_lead(lead: Contact, at: datetime) -> ClosedLead:
    """The tombstone of `lead` closed as poor quality at `at` (its pool span, if any, ends then)."""
    who = _contact_attribution(lead)
    spans = who.pool_spans
    if spans and spans[-1].left is None:
        spans = (*spans[:-1], PoolSpan(spans[-1].entered, at))
    return ClosedLead(
        id=lead.id,
        created_at=lead.created_at,
        closed_at=at,
        created_for=who.created_for,
        closed_by=lead.responsible_user_id,
        lead_source=lead.lead_source.value if lead.lead_source else None,
        source_tag_ids=lead.source_tag_ids,
        pool_spans=spans,
    )


def _contact_attribution(contact: Contact) -> ContactAttribution:
    if contact.attribution is not None:
        return contact.attribution
    spans: tuple[PoolSpan, ...] = (PoolSpan(contact.created_at),) if contact.in_pool else ()
    return ContactAttribution(contact.responsible_user_id, contact.responsible_user_id, spans)


# --- contributions -----------------------------------------------------------------------------


def _day(at: datetime, tz: ZoneInfo) -> str:
    return m.day_period(at.astimezone(tz).date())


def _scopes(user_id: str | None) -> tuple[str, ...]:
    return (m.ALL,) if user_id is None else (m.ALL, user_id)


def _lead_created(
    found: Counter[Cell],
    tz: ZoneInfo,
    created_at: datetime,
    created_for: str | None,
    source: str | None,
    tags: tuple[str, ...],
    spans: tuple[PoolSpan, ...],
) -> None:
    day = _day(created_at, tz)
    for scope in _scopes(created_for):
        found[(scope, day, m.LEADS_CREATED)] += 1
        found[(scope, day, m.leads_by_source(source or LeadSource.MANUAL.value))] += 1
    found[(m.ALL, m.recent_period(created_at), m.LEADS_CREATED)] += 1
    for tag in tags:
        for scope in _scopes(created_for):
            found[(scope, day, m.by_source_tag(tag, "leads"))] += 1
    for span in spans:
        found[(m.ALL, _day(span.entered, tz), m.POOL_DELTA)] += 1
        if span.left is not None:
            found[(m.ALL, _day(span.left, tz), m.POOL_DELTA)] -= 1


def _contact(found: Counter[Cell], contact: Contact, tz: ZoneInfo) -> None:
    who = _contact_attribution(contact)
    lead_at_first = contact.is_lead or contact.converted_at is not None
    if lead_at_first:
        source = contact.lead_source.value if contact.lead_source else None
        _lead_created(found, tz, contact.created_at, who.created_for, source, contact.source_tag_ids, who.pool_spans)
    if contact.is_lead:
        if contact.responsible_user_id is None:
            found[(m.ALL, m.NOW, m.UNSORTED)] += 1
        else:
            found[(contact.responsible_user_id, m.NOW, m.LEADS_MINE)] += 1
        return
    # A client: created as one, or a converted lead (a client from its conversion on).
    became = contact.converted_at if lead_at_first and contact.converted_at else contact.created_at
    by = who.converted_by if lead_at_first else who.created_for
    day = _day(became, tz)
    for scope in _scopes(by):
        found[(scope, day, m.CLIENTS_CREATED)] += 1
        if lead_at_first:
            found[(scope, day, m.LEADS_CONVERTED)] += 1
    found[(m.ALL, m.recent_period(became), m.CLIENTS_CREATED)] += 1
    for tag in contact.source_tag_ids:
        for scope in _scopes(by):
            found[(scope, day, m.by_source_tag(tag, "clients"))] += 1
    found[(m.ALL, m.NOW, m.CLIENTS_TOTAL)] += 1


def _closed_lead(found: Counter[Cell], lead: ClosedLead, tz: ZoneInfo) -> None:
    _lead_created(found, tz, lead.created_at, lead.created_for, lead.lead_source, lead.source_tag_ids, lead.pool_spans)
    day = _day(lead.closed_at, tz)
    for scope in _scopes(lead.closed_by):
        found[(scope, day, m.LEADS_POOR_QUALITY)] += 1


def _deal(found: Counter[Cell], deal: Deal, tz: ZoneInfo) -> None:
    history = deal.history
    creator = (history[0].by if history else None) or deal.responsible_user_id
    created = _day(deal.created_at, tz)
    for scope in _scopes(creator):
        found[(scope, created, m.DEALS_CREATED)] += 1
        for status in funnel_steps(deal):
            found[(scope, created, m.funnel(status.value))] += 1
    for tag in deal.source_tag_ids:
        for scope in _scopes(creator):
            found[(scope, created, m.by_source_tag(tag, "deals"))] += 1
    for change in history:
        for scope in _scopes(change.by or deal.responsible_user_id):
            found[(scope, _day(change.at, tz), m.entered(change.status.value))] += 1
    if deal.status.final and history and history[-1].status is deal.status:
        _deal_closed(found, deal, tz)


def _deal_closed(found: Counter[Cell], deal: Deal, tz: ZoneInfo) -> None:
    """A deal won or canceled: on the day of its last move, for who was responsible then."""
    last = deal.history[-1]
    day = _day(last.at, tz)
    for scope in _scopes(last.by or deal.responsible_user_id):
        if deal.status is DealStatus.SUCCESS:
            found[(scope, day, m.DEALS_WON)] += 1
            found[(scope, day, m.WON_VALUE)] += _won_value(deal)
            found[(scope, day, m.WON_DURATION_S)] += int((last.at - deal.created_at).total_seconds())
        else:
            found[(scope, day, m.DEALS_CANCELED)] += 1
    if deal.status is DealStatus.SUCCESS:
        for tag in deal.source_tag_ids:
            for scope in _scopes(last.by or deal.responsible_user_id):
                found[(scope, day, m.by_source_tag(tag, "won_value"))] += _won_value(deal)


_OPEN_STEPS = tuple(s for s in BOARD_ORDER if not s.final)


def funnel_steps(deal: Deal) -> tuple[DealStatus, ...]:
    """The funnel steps a deal counts in: "reached this step or beyond". Every open step up to
    the furthest one it reached (`new` at least: every deal was created), all of them when it
    is won, plus `success` when won or `canceled` when canceled (its current status)."""
    if deal.status is DealStatus.SUCCESS:
        return (*_OPEN_STEPS, DealStatus.SUCCESS)
    reached = [c.status for c in deal.history if not c.status.final]
    if not deal.status.final:
        reached.append(deal.status)
    furthest = max((_OPEN_STEPS.index(s) for s in reached), default=0)
    steps = _OPEN_STEPS[: furthest + 1]
    return (*steps, DealStatus.CANCELED) if deal.status is DealStatus.CANCELED else steps


def _won_value(deal: Deal) -> int:
    # A deal won before rollups has no base value stored: its own amount (documented).
    return deal.won_base_minor if deal.won_base_minor is not None else deal.amount_minor


def _call(found: Counter[Cell], call: Call, tz: ZoneInfo) -> None:
    if call.status is None or call.direction is CallDirection.INTERNAL:
        return  # counted once it has ended; internal calls are not the company's calls
    day, recent = _day(call.started_at, tz), m.recent_period(call.started_at)
    incoming = call.direction is CallDirection.INCOMING
    metric = m.CALLS_IN if incoming else m.CALLS_OUT
    for scope in _scopes(call.user_id):
        found[(scope, day, metric)] += 1
        found[(scope, recent, metric)] += 1
        if incoming and call.status is not CallStatus.ANSWER:
            found[(scope, day, m.CALLS_MISSED)] += 1
        if call.status is CallStatus.ANSWER and call.duration_s:
            found[(scope, day, m.TALK_S)] += int(call.duration_s)


def _task_cells(found: Counter[Cell], task: Task, tz: ZoneInfo) -> None:
    who = task_attribution(task)
    for scope in _scopes(who.created_for):
        found[(scope, _day(task.created_at, tz), m.TASKS_CREATED)] += 1
    if task.done and task.completed_at is not None:
        for scope in _scopes(who.completed_by or task.responsible_user_id):
            found[(scope, _day(task.completed_at, tz), m.TASKS_COMPLETED)] += 1
    for at, by in who.overdue_marks:
        for scope in _scopes(by):
            found[(scope, _day(at, tz), m.TASKS_WENT_OVERDUE)] += 1
    owner = task.responsible_user_id
    due = m.recent_period(task.end)
    found[(owner, due, m.TASKS_DUE)] += 1
    if task.done:
        found[(owner, due, m.TASKS_DUE_DONE)] += 1
        return
    found[(owner, m.NOW, m.TASKS_OPEN)] += 1
    if task.status is TaskStatus.IN_PROGRESS:
        found[(owner, m.NOW, m.TASKS_IN_PROGRESS)] += 1
    if is_overdue(task):
        found[(owner, m.NOW, m.TASKS_OVERDUE)] += 1


__all__ = [
    "Cell",
    "ClosedLead",
    "attribute_contact",
    "attribute_deal",
    "attribute_task",
    "closed_lead",
    "contributions",
    "delta",
    "funnel_steps",
    "is_kept",
    "mark_overdue",
    "recent_from",
    "total",
]
