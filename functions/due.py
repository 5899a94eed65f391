"""Scheduled every minute: fire due task reminders and deferred SMS (see chalicelib/services/due.py)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from chalicelib.bootstrap import services
from chalicelib.observability import logger


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    report = services().due.run()
    logger.info("due actions run", extra=asdict(report))
    return asdict(report)
