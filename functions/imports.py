"""Tasks of the ContactImport and ContactExport state machines (infra/statemachines/contact-*.asl.json)."""

from __future__ import annotations

from typing import Any

from chalicelib.bootstrap import services
from chalicelib.observability import lambda_handler


@lambda_handler
def step(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """The next chunks of an import or an undo, while this invocation has time for them."""
    remaining = getattr(context, "get_remaining_time_in_millis", None)
    return services().imports.step(event, (lambda: remaining() / 1000) if remaining else None)


@lambda_handler
def failed(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Record why an import or its undo stopped."""
    return services().imports.fail(event)


@lambda_handler
def export(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Write the export's file."""
    return services().exports.run(event)


@lambda_handler
def export_failed(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Record why an export stopped."""
    return services().exports.fail(event)
