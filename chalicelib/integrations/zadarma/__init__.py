"""Zadarma PBX: webhook parsing and signatures, the REST API client and the SmsSender on top of it.

The submodules load when one of their names is first used: the client (and the SMS sender on
it) never pays for the webhook parsing (the email package), nor the other way round.
"""

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
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

_HOME = {
    "RateLimit": "client",
    "SmsResult": "client",
    "Transcript": "client",
    "ZadarmaClient": "client",
    "ZadarmaError": "client",
    "ZadarmaRateLimitedError": "client",
    "ZadarmaUnavailableError": "client",
    "ZadarmaSmsSender": "sms",
    "CALL_EVENTS": "webhooks",
    "WebhookError": "webhooks",
    "WebhookEvent": "webhooks",
    "parse_event": "webhooks",
    "sign_event": "webhooks",
    "signature_string": "webhooks",
    "verify": "webhooks",
}

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


def __getattr__(name: str) -> Any:
    if name in _HOME:
        return getattr(importlib.import_module(f"{__name__}.{_HOME[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
