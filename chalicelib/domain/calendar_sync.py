"""Two-way Google Calendar sync (SPEC GC-2..4): what a task looks like as an event, and back.

Plain data and decisions; the engine that talks to Google and to the tasks is
`services/calendar_sync.py`. The rules that keep the two sides from looping or duplicating:
- every event we write carries the task's id (and the CRM's) in `extendedProperties.private`,
  and its id is derived from the task id, so a retried insert meets itself (409) instead of
  creating a second event, and a reconnection finds the events it wrote before;
- a `Link` per (user, task) remembers the event's etag as we last wrote or read it and the task
  version as it last matched the event: an event coming back with that etag is our own write
  (an echo), a task at that version was written from the event (no write back).
"""

from __future__ import annotations

import base64
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo

# Keys of `extendedProperties.private` on the events we write.
TASK_KEY = "crm_task_id"
TENANT_KEY = "crm_tenant_id"
MAX_SUMMARY = 200
MAX_DESCRIPTION = 5000


class EventFields(NamedTuple):
    """What the two sides share: a task's calendar-visible fields, an event's content."""

    title: str
    start: datetime
    end: datetime
    all_day: bool = False
    description: str | None = None


class Link(NamedTuple):
    """A task shown as an event in one user's calendar."""

    user_id: str
    task_id: str
    event_id: str
    etag: str  # the event as we last wrote or read it
    task_version: int  # the task as it last matched the event


class RemoteEvent(NamedTuple):
    """An event as Google lists it, reduced to what the sync reads."""

    id: str
    etag: str
    cancelled: bool
    fields: EventFields | None  # None for a cancelled event (Google sends little more than its id)
    updated: datetime | None
    task_id: str | None  # our marker, when we wrote it
    tenant_id: str | None
    recurring: bool  # an instance of a recurring event


def event_id_for(task_id: str) -> str:
    """A valid Google event id (base32hex: 0-9 a-v, 5-1024 chars) derived from the task id: an
    insert retried after a lost answer gets 409 instead of making a second event."""
    encoded = base64.b32hexencode(task_id.encode()).decode().rstrip("=").lower()
    return f"crm{encoded}"


def event_body(fields: EventFields, *, task_id: str, tenant_id: str, zone: str) -> dict[str, Any]:
    """The event resource for a task. All-day events end on the day after (Google's end date is
    exclusive); days are the company's (`zone`), and timed events carry it so Google shows them
    at the right hour."""
    if fields.all_day:
        first, last = _days(fields, _zone(zone))
        start: dict[str, str] = {"date": first.isoformat()}
        end: dict[str, str] = {"date": (last + timedelta(days=1)).isoformat()}
    else:
        start = {"dateTime": _rfc3339(fields.start), "timeZone": zone}
        end = {"dateTime": _rfc3339(fields.end), "timeZone": zone}
    body: dict[str, Any] = {
        "summary": fields.title,
        "start": start,
        "end": end,
        "extendedProperties": {"private": {TASK_KEY: task_id, TENANT_KEY: tenant_id}},
    }
    body["description"] = fields.description or ""
    return body


def _days(fields: EventFields, zone: ZoneInfo) -> tuple[date, date]:
    """The first and last local days an all-day task covers; the CRM ends one at midnight after
    its last day (`domain.tasks.check_span`), which is not a day of its own."""
    start, end = fields.start.astimezone(zone), fields.end.astimezone(zone)
    last = end.date()
    if end.time() == datetime.min.time() and last > start.date():
        last -= timedelta(days=1)
    return start.date(), max(last, start.date())


def _rfc3339(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


class UnreadableEventError(ValueError):
    """An event whose times cannot be read (the sync skips it and says so; the rest goes on)."""


def read_event(resource: dict[str, Any], zone: str) -> RemoteEvent:
    """An event resource as Google returns it (events.list / insert / update); all-day events
    become tasks from midnight to midnight in `zone` (the company's)."""
    event_id, etag = str(resource.get("id") or ""), str(resource.get("etag") or "")
    if not event_id:
        raise UnreadableEventError("an event without an id")
    private = (resource.get("extendedProperties") or {}).get("private") or {}
    cancelled = resource.get("status") == "cancelled"
    return RemoteEvent(
        id=event_id,
        etag=etag,
        cancelled=cancelled,
        fields=None if cancelled else _fields(resource, _zone(zone)),
        updated=_instant(resource.get("updated")),
        task_id=private.get(TASK_KEY),
        tenant_id=private.get(TENANT_KEY),
        recurring=bool(resource.get("recurringEventId")),
    )


def _zone(name: str) -> ZoneInfo:
    from zoneinfo import ZoneInfo  # with the first event read or written, not at a worker's start

    return ZoneInfo(name)


def _fields(resource: dict[str, Any], zone: ZoneInfo) -> EventFields:
    start, end = resource.get("start") or {}, resource.get("end") or {}
    title = str(resource.get("summary") or "").strip()[:MAX_SUMMARY] or "(no title)"
    description = str(resource.get("description") or "")[:MAX_DESCRIPTION] or None
    if "date" in start:
        first = _day(start.get("date"))
        after = _day(end.get("date")) if "date" in end else first + timedelta(days=1)
        after = max(after, first + timedelta(days=1))  # Google's end date is exclusive
        begins = datetime(first.year, first.month, first.day, tzinfo=zone).astimezone(UTC)
        ends = datetime(after.year, after.month, after.day, tzinfo=zone).astimezone(UTC)
        return EventFields(title, begins, ends, all_day=True, description=description)
    opens, closes = _instant(start.get("dateTime")), _instant(end.get("dateTime"))
    if opens is None:
        raise UnreadableEventError(f"event {resource.get('id')}: no start")
    return EventFields(
        title, opens, closes if closes is not None and closes >= opens else opens, description=description
    )


def _day(value: object) -> date:
    try:
        return date.fromisoformat(str(value))
    except ValueError as exc:
        raise UnreadableEventError(f"unreadable date {value!r}") from exc


def _instant(value: object) -> datetime | None:
    if value in (None, ""):
        return None
    try:
        moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError as exc:
        raise UnreadableEventError(f"unreadable time {value!r}") from exc
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def same_content(a: EventFields, b: EventFields, zone: str) -> bool:
    """Equal as a calendar shows them (an all-day task's hours do not count)."""
    if a.all_day and b.all_day:
        tz = _zone(zone)
        return (a.title, a.description, _days(a, tz)) == (b.title, b.description, _days(b, tz))
    return a == b
