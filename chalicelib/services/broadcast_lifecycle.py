"""The lifecycle SMS and email broadcasts share, on the recipient ledger (ports BroadcastLedger).

`_start` stores a new broadcast and starts its workflow (failed if the workflow cannot start);
`get`, `history` and `cancel` serve the API (a broadcast is its creator's, or any administrator's);
`send_batch` is the workflow Map's task on one range of recipients: the kind's `_send_range` sends
what it can, and what is left is retried after a backoff or, after the last attempt, failed;
`finish` closes the broadcast with its exact counts and `fail` records why it stopped.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any, ClassVar, Generic, Protocol, TypeVar

from chalicelib.domain.broadcasts import (
    BATCH_SIZE,
    BroadcastRecord,
    BroadcastStatus,
    RecipientRecord,
    RecipientStatus,
    backoff_seconds,
    batches,
)
from chalicelib.domain.errors import ConflictError, NotFoundError, UnavailableError
from chalicelib.domain.ids import new_id
from chalicelib.ports.failures import failure_reason

if TYPE_CHECKING:
    from chalicelib.domain.actor import Actor
    from chalicelib.domain.paging import Page
    from chalicelib.ports.outside import Clock, Workflows
    from chalicelib.ports.storage import BroadcastLedger, Storage

B = TypeVar("B", bound=BroadcastRecord)
R = TypeVar("R", bound=RecipientRecord)


class Timing(Protocol):
    @property
    def retry_seconds(self) -> int: ...
    @property
    def max_attempts(self) -> int: ...


class BroadcastLifecycle(Generic[B, R]):
    """A kind of broadcast: its state machine (`machine`), its batch size and its name in errors
    (`noun`); `_ledger` is its repository, `_send_range` sends a range of its recipients."""

    machine: ClassVar[str]
    batch_size: ClassVar[int] = BATCH_SIZE
    noun: ClassVar[str] = "broadcast"

    def __init__(self, storage: Storage, clock: Clock, workflows: Workflows, timing: Timing) -> None:
        self._storage = storage
        self._clock = clock
        self._workflows = workflows
        self._timing = timing

    def _ledger(self, tenant_id: str) -> BroadcastLedger[B, R]:
        raise NotImplementedError

    def _send_range(
        self, tenant_id: str, broadcast: B, start: int, end: int
    ) -> tuple[list[tuple[R, str]], float | None]:
        """Send the range's pending recipients; those to try again later with why, and when the
        provider said it would take them again (None: the backoff decides)."""
        raise NotImplementedError

    # --- the API ---------------------------------------------------------------------------------

    def _opening(self, actor: Actor, recipients: list[R]) -> dict[str, Any]:
        """A new broadcast's fields every kind has: running, by `actor`, now; its recipients
        already known to fail (no number, no address) counted failed from the start."""
        return {
            "id": new_id(),
            "status": BroadcastStatus.RUNNING,
            "total": len(recipients),
            "created_by": actor.user_id,
            "created_at": self._clock(),
            "failed": sum(1 for r in recipients if r.status is RecipientStatus.FAILED),
        }

    def _start(self, tenant_id: str, broadcast: B, recipients: list[R]) -> B:
        """Store the broadcast with its recipients and start sending (202)."""
        repo = self._ledger(tenant_id)
        repo.create(broadcast, recipients)
        payload = {
            "tenant_id": tenant_id,
            "broadcast_id": broadcast.id,
            "batches": batches(len(recipients), self.batch_size),
            "retry_seconds": self._timing.retry_seconds,
            "max_attempts": self._timing.max_attempts,
        }
        try:
            self._workflows.start(self.machine, f"{tenant_id}-{broadcast.id}", payload)
        except UnavailableError:
            repo.set_status(broadcast.id, BroadcastStatus.FAILED, self._clock(), "the workflow could not start")
            raise
        return broadcast

    def get(
        self, actor: Actor, broadcast_id: str, *, limit: int = 1000, cursor: str | None = None
    ) -> tuple[B, Page[R]]:
        repo = self._ledger(actor.tenant_id)
        broadcast = self._visible(actor, repo.get(broadcast_id, consistent=True))
        return broadcast, repo.recipients(broadcast_id, limit=limit, cursor=cursor)

    def history(self, actor: Actor, *, limit: int, cursor: str | None) -> Page[B]:
        """Past and running broadcasts, newest first: an administrator's are the CRM's, anyone
        else's are those they started (the same rule as `get`)."""
        from chalicelib.domain.rights import Access  # the API's rules: not loaded by the workflow's Lambdas

        actor.require(Access.ANY_USER)
        created_by = None if actor.is_admin else actor.user_id
        return self._ledger(actor.tenant_id).history(created_by=created_by, limit=limit, cursor=cursor)

    def cancel(self, actor: Actor, broadcast_id: str) -> B:
        """Stop sending: a recipient is claimed only while the broadcast runs, so nothing is sent
        after this; what was sent stays sent."""
        repo = self._ledger(actor.tenant_id)
        self._visible(actor, repo.get(broadcast_id, consistent=True))
        canceled = repo.set_status(broadcast_id, BroadcastStatus.CANCELED, self._clock())
        if canceled is None:
            raise ConflictError("the broadcast is not running any more", field="status")
        return canceled

    def _visible(self, actor: Actor, broadcast: B | None) -> B:
        if broadcast is None or (broadcast.created_by != actor.user_id and not actor.is_admin):
            raise NotFoundError(f"no such {self.noun} in this CRM")
        return broadcast

    # --- the workflow's tasks --------------------------------------------------------------------

    def send_batch(self, job: dict[str, Any]) -> dict[str, Any]:
        """Send one range of recipients; `status`: done, or retry after `wait_seconds`."""
        tenant_id, broadcast_id = job["tenant_id"], job["broadcast_id"]
        start, end = int(job["batch"]["start"]), int(job["batch"]["end"])
        attempt = int(job.get("attempt", 0)) + 1
        max_attempts = int(job.get("max_attempts", self._timing.max_attempts))
        repo = self._ledger(tenant_id)
        broadcast = repo.get(broadcast_id, consistent=True)
        if broadcast is None or broadcast.status is not BroadcastStatus.RUNNING:
            return {**job, "attempt": attempt, "status": "done"}
        left, retry_at = self._send_range(tenant_id, broadcast, start, end)
        if left and attempt >= max_attempts:
            for recipient, reason in left:
                repo.finish(broadcast_id, recipient.index, RecipientStatus.FAILED, expected=RecipientStatus.PENDING,
                            reason=f"not sent after {attempt} attempts: {reason}")  # fmt: skip
            return {**job, "attempt": attempt, "status": "done"}
        if left:
            wait = backoff_seconds(attempt, int(job.get("retry_seconds", 0)), retry_at, time.time())
            return {**job, "attempt": attempt, "status": "retry", "wait_seconds": wait}
        return {**job, "attempt": attempt, "status": "done"}

    def finish(self, job: dict[str, Any]) -> dict[str, Any]:
        """Every batch is done: the broadcast is completed (unless canceled), with its report."""
        repo = self._ledger(job["tenant_id"])
        done = repo.set_status(job["broadcast_id"], BroadcastStatus.COMPLETED, self._clock())
        broadcast = done or repo.get(job["broadcast_id"], consistent=True)
        if broadcast is None:
            raise RuntimeError(f"{self.noun} {job['broadcast_id']} vanished while finishing")
        return {"status": broadcast.status.value, "total": broadcast.total, "sent": broadcast.sent,
                "failed": broadcast.failed}  # fmt: skip

    def fail(self, job: dict[str, Any]) -> dict[str, Any]:
        reason = failure_reason(job.get("error"))
        self._ledger(job["tenant_id"]).set_status(job["broadcast_id"], BroadcastStatus.FAILED, self._clock(),
                                                  reason[:500])  # fmt: skip
        return {"status": "failed", "error": reason[:500]}
