"""Tasks of the Autodial state machine (infra/statemachines/autodial.asl.json)."""

from __future__ import annotations

from typing import Any

from chalicelib.bootstrap import services
from chalicelib.observability import lambda_handler


@lambda_handler
def next_number(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """The next number to dial, or why the run stops."""
    return services().autodial.next_number(event)


@lambda_handler
def dial(event: dict[str, Any], context: Any) -> None:
    """Claim the number with the task token and ask the PBX for the call; the end of the call
    (NOTIFY_OUT_END) resumes the run."""
    services().autodial.dial(event)


@lambda_handler
def record(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Record how the call went."""
    return services().autodial.record(event)


@lambda_handler
def failed(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Record why the run stopped."""
    return services().autodial.fail(event)
