"""Email broadcasts (EM-4, CL-5): one message to each of 1..100 contacts, with a report.

The same life as an SMS broadcast (`domain/broadcasts.py`, whose statuses, batches and "outcome
unknown" rule are shared): recipients are fixed at creation, each goes pending -> sending ->
sent | failed exactly once. A sent message can still fail later: a hard bounce (DSN 5.x.x) for
its Message-ID turns it to failed with the remote server's reason.
"""

from __future__ import annotations

from datetime import datetime

from chalicelib.domain.broadcasts import BroadcastStatus, RecipientStatus
from chalicelib.domain.records import record

MAX_EMAIL_RECIPIENTS = 100  # EM-4
EMAIL_BATCH_SIZE = 10  # one SMTP connection per batch
NO_ADDRESS = "no email address"


@record(frozen=True, slots=True)
class EmailBroadcast:
    """An email broadcast (EM-4): its message, its recipients' count and how far the sending has gone."""

    id: str
    status: BroadcastStatus
    total: int
    created_by: str
    created_at: datetime
    integration_id: str
    subject: str
    text: str  # signature appended
    html: str | None  # signature appended; None: a text-only message
    signature_id: str | None = None
    sent: int = 0
    failed: int = 0
    finished_at: datetime | None = None
    error: str | None = None


@record(frozen=True, slots=True)
class EmailRecipient:
    """One recipient of an email broadcast, in the order of the selection, with its outcome."""

    index: int
    email: str  # "" when the contact has none (reported failed)
    contact_id: str
    status: RecipientStatus = RecipientStatus.PENDING
    reason: str | None = None
    message_id: str | None = None


def bounce_reason(status: str, diagnostic: str) -> str:
    return f"bounced {status}: {diagnostic}".strip().rstrip(":")[:300]
