"""Scheduled every minute: fire due task reminders and deferred SMS, mark tasks overdue at their end
(see chalicelib/services/due.py)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from chalicelib.bootstrap import services
from chalicelib.observability import lambda_handler, logger


@lambda_handler
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    # Keep 15 s of the invocation for the last action and the watermark.
    budget = context.get_remaining_time_in_millis() / 1000 - 15 if context is not None else None
    report = asdict(services().due.run(time_budget=budget))
    busy = any(report[k] for k in ("fired", "overdue", "dropped", "retried", "failed", "out_of_time"))
    # Every minute: only runs that did something are worth an INFO line.
    (logger.info if busy else logger.debug)("due actions run", extra=report)
    return report
