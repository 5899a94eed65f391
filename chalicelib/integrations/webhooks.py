"""The `WebhookSender` port: POSTs a webhook signed per the Standard Webhooks spec (the
`standardwebhooks` package signs it), to an address checked against SSRF after DNS.

The target's host is resolved once, every address checked (`domain.hooks.check_addresses`:
in AWS only public addresses over https; loopback http too where the setting allows it), and the
connection is made to the checked address (TLS still verifies the certificate for the host
name), so a name that resolves elsewhere between the check and the request (DNS rebinding)
cannot move it. Redirects are not followed (a 3xx is a failed attempt).
"""

from __future__ import annotations

import http.client
import socket
from datetime import UTC, datetime
from urllib.parse import urlsplit

from chalicelib.domain.errors import ValidationError
from chalicelib.domain.hooks import check_addresses, check_url
from chalicelib.integrations.tls import default_tls
from chalicelib.ports.hooks import Answer

USER_AGENT = "crm-webhooks/1"


class HttpWebhookSender:
    def __init__(self, *, allow_loopback_http: bool, timeout_seconds: float = 10.0) -> None:
        self._allow = allow_loopback_http
        self._timeout = timeout_seconds

    def check(self, url: str) -> None:
        self._resolve(url)

    def _resolve(self, url: str) -> str:
        """The checked address to connect to (raises ValidationError on target_url)."""
        host, port = check_url(url, allow_loopback_http=self._allow)
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (OSError, UnicodeError, ValueError):
            raise ValidationError("target_url has a host that does not resolve", field="target_url") from None
        addresses = [str(info[4][0]) for info in infos]
        check_addresses(url, addresses, allow_loopback_http=self._allow)
        return addresses[0]

    def send(self, url: str, secret: str, webhook_id: str, body: str) -> Answer:
        from standardwebhooks.webhooks import Webhook

        try:
            address = self._resolve(url)
        except ValidationError as exc:
            return Answer(None, f"address refused: {exc.message}", refused=True)
        now = datetime.now(UTC)  # the attempt's own time: receivers check it against theirs
        headers = {
            "Content-Type": "application/json",
            "User-Agent": USER_AGENT,
            "webhook-id": webhook_id,
            "webhook-timestamp": str(int(now.timestamp())),
            "webhook-signature": Webhook(secret).sign(webhook_id, now, body),
        }
        parts = urlsplit(url)
        host = parts.hostname or ""
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        connection = _connection(parts.scheme, host, parts.port, address, self._timeout)
        try:
            connection.request("POST", path, body=body.encode(), headers={**headers, "Host": parts.netloc})
            response = connection.getresponse()
            response.read(64 * 1024)
            return Answer(response.status)
        except TimeoutError:
            return Answer(None, "timeout")
        except (OSError, http.client.HTTPException) as exc:
            return Answer(None, f"{type(exc).__name__}: {exc}"[:300])
        finally:
            connection.close()


def _connection(scheme: str, host: str, port: int | None, address: str, timeout: float) -> http.client.HTTPConnection:
    if scheme == "https":
        return _PinnedHttps(host, port or 443, address, timeout)
    connection = http.client.HTTPConnection(address, port or 80, timeout=timeout)
    return connection


class _PinnedHttps(http.client.HTTPSConnection):
    """HTTPS to a checked address, the certificate verified for the host name."""

    def __init__(self, host: str, port: int, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout, context=default_tls())
        self._address = address

    def connect(self) -> None:
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)  # type: ignore[attr-defined]
