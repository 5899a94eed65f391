"""Tasks of the RecordingFetch state machine (infra/statemachines/recording.asl.json)."""

from __future__ import annotations

from typing import Any

from chalicelib.bootstrap import services
from chalicelib.observability import lambda_handler


@lambda_handler
def fetch(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """One attempt to copy the recording; the state machine waits and retries on `not_ready`."""
    return services().recordings.fetch(event)


@lambda_handler
def transcript(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """One more request for the call's transcript; the state machine waits and asks again while
    the PBX's recognition is in progress."""
    return services().recordings.fetch_transcript(event)


@lambda_handler
def failed(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """The copy gave up: the call says so, with the reason."""
    return services().recordings.mark_failed(event)
