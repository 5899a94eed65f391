"""HTTP middleware: one structured log line and a few EMF metrics per request."""

from __future__ import annotations

import time
from collections.abc import Callable

from aws_lambda_powertools.metrics import MetricUnit
from chalice.app import Request, Response

from chalicelib.domain.ids import new_id
from chalicelib.observability import logger, metrics

_REQUEST_KEYS = ["request_id", "method", "route", "tenant_id", "user_id"]


def observe(event: Request, get_response: Callable[[Request], Response]) -> Response:
    context = event.context or {}
    request_id = context.get("requestId") or new_id()
    # The route template (/v1/users/{id}), not the raw path: bounded cardinality, no ids in metrics.
    route = context.get("resourcePath") or event.path
    logger.append_keys(request_id=request_id, method=event.method, route=route)
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
        logger.remove_keys(_REQUEST_KEYS)
