"""What contacts and closed-lead tombstones contribute to the rollups, and contact attribution
(`domain.rollups`, docs/analytics.md)."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING

from chalicelib.domain import metrics as m
from chalicelib.domain.contacts import Contact, ContactAttribution, LeadSource, PoolSpan
from chalicelib.domain.records import record
from chalicelib.domain.rollups import Cell, day, nonzero, scopes

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo


@record(frozen=True, slots=True)
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


def contributions(record: Contact | ClosedLead | None, tz: ZoneInfo) -> Counter[Cell]:
    """The cells a contact (or a closed lead's tombstone) counts in, zero cells left out."""
    found: Counter[Cell] = Counter()
    if isinstance(record, Contact):
        _contact(found, record, tz)
    elif record is not None:
        _closed_lead(found, record, tz)
    return nonzero(found)


# --- attribution, fixed by the storage layer at each write ---------------------------------------


def attribute_contact(before: Contact | None, after: Contact) -> Contact:
    """`after` with its attribution carried on from `before` and updated for what changed:
    the responsible user at creation, at conversion, and the spans spent in the pool."""
    if after.attribution is not None and (before is None or after.attribution != before.attribution):
        return after  # set by the caller (an import restoring a snapshot, say)
    if before is None:
        first: tuple[PoolSpan, ...] = (PoolSpan(after.created_at),) if after.in_pool else ()
        return replace(after, attribution=ContactAttribution(after.responsible_user_id, pool_spans=first))
    current = contact_attribution(before)
    spans = current.pool_spans
    if before.in_pool and not after.in_pool and spans and spans[-1].left is None:
        spans = (*spans[:-1], PoolSpan(spans[-1].entered, after.updated_at))
    elif after.in_pool and not before.in_pool:
        spans = (*spans, PoolSpan(after.updated_at))
    converted_by = current.converted_by
    if before.is_lead and not after.is_lead:
        converted_by = after.responsible_user_id
    return replace(after, attribution=replace(current, converted_by=converted_by, pool_spans=spans))


def closed_lead(lead: Contact, at: datetime) -> ClosedLead:
    """The tombstone of `lead` closed as poor quality at `at` (its pool span, if any, ends then)."""
    who = contact_attribution(lead)
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


def contact_attribution(contact: Contact) -> ContactAttribution:
    """The contact's attribution; stored before rollups: its current responsible user."""
    if contact.attribution is not None:
        return contact.attribution
    spans: tuple[PoolSpan, ...] = (PoolSpan(contact.created_at),) if contact.in_pool else ()
    return ContactAttribution(contact.responsible_user_id, contact.responsible_user_id, spans)


# --- contributions -----------------------------------------------------------------------------


def _lead_created(
    found: Counter[Cell],
    tz: ZoneInfo,
    created_at: datetime,
    created_for: str | None,
    source: str | None,
    tags: tuple[str, ...],
    spans: tuple[PoolSpan, ...],
) -> None:
    created = day(created_at, tz)
    for scope in scopes(created_for):
        found[(scope, created, m.LEADS_CREATED)] += 1
        found[(scope, created, m.leads_by_source(source or LeadSource.MANUAL.value))] += 1
    found[(m.ALL, m.recent_period(created_at), m.LEADS_CREATED)] += 1
    for tag in tags:
        for scope in scopes(created_for):
            found[(scope, created, m.by_source_tag(tag, "leads"))] += 1
    for span in spans:
        found[(m.ALL, day(span.entered, tz), m.POOL_DELTA)] += 1
        if span.left is not None:
            found[(m.ALL, day(span.left, tz), m.POOL_DELTA)] -= 1


def _contact(found: Counter[Cell], contact: Contact, tz: ZoneInfo) -> None:
    who = contact_attribution(contact)
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
    became_day = day(became, tz)
    for scope in scopes(by):
        found[(scope, became_day, m.CLIENTS_CREATED)] += 1
        if lead_at_first:
            found[(scope, became_day, m.LEADS_CONVERTED)] += 1
    found[(m.ALL, m.recent_period(became), m.CLIENTS_CREATED)] += 1
    for tag in contact.source_tag_ids:
        for scope in scopes(by):
            found[(scope, became_day, m.by_source_tag(tag, "clients"))] += 1
    found[(m.ALL, m.NOW, m.CLIENTS_TOTAL)] += 1


def _closed_lead(found: Counter[Cell], lead: ClosedLead, tz: ZoneInfo) -> None:
    _lead_created(found, tz, lead.created_at, lead.created_for, lead.lead_source, lead.source_tag_ids, lead.pool_spans)
    closed = day(lead.closed_at, tz)
    for scope in scopes(lead.closed_by):
        found[(scope, closed, m.LEADS_POOR_QUALITY)] += 1
