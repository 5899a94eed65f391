"""The only module that knows HTTP status codes: domain errors -> the API's error envelope."""

from __future__ import annotations

import json
from typing import Any

from chalice import Response

from chalicelib.domain.errors import (
    BadGatewayError,
    ConflictError,
    DomainError,
    DuplicateError,
    ForbiddenError,
    NotFoundError,
    PayloadTooLargeError,
    RateLimitedError,
    UnauthorizedError,
    UnavailableError,
    ValidationError,
)

# Checked in MRO order, so a DuplicateError is a `duplicate` before it is a `conflict`.
STATUS: dict[type[DomainError], tuple[int, str]] = {
    ValidationError: (400, "validation_error"),
    UnauthorizedError: (401, "unauthorized"),
    ForbiddenError: (403, "forbidden"),
    NotFoundError: (404, "not_found"),
    DuplicateError: (409, "duplicate"),
    ConflictError: (409, "conflict"),
    PayloadTooLargeError: (413, "payload_too_large"),
    RateLimitedError: (429, "rate_limited"),
    BadGatewayError: (502, "bad_gateway"),
    UnavailableError: (503, "unavailable"),
}

# Every (status, code) the API can answer with, for the OpenAPI document.
ERROR_CODES: dict[int, list[str]] = {}
for _status, _code in STATUS.values():
    ERROR_CODES.setdefault(_status, []).append(_code)
ERROR_CODES[500] = ["internal_error"]


def status_of(exc: DomainError) -> tuple[int, str]:
    for cls in type(exc).__mro__:
        if cls in STATUS:
            return STATUS[cls]
    return 500, "internal_error"


def envelope(code: str, message: str, field: str | None = None, **extra: Any) -> dict[str, Any]:
    error: dict[str, Any] = {"code": code, "message": message}
    if field is not None:
        error["field"] = field
    error.update(extra)
    return {"error": error}


def error_response(exc: DomainError) -> Response:
    status, code = status_of(exc)
    extra: dict[str, Any] = {}
    if isinstance(exc, DuplicateError):
        extra["existing"] = {"type": exc.existing_type, "id": exc.existing_id}
    headers: dict[str, str | list[str]] = {"Content-Type": "application/json"}
    if status == 401:
        headers["WWW-Authenticate"] = "Bearer"
    return Response(json.dumps(envelope(code, exc.message, exc.field, **extra)), headers=headers, status_code=status)


def internal_error_response() -> Response:
    body = envelope("internal_error", "something went wrong on our side; it has been logged")
    return Response(json.dumps(body), headers={"Content-Type": "application/json"}, status_code=500)
