"""Calls, extension statuses and autodial claims."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from chalicelib.domain.telephony import CallDirection, CallStatus


@dataclass(frozen=True, slots=True)
class CallFilter:
    direction: CallDirection | None = None
    status: CallStatus | None = None
    start_from: datetime | None = None
    start_to: datetime | None = None


@dataclass(frozen=True, slots=True)
class KnownStatus:
    online: bool | None  # None: the PBX did not say
    at: datetime


class ClaimResult(StrEnum):
    CLAIMED = "claimed"
    STOPPED = "stopped"  # the list is paused, canceled, or run by a newer run
    TAKEN = "taken"  # the number is not pending any more
    BUSY = "busy"  # another list of the extension waits for this number
