"""Tasks of the EmailBroadcast state machine (infra/statemachines/email-broadcast.asl.json)."""

from __future__ import annotations

from typing import Any

from chalicelib.bootstrap import services
from chalicelib.observability import lambda_handler


@lambda_handler
def send_batch(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Send one range of recipients over one SMTP connection; asks to be called again when the
    server could not take them now."""
    return services().email_broadcasts.send_batch(event)


@lambda_handler
def finish(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Close the broadcast with its report."""
    return services().email_broadcasts.finish(event)


@lambda_handler
def fail(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Record why the broadcast stopped."""
    return services().email_broadcasts.fail(event)
