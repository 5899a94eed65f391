"""The PBX port: each CRM's own PBX account (Zadarma in production), its REST API and its webhooks.

`Pbx` is the PBX as the services see it, for every CRM at once:
- the accounts: a CRM's API keys (`credentials`, kept a few minutes per container; `store`,
  `forget`) and a `PbxClient` for them (`client(tenant_id)`, or `client_for(key, secret)` to check
  keys before they are kept);
- the webhooks: the adapter turns a delivery into a `PbxEvent` (`parse_event`, `PbxEventError`
  for a body it cannot read), says whether the event carries a checkable signature
  (`verifiable`) and checks it with the CRM's secret (`verify`). The service decides which secret
  and when to read it again; the PBX's encodings and signature schemes stay in the adapter.

`PbxClient` is one account's REST API: what the services ask of it. Its failures are the port's
errors, split by what the caller can do about them: `PbxRateLimitedError` and
`PbxUnavailableError` pass with time, any other `PbxError` will not. The adapter's own errors
(`integrations/zadarma/client.py`) subclass these, so services catch the port's.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, NamedTuple, Protocol

# The name of a CRM's PBX API keys ({"api_key", "api_secret"}) in the secret store.
PBX_SECRET = "pbx"


class PbxError(Exception):
    """The PBX refused the request, or answered something unusable: retrying will not help."""

    def __init__(self, message: str, http_status: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.http_status = http_status


class PbxRateLimitedError(PbxError):
    """The PBX limits our rate: nothing is asked before `reset_at` (unix time) when it says."""

    def __init__(self, message: str, http_status: int | None = None, reset_at: float | None = None) -> None:
        super().__init__(message, http_status)
        self.reset_at = reset_at


class PbxUnavailableError(PbxError):
    """No usable answer (network error, timeout, server error): try again later.

    `maybe_sent`: the request reached the PBX but no answer came back, so it may have been
    carried out (a call may be ringing): retrying could do it twice.
    """

    def __init__(self, message: str, http_status: int | None = None, *, maybe_sent: bool = False) -> None:
        super().__init__(message, http_status)
        self.maybe_sent = maybe_sent


class PbxEventError(ValueError):
    """A webhook body that cannot be parsed or names no event."""


# A NamedTuple, not a dataclass: defined at a Lambda's cold start, where a dataclass costs ~10x more.
class PbxEvent(NamedTuple):
    """One notification of the PBX, as received."""

    name: str
    # Raw (URL-decoded) values as received, `event` included; bracket keys stay flat ("wait_dtmf[name]").
    fields: Mapping[str, str]

    def get(self, key: str) -> str | None:
        return self.fields.get(key)

    @property
    def result(self) -> Any:
        """The decoded JSON `result` of SMS, SPEECH_RECOGNITION... events; None if absent or not JSON."""
        raw = self.fields.get("result")
        if raw is None:
            return None
        try:
            return json.loads(raw)
        except (ValueError, RecursionError):
            return None


# A NamedTuple, not a dataclass: defined at a Lambda's cold start, where a dataclass costs ~10x more.
class Transcript(NamedTuple):
    """The PBX's speech recognition of a recording."""

    status: str  # "recognized", "in progress", "error", ...
    phrases: tuple[tuple[int, str], ...]  # (channel, text)


class PbxClient(Protocol):
    """One PBX account's REST API (what services call of it); failures raise `PbxError`s."""

    def callback(self, from_: str, to: str, *, sip: str | None = None, predicted: bool = False) -> dict[str, Any]:
        """Click-to-call: ring `from_` (often the user's extension), then bridge to `to`."""

    def internal_call(self, from_extension: str, to_extension: str) -> dict[str, Any]:
        """A call between two extensions of the PBX: it rings `from_extension`, then the other."""

    def record_links(self, *, call_id: str | None = None, pbx_call_id: str | None = None) -> list[str]:
        """Download links of a call's recording(s), by recording id or by the call's id; a
        "not found" PbxError while the PBX has not saved it yet."""

    def download(self, url: str) -> bytes:
        """The bytes behind a recording link."""

    def extension_status(self, extension: str) -> bool:
        """Whether the PBX extension is registered (online) right now."""

    def speech_recognition(self, call_id: str, *, lang: str | None = None) -> Transcript:
        """The transcript of a recording (`call_id`: the recording's id)."""

    def check_keys(self) -> None:
        """Ask the PBX something harmless: a PbxError when it refuses these keys."""

    def webrtc_key(self, extension: str) -> str:
        """A key for the vendor's WebRTC phone registered as `extension` (valid 72 h)."""


class Pbx(Protocol):
    """The CRMs' PBX accounts and the PBX's webhooks."""

    def credentials(self, tenant_id: str, *, max_age: float | None = None) -> tuple[str, str] | None:
        """(api key, api secret) of the CRM's account, None when none is set; read again when the
        copy kept is older than `max_age` seconds (default: the cache's lifetime)."""

    def client(self, tenant_id: str) -> PbxClient | None:
        """The API of the CRM's account; None when its keys are not set."""

    def client_for(self, api_key: str, api_secret: str) -> PbxClient:
        """The API for keys not stored yet (checking them before they are kept)."""

    def store(self, tenant_id: str, api_key: str, api_secret: str) -> None:
        """Keep the CRM's keys (and forget any copy kept of the old ones)."""

    def forget(self, tenant_id: str) -> None:
        """Drop the copy of the CRM's keys kept here: the next use reads them again."""

    def webphone_widget(self) -> str:
        """Which web phone the web app shows: "zadarma" (the vendor's WebRTC widget) or
        "stand_in" (the local fake PBX's stand-in phone, offline)."""

    def transfer_digits(self, extension: str, *, attended: bool) -> str:
        """The in-call key presses (DTMF) with which a phone on the call hands it to `extension`."""

    def parse_event(self, content_type: str | None, body: bytes) -> PbxEvent:
        """The event a webhook delivery carries; PbxEventError when the body is unreadable."""

    def verifiable(self, event: PbxEvent) -> bool:
        """Whether the event has a documented signature (an unverifiable one must change nothing)."""

    def verify(self, event: PbxEvent, signature: str | None, secret: str) -> bool:
        """Whether `signature` is the PBX's for this event and secret; False when it cannot be checked."""
