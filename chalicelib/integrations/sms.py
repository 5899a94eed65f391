"""SMS senders besides Zadarma's (chalicelib/integrations/zadarma/sms.py).

`NoSmsSender` (`SMS_PROVIDER=none`) is for deployments that must not send SMS: every SMS is
refused, so a deferred SMS ends visibly failed ("SMS sending is not configured") instead of
looking sent.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from chalicelib.ports.failures import SmsRejectedError

if TYPE_CHECKING:
    from chalicelib.ports.outside import SmsReceipt


class NoSmsSender:
    """An SmsSender for deployments without an SMS provider: every SMS is refused, visibly."""

    def send(self, tenant_id: str, to: str, text: str) -> SmsReceipt:
        raise SmsRejectedError("SMS sending is not configured in this deployment")
