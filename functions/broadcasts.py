"""Tasks of the SmsBroadcast state machine (infra/statemachines/sms-broadcast.asl.json)."""

from __future__ import annotations

from typing import Any

from chalicelib.bootstrap import services
from chalicelib.observability import lambda_handler


@lambda_handler
def send_batch(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Send one range of recipients; asks to be called again when the provider made it wait."""
    return services().broadcasts.send_batch(event)


@lambda_handler
def finish(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Close the broadcast with its report."""
    return services().broadcasts.finish(event)


@lambda_handler
def fail(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Record why the broadcast stopped."""
    return services().broadcasts.fail(event)
