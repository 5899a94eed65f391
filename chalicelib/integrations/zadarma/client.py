"""A small client for Zadarma's REST API v1 (https://api.zadarma.com), on urllib only.

Every request carries `format=json` and an `Authorization: key:signature` header computed over
the exact bytes sent (see signing.py). Errors are split by what the caller can do about them:
`ZadarmaRateLimitedError` and `ZadarmaUnavailableError` pass with time, any other
`ZadarmaError` will not. They subclass the PBX port's errors (`ports/pbx.py`), which services
catch; the client is the port's `PbxClient`.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from collections.abc import Mapping
from email.message import Message
from http.client import HTTPException
from typing import Any, NamedTuple
from urllib.parse import urlsplit

from chalicelib.integrations.zadarma.signing import auth_header
from chalicelib.ports.pbx import PbxError, PbxRateLimitedError, PbxUnavailableError, Transcript

DEFAULT_BASE_URL = "https://api.zadarma.com"
# 60 days, the longest Zadarma allows: shorter links 404 when a worker retries late.
MAX_RECORD_LIFETIME = 5_184_000
_USER_AGENT = "crm-zadarma/1"
_MAX_ANSWER_BYTES = 10_000_000
_LONGEST_WAIT = 3600.0


class ZadarmaError(PbxError):
    """Zadarma answered `{"status": "error", ...}` or something that is not a JSON object."""


class ZadarmaRateLimitedError(ZadarmaError, PbxRateLimitedError):
    """HTTP 429, or a request not sent because the last answer said none are left until `reset_at`."""


class ZadarmaUnavailableError(ZadarmaError, PbxUnavailableError):
    """No usable answer: network error, timeout or HTTP 5xx.

    `maybe_sent`: the request reached Zadarma but no answer came back (it timed out or the
    connection dropped while waiting), so it may have been carried out: an SMS may be out, a
    call may be ringing. Retrying could do it twice.
    """


# A NamedTuple, not a dataclass: defined at a Lambda's cold start, where a dataclass costs ~10x more.
class RateLimit(NamedTuple):
    limit: int | None
    remaining: int | None
    reset_at: float | None  # unix time


# A NamedTuple, not a dataclass: defined at a Lambda's cold start, where a dataclass costs ~10x more.
class SmsResult(NamedTuple):
    messages: int
    cost: str | None
    currency: str | None
    denied: tuple[tuple[str, str], ...]  # (number as Zadarma wrote it, reason)


class ZadarmaClient:
    def __init__(self, key: str, secret: str, base_url: str = DEFAULT_BASE_URL, timeout: float = 10.0) -> None:
        self._key = key
        self._secret = secret
        self._base_url = base_url.rstrip("/")
        self._timeout = timeout
        self.last_rate_limit: RateLimit | None = None

    def request(self, http_method: str, path: str, params: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """Call one API method; `path` is sent and signed exactly as given ("/v1/sms/send/")."""
        method = http_method.upper()
        self._refuse_if_out_of_requests()
        query, authorization = auth_header(self._key, self._secret, path, {**(params or {}), "format": "json"})
        url = self._base_url + path
        headers = {"Authorization": authorization, "Accept": "application/json", "User-Agent": _USER_AGENT}
        data: bytes | None = None
        if method == "GET":
            url = f"{url}?{query}"
        else:
            data = query.encode("ascii")
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        status, response_headers, body = self._send(urllib.request.Request(url, data, headers, method=method))
        self.last_rate_limit = _rate_limit(response_headers)
        return _answer(status, body, self.last_rate_limit)

    def callback(self, from_: str, to: str, *, sip: str | None = None, predicted: bool = False) -> dict[str, Any]:
        """Click-to-call: ring `from_` (often the user's extension), then bridge to `to`."""
        params: dict[str, Any] = {"from": _number(from_), "to": _number(to)}
        if sip is not None:
            params["sip"] = _number(sip)
        if predicted:
            # Documented as a flag ("if this flag is specified"); no value is described.
            params["predicted"] = "predicted"
        return self.request("GET", "/v1/request/callback/", params)

    def internal_call(self, from_extension: str, to_extension: str) -> dict[str, Any]:
        """A call between two extensions of the PBX (calling a colleague): the callback rings
        `from_extension`, then dials `to_extension` as an internal number, under the caller's
        own rules (`sip`)."""
        return self.callback(from_extension, to_extension, sip=from_extension)

    def webrtc_key(self, extension: str) -> str:
        """`GET /v1/webrtc/get_key/?sip=<ext>`: a key for the WebRTC widget, valid 72 hours."""
        answer = self.request("GET", "/v1/webrtc/get_key/", {"sip": _number(extension)})
        key = answer.get("key")
        if not isinstance(key, str) or not key:
            raise ZadarmaError("the PBX answered no WebRTC key")
        return key

    def send_sms(self, number: str, message: str, *, sender: str | None = None) -> SmsResult:
        params: dict[str, Any] = {"number": _number(number), "message": message}
        if sender is not None:
            # The OAS says `sender`; the PHP and TS SDKs and production integrations send `caller_id`.
            params["caller_id"] = _number(sender)
        answer = self.request("POST", "/v1/sms/send/", params)
        denied = tuple(
            (str(item.get("number", "")), str(item.get("message", "")))
            for item in answer.get("denied_numbers") or ()
            if isinstance(item, dict)
        )
        cost, currency = answer.get("cost"), answer.get("currency")
        return SmsResult(
            messages=_int(answer.get("messages")) or 0,
            cost=None if cost is None else str(cost),
            currency=None if currency is None else str(currency),
            denied=denied,
        )

    def record_links(
        self, *, call_id: str | None = None, pbx_call_id: str | None = None, lifetime: int = MAX_RECORD_LIFETIME
    ) -> list[str]:
        """Download links of a call's recording(s): one for a `call_id`, one per leg for a `pbx_call_id`.

        Zadarma answers "File not found" for a while after NOTIFY_RECORD: retry later.
        """
        if (call_id is None) == (pbx_call_id is None):
            raise ValueError("give exactly one of call_id and pbx_call_id")
        params: dict[str, Any] = {"lifetime": lifetime}
        if call_id is not None:
            params["call_id"] = call_id
        else:
            params["pbx_call_id"] = pbx_call_id
        answer = self.request("GET", "/v1/pbx/record/request/", params)
        links = answer.get("links")
        if isinstance(links, list):
            return [str(link) for link in links if link]
        link = answer.get("link")
        if isinstance(link, str) and link:
            return [link]
        raise ZadarmaError("the answer has no recording link")

    def download(self, url: str, max_bytes: int = 200_000_000) -> bytes:
        """The bytes behind a recording link (links carry their own token: nothing is signed)."""
        if urlsplit(url).scheme not in ("http", "https"):
            raise ZadarmaError(f"not a web link: {url!r}")
        request = urllib.request.Request(url, headers={"User-Agent": _USER_AGENT})
        status, _, body = self._send(request, max_bytes=max_bytes)
        if status >= 400:
            raise ZadarmaUnavailableError(f"the recording could not be downloaded (HTTP {status})", status)
        return body

    def extension_status(self, extension: str) -> bool:
        """Whether the PBX extension is registered (online) right now."""
        if not extension.isdigit():
            raise ValueError(f"not a PBX extension: {extension!r}")
        answer = self.request("GET", f"/v1/pbx/internal/{extension}/status/")
        return str(answer.get("is_online")).lower() == "true"

    def speech_recognition(self, call_id: str, *, lang: str | None = None) -> Transcript:
        """The transcript of a recording; `call_id` is the recording's id (`call_id_with_rec`), not pbx_call_id."""
        params: dict[str, Any] = {"call_id": call_id, "return": "phrases"}
        if lang is not None:
            params["lang"] = lang
        answer = self.request("GET", "/v1/speech_recognition/", params)
        phrases = tuple(
            (_int(item.get("channel")) or 0, str(item.get("result", "")))
            for item in answer.get("phrases") or ()
            if isinstance(item, dict)
        )
        return Transcript(status=str(answer.get("recognitionStatus", "")), phrases=phrases)

    def check_keys(self) -> None:
        """Ask for the balance, which any valid key pair may read: a ZadarmaError if refused."""
        self.request("GET", "/v1/info/balance/")

    def timezone(self) -> str:
        """The cabinet's timezone, e.g. "UTC+3": webhooks' `call_start` is wall-clock time in it."""
        answer = self.request("GET", "/v1/info/timezone/")
        zone = answer.get("timezone")
        if not isinstance(zone, str):
            raise ZadarmaError("the answer has no timezone")
        return zone

    def _refuse_if_out_of_requests(self) -> None:
        # The last answer said nothing is left until reset_at: asking now can only earn a 429.
        limit = self.last_rate_limit
        if limit is None or limit.remaining != 0 or limit.reset_at is None:
            return
        # Windows last a minute; a reset hours away is a misread header and must not block for that long.
        if time.time() < limit.reset_at <= time.time() + _LONGEST_WAIT:
            raise ZadarmaRateLimitedError("no requests left until the rate limit resets", None, limit.reset_at)

    def _send(self, request: urllib.request.Request, max_bytes: int = _MAX_ANSWER_BYTES) -> tuple[int, Message, bytes]:
        """Status, headers and body; HTTP errors are answers too, only the network failing raises."""
        try:
            try:
                response = urllib.request.urlopen(request, timeout=self._timeout)
            except urllib.error.HTTPError as exc:
                response = exc
            with response:
                return response.getcode(), response.headers, _read(response, max_bytes)
        except urllib.error.URLError as exc:
            # urllib wraps failures while connecting and sending: the request was not taken.
            raise ZadarmaUnavailableError(f"Zadarma cannot be reached: {exc}") from exc
        except (HTTPException, OSError) as exc:
            # The request went out; the answer did not come back (timeout, dropped connection).
            raise ZadarmaUnavailableError(f"Zadarma did not answer: {exc}", maybe_sent=True) from exc


def _read(response: Any, max_bytes: int) -> bytes:
    body = response.read(max_bytes + 1)
    if len(body) > max_bytes:
        raise ZadarmaError(f"the answer is larger than {max_bytes} bytes")
    return body


def _answer(status: int, body: bytes, rate_limit: RateLimit) -> dict[str, Any]:
    """The decoded answer of an API call, or the ZadarmaError it stands for."""
    try:
        answer = json.loads(body)
    except ValueError:
        answer = None
    message = _error_message(answer) or f"unexpected answer (HTTP {status})"
    if status == 429:
        raise ZadarmaRateLimitedError(message, status, rate_limit.reset_at)
    if status >= 500:
        raise ZadarmaUnavailableError(message, status)
    if status >= 400 or not isinstance(answer, dict) or answer.get("status") == "error":
        raise ZadarmaError(message, status)
    return answer


def _error_message(answer: Any) -> str | None:
    if not isinstance(answer, dict) or answer.get("status") != "error":
        return None
    # The VoIP API puts the reason in `message`; Teamsale (/v1/zcrm) in `data`.
    for key in ("message", "data"):
        value = answer.get(key)
        if value:
            return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return "error without a message"


def _rate_limit(headers: Message) -> RateLimit:
    return RateLimit(
        limit=_int(headers.get("X-RateLimit-Limit")),
        remaining=_int(headers.get("X-RateLimit-Remaining")),
        reset_at=_float(headers.get("X-RateLimit-Reset")),
    )


def _number(value: str) -> str:
    """E.164 "+442037691880" as Zadarma wants it ("442037691880"); extensions and ids pass unchanged."""
    if value.startswith("+"):
        return "".join(char for char in value if char.isdigit())
    return value


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _float(value: Any) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None
