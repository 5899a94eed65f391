"""SMS senders. The Zadarma one arrives with telephony; until then there are two:

- `LocalFakeSmsSender` (`SMS_PROVIDER=local-fake`, the local stack and tests) sends nothing
  anywhere: it logs the SMS and keeps it in memory, so the console shows what would have gone
  out and tests can read it.
- `NoSmsSender` (`SMS_PROVIDER=none`, what AWS deployments get for now) refuses every SMS, so a
  deferred SMS ends visibly failed ("SMS sending is not configured") instead of looking sent.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from chalicelib.domain.ids import new_id
from chalicelib.integrations.ports import SmsReceipt, SmsRejectedError
from chalicelib.observability import logger


@dataclass(frozen=True, slots=True)
class FakeSms:
    tenant_id: str
    to: str
    text: str
    message_id: str


_LOCK = threading.Lock()
# Every SMS any fake "sent" in this process, in order: the local stack's console prints them.
RECORDED: list[FakeSms] = []


def recorded() -> list[FakeSms]:
    with _LOCK:
        return list(RECORDED)


class LocalFakeSmsSender:
    """An SmsSender that records instead of sending (local stack and tests)."""

    def send(self, tenant_id: str, to: str, text: str) -> SmsReceipt:
        sms = FakeSms(tenant_id, to, text, f"fake-{new_id()}")
        with _LOCK:
            RECORDED.append(sms)
        logger.info("SMS recorded by the local fake, not sent", extra={"to": to, "text": text})
        return SmsReceipt(sms.message_id, parts=max(1, -(-len(text) // 160)))


class NoSmsSender:
    """An SmsSender for deployments without an SMS provider: every SMS is refused, visibly."""

    def send(self, tenant_id: str, to: str, text: str) -> SmsReceipt:
        raise SmsRejectedError("SMS sending is not configured in this deployment")
