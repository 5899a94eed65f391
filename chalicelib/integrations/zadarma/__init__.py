"""Zadarma PBX: webhook parsing and signatures, the REST API client and the SmsSender on top of it."""

from chalicelib.integrations.zadarma.client import (
    RateLimit,
    SmsResult,
    Transcript,
    ZadarmaClient,
    ZadarmaError,
    ZadarmaRateLimitedError,
    ZadarmaUnavailableError,
)
from chalicelib.integrations.zadarma.sms import ZadarmaSmsSender
from chalicelib.integrations.zadarma.webhooks import (
    CALL_EVENTS,
    WebhookError,
    WebhookEvent,
    parse_event,
    sign_event,
    signature_string,
    verify,
)

__all__ = [
    "CALL_EVENTS",
    "RateLimit",
    "SmsResult",
    "Transcript",
    "WebhookError",
    "WebhookEvent",
    "ZadarmaClient",
    "ZadarmaError",
    "ZadarmaRateLimitedError",
    "ZadarmaSmsSender",
    "ZadarmaUnavailableError",
    "parse_event",
    "sign_event",
    "signature_string",
    "verify",
]
