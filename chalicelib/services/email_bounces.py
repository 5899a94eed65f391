"""Hard bounces the mailbox polling reads (EM-4, contract 2): the BounceSink.

A DSN 5.x.x marks the address bouncing (AP105); when it names a Message-ID an email broadcast
sent (AP104), that recipient turns failed with the remote server's reason (one count moves from
sent to failed). Apart from the broadcasts' service, so the poller loads only this.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from chalicelib.ports.outside import Clock
    from chalicelib.ports.storage import Storage


class BounceRecorder:
    def __init__(self, storage: Storage, clock: Clock) -> None:
        self._storage = storage
        self._clock = clock

    def bounced(
        self, tenant_id: str, original_message_id: str | None, address: str, status: str, diagnostic: str
    ) -> None:
        """A hard bounce: the address is marked; the broadcast recipient it was sent to fails."""
        if not status.startswith("5"):
            return
        repo = self._storage.email_broadcasts(tenant_id)
        repo.mark_bouncing(address, status, diagnostic, self._clock())
        if not original_message_id:
            return
        sent = repo.sent_message(original_message_id)
        if sent is None:
            return
        broadcast_id, index, sent_to = sent
        if address and sent_to.lower() != address.lower():
            return  # the DSN is about another recipient of that message
        from chalicelib.domain.email.broadcasts import bounce_reason  # loaded by the ledger already

        repo.bounced(broadcast_id, index, bounce_reason(status, diagnostic))
