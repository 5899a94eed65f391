"""Tasks, their list copies, due actions and the due worker's watermark."""

from __future__ import annotations

from pynamodb.attributes import (
    BooleanAttribute,
    JSONAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
    VersionAttribute,
)

from chalicelib.db.items import Item, strings


class TaskFields:
    """A task's attributes, shared by its record and its list entries (full copies)."""

    task_type = UnicodeAttribute()
    title = UnicodeAttribute()
    description = UnicodeAttribute(null=True)
    start = UTCDateTimeAttribute()
    end = UTCDateTimeAttribute()
    all_day = BooleanAttribute(default=False)
    responsible_user_id = UnicodeAttribute()
    member_ids = strings()
    contact_ids = strings()
    deal_id = UnicodeAttribute(null=True)
    status = UnicodeAttribute()
    completed_at = UTCDateTimeAttribute(null=True)
    completed_comment = UnicodeAttribute(null=True)
    remind_minutes_before = NumberAttribute(null=True)
    phone = UnicodeAttribute(null=True)
    sms_text = UnicodeAttribute(null=True)
    meeting_url = UnicodeAttribute(null=True)
    sms_status = UnicodeAttribute(null=True)
    sms_error = UnicodeAttribute(null=True)
    remind_at = UTCDateTimeAttribute(null=True)
    sms_at = UTCDateTimeAttribute(null=True)
    created_at = UTCDateTimeAttribute()
    created_by = UnicodeAttribute()
    updated_at = UTCDateTimeAttribute()
    # Who was responsible at creation, at completion, and when it went overdue (rollups).
    attribution = JSONAttribute(null=True)


class TaskItem(Item, TaskFields, discriminator="task"):
    """A task's record (AP27), the one its writes are conditioned on."""

    task_id = UnicodeAttribute()
    version = VersionAttribute()


class TaskEntryItem(Item, TaskFields, discriminator="task_entry"):
    """A task in one list (AP28-30): a participant's calendar, a responsible user's tasks, a
    contact's or a deal's. A full copy, so that a list page is one Query and no reads after it."""

    task_id = UnicodeAttribute()
    task_version = NumberAttribute()


class DueItem(Item, discriminator="due"):
    """A reminder or deferred SMS to fire at `at` (AP31); deleted once done.

    A worker claims it by setting `claimed_until` (a lease) in a conditional update, so two
    runs never fire it twice; a worker that dies lets the lease expire and the next run retries.
    """

    tenant_id = UnicodeAttribute()
    task_id = UnicodeAttribute()
    due_kind = UnicodeAttribute()
    at = UTCDateTimeAttribute()
    claimed_until = UTCDateTimeAttribute(null=True)
    attempts = NumberAttribute(default=0)
    last_error = UnicodeAttribute(null=True)


class WatermarkItem(Item, discriminator="watermark"):
    """The oldest hour that may still hold due actions (AP32): where a run starts catching up."""

    bucket = UnicodeAttribute()


__all__ = ["DueItem", "TaskEntryItem", "TaskFields", "TaskItem", "WatermarkItem"]
