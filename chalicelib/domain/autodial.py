"""Autodial call lists (SPEC AD-1..5): numbers dialled in order from a user's extension.

The Autodial state machine takes the list's next number, asks the PBX to connect the user's
extension to it (click-to-call), and waits for the call's end (the PBX's NOTIFY_OUT_END
resumes it with a task token); after a refusal or no answer it waits `gap_seconds` (5, AD-2)
before the next number. Each number is claimed (pending -> dialing) before it is dialled, and a
claimed number is never dialled again in the same list: a crash or a retried step reports it
failed instead.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from chalicelib.domain.records import record

if TYPE_CHECKING:
    from chalicelib.domain.telephony import CallStatus

MAX_NUMBERS = 1000
GAP_SECONDS = 5
# The safety net when the PBX never says how a call ended (a real call can last long).
ANSWER_TIMEOUT_SECONDS = 2 * 3600
INTERRUPTED = "the dialling step was interrupted: not dialled again"


class CallListStatus(StrEnum):
    RUNNING = "running"
    PAUSED = "paused"
    COMPLETED = "completed"
    CANCELED = "canceled"
    FAILED = "failed"


class Outcome(StrEnum):
    PENDING = "pending"
    DIALING = "dialing"
    ANSWER = "answer"
    NOANSWER = "noanswer"
    BUSY = "busy"
    CANCEL = "cancel"
    FAILED = "failed"

    @classmethod
    def of(cls, status: CallStatus) -> Outcome:
        return cls(status.value)

    @property
    def waits_before_next(self) -> bool:
        """AD-2: after a refusal or no answer, the next call starts after a pause."""
        return self is not Outcome.ANSWER


@record(frozen=True, slots=True)
class CallList:
    """A user's autodial list: the numbers to call one after another (AD-1)."""

    id: str
    status: CallListStatus
    user_id: str
    extension: str
    total: int
    created_at: datetime
    done: int = 0
    position: int = 0  # the next number to dial
    run: int = 1  # executions started (a resume starts the next)
    error: str | None = None


@record(frozen=True, slots=True)
class ListItem:
    """One number of a call list and how its call went."""

    index: int
    phone: str
    contact_id: str | None = None
    outcome: Outcome = Outcome.PENDING
    reason: str | None = None
    call_id: str | None = None
