"""HTTP middleware: one structured log line and a few EMF metrics per request.

The request's log keys live in Powertools' thread-safe context (a contextvar), not in the
logger's shared state: the local server answers requests on several threads at once, and one
request's tenant must never appear in another's lines. For the same reason the request itself
is kept in a contextvar: Chalice's `app.current_request` is one attribute shared by all threads.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from contextvars import ContextVar

from aws_lambda_powertools.metrics import MetricUnit
from chalice.app import Request, Response

from chalicelib.domain.ids import new_id
from chalicelib.observability import logger, metrics

_request: ContextVar[Request | None] = ContextVar("request", default=None)


def current_request() -> Request | None:
    """The request this thread is answering (None outside the middleware)."""
    return _request.get()


def observe(event: Request, get_response: Callable[[Request], Response]) -> Response:
    context = event.context or {}
    request_id = context.get("requestId") or new_id()
    # The route template (/v1/users/{id}), not the raw path: bounded cardinality, no ids in metrics.
    route = context.get("resourcePath") or event.path
    logger.thread_safe_clear_keys()  # whatever an earlier request on this thread left behind
    logger.thread_safe_append_keys(request_id=request_id, method=event.method, route=route)
    token = _request.set(event)
    started = time.perf_counter()
    try:
        response = get_response(event)
        elapsed_ms = (time.perf_counter() - started) * 1000
        response.headers["X-Request-Id"] = request_id
        logger.info("request", extra={"status": response.status_code, "duration_ms": round(elapsed_ms, 1)})
        metrics.add_metric(name="Requests", unit=MetricUnit.Count, value=1)
        metrics.add_metric(name="Latency", unit=MetricUnit.Milliseconds, value=elapsed_ms)
        if response.status_code >= 500:
            metrics.add_metric(name="ServerErrors", unit=MetricUnit.Count, value=1)
        return response
    finally:
        metrics.flush_metrics()
        logger.thread_safe_clear_keys()
        _request.reset(token)
