"""Invoked by hand after an upgrade: the reindex of every CRM, or of one (README: Upgrading).

Event: `{}` (every CRM), `{"tenant_id": "..."}` (one), and `"cursor"` from the previous answer.
It works while its time lasts (a minute kept in reserve) and answers `{"done", "cursor", ...}`:
invoke it again with that cursor until `done` is true. Running it again changes nothing.
"""

from __future__ import annotations

from typing import Any

from chalicelib.bootstrap import services
from chalicelib.observability import lambda_handler, logger

# Time kept for the last batch of steps and the answer (a step is one page: well under a second).
RESERVE_MS = 60_000
STEPS = 20


@lambda_handler
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    maintenance = services().maintenance
    tenant_id, cursor = event.get("tenant_id"), event.get("cursor")
    totals = {"counters": 0, "deals": 0, "crms": 0, "tasks": 0}
    while True:
        if tenant_id:
            progress = maintenance.reindex(tenant_id, cursor, steps=STEPS)
        else:
            progress = maintenance.reindex_all(cursor, steps=STEPS)
        cursor = progress.cursor
        totals = {k: v + getattr(progress, k) for k, v in totals.items()}
        remaining = context.get_remaining_time_in_millis() if context is not None else RESERVE_MS + 1
        if progress.done or remaining < RESERVE_MS:
            break
    logger.info("reindex step done", extra={"done": progress.done, **totals})
    return {"done": progress.done, "cursor": cursor, **totals}
