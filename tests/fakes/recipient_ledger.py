"""The recipient ledger SMS and email broadcast fakes share (ports/storage.py BroadcastLedger):
recipients claimed one by one while the broadcast runs, outcomes counted once."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any, Generic, TypeVar

from chalicelib.domain.broadcasts import BroadcastStatus, RecipientStatus
from chalicelib.domain.paging import Page
from tests.fakes.base import page

B = TypeVar("B")  # Broadcast, EmailBroadcast (frozen dataclasses)
R = TypeVar("R")  # Recipient, EmailRecipient (frozen dataclasses)


class FakeLedger(Generic[B, R]):
    def __init__(self) -> None:
        self.records: dict[str, B] = {}
        self.recipients_of: dict[str, list[R]] = {}

    def create(self, broadcast: B, recipients: Sequence[R]) -> None:
        self.recipients_of[broadcast.id] = list(recipients)
        self.records[broadcast.id] = broadcast

    def get(self, broadcast_id: str, *, consistent: bool = False) -> B | None:
        return self.records.get(broadcast_id)

    def history(self, *, created_by: str | None, limit: int, cursor: str | None) -> Page[B]:
        chosen = [b for b in self.records.values() if created_by is None or b.created_by == created_by]
        chosen.sort(key=lambda b: (b.created_at, b.id), reverse=True)
        return page(chosen, limit, cursor)

    def recipients(
        self, broadcast_id: str, *, start: int = 0, end: int | None = None, limit: int = 1000, cursor: str | None = None
    ) -> Page[R]:
        chosen = [
            r for r in self.recipients_of.get(broadcast_id, []) if r.index >= start and (end is None or r.index < end)
        ]
        return page(chosen, limit, cursor)

    def _set(self, broadcast_id: str, index: int, **changes: Any) -> None:
        recipients = self.recipients_of[broadcast_id]
        recipients[index] = replace(recipients[index], **changes)

    def claim(self, broadcast_id: str, index: int) -> bool | None:
        if self.records[broadcast_id].status is not BroadcastStatus.RUNNING:
            return None
        if self.recipients_of[broadcast_id][index].status is not RecipientStatus.PENDING:
            return False
        self._set(broadcast_id, index, status=RecipientStatus.SENDING)
        return True

    def release(self, broadcast_id: str, index: int, reason: str) -> None:
        if self.recipients_of[broadcast_id][index].status is RecipientStatus.SENDING:
            self._set(broadcast_id, index, status=RecipientStatus.PENDING, reason=reason[:300])

    def _finish(
        self, broadcast_id: str, index: int, status: RecipientStatus, *,
        expected: RecipientStatus, reason: str | None, message_id: str | None,
    ) -> bool:  # fmt: skip
        """The recipient's outcome and the broadcast's counter; False if not in `expected`."""
        if self.recipients_of[broadcast_id][index].status is not expected:
            return False
        self._set(broadcast_id, index, status=status, reason=reason[:300] if reason else None, message_id=message_id)
        current = self.records[broadcast_id]
        if status is RecipientStatus.SENT:
            self.records[broadcast_id] = replace(current, sent=current.sent + 1)
        else:
            self.records[broadcast_id] = replace(current, failed=current.failed + 1)
        return True

    def set_status(
        self, broadcast_id: str, status: BroadcastStatus, now: datetime, error: str | None = None
    ) -> B | None:
        current = self.records.get(broadcast_id)
        if current is None or current.status is not BroadcastStatus.RUNNING:
            return None
        changed = replace(current, status=status, finished_at=now, error=error[:500] if error else current.error)
        self.records[broadcast_id] = changed
        return changed
