"""SMS broadcasts (SPEC SM-2, SM-3, SM-5): one text to many contacts, with a report per recipient.

A broadcast's recipients are fixed when it is created (a contact's first number, or all of them
with the `sms_all_numbers` setting, ST-4). The workflow sends them in batches; each recipient
goes pending -> sending -> sent | failed exactly once: a batch retried after a crash finds the
ones it had claimed in `sending` and reports them failed ("outcome unknown") instead of sending
them again.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Protocol

from chalicelib.domain.records import record

MAX_RECIPIENTS = 5000
BATCH_SIZE = 20
MAX_ATTEMPTS = 6
UNKNOWN_OUTCOME = "the send was interrupted and its outcome is unknown: not sent again"


class BroadcastStatus(StrEnum):
    RUNNING = "running"
    COMPLETED = "completed"
    FAILED = "failed"
    CANCELED = "canceled"


class RecipientStatus(StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    DELIVERED = "delivered"
    FAILED = "failed"

    @property
    def done(self) -> bool:
        return self in (RecipientStatus.SENT, RecipientStatus.DELIVERED, RecipientStatus.FAILED)


@record(frozen=True, slots=True)
class Broadcast:
    """An SMS broadcast: its text, its recipients' count and how far the sending has gone."""

    id: str
    status: BroadcastStatus
    total: int
    created_by: str
    created_at: datetime
    text: str | None = None  # None when each recipient has their own (a template with {name})
    template_id: str | None = None
    sent: int = 0
    failed: int = 0
    finished_at: datetime | None = None
    error: str | None = None


@record(frozen=True, slots=True)
class Recipient:
    """One recipient of an SMS broadcast, in the order of the selection, with its outcome."""

    index: int
    phone: str
    contact_id: str | None
    text: str
    status: RecipientStatus = RecipientStatus.PENDING
    reason: str | None = None
    message_id: str | None = None


class BroadcastRecord(Protocol):
    """What every kind of broadcast has (Broadcast, EmailBroadcast): its lifecycle and report."""

    @property
    def id(self) -> str: ...
    @property
    def status(self) -> BroadcastStatus: ...
    @property
    def total(self) -> int: ...
    @property
    def created_by(self) -> str: ...
    @property
    def created_at(self) -> datetime: ...
    @property
    def sent(self) -> int: ...
    @property
    def failed(self) -> int: ...


class RecipientRecord(Protocol):
    """What every kind of broadcast recipient has (Recipient, EmailRecipient)."""

    @property
    def index(self) -> int: ...
    @property
    def contact_id(self) -> str | None: ...
    @property
    def status(self) -> RecipientStatus: ...
    @property
    def reason(self) -> str | None: ...


def batches(total: int, size: int = BATCH_SIZE) -> list[dict[str, int]]:
    """The workflow's Map items: [start, end) ranges of recipient indexes."""
    return [{"start": i, "end": min(i + size, total)} for i in range(0, total, size)]


def backoff_seconds(attempt: int, base: int, retry_at: float | None, now: float, cap: int = 300) -> int:
    """How long a batch waits before its next attempt: doubling from `base`, and at least until
    the provider's rate-limit window resets when it said so."""
    wait = base * 2 ** max(attempt - 1, 0)
    if retry_at is not None:
        wait = max(wait, int(retry_at - now) + 1)
    return max(0, min(wait, cap))
