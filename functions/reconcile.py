"""Reconciliation of a CRM's rollups (docs/analytics.md), for operators.

As a Lambda (invoked by hand): event `{"tenant_id": "...", "repair": false}` answers the report
(`records`, `cells`, `differences` as [scope, period, metric, stored, computed] rows, `repaired`).
From a shell against the configured table (`make reconcile CRM=<slug> [REPAIR=1]`):
`python -m functions.reconcile <slug or tenant id> [--repair]`.

That runs in one go (the records a page at a time, the cells in memory). A CRM too big for one
Lambda run is reconciled in chunks by the `RollupRebuild` state machine, whose `step` (the
ReconcileStep function) reads records while its time lasts and keeps the partial sums in the
bucket: `python -m functions.reconcile <slug> [--repair] --background` starts it (a company time
zone change starts one with repair by itself). Locally, `make reconcile` runs in one go.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from chalicelib.bootstrap import services
from chalicelib.observability import lambda_handler, logger
from chalicelib.ports.failures import failure_reason


def reconcile(tenant_id: str, *, repair: bool) -> dict[str, Any]:
    report = services().rollups.reconcile(tenant_id, repair=repair)
    rows = [[*cell, stored, computed] for cell, (stored, computed) in report.differences.items()]
    logger.info("rollups reconciled", extra={"tenant_id": tenant_id, "differences": len(rows), "repair": repair})
    return {"records": report.records, "cells": report.cells, "differences": rows, "repaired": report.repaired}


@lambda_handler
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return reconcile(event["tenant_id"], repair=bool(event.get("repair")))


@lambda_handler
def step(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """One step of the RollupRebuild state machine: its input is the previous step's output."""
    # Keep 60 s of the invocation to write the partial sums (or to compare and repair).
    budget = context.get_remaining_time_in_millis() / 1000 - 60 if context is not None else None
    return services().rollups.step(event, time_budget=budget)


@lambda_handler
def failed(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """The RollupRebuild machine's last state before failing: an error in the logs, with why."""
    reason = failure_reason(event.get("error"))
    logger.error("rollup reconciliation failed", extra={"tenant_id": event.get("tenant_id"), "run": event.get("run"),
                                                        "step": event.get("step"), "error": reason})  # fmt: skip
    return {**event, "error": reason}


def main(argv: list[str] | None = None) -> None:
    import argparse  # the operators' CLI only, never on Lambda

    parser = argparse.ArgumentParser(description="Recompute a CRM's rollups and compare (or repair).")
    parser.add_argument("crm", help="the CRM's slug or id")
    parser.add_argument("--repair", action="store_true")
    parser.add_argument("--background", action="store_true", help="in chunks, by the RollupRebuild state machine")
    args = parser.parse_args(argv)
    crms = services().storage.crms
    tenant_id = crms.resolve_slug(args.crm) or args.crm
    if args.background:
        run = services().rollups.start(tenant_id, repair=args.repair, reason="operator", settle_s=0)
        sys.stdout.write(json.dumps({"started": run}) + "\n")
        return
    sys.stdout.write(json.dumps(reconcile(tenant_id, repair=args.repair), indent=2) + "\n")


if __name__ == "__main__":
    main()
