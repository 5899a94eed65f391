"""The activity feed of a contact or a deal: its entries and their kinds (CL-7).

Apart from `contacts.py` so that writing a feed line (an SMS sent, a call, a task done) does not
load the contact rules; `contacts` re-exports both names.
"""

from __future__ import annotations

from dataclasses import field
from datetime import datetime
from enum import StrEnum
from typing import Any

from chalicelib.domain.records import record


class FeedKind(StrEnum):
    NOTE = "note"
    CALL = "call"
    SMS = "sms"
    EMAIL = "email"
    TASK = "task"
    DEAL = "deal"
    EVENT = "event"


@record(frozen=True, slots=True)
class FeedEntry:
    """One line of a contact's activity feed (CL-7); `data` carries the kind's details."""

    id: str
    kind: FeedKind
    time: datetime
    user_id: str | None
    text: str | None = None
    # For events: {"event": "created" | "updated" | "converted" | "assigned" | "taken",
    # "changes": [{"field", "old", "new"}], ...}
    data: dict[str, Any] = field(default_factory=dict)
    edited_at: datetime | None = None
