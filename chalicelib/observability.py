"""The process's structured logger and EMF metrics (Powertools), configured by environment.

POWERTOOLS_SERVICE_NAME, POWERTOOLS_LOG_LEVEL, POWERTOOLS_METRICS_NAMESPACE and
POWERTOOLS_METRICS_DISABLED are set by CDK, the local stack and the tests.
"""

from __future__ import annotations

import contextvars
import functools
from collections.abc import Callable
from typing import Any, TypeVar

from aws_lambda_powertools import Logger, Metrics

logger = Logger()
metrics = Metrics(namespace="CRM")

_Handler = TypeVar("_Handler", bound=Callable[..., Any])
_cold_start = True


def lambda_handler(handler: _Handler) -> _Handler:
    """A functions/ entry point logs with the API's correlation keys: `request_id` (the
    invocation's), `function_name`, `cold_start` and the event's `tenant_id` when it names one.

    The equivalent of Powertools' `inject_lambda_context`, which needs a full Lambda context:
    tests and the local stack pass none or a partial one. The keys live in a copy of the
    thread-safe context, so a handler run in-process by the local stack (inside an API request)
    never clears or overwrites the request's own keys.
    """

    @functools.wraps(handler)
    def observed(event: Any, context: Any) -> Any:
        global _cold_start
        keys = {
            "request_id": getattr(context, "aws_request_id", None),
            "function_name": getattr(context, "function_name", None),
            "cold_start": _cold_start,
            "tenant_id": event.get("tenant_id") if isinstance(event, dict) else None,
        }
        _cold_start = False

        def run() -> Any:
            logger.thread_safe_clear_keys()
            logger.thread_safe_append_keys(**{k: v for k, v in keys.items() if v is not None})
            return handler(event, context)

        return contextvars.copy_context().run(run)

    observed.__observed__ = True  # type: ignore[attr-defined]  # tests/test_operations.py checks every handler
    return observed  # type: ignore[return-value]
