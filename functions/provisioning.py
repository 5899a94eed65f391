"""Scheduled: roll back CRMs stuck in provisioning (see chalicelib/services/provisioning.py)."""

from __future__ import annotations

from typing import Any

from chalicelib.bootstrap import services
from chalicelib.observability import lambda_handler, logger


@lambda_handler
def handler(event: dict[str, Any], context: Any) -> dict[str, int]:
    rolled_back = services().provisioning.sweep()
    logger.info("provisioning sweep done", extra={"rolled_back": rolled_back})
    return {"rolled_back": rolled_back}
