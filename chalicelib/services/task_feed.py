"""A task's lines in the feeds of the contacts and the deal it is linked to (TK, CL-7).

Apart from the task service so the due runner (reminders, SMS, overdue) writes the same lines
without loading the task service and what it needs.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from chalicelib.domain.clock import isoformat_z
from chalicelib.domain.feed import FeedEntry, FeedKind
from chalicelib.domain.ids import new_id
from chalicelib.ports.writes import FeedOwner, Write

if TYPE_CHECKING:
    from chalicelib.domain.tasks import Task
    from chalicelib.ports.storage import Storage


def task_feed_writes(
    storage: Storage,
    tenant_id: str,
    user_id: str | None,
    task: Task,
    now: datetime,
    data: dict[str, Any],
    contact_ids: list[str] | tuple[str, ...],
    deal_id: str | None,
    kind: FeedKind = FeedKind.TASK,
) -> list[Write]:
    """One feed entry per linked contact (and the deal), describing the task and the event."""
    body = {
        **data,
        "task_id": task.id,
        "type": task.type.value,
        "title": task.title,
        "start": isoformat_z(task.start),
        "end": isoformat_z(task.end),
        "status": task.status.value,
    }
    owners = [(FeedOwner.CONTACT, c) for c in contact_ids]
    if deal_id:
        owners.append((FeedOwner.DEAL, deal_id))
    return [
        storage.feed_write(tenant_id, owner, owner_id, FeedEntry(new_id(), kind, now, user_id, data=body))
        for owner, owner_id in owners
    ]
