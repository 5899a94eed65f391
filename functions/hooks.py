"""Scheduled every minute: deliver webhook events from the outbox, retry what is due, disable
hooks failing for days (see chalicelib/services/hooks.py)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from chalicelib.bootstrap import services
from chalicelib.observability import lambda_handler, logger


@lambda_handler
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    # Keep 30 s of the invocation for the attempt under way (10 s timeout) and the watermark.
    budget = context.get_remaining_time_in_millis() / 1000 - 30 if context is not None else None
    report = asdict(services().hooks.run(time_budget=budget))
    (logger.info if report["attempts"] or report["events"] else logger.debug)("webhook run", extra=report)
    return report
