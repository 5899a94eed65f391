"""FakeGoogle: Google's OAuth and Calendar v3 events API on loopback, for tests and `make run`.

It is not Google and reaches nothing outside the machine. The consent page approves at once
(302 back to the redirect URI with a code and the state); the token endpoint trades a code (with
its PKCE verifier checked) for a refresh token, and a refresh token for an access token, and says
`invalid_grant` for a revoked one; `/revoke` revokes. The Calendar API keeps events per calendar:
etags change on every write, `If-Match` answers 412 when stale, an insert with a taken id 409,
`events.list` pages (`maxResults`, `pageToken`), returns changes since a `syncToken` (deleted
events as `status: cancelled` with `showDeleted`), 410 for a token older than `expire_tokens()`,
a Meet link for `conferenceData.createRequest` (with `conferenceDataVersion=1`), and watch
channels (`events/watch`, `channels/stop`) posting Google's notification headers to their address
after every change.

The Calendar API is served at `/calendars/...` (GOOGLE_API_ENDPOINT = http://host:port/ replaces
`https://www.googleapis.com/calendar/v3/`), OAuth at
`/o/oauth2/auth`, `/token`, `/revoke`. `python -m infra.local.fake_google` serves it on its own.
"""

from __future__ import annotations

import argparse
import base64
import copy
import hashlib
import itertools
import json
import re
import secrets
import threading
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit

_EVENTS = re.compile(r"^(?:/calendar/v3)?/calendars/([^/]+)/events(?:/([^/]+))?$")


class FakeGoogle:
    def __init__(self, host: str = "127.0.0.1", port: int = 0, email: str = "user@gmail.example") -> None:
        self.email = email
        self.calendars: dict[str, dict[str, dict[str, Any]]] = {}
        self.log: dict[str, list[str]] = {}  # per calendar: ids in write order (sync tokens index it)
        self.tokens_from: dict[str, int] = {}  # per calendar: the generation of valid sync tokens
        self.codes: dict[str, tuple[str | None, str]] = {}  # code -> (PKCE challenge, scope)
        # Refresh tokens are good until revoked (also those of an earlier run of the local stack).
        self.refresh_tokens: set[str] = set()
        self.revoked: set[str] = set()
        self.refuse_all = False
        self.access_tokens: set[str] = set()
        self.requests: list[tuple[str, str]] = []
        self.channels: dict[str, dict[str, Any]] = {}  # id -> the watch (calendar, address, token...)
        self.notifications: list[dict[str, str]] = []  # what was posted to the channels' addresses
        self._etags = itertools.count(1)
        self._lock = threading.RLock()
        self._server = ThreadingHTTPServer((host, port), _handler(self))
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}/"

    def start(self) -> FakeGoogle:
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True, name="fake-google")
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    # --- what a user does in Google (tests) ---------------------------------------------------

    def user_writes(self, event: dict[str, Any], calendar: str = "primary") -> dict[str, Any]:
        with self._lock:
            event_id = event.get("id") or f"g{secrets.token_hex(6)}"
            stored = {**copy.deepcopy(event), "id": event_id, "status": event.get("status", "confirmed")}
            return self._store(calendar, stored)

    def user_deletes(self, event_id: str, calendar: str = "primary") -> None:
        with self._lock:
            event = self.calendars.get(calendar, {}).get(event_id)
            if event is not None:
                self._store(calendar, {**event, "status": "cancelled"})

    def expire_tokens(self, calendar: str = "primary") -> None:
        """Sync tokens so far answer 410; deleted events are purged."""
        with self._lock:
            self.tokens_from[calendar] = self.tokens_from.get(calendar, 0) + 1  # a new generation
            events = self.calendars.get(calendar, {})
            for event_id in [i for i, e in events.items() if e["status"] == "cancelled"]:
                del events[event_id]

    def revoke_all(self) -> None:
        with self._lock:
            self.refuse_all = True
            self.access_tokens.clear()

    def events(self, calendar: str = "primary") -> list[dict[str, Any]]:
        return [e for e in self.calendars.get(calendar, {}).values() if e["status"] != "cancelled"]

    # --- the API ------------------------------------------------------------------------------

    def _store(self, calendar: str, event: dict[str, Any]) -> dict[str, Any]:
        event["etag"] = f'"{next(self._etags)}"'
        event["updated"] = datetime.now(UTC).isoformat().replace("+00:00", "Z")
        self.calendars.setdefault(calendar, {})[event["id"]] = event
        self.log.setdefault(calendar, []).append(event["id"])
        for channel in [c for c in self.channels.values() if c["calendar"] == calendar]:
            self._notify(channel, "exists")
        return copy.deepcopy(event)

    def _notify(self, channel: dict[str, Any], state: str) -> None:
        """Post the change to the channel's address (in the background, as Google does)."""
        channel["number"] += 1
        headers = {
            "X-Goog-Channel-ID": channel["id"],
            "X-Goog-Channel-Token": channel["token"],
            "X-Goog-Resource-ID": channel["resourceId"],
            "X-Goog-Resource-State": state,
            "X-Goog-Message-Number": str(channel["number"]),
        }
        self.notifications.append(headers)

        def post() -> None:
            import urllib.request

            request = urllib.request.Request(channel["address"], data=b"", headers=headers, method="POST")
            try:
                with urllib.request.urlopen(request, timeout=10):
                    pass
            except OSError:
                return

        threading.Thread(target=post, daemon=True, name="fake-google-notify").start()

    def answer(self, method: str, url: str, headers: dict[str, str], body: bytes) -> tuple[int, dict[str, str], bytes]:
        parts = urlsplit(url)
        query = dict(parse_qsl(parts.query))
        self.requests.append((method, parts.path))
        with self._lock:
            if parts.path == "/o/oauth2/auth":
                return self._consent(query)
            if parts.path == "/token" and method == "POST":
                return self._token(dict(parse_qsl(body.decode())))
            if parts.path == "/revoke" and method == "POST":
                token = dict(parse_qsl(body.decode())).get("token", "")
                self.revoked.add(token)
                return _json(200, {})
            if parts.path == "/channels/stop" and method == "POST":
                self.channels.pop(json.loads(body or b"{}").get("id", ""), None)
                return 204, {}, b""
            match = _EVENTS.match(parts.path)
            if match is None:
                return _json(404, _error(404, "notFound"))
            if headers.get("authorization", "").removeprefix("Bearer ") not in self.access_tokens:
                return _json(401, _error(401, "authError"))
            calendar, event_id = unquote(match.group(1)), match.group(2) and unquote(match.group(2))
            payload = json.loads(body or b"{}")
            if event_id == "watch" and method == "POST":
                return self._watch(calendar, payload)
            if event_id is None:
                if method == "GET":
                    return self._list(calendar, query)
                return self._insert(calendar, payload, query)
            return self._one(method, calendar, event_id, payload, query, headers.get("if-match"))

    def _watch(self, calendar: str, body: dict[str, Any]) -> tuple[int, dict[str, str], bytes]:
        ttl = int((body.get("params") or {}).get("ttl") or 604800)
        expiration = int((datetime.now(UTC).timestamp() + min(ttl, 604800)) * 1000)
        channel = {
            "id": body.get("id", ""),
            "address": body.get("address", ""),
            "token": body.get("token", ""),
            "resourceId": f"r{secrets.token_hex(6)}",
            "calendar": calendar,
            "expiration": expiration,
            "number": 0,
        }
        self.channels[channel["id"]] = channel
        self._notify(channel, "sync")
        answer = {"kind": "api#channel", "id": channel["id"], "resourceId": channel["resourceId"]}
        return _json(200, {**answer, "expiration": str(expiration)})

    def _consent(self, query: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        code = secrets.token_urlsafe(16)
        self.codes[code] = (query.get("code_challenge"), query.get("scope", ""))
        back = f"{query.get('redirect_uri')}?{urlencode({'state': query.get('state', ''), 'code': code})}"
        return 302, {"Location": back}, b""

    def _token(self, form: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        if form.get("grant_type") == "authorization_code":
            code = form.get("code", "")
            if code not in self.codes:
                return _json(400, {"error": "invalid_grant", "error_description": "unknown or used code"})
            challenge, scope = self.codes.pop(code)
            verifier = form.get("code_verifier", "")
            digest = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).decode().rstrip("=")
            if challenge is not None and digest != challenge:
                return _json(400, {"error": "invalid_grant", "error_description": "code_verifier mismatch"})
            refresh = f"rt-{secrets.token_hex(8)}"
            self.refresh_tokens.add(refresh)
            granted = {**self._access(), "refresh_token": refresh, "id_token": _id_token(self.email), "scope": scope}
            return _json(200, granted)
        if form.get("grant_type") == "refresh_token":
            token = form.get("refresh_token", "")
            if self.refuse_all or not token or token in self.revoked:
                return _json(400, {"error": "invalid_grant", "error_description": "Token has been revoked."})
            return _json(200, self._access())
        return _json(400, {"error": "unsupported_grant_type"})

    def _access(self) -> dict[str, Any]:
        token = f"at-{secrets.token_hex(8)}"
        self.access_tokens.add(token)
        return {"access_token": token, "expires_in": 3600, "token_type": "Bearer", "scope": "calendar.events"}

    def _list(self, calendar: str, query: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        log = self.log.get(calendar, [])
        events = self.calendars.get(calendar, {})
        token = query.get("syncToken")
        if token is not None:
            generation, _, index = token.partition(":")
            if not index.isdigit() or generation != str(self.tokens_from.get(calendar, 0)):
                return _json(410, _error(410, "fullSyncRequired"))
            since = int(index)
            ids = list(dict.fromkeys(log[since:]))
            listed = [events[i] for i in ids if i in events]
        else:
            listed = [e for e in events.values() if e["status"] != "cancelled"]
        if query.get("showDeleted") != "true":
            listed = [e for e in listed if e["status"] != "cancelled"]
        start = int(query.get("pageToken") or 0)
        size = int(query.get("maxResults") or 250)
        page = listed[start : start + size]
        answer: dict[str, Any] = {"kind": "calendar#events", "items": [_shown(e) for e in page]}
        if start + size < len(listed):
            answer["nextPageToken"] = str(start + size)
        else:
            answer["nextSyncToken"] = f"{self.tokens_from.get(calendar, 0)}:{len(log)}"
        return _json(200, answer)

    def _insert(self, calendar: str, body: dict[str, Any], query: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        event_id = body.get("id") or f"g{secrets.token_hex(6)}"
        if event_id in self.calendars.get(calendar, {}):
            return _json(409, _error(409, "duplicate"))
        event = {**body, "id": event_id, "status": "confirmed"}
        _conference(event, query)
        return _json(200, self._store(calendar, event))

    def _one(
        self,
        method: str,
        calendar: str,
        event_id: str,
        body: dict[str, Any],
        query: dict[str, str],
        if_match: str | None,
    ) -> tuple[int, dict[str, str], bytes]:
        event = self.calendars.get(calendar, {}).get(event_id)
        if event is None or (event["status"] == "cancelled" and method != "GET"):
            return _json(404 if event is None else 410, _error(404 if event is None else 410, "deleted"))
        if method == "GET":
            return _json(200, _shown(event))
        if if_match and if_match != event["etag"]:
            return _json(412, _error(412, "conditionNotMet"))
        if method == "DELETE":
            self._store(calendar, {**event, "status": "cancelled"})
            return 204, {}, b""
        changed = (
            {**event, **body, "id": event_id, "status": "confirmed"}
            if method == "PATCH"
            else {**body, "id": event_id, "status": "confirmed"}
        )
        _conference(changed, query)
        return _json(200, self._store(calendar, changed))


def _conference(event: dict[str, Any], query: dict[str, str]) -> None:
    request = (event.get("conferenceData") or {}).get("createRequest")
    if request and query.get("conferenceDataVersion") == "1" and "hangoutLink" not in event:
        code = hashlib.sha256(str(request.get("requestId")).encode()).hexdigest()
        link = f"https://meet.google.com/{code[:3]}-{code[3:7]}-{code[7:10]}"
        event["hangoutLink"] = link
        event["conferenceData"] = {"entryPoints": [{"entryPointType": "video", "uri": link}]}


def _shown(event: dict[str, Any]) -> dict[str, Any]:
    if event["status"] == "cancelled":
        return {"id": event["id"], "etag": event["etag"], "status": "cancelled"}
    return copy.deepcopy(event)


def _id_token(email: str) -> str:
    def part(data: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")

    return f"{part({'alg': 'none'})}.{part({'email': email, 'email_verified': True})}.sig"


def _error(status: int, reason: str) -> dict[str, Any]:
    return {"error": {"code": status, "message": reason, "errors": [{"reason": reason, "message": reason}]}}


def _json(status: int, data: dict[str, Any]) -> tuple[int, dict[str, str], bytes]:
    return status, {"Content-Type": "application/json"}, json.dumps(data).encode()


def _handler(google: FakeGoogle) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            headers = {k.lower(): v for k, v in self.headers.items()}
            status, extra, payload = google.answer(self.command, self.path, headers, body)
            self.send_response(status)
            for name, value in extra.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = _serve  # noqa: N815

        def log_message(self, format: str, *args: Any) -> None:
            return

    return Handler


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8003)
    args = parser.parse_args()
    google = FakeGoogle(port=args.port).start()
    print(f"fake Google on {google.url}")
    threading.Event().wait()


if __name__ == "__main__":
    main()
