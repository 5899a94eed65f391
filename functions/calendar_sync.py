"""Scheduled every 5 minutes: sync the Google Calendars due (issue 19, GC-6); invoked with
`{"tenant_id", "user_id"}` by "sync now" for one user (see chalicelib/services/calendar_worker.py).

Google's client library is imported by the first run that syncs someone, not at the cold start
of a run with nobody due."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from chalicelib.bootstrap import services
from chalicelib.observability import lambda_handler, logger


@lambda_handler
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    worker = services().calendar_sync
    if isinstance(event, dict) and event.get("tenant_id") and event.get("user_id"):
        report = asdict(worker.run_user(str(event["tenant_id"]), str(event["user_id"])))
    else:
        # Keep 30 s of the invocation for the last user's run and its outcome.
        budget = context.get_remaining_time_in_millis() / 1000 - 30 if context is not None else None
        report = asdict(worker.run(time_budget=budget))
    busy = any(report[k] for k in ("synced", "revoked", "failed"))
    (logger.info if busy else logger.debug)("calendar sync run", extra=report)
    return report
