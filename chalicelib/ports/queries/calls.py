"""Calls and extension statuses (autodial claims: `call_lists.py`)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from chalicelib.domain.telephony import CallDirection, CallStatus


# A NamedTuple, not a dataclass: defined at a Lambda's cold start, where a dataclass costs ~10x more.
class CallFilter(NamedTuple):
    direction: CallDirection | None = None
    status: CallStatus | None = None
    start_from: datetime | None = None
    start_to: datetime | None = None


# A NamedTuple, not a dataclass: defined at a Lambda's cold start, where a dataclass costs ~10x more.
class KnownStatus(NamedTuple):
    online: bool | None  # None: the PBX did not say
    at: datetime


# A NamedTuple, not a dataclass: defined at a Lambda's cold start, where a dataclass costs ~10x more.
class WebphoneKey(NamedTuple):
    """A user's WebRTC key of the PBX, as fetched for their extension (TE-7)."""

    key: str
    extension: str
    fetched_at: datetime
