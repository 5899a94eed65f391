"""Fake of the SMS broadcasts repository (`ports/storage.py`): recipients claimed one by one
while the broadcast runs, outcomes counted once (tests/fakes/recipient_ledger.py)."""

from __future__ import annotations

from typing import Any

from chalicelib.domain.broadcasts import Broadcast, Recipient, RecipientStatus
from tests.fakes.base import commit
from tests.fakes.recipient_ledger import FakeLedger


class FakeBroadcasts(FakeLedger[Broadcast, Recipient]):
    def finish(
        self, broadcast_id: str, index: int, status: RecipientStatus, *,
        expected: RecipientStatus = RecipientStatus.SENDING, reason: str | None = None,
        message_id: str | None = None, feed: Any = None,
    ) -> bool:  # fmt: skip
        if not self._finish(broadcast_id, index, status, expected=expected, reason=reason, message_id=message_id):
            return False
        commit([feed] if feed else [])
        return True
