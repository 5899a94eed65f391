"""Scheduled every 10 minutes: read the new mail of every mailbox due for a poll (EM-2; see
chalicelib/services/email_sync.py)."""

from __future__ import annotations

from typing import Any

from chalicelib.bootstrap import services
from chalicelib.observability import lambda_handler, logger

# A mailbox's run is bounded by its socket timeouts and its batch: no new one starts in the
# last minute and a half of the invocation.
_RESERVE_S = 90


@lambda_handler
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    budget = context.get_remaining_time_in_millis() / 1000 - _RESERVE_S if context is not None else None
    results = services().email_sync.run_due(time_budget=budget)
    report = {
        "mailboxes": len(results),
        "stored": sum(r.stored for r in results),
        "errors": sum(1 for r in results if r.error),
        "behind": sum(1 for r in results if r.more),
    }
    (logger.info if results else logger.debug)("email poll run", extra=report)
    return report
