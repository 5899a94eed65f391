"""Zadarma as the PBX port (`ports/pbx.py`): each CRM's own Zadarma keys, from the secret store,
the REST client for them, and Zadarma's webhook encoding and signatures.

Keys are read from SSM once per few minutes per tenant and Lambda container: webhooks check a
signature on every event, and an SSM read each time would be slow and rate-limited.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, cast

from chalicelib.integrations.zadarma.client import DEFAULT_BASE_URL, ZadarmaClient
from chalicelib.ports.pbx import PBX_SECRET

if TYPE_CHECKING:
    from chalicelib.ports.outside import SecretStore
    from chalicelib.ports.pbx import PbxEvent

CACHE_SECONDS = 300.0


class PbxAccounts:
    def __init__(
        self,
        secrets: SecretStore,
        base_url: str,
        *,
        ttl: float = CACHE_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """`clock`: seconds, to age the keys kept (the composition root passes its own clock's)."""
        self._secrets = secrets
        self._base_url = base_url
        self._ttl = ttl
        self._clock = clock
        self._lock = threading.Lock()
        self._cache: dict[str, tuple[float, tuple[str, str] | None]] = {}

    def credentials(self, tenant_id: str, *, max_age: float | None = None) -> tuple[str, str] | None:
        """(api key, api secret) of the CRM's PBX account, or None when none is set; read again
        when the copy kept is older than `max_age` seconds (default: the cache's lifetime)."""
        now = self._clock()
        with self._lock:
            cached = self._cache.get(tenant_id)
        if cached is not None and now - cached[0] < (self._ttl if max_age is None else max_age):
            return cached[1]
        stored = self._secrets.get(tenant_id, PBX_SECRET)
        value = (stored["api_key"], stored["api_secret"]) if stored and stored.get("api_key") else None
        with self._lock:
            self._cache[tenant_id] = (now, value)
        return value

    def client(self, tenant_id: str) -> ZadarmaClient | None:
        credentials = self.credentials(tenant_id)
        return self.client_for(*credentials) if credentials else None

    def client_for(self, api_key: str, api_secret: str) -> ZadarmaClient:
        """A client for keys not stored yet (checking them before they are kept)."""
        return ZadarmaClient(api_key, api_secret, base_url=self._base_url)

    @property
    def base_url(self) -> str:
        return self._base_url

    def webphone_widget(self) -> str:
        """The vendor's WebRTC widget against Zadarma itself; the stand-in phone against the
        local fake PBX (any other API address), which has no WebRTC side."""
        return "zadarma" if self._base_url.rstrip("/") == DEFAULT_BASE_URL else "stand_in"

    def transfer_digits(self, extension: str, *, attended: bool) -> str:
        """Zadarma's PBX transfers a call in progress by key presses on the phone that is on it:
        `#` then the extension (blind), `*` then the extension (attended: the colleague answers
        first, the transfer completes when the transferring phone hangs up)."""
        return f"{'*' if attended else '#'}{extension}"

    def store(self, tenant_id: str, api_key: str, api_secret: str) -> None:
        self._secrets.put(tenant_id, PBX_SECRET, {"api_key": api_key, "api_secret": api_secret})
        self.forget(tenant_id)

    def forget(self, tenant_id: str) -> None:
        with self._lock:
            self._cache.pop(tenant_id, None)

    # --- webhooks ---------------------------------------------------------------------------------

    def parse_event(self, content_type: str | None, body: bytes) -> PbxEvent:
        from chalicelib.integrations.zadarma import webhooks  # the API's webhook route only

        return webhooks.parse_event(content_type, body)

    def verifiable(self, event: PbxEvent) -> bool:
        from chalicelib.integrations.zadarma import webhooks  # the API's webhook route only

        return webhooks.signature_string(event) is not None

    def verify(self, event: PbxEvent, signature: str | None, secret: str) -> bool:
        from chalicelib.integrations.zadarma import webhooks  # the API's webhook route only

        return webhooks.verify(event, signature, secret)


if TYPE_CHECKING:
    from chalicelib.ports.pbx import Pbx

    # mypy checks here that the adapter (and its client) is what the port promises.
    _checked: Pbx = PbxAccounts(cast("SecretStore", None), "")
