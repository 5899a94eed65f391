"""What calls contribute to the rollups (`domain.rollups`, docs/analytics.md)."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

from chalicelib.domain import metrics as m
from chalicelib.domain.rollups import Cell, day, nonzero, scopes
from chalicelib.domain.telephony import Call, CallDirection, CallStatus

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo


def contributions(call: Call | None, tz: ZoneInfo) -> Counter[Cell]:
    """The cells a call counts in once it has ended, zero cells left out."""
    found: Counter[Cell] = Counter()
    if call is None or call.status is None or call.direction is CallDirection.INTERNAL:
        return found  # counted once it has ended; internal calls are not the company's calls
    started, recent = day(call.started_at, tz), m.recent_period(call.started_at)
    incoming = call.direction is CallDirection.INCOMING
    metric = m.CALLS_IN if incoming else m.CALLS_OUT
    for scope in scopes(call.user_id):
        found[(scope, started, metric)] += 1
        found[(scope, recent, metric)] += 1
        if incoming and call.status is not CallStatus.ANSWER:
            found[(scope, started, m.CALLS_MISSED)] += 1
        if call.status is CallStatus.ANSWER and call.duration_s:
            found[(scope, started, m.TALK_S)] += int(call.duration_s)
    return nonzero(found)
