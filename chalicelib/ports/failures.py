"""How outside services and workflow steps fail: the errors services handle at run time, and the
reason a failed step hands over.

Apart from `ports/results.py` (whose values are dataclasses) so a worker that only handles these
loads no more than it needs at its cold start.
"""

from __future__ import annotations

import json
from typing import Any

from chalicelib.domain.errors import UnavailableError


class SmsRejectedError(Exception):
    """The provider refused this SMS for good (bad number, no credit...): retrying will not help."""


class SmsOutcomeUnknownError(Exception):
    """The request reached the provider but no answer came back: the SMS may be out. Sending it
    again could send it twice, so callers report it rather than retry."""


class SmsRateLimitedError(UnavailableError):
    """The provider limits our rate: retry after `retry_at` (unix time) when it says."""

    def __init__(self, message: str, retry_at: float | None = None) -> None:
        super().__init__(message)
        self.retry_at = retry_at


def failure_reason(error: Any) -> str:
    """Why a step failed, from what a Catch hands over: {"Error", "Cause"} (a Lambda's Cause is
    JSON with `errorMessage`), or a plain message."""
    if not isinstance(error, dict):
        return str(error or "the step failed")[:500]
    cause = error.get("Cause")
    if isinstance(cause, str):
        try:
            decoded = json.loads(cause)
        except ValueError:
            decoded = None
        if isinstance(decoded, dict) and decoded.get("errorMessage"):
            cause = decoded["errorMessage"]
    return f"{error.get('Error', 'error')}: {cause}"[:500] if cause else str(error.get("Error", "error"))[:500]
