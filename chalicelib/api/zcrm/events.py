"""Teamsale events (our tasks): list, create, edit, close."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from chalicelib.api.zcrm.edge import ZcrmRouter, as_dict, as_list, integer, paging, text
from chalicelib.api.zcrm.mapping import every, lead_source, num, optional_rid, parse_stamp, rid, stamp
from chalicelib.bootstrap import services
from chalicelib.domain.actor import Actor
from chalicelib.domain.contacts import Contact, ContactKind
from chalicelib.domain.errors import NotFoundError, ValidationError
from chalicelib.domain.rights import Access
from chalicelib.domain.tasks import Task, TaskStatus, TaskType

router = ZcrmRouter(__name__)
Params = dict[str, Any]
MAX_TITLE = 200
MAX_DESCRIPTION = 5000


def _contact(actor: Actor, contact_id: str) -> Contact | None:
    for kind in (ContactKind.CLIENT, ContactKind.LEAD):
        try:
            return services().contacts.card(actor, kind, contact_id).contact
        except NotFoundError:
            continue
    return None


def event_out(task: Task, actor: Actor) -> dict[str, Any]:
    done = task.status is TaskStatus.DONE
    customers = []
    for contact_id in task.contact_ids:
        contact = _contact(actor, contact_id)
        if contact is None:
            continue
        brief: dict[str, Any] = {
            "id": num(contact.id),
            "name": contact.name,
            "contact_type": "lead" if contact.is_lead else "customer",
            "lead_source": lead_source(contact.lead_source),
        }
        if contact.is_lead:
            brief["lead_status"] = contact.lead_status.value if contact.lead_status else "not_processed"
        else:
            brief.update(status=contact.status.value, type=contact.type.value)
        customers.append(brief)
    record: dict[str, Any] = {
        "id": num(task.id),
        "type": "call" if task.type is TaskType.CALL else "task",
        "title": task.title,
        "description": task.description or "",
        "start": stamp(task.start),
        "end": stamp(task.end),
        "allDay": task.all_day,
        "created_by": num(task.created_by),
        "responsible_user": num(task.responsible_user_id),
        "completed": 1 if done else 0,
        "completed_comment": task.completed_comment or "",
        "members": [num(m) for m in task.member_ids],
        "customers": customers,
    }
    if task.type is TaskType.CALL:
        record.update(phone=task.phone or "", call_done=1 if done else 0)
    return record


def task_fields(fields: Params, *, creating: bool) -> dict[str, Any]:
    """An `event{...}` as our task's fields (only those given)."""
    out: dict[str, Any] = {}
    if "type" in fields or creating:
        kind = str(fields.get("type") or "task")
        if kind not in ("task", "call"):
            raise ValidationError("type: task or call", field="type")
        out["type"] = TaskType(kind)
    if "title" in fields or creating:
        title = (text(fields, "title", max_length=MAX_TITLE) or "").strip()
        if not title:
            raise ValidationError("event[title] is required", field="title")
        out["title"] = title
    if "description" in fields:
        out["description"] = text(fields, "description", max_length=MAX_DESCRIPTION) or None
    out.update(_schedule(fields, creating=creating))
    if "responsible_user" in fields and (owner := optional_rid(fields["responsible_user"], "responsible_user")):
        out["responsible_user_id"] = owner
    if str(fields.get("phone") or ""):
        out["phone"] = text(fields, "phone", max_length=40)
    for name, ours in (("members", "member_ids"), ("customers", "contact_ids")):
        if name in fields:
            values = as_list(fields[name], name)
            out[ours] = [x for i, v in enumerate(values) if (x := optional_rid(v, f"{name}[{i}]"))]
    return out


def _schedule(fields: Params, *, creating: bool) -> dict[str, Any]:
    out: dict[str, Any] = {}
    start = parse_stamp(fields.get("start"), "start")
    end = parse_stamp(fields.get("end"), "end")
    if start is not None:
        out["start"] = start
    elif creating:
        raise ValidationError("event[start] is required", field="start")
    if end is not None:
        if start is not None and end < start:
            raise ValidationError("end is before start", field="end")
        out["end"] = end
    if "allDay" in fields:
        out["all_day"] = str(fields["allDay"]).lower() in ("1", "true")
        if out["all_day"] and start is not None and end is None:
            out["end"] = start + timedelta(days=1)
    return out


@router.route("/events", "GET", right=Access.ANY_USER)
def zcrm_list_events(actor: Actor, params: Params) -> dict[str, Any]:
    """List events (tasks); completed ones only with filter[completed]=1."""
    take, skip = paging(params)
    filters = as_dict(params.get("filter"), "filter")
    owner = optional_rid(filters.get("responsible"), "filter[responsible]")
    creator = optional_rid(filters.get("createdBy"), "filter[createdBy]")
    completed = integer(filters, "completed", 0, low=0, high=1) == 1
    start_from = parse_stamp(filters.get("start"), "filter[start]")
    start_to = parse_stamp(filters.get("end"), "filter[end]")
    if start_from and start_to and start_from > start_to:
        raise ValidationError("filter[end] is before filter[start]", field="filter[end]")
    search = (text(params, "search", max_length=100) or "").strip().lower()
    tasks = services().tasks
    found = [
        t
        for t in every(
            lambda limit, cursor: tasks.page(
                actor,
                responsible_user_id=owner,
                include_completed=completed,
                start_from=start_from,
                start_to=start_to,
                limit=limit,
                cursor=cursor,
            )
        )
        if t.type in (TaskType.TASK, TaskType.CALL)
        and (creator is None or t.created_by == creator)
        and (not search or search in f"{t.title} {t.description or ''} {t.completed_comment or ''}".lower())
    ]
    return {"totalCount": len(found), "events": [event_out(t, actor) for t in found[skip : skip + take]]}


@router.route("/events", "POST", right=Access.ANY_USER)
def zcrm_create_event(actor: Actor, params: Params) -> dict[str, Any]:
    """Create an event (a task or a call task)."""
    fields = task_fields(as_dict(params.get("event"), "event"), creating=True)
    return {"id": num(services().tasks.create(actor, fields).id)}


@router.route("/events/{event_id}", "GET", right=Access.ANY_USER)
def zcrm_get_event(actor: Actor, params: Params, event_id: str) -> dict[str, Any]:
    """Get an event."""
    return event_out(services().tasks.get(actor, rid(event_id, "event")), actor)


@router.route("/events/{event_id}", "PUT", right=Access.ANY_USER)
def zcrm_update_event(actor: Actor, params: Params, event_id: str) -> None:
    """Edit an event."""
    the_id = rid(event_id, "event")
    changes = task_fields(as_dict(params.get("event"), "event"), creating=False)
    if changes:
        services().tasks.update(actor, the_id, None, changes)
    else:
        services().tasks.get(actor, the_id)


@router.route("/events/{event_id}", "DELETE", right=Access.ANY_USER)
def zcrm_delete_event(actor: Actor, params: Params, event_id: str) -> None:
    """Delete an event."""
    services().tasks.delete(actor, rid(event_id, "event"))


@router.route("/events/{event_id}/close", "POST", right=Access.ANY_USER)
def zcrm_close_event(actor: Actor, params: Params, event_id: str) -> None:
    """Close (complete) an event with an optional comment."""
    services().tasks.complete(actor, rid(event_id, "event"), text(params, "comment", max_length=2000))
