"""Zadarma as the SmsSender: each CRM sends from its own Zadarma account, with its own API keys."""

from __future__ import annotations

import threading
from collections.abc import Callable

from chalicelib.domain.errors import UnavailableError
from chalicelib.integrations.zadarma.client import (
    DEFAULT_BASE_URL,
    ZadarmaClient,
    ZadarmaError,
    ZadarmaRateLimitedError,
    ZadarmaUnavailableError,
)
from chalicelib.ports.results import SmsOutcomeUnknownError, SmsRateLimitedError, SmsReceipt, SmsRejectedError


class ZadarmaSmsSender:
    def __init__(self, credentials: Callable[[str], tuple[str, str] | None], base_url: str = DEFAULT_BASE_URL) -> None:
        """`credentials(tenant_id)` is the CRM's (api_key, api_secret), or None when not set."""
        self._credentials = credentials
        self._base_url = base_url
        self._lock = threading.Lock()
        # One client per key pair, so a rate limit seen by one SMS holds back the next ones.
        self._clients: dict[tuple[str, str], ZadarmaClient] = {}

    def send(self, tenant_id: str, to: str, text: str) -> SmsReceipt:
        credentials = self._credentials(tenant_id)
        if credentials is None:
            raise SmsRejectedError("the PBX API keys are not set")
        try:
            result = self._client(credentials).send_sms(to, text)
        except ZadarmaRateLimitedError as exc:
            raise SmsRateLimitedError(f"Zadarma limits the rate: {exc.message}", exc.reset_at) from exc
        except ZadarmaUnavailableError as exc:
            if exc.maybe_sent:
                raise SmsOutcomeUnknownError(f"Zadarma did not answer: {exc.message}") from exc
            raise UnavailableError(f"Zadarma cannot send the SMS now: {exc.message}") from exc
        except ZadarmaError as exc:
            raise SmsRejectedError(exc.message) from exc
        wanted = _digits(to)
        for number, reason in result.denied:
            if _digits(number) == wanted:
                raise SmsRejectedError(reason or "Zadarma refused the number")
        if result.messages < 1:
            raise SmsRejectedError("Zadarma accepted the request but sent no message")
        # Zadarma's answer carries no message id.
        return SmsReceipt(message_id=None, parts=result.messages)

    def _client(self, credentials: tuple[str, str]) -> ZadarmaClient:
        with self._lock:
            client = self._clients.get(credentials)
            if client is None:
                client = self._clients[credentials] = ZadarmaClient(*credentials, base_url=self._base_url)
            return client


def _digits(number: str) -> str:
    return "".join(char for char in number if char.isdigit())
