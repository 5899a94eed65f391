"""Errors that API Gateway answers itself, in the API's error envelope.

They go into the API's OpenAPI body (`x-amazon-apigateway-gateway-responses`) rather than
separate `AWS::ApiGateway::GatewayResponse` resources: a body update re-imports the API in
overwrite mode, which drops gateway responses the body does not list, and SAM redeploys the
stage only when the body changes (aws/serverless-application-model#390, #3482).

A path or method no route matches is a 404 `not_found` (the local server answers the same, and
405 `method_not_allowed` where it can tell the path exists: API Gateway cannot). API Gateway
treats such a request as an unsigned IAM call: without a token it is MISSING_AUTHENTICATION_TOKEN,
and with an `Authorization: Bearer ...` header INCOMPLETE_SIGNATURE, whose own message quotes
that header. No 4xx template here uses API Gateway's message or any part of the request, so the
caller's token is never echoed back.

Each response type API Gateway may answer is listed with its status and the API's code for it
(403 `forbidden`, 401 `unauthorized`, 413 `payload_too_large`, 429 `rate_limited`, 400
`validation_error`); `DEFAULT_4XX` covers any other 4xx, whose status API Gateway keeps, with the
generic code `bad_request` (415 an unsupported media type, say): `validation_error` means a 400.
"""

from __future__ import annotations

import json
from typing import Any

NOT_FOUND = "no such route"
# API Gateway's own message, already a quoted JSON string (server errors only: see above).
_MESSAGE = "$context.error.messageString"


def _template(code: str, message: str | None = None) -> str:
    quoted = json.dumps(message) if message is not None else _MESSAGE
    return '{"error": {"code": ' + json.dumps(code) + ', "message": ' + quoted + "}}"


def _response(origin: str, code: str, status: int | None = None, message: str | None = None) -> dict[str, Any]:
    response: dict[str, Any] = {
        "responseTemplates": {"application/json": _template(code, message)},
        # Browsers drop a cross-origin error without it (the app's routes send the same origin).
        "responseParameters": {"gatewayresponse.header.Access-Control-Allow-Origin": f"'{origin}'"},
    }
    if status is not None:
        response["statusCode"] = str(status)
    return response


def gateway_responses(origin: str) -> dict[str, dict[str, Any]]:
    """Response type -> envelope, allowed to the web app's `origin`; without a status the type keeps
    API Gateway's own status code."""
    return {
        # API Gateway's answers to a path or method no route matches (this API signs nothing).
        "MISSING_AUTHENTICATION_TOKEN": _response(origin, "not_found", 404, NOT_FOUND),
        "INCOMPLETE_SIGNATURE": _response(origin, "not_found", 404, NOT_FOUND),
        "INVALID_SIGNATURE": _response(origin, "not_found", 404, NOT_FOUND),
        "RESOURCE_NOT_FOUND": _response(origin, "not_found", 404, NOT_FOUND),
        "THROTTLED": _response(origin, "rate_limited", 429, "too many requests, retry later"),
        "QUOTA_EXCEEDED": _response(origin, "rate_limited", 429, "too many requests, retry later"),
        "REQUEST_TOO_LARGE": _response(origin, "payload_too_large", 413, "the request is too large"),
        "INTEGRATION_TIMEOUT": _response(origin, "unavailable", 504, "the request took too long, try again"),
        "INTEGRATION_FAILURE": _response(origin, "unavailable", 504, "the service could not answer, try again"),
        # This API has no API Gateway authorizer, key, validator or WAF: these are here so that none
        # can answer with a code that does not match its status.
        "BAD_REQUEST_PARAMETERS": _response(origin, "validation_error", 400, "the request's parameters are not valid"),
        "BAD_REQUEST_BODY": _response(origin, "validation_error", 400, "the request's body is not valid"),
        "UNAUTHORIZED": _response(origin, "unauthorized", 401, "missing or invalid credentials"),
        "EXPIRED_TOKEN": _response(origin, "unauthorized", 401, "the credentials have expired"),
        "ACCESS_DENIED": _response(origin, "forbidden", 403, "not allowed"),
        "INVALID_API_KEY": _response(origin, "forbidden", 403, "not allowed"),
        "WAF_FILTERED": _response(origin, "forbidden", 403, "not allowed"),
        "UNSUPPORTED_MEDIA_TYPE": _response(origin, "bad_request", 415, "unsupported media type"),
        # Any other 4xx keeps API Gateway's status: a generic code, not validation_error (a 400's).
        "DEFAULT_4XX": _response(origin, "bad_request", message="the request could not be handled"),
        "DEFAULT_5XX": _response(origin, "internal_error"),
    }
