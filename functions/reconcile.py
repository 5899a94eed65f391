"""Reconciliation of a CRM's rollups (docs/analytics.md), for operators.

As a Lambda (invoked by hand): event `{"tenant_id": "...", "repair": false}` answers the report
(`records`, `cells`, `differences` as [scope, period, metric, stored, computed] rows, `repaired`).
From a shell against the configured table (`make reconcile CRM=<slug> [REPAIR=1]`):
`python -m functions.reconcile <slug or tenant id> [--repair]`.

Not yet chunked: one invocation reads the whole CRM (its records a page at a time, the cells in
memory); a CRM too big for one Lambda run is reconciled from a shell.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from chalicelib.bootstrap import services
from chalicelib.observability import logger


def reconcile(tenant_id: str, *, repair: bool) -> dict[str, Any]:
    report = services().rollups.reconcile(tenant_id, repair=repair)
    rows = [[*cell, stored, computed] for cell, (stored, computed) in report.differences.items()]
    logger.info("rollups reconciled", extra={"tenant_id": tenant_id, "differences": len(rows), "repair": repair})
    return {"records": report.records, "cells": report.cells, "differences": rows, "repaired": report.repaired}


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return reconcile(event["tenant_id"], repair=bool(event.get("repair")))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Recompute a CRM's rollups and compare (or repair).")
    parser.add_argument("crm", help="the CRM's slug or id")
    parser.add_argument("--repair", action="store_true")
    args = parser.parse_args(argv)
    crms = services().storage.crms
    tenant_id = crms.resolve_slug(args.crm) or args.crm
    print(json.dumps(reconcile(tenant_id, repair=args.repair), indent=2))


if __name__ == "__main__":
    main()
