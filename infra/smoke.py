"""A smoke test of a running stack, deployed or local: `make smoke URL=https://...`.

A short scripted session through the public API only (stdlib urllib, nothing to install):
create a CRM (with PBX keys), log in, create a client, create a deal and move it to another
status, deliver a signed PBX call (NOTIFY_START, then NOTIFY_END, as Zadarma posts them), and
import 10 rows through the presigned upload of API.md "Import / export". Each step is printed;
the first failing one stops the run with what was expected and what came back (exit code 1).

    python -m infra.smoke https://abc123.execute-api.eu-west-1.amazonaws.com/api

It leaves a CRM named "Smoke <time>" behind (its slug is printed): a deployed stack keeps it.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import hmac
import json
import secrets
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

TIMEOUT = 30  # seconds for one HTTP request
IMPORT_ROWS = 10
IMPORT_WAIT = 120  # seconds an import may take to complete


class SmokeError(Exception):
    """A step failed: the message says which and what came back."""


class Session:
    def __init__(self, base: str, out: Callable[[str], None] = print) -> None:
        self.base = base.rstrip("/")
        self.token: str | None = None
        self.out = out

    def request(self, method: str, path: str, body: Any = None, *, expect: int = 200) -> Any:
        data = json.dumps(body).encode() if body is not None else None
        headers = {"Content-Type": "application/json"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        status, raw = _send(urllib.request.Request(self.base + path, data=data, method=method, headers=headers))
        if status != expect:
            raise SmokeError(f"{method} {path}: expected HTTP {expect}, got {status}: {raw[:500]!r}")
        return json.loads(raw) if raw else None

    def step(self, title: str) -> None:
        self.out(f"- {title}")


def _send(request: urllib.request.Request) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()
    except (urllib.error.URLError, OSError) as error:
        raise SmokeError(f"{request.get_method()} {request.full_url}: no answer ({error})") from None


def pbx_signature(sign_string: str, secret: str) -> str:
    """Zadarma's `Signature`: base64(hex(HMAC-SHA1(secret, string))) (reference/zadarma.md)."""
    return base64.b64encode(hmac.new(secret.encode(), sign_string.encode(), hashlib.sha1).hexdigest().encode()).decode()


def post_pbx_event(session: Session, slug: str, secret: str, fields: dict[str, str]) -> Any:
    """One event as Zadarma posts it: form-encoded, NOTIFY_START/END signed over
    caller_id + called_did + call_start."""
    body = urllib.parse.urlencode(fields).encode()
    signature = pbx_signature(fields["caller_id"] + fields["called_did"] + fields["call_start"], secret)
    headers = {"Content-Type": "application/x-www-form-urlencoded", "Signature": signature}
    path = f"/v1/webhooks/zadarma/{slug}"
    status, raw = _send(urllib.request.Request(session.base + path, data=body, method="POST", headers=headers))
    if status != 200:
        raise SmokeError(f"PBX {fields['event']} to {path}: expected HTTP 200, got {status}: {raw[:500]!r}")
    return json.loads(raw) if raw else None


def run(base: str, out: Callable[[str], None] = print) -> dict[str, str]:
    """The whole session; returns the ids it made. Raises SmokeError at the first failure."""
    session = Session(base, out)
    stamp = datetime.now(UTC).strftime("%Y%m%d%H%M%S") + secrets.token_hex(2)
    email, password = f"smoke-{stamp}@example.com", secrets.token_urlsafe(12) + "-S1"
    pbx_key, pbx_secret = f"smoke-key-{stamp}", secrets.token_hex(16)

    session.step("health")
    session.request("GET", "/v1/health")

    session.step("create a CRM with PBX keys")
    created = session.request(
        "POST",
        "/v1/crms",
        {
            "name": f"Smoke {stamp}",
            "admin": {"name": "Smoke Admin", "email": email, "password": password, "extension": "100"},
            "pbx": {"api_key": pbx_key, "api_secret": pbx_secret},
        },
        expect=201,
    )
    slug = created["crm"]["slug"]
    out(f"  CRM {slug} ({created['crm']['id']})")

    session.step("log in")
    login = session.request("POST", "/v1/auth/login", {"crm": slug, "email": email, "password": password})
    session.token = login["access_token"]

    session.step("create a client")
    phone = f"+3361{int(stamp[8:14]) % 10**7:07d}"
    client = session.request("POST", "/v1/clients", {"name": "Smoke Client", "phones": [{"phone": phone}]}, expect=201)

    session.step("create a deal and move it to another status")
    deal = session.request(
        "POST", "/v1/deals", {"title": "Smoke deal", "client_id": client["id"], "value": {"amount": "100"}}, expect=201
    )
    moved = session.request("PATCH", f"/v1/deals/{deal['id']}", {"version": deal["version"], "status": "decision"})
    if moved.get("status") != "decision":
        raise SmokeError(f"the deal did not move: {moved}")

    session.step("a signed PBX call (NOTIFY_START, NOTIFY_END)")
    call_id = f"in_{secrets.token_hex(20)}"
    start = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S")
    base_fields = {"call_start": start, "pbx_call_id": call_id, "caller_id": phone, "called_did": "33159000000"}
    answer = post_pbx_event(session, slug, pbx_secret, {"event": "NOTIFY_START", **base_fields})
    if (answer or {}).get("caller_name") != "Smoke Client":
        raise SmokeError(f"NOTIFY_START: expected the caller's name in the answer, got {answer}")
    end = {"internal": "100", "duration": "12", "disposition": "answered", "status_code": "16", "is_recorded": "0"}
    post_pbx_event(session, slug, pbx_secret, {"event": "NOTIFY_END", **base_fields, **end})
    stored = session.request("GET", f"/v1/calls/{call_id}")
    if stored.get("status") != "answer" or (stored.get("contact") or {}).get("id") != client["id"]:
        raise SmokeError(f"the call is not stored as answered by the client: {stored}")

    session.step(f"import {IMPORT_ROWS} rows (presigned upload)")
    csv = "name,phone\n" + "".join(f"Imported {i},+337{stamp[10:14]}{i:04d}\n" for i in range(IMPORT_ROWS))
    made = session.request(
        "POST", "/v1/imports", {"entity": "clients", "filename": "smoke.csv", "content_type": "text/csv"}, expect=201
    )
    if not made.get("upload_url"):
        raise SmokeError(f"POST /v1/imports gave no upload_url: {made}")
    put = urllib.request.Request(
        made["upload_url"], data=csv.encode(), method="PUT", headers={"Content-Type": "text/csv"}
    )
    status, raw = _send(put)
    if status not in (200, 204):
        raise SmokeError(f"PUT to the upload_url: expected HTTP 200, got {status}: {raw[:300]!r}")
    preview = session.request("GET", f"/v1/imports/{made['id']}/preview")
    if preview.get("headers") != ["name", "phone"]:
        raise SmokeError(f"the preview does not show the file's header: {preview}")
    mapping = {"name": "name", "phone": "phone:mobile"}
    session.request("POST", f"/v1/imports/{made['id']}/start", {"mapping": mapping, "on_duplicate": "skip"}, expect=202)
    deadline, state = time.monotonic() + IMPORT_WAIT, {}
    while time.monotonic() < deadline:
        state = session.request("GET", f"/v1/imports/{made['id']}")
        if state.get("status") in ("completed", "failed"):
            break
        time.sleep(1)
    if state.get("status") != "completed" or state.get("created") != IMPORT_ROWS:
        errors = _send(urllib.request.Request(state["errors_url"]))[1][:500] if state.get("errors_url") else b""
        raise SmokeError(f"the import did not create {IMPORT_ROWS} clients in {IMPORT_WAIT} s: {state} {errors!r}")

    out("smoke test passed")
    return {"crm": slug, "client": client["id"], "deal": deal["id"], "call": call_id, "import": made["id"]}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="A scripted session against a CRM stack's API.")
    parser.add_argument("url", help="the API's base URL (the stack's output ApiUrl, or http://127.0.0.1:8000)")
    args = parser.parse_args(argv)
    print(f"smoke test of {args.url}")
    try:
        run(args.url)
    except SmokeError as error:
        print(f"FAILED: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
