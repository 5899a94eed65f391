"""FakeZadarma: a stand-in for api.zadarma.com on loopback, for tests and the local stack.

It is not Zadarma and reaches nothing outside the machine. It checks the `Authorization` header the
way the real API does (over the path as requested plus the raw query string or body received), so a
request it accepts is signed right; it answers the few methods the CRM uses with the shapes Zadarma
answers, sends `X-RateLimit-*` headers on every answer and serves the recordings its links point to.
Tests script it through the hooks (`add_recording`, `fail_next`, ...) and read what it recorded.

`python -m infra.local.fake_zadarma --key KEY --secret SECRET` serves it on its own.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import hmac
import json
import re
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import parse_qsl, quote, unquote

RATE_LIMIT = 100  # requests per key and minute, Zadarma's general limit
WINDOW_S = 60
GSM_PART, GSM_CONCAT_PART = 160, 153
UNICODE_PART, UNICODE_CONCAT_PART = 70, 67
SMS_PART_COST = 0.06

_EXTENSION_STATUS = re.compile(r"/v1/pbx/internal/(\d{2,6})/status/")
_RECORDING = re.compile(r"/recordings/([^/]+)\.mp3")
_UTC_OFFSET = re.compile(r"UTC(?:([+-])(\d{1,2})(?::(\d{2}))?)?")

Answer = tuple[int, dict[str, Any]]


@dataclass(frozen=True, slots=True)
class ReceivedRequest:
    method: str
    path: str
    params: dict[str, str]  # flat, bracket keys as sent ("lead[name]")
    authorized: bool
    raw: bytes  # the query string (GET) or the body (other verbs), as received


@dataclass(frozen=True, slots=True)
class SentSms:
    number: str
    message: str
    sender: str | None
    parts: int


@dataclass(frozen=True, slots=True)
class RequestedCallback:
    from_: str
    to: str
    sip: str | None
    predicted: bool
    api_key: str = ""  # the account that asked (which CRM's PBX it is)


@dataclass(slots=True)
class _Recording:
    call_id: str
    pbx_call_id: str
    content: bytes
    not_ready_for: int


@dataclass(slots=True)
class _Window:
    started: float
    count: int = 0


@dataclass(slots=True)
class _Reply:
    status: int
    body: bytes
    content_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)


class FakeZadarma:
    def __init__(self, accounts: Mapping[str, str] | None = None, host: str = "127.0.0.1", port: int = 0) -> None:
        """`accounts` maps API keys to their secrets."""
        self._accounts = dict(accounts or {})
        self._address = (host, port)
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.base_url = ""
        self.timezone = "UTC+3"
        self.balance = 10.0
        self.requests: list[ReceivedRequest] = []
        self.sent_sms: list[SentSms] = []
        self.callbacks: list[RequestedCallback] = []
        self.webrtc_keys: list[str] = []  # the extensions a WebRTC key was asked for, in order
        self._recordings: list[_Recording] = []
        self._failures: dict[str, list[int]] = {}
        self._transcripts: dict[str, list[tuple[int, str]]] = {}
        self._recognizing: dict[str, int] = {}  # call id -> answers "in progress" still to give
        self._online: dict[str, bool] = {}
        self._denied: dict[str, str] = {}
        self._windows: dict[str, _Window] = {}
        # The local stack plays the PBX's side of a requested call (its webhooks) from here.
        self.on_callback: Callable[[RequestedCallback], None] | None = None
        self._caller = ""

    # --- lifecycle ---------------------------------------------------------------------------------------------

    def start(self) -> str:
        """Serve in a daemon thread; returns the base URL, e.g. "http://127.0.0.1:54321"."""
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                fake._serve(self)

            def do_POST(self) -> None:
                fake._serve(self)

            def do_PUT(self) -> None:
                fake._serve(self)

            def do_DELETE(self) -> None:
                fake._serve(self)

            def log_message(self, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(self._address, Handler)
        host, port = self._server.server_address[:2]
        host = host.decode() if isinstance(host, bytes) else host
        self.base_url = f"http://{host}:{port}"
        # A short poll keeps stop() fast: tests start and stop one server each.
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, name="fake-zadarma", daemon=True
        )
        self._thread.start()
        return self.base_url

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join()
            self._thread = None

    def __enter__(self) -> FakeZadarma:
        self.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.stop()

    # --- test hooks --------------------------------------------------------------------------------------------

    def secret_of(self, key: str) -> str | None:
        """The secret of an account (the fake signs that account's webhooks with it)."""
        with self._lock:
            return self._accounts.get(key)

    def add_account(self, key: str, secret: str) -> None:
        with self._lock:
            self._accounts[key] = secret

    def add_recording(self, *, call_id: str, pbx_call_id: str, content: bytes, not_ready_for: int = 0) -> None:
        """A recording; the first `not_ready_for` link requests answer "File not found", as right after a call."""
        with self._lock:
            self._recordings.append(_Recording(call_id, pbx_call_id, content, not_ready_for))

    def fail_next(self, path: str, status: int = 429, times: int = 1) -> None:
        """The next `times` requests to `path` fail with `status` (429 answers as Zadarma's rate limit does)."""
        with self._lock:
            self._failures.setdefault(path, []).extend([status] * times)

    def set_transcript(self, call_id: str, phrases: list[tuple[int, str]], *, in_progress_for: int = 0) -> None:
        """A recording's transcript; the first `in_progress_for` requests answer "in progress"."""
        with self._lock:
            self._transcripts[call_id] = list(phrases)
            self._recognizing[call_id] = in_progress_for

    def set_extension_online(self, extension: str, online: bool) -> None:
        with self._lock:
            self._online[extension] = online

    def deny_sms_to(self, number: str, reason: str) -> None:
        """SMS to this number (digits, as Zadarma writes them) land in `denied_numbers` with `reason`."""
        with self._lock:
            self._denied[_digits(number)] = reason

    # --- serving -----------------------------------------------------------------------------------------------

    def _serve(self, handler: BaseHTTPRequestHandler) -> None:
        method = handler.command
        # The path exactly as requested: Zadarma signs it undecoded, trailing slash included.
        path, _, query = handler.path.partition("?")
        length = int(handler.headers.get("Content-Length") or 0)
        body = handler.rfile.read(length) if length else b""
        raw = query.encode("latin-1") if method == "GET" else body
        key, _, signature = (handler.headers.get("Authorization") or "").partition(":")
        with self._lock:
            secret = self._accounts.get(key)
            authorized = secret is not None and hmac.compare_digest(
                _signature(path, raw, secret).encode(), signature.strip().encode("utf-8", "replace")
            )
            params = dict(parse_qsl(raw.decode("utf-8", "replace"), keep_blank_values=True))
            self.requests.append(ReceivedRequest(method, path, params, authorized, raw))
            window = self._count(key)
            self._caller = key  # whose account a method acts for (read under this lock)
            failures = self._failures.get(path)
            failure = failures.pop(0) if failures else None
            reply = self._reply(method, path, params, authorized, window, failure)
        reply.headers.update(
            {
                "X-Zadarma-Method": path,
                "X-RateLimit-Limit": str(RATE_LIMIT),
                "X-RateLimit-Remaining": reply.headers.get("X-RateLimit-Remaining")
                or str(max(0, RATE_LIMIT - window.count)),
                "X-RateLimit-Reset": str(int(window.started + WINDOW_S)),
            }
        )
        handler.send_response(reply.status)
        handler.send_header("Content-Type", reply.content_type)
        handler.send_header("Content-Length", str(len(reply.body)))
        for name, value in reply.headers.items():
            handler.send_header(name, value)
        handler.end_headers()
        handler.wfile.write(reply.body)

    def _count(self, key: str) -> _Window:
        now = time.time()
        window = self._windows.get(key)
        if window is None or now >= window.started + WINDOW_S:
            window = self._windows[key] = _Window(started=now)
        window.count += 1
        return window

    def _reply(
        self, method: str, path: str, params: dict[str, str], authorized: bool, window: _Window, failure: int | None
    ) -> _Reply:
        if failure == 429:
            return _Reply(429, _json(_error("You exceeded the rate limit")), headers={"X-RateLimit-Remaining": "0"})
        if failure is not None and failure >= 500:
            # Gateways in front of an API answer their own pages, not the API's JSON.
            return _Reply(failure, f"<html><body>{failure} Server Error</body></html>".encode(), "text/html")
        if failure is not None:
            return _Reply(failure, _json(_error(f"Error {failure}")))
        recording = _RECORDING.fullmatch(path)
        if recording and method == "GET":
            # Links carry their own token in the real API: no Authorization header.
            return self._recording_file(unquote(recording.group(1)))
        if not authorized:
            return _Reply(401, _json(_error("Not authorized")))
        if window.count > RATE_LIMIT:
            return _Reply(429, _json(_error("You exceeded the rate limit")))
        status, answer = self._call(method, path, params)
        return _Reply(status, _json(answer))

    def _call(self, method: str, path: str, params: dict[str, str]) -> Answer:
        routes: dict[str, tuple[str, Callable[[dict[str, str]], Answer]]] = {
            "/v1/request/callback/": ("GET", self._callback),
            "/v1/sms/send/": ("POST", self._send_sms),
            "/v1/pbx/record/request/": ("GET", self._record_request),
            "/v1/speech_recognition/": ("GET", self._speech_recognition),
            "/v1/info/timezone/": ("GET", self._timezone),
            "/v1/info/balance/": ("GET", self._balance),
            "/v1/webrtc/get_key/": ("GET", self._webrtc_key),
        }
        extension = _EXTENSION_STATUS.fullmatch(path)
        if extension:
            route: tuple[str, Callable[[dict[str, str]], Answer]] | None = (
                "GET",
                lambda _: self._extension_status(extension.group(1)),
            )
        else:
            route = routes.get(path)
        if route is None:
            return 404, _error("Method not found")
        verb, answer = route
        if method != verb:
            return 400, _error("Wrong request method")
        return answer(params)

    # --- methods (called with the lock held) -------------------------------------------------------------------

    def _callback(self, params: dict[str, str]) -> Answer:
        from_, to = params.get("from", ""), params.get("to", "")
        if not from_ or not to.isdigit():
            return 400, _error("Check phone's number")
        callback = RequestedCallback(from_, to, params.get("sip"), "predicted" in params, self._caller)
        self.callbacks.append(callback)
        if self.on_callback is not None:
            # Called under the fake's lock: the hook must only hand the work to another thread.
            self.on_callback(callback)
        return 200, {"status": "success", "from": from_, "to": to, "time": int(time.time())}

    def _webrtc_key(self, params: dict[str, str]) -> Answer:
        """A WebRTC widget key for an extension (valid 72 h at Zadarma): a new one each time."""
        sip = params.get("sip", "")
        if not sip.isdigit():
            return 400, _error("Wrong parameter sip")
        self.webrtc_keys.append(sip)
        return 200, {"status": "success", "key": f"fake-webrtc-{sip}-{len(self.webrtc_keys)}"}

    def _send_sms(self, params: dict[str, str]) -> Answer:
        message = params.get("message", "")
        numbers = [number for number in params.get("number", "").split(",") if number]
        if not message or not numbers:
            return 400, _error("Wrong parameters")
        sender = params.get("caller_id") or params.get("sender")
        parts = _sms_parts(message)
        sent, denied = [], []
        for number in numbers:
            reason = self._denied.get(number) or (None if number.isdigit() else "Check phone's number")
            if reason:
                denied.append({"number": number, "message": reason})
                continue
            self.sent_sms.append(SentSms(number, message, sender, parts))
            sent.append({"senderid": sender or "", "number": number, "cost": round(parts * SMS_PART_COST, 2)})
        return 200, {
            "status": "success",
            "messages": parts * len(sent),
            "cost": round(parts * len(sent) * SMS_PART_COST, 2),
            "currency": "USD",
            "sms_detalization": sent,
            "denied_numbers": denied,
        }

    def _record_request(self, params: dict[str, str]) -> Answer:
        call_id, pbx_call_id = params.get("call_id"), params.get("pbx_call_id")
        if not call_id and not pbx_call_id:
            return 400, _error("call_id or pbx_call_id required")
        lifetime = params.get("lifetime", "1800")
        if not lifetime.isdigit() or not 180 <= int(lifetime) <= 5_184_000:
            return 400, _error("Wrong lifetime")
        if call_id:
            found = [recording for recording in self._recordings if recording.call_id == call_id]
        else:
            found = [recording for recording in self._recordings if recording.pbx_call_id == pbx_call_id]
        if not found or any(recording.not_ready_for > 0 for recording in found):
            for recording in found:
                recording.not_ready_for = max(0, recording.not_ready_for - 1)
            return 404, _error("File not found")
        till = (datetime.now(UTC) + timedelta(seconds=int(lifetime))).strftime("%Y-%m-%d %H:%M:%S")
        links = [f"{self.base_url}/recordings/{quote(recording.call_id, safe='')}.mp3" for recording in found]
        if call_id:
            return 200, {"status": "success", "link": links[0], "lifetime_till": till}
        return 200, {"status": "success", "links": links, "lifetime_till": till}

    def _recording_file(self, call_id: str) -> _Reply:
        for recording in self._recordings:
            if recording.call_id == call_id and recording.not_ready_for == 0:
                return _Reply(200, recording.content, "audio/mpeg")
        return _Reply(404, b"Not Found", "text/plain")

    def _extension_status(self, extension: str) -> Answer:
        online = self._online.get(extension, False)
        return 200, {"status": "success", "pbx_id": 1234, "number": int(extension), "is_online": str(online).lower()}

    def _speech_recognition(self, params: dict[str, str]) -> Answer:
        call_id = params.get("call_id", "")
        if not call_id:
            return 400, _error("call_id required")
        phrases = self._transcripts.get(call_id)
        status = "not available for recognize" if phrases is None else "recognized"
        if self._recognizing.get(call_id, 0) > 0:
            self._recognizing[call_id] -= 1
            status, phrases = "in progress", None
        answer: dict[str, Any] = {
            "status": "success",
            "lang": params.get("lang") or "en-EN",
            "recognitionStatus": status,
            "otherLangs": [],
        }
        if params.get("return") == "words":
            answer["words"] = [{"result": _words(text), "channel": channel} for channel, text in phrases or ()]
        else:
            answer["phrases"] = [{"result": text, "channel": channel} for channel, text in phrases or ()]
        return 200, answer

    def _timezone(self, params: dict[str, str]) -> Answer:
        match = _UTC_OFFSET.fullmatch(self.timezone)
        offset = timedelta()
        if match and match.group(1):
            offset = timedelta(hours=int(match.group(2)), minutes=int(match.group(3) or 0))
            offset = -offset if match.group(1) == "-" else offset
        now = datetime.now(timezone(offset))
        return 200, {
            "status": "success",
            "unixtime": int(now.timestamp()),
            "datetime": now.strftime("%Y-%m-%d %H:%M:%S"),
            "timezone": self.timezone,
        }

    def _balance(self, params: dict[str, str]) -> Answer:
        return 200, {"status": "success", "balance": self.balance, "currency": "USD"}


def _signature(path: str, raw: bytes, secret: str) -> str:
    """The Authorization signature, recomputed here rather than imported: the fake checks the client."""
    signed = path.encode() + raw + hashlib.md5(raw, usedforsecurity=False).hexdigest().encode()
    return base64.b64encode(hmac.new(secret.encode(), signed, hashlib.sha1).hexdigest().encode()).decode()


def _sms_parts(message: str) -> int:
    # Any character outside ASCII is a rough but sufficient test for "needs UCS-2".
    single, concatenated = (GSM_PART, GSM_CONCAT_PART) if message.isascii() else (UNICODE_PART, UNICODE_CONCAT_PART)
    return 1 if len(message) <= single else -(-len(message) // concatenated)


def _words(text: str) -> list[dict[str, Any]]:
    return [{"s": round(i * 0.4, 2), "e": round(i * 0.4 + 0.3, 2), "w": word} for i, word in enumerate(text.split())]


def _digits(number: str) -> str:
    return "".join(char for char in number if char.isdigit())


def _error(message: str) -> dict[str, Any]:
    return {"status": "error", "message": message}


def _json(answer: dict[str, Any]) -> bytes:
    return json.dumps(answer).encode()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m infra.local.fake_zadarma", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8002)
    parser.add_argument("--key", default="local-key")
    parser.add_argument("--secret", default="local-secret")
    args = parser.parse_args(argv)
    fake = FakeZadarma({args.key: args.secret}, args.host, args.port)
    print(f"fake Zadarma (not the real API) on {fake.start()}, key {args.key!r}", flush=True)
    try:
        forever = threading.Event()
        while not forever.wait(timeout=0.5):  # short waits: Ctrl-C may land on another thread
            pass
    except KeyboardInterrupt:
        pass
    finally:
        fake.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
