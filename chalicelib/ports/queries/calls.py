"""Calls and extension statuses (autodial claims: `call_lists.py`, re-exported here)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from chalicelib.ports.queries.call_lists import ClaimResult as ClaimResult

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
