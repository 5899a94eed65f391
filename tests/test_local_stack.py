"""`make run` as a user meets it: a real process on real ports, curl-like calls, Ctrl-C, restart."""

from __future__ import annotations

import itertools
import json
import socket
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from infra.local.seed import DEMO_CLIENT_PHONE
from tests.local_run import Run, call, free_port

pytestmark = pytest.mark.slow


@pytest.fixture
def ports_and_state(tmp_path: Path) -> tuple[int, int, Path]:
    return free_port(), free_port(), tmp_path / "state.json"


def test_local_crm_serves_keeps_data_across_restarts_and_stops_cleanly(ports_and_state) -> None:
    port, moto_port, state = ports_and_state
    first = Run(port, moto_port, state)
    try:
        first.wait_ready()
        crm = {
            "name": "Laptop Sales",
            "admin": {"name": "Lea", "email": "lea@example.com", "password": "laptop-pass-1", "extension": "100"},
        }
        assert call(first.base, "POST", "/v1/crms", crm)[0] == 201
        credentials = {"crm": "laptop-sales", "email": "lea@example.com", "password": "laptop-pass-1"}
        status, session = call(first.base, "POST", "/v1/auth/login", credentials)
        assert status == 200
        assert call(first.base, "GET", "/v1/me", token=session["access_token"])[1]["name"] == "Lea"
        demo = {"crm": "demo", "email": "demo@example.com", "password": "demo-password"}
        status, demo_session = call(first.base, "POST", "/v1/auth/login", demo)
        assert status == 200, "the demo CRM is seeded"
        # The two scripted calls replayed as signed webhooks on the first start, their
        # recordings copied by the RecordingFetch workflow.
        # (The demo's weeks of history, written beside them, hold calls without recordings.)
        deadline, calls = time.monotonic() + 90, []
        while time.monotonic() < deadline:
            found = call(first.base, "GET", "/v1/calls?limit=100", token=demo_session["access_token"])[1]["items"]
            calls = [c for c in found if c["phone"] in (DEMO_CLIENT_PHONE, "+33698765432")]
            if len(calls) == 2 and all(c["recording"] == "ready" for c in calls):
                break
            time.sleep(1)
        assert sorted(c["recording"] for c in calls) == ["ready", "ready"], calls
        assert {c["direction"] for c in calls} == {"incoming"}

        second_copy = Run(port, moto_port, state.with_name("other.json"))
        code, output = second_copy.process.wait(timeout=60), second_copy.output()
        assert code == 1
        assert f"port {port}" in output
        assert "already in use" in output
    finally:
        code, output = first.interrupt()
    assert code == 0, output
    assert "saved" in output
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        probe.bind(("127.0.0.1", port))  # nothing listens any more: no process was left running

    again = Run(port, moto_port, state)
    try:
        again.wait_ready()
        status, session = call(again.base, "POST", "/v1/auth/login", credentials)
        assert status == 200, session
        assert call(again.base, "GET", "/v1/me", token=session["access_token"])[1]["email"] == "lea@example.com"
    finally:
        code, output = again.interrupt()
    assert code == 0, output


def _login(base: str, slug: str, email: str, password: str) -> dict[str, Any]:
    status, session = call(base, "POST", "/v1/auth/login", {"crm": slug, "email": email, "password": password})
    assert status == 200, session
    return session


def _new_crm(base: str, name: str) -> dict[str, Any]:
    admin = {"name": "Kim", "email": "kim@example.com", "password": "burst-pass-1", "extension": "100"}
    status, body = call(base, "POST", "/v1/crms", {"name": name, "admin": admin})
    assert status == 201, body
    return _login(base, body["crm"]["slug"], admin["email"], admin["password"])


# Writes acknowledged before the kill: enough for every writer to have several in flight.
BURST = 80


class Burst:
    """Eight threads creating clients, each with its own phone (so the phone index is written),
    until the server is gone; remembers what was answered and when."""

    def __init__(self, base: str, token: str) -> None:
        self.base, self.token = base, token
        self.acknowledged: list[tuple[float, str, str]] = []  # (when answered, phone, client id)
        self.attempted: list[str] = []
        self.refused: list[tuple[int, Any]] = []
        self._numbers = itertools.count()
        self._stop = threading.Event()
        self._writers = [threading.Thread(target=self._write, name=f"writer-{n}") for n in range(8)]

    def start(self) -> None:
        for thread in self._writers:
            thread.start()

    def wait_for(self, count: int, timeout: float = 180) -> None:
        deadline = time.monotonic() + timeout
        while len(self.acknowledged) < count and time.monotonic() < deadline and not self.refused:
            time.sleep(0.05)

    def stop(self) -> None:
        self._stop.set()
        for thread in self._writers:
            thread.join(timeout=30)

    def _write(self) -> None:
        while not self._stop.is_set():
            phone = f"+336{next(self._numbers):08d}"
            self.attempted.append(phone)
            body = {"name": f"Burst {phone}", "phones": [{"phone": phone, "type": "mobile"}]}
            try:
                status, client = call(self.base, "POST", "/v1/clients", body, self.token)
            except (urllib.error.URLError, ConnectionError, OSError):
                return  # the server is gone
            if status == 201:
                self.acknowledged.append((time.monotonic(), phone, client["id"]))
            else:
                self.refused.append((status, client))


def _all_client_ids(base: str, token: str) -> set[str]:
    listed: set[str] = set()
    cursor: str | None = ""
    while cursor is not None:
        query = "/v1/clients?scope=all&limit=100" + (f"&cursor={cursor}" if cursor else "")
        status, page = call(base, "GET", query, token=token)
        assert status == 200, page
        listed |= {item["id"] for item in page["items"]}
        cursor = page["next_cursor"]
    return listed


def _check_nothing_lost_or_dangling(base: str, token: str, burst: Burst) -> None:
    # Every acknowledged write is back, by id, by the phone index and in the list: all of
    # them, not only those older than a second (the journal is written before the answer).
    for _, phone, client_id in burst.acknowledged:
        status, client = call(base, "GET", f"/v1/clients/{client_id}", token=token)
        assert status == 200, (phone, client)
        assert [p["phone"] for p in client["phones"]] == [phone]
        status, owner = call(base, "GET", f"/v1/contacts/identify?phone=%2B{phone[1:]}", token=token)
        assert (status, owner.get("id")) == (200, client_id), (phone, owner)
    listed = _all_client_ids(base, token)
    assert {client_id for _, _, client_id in burst.acknowledged} <= listed
    # Nothing dangles: every listed client exists, and each phone of a write that was in
    # flight at the kill is either free or guarded by a client that exists.
    for client_id in listed:
        assert call(base, "GET", f"/v1/clients/{client_id}", token=token)[0] == 200, client_id
    for phone in sorted(set(burst.attempted) - {phone for _, phone, _ in burst.acknowledged}):
        body = {"name": f"After {phone}", "phones": [{"phone": phone, "type": "mobile"}]}
        status, answer = call(base, "POST", "/v1/clients", body, token)
        if status == 409:
            existing = answer["error"]["existing"]["id"]
            assert existing in listed, (phone, answer)
            assert call(base, "GET", f"/v1/clients/{existing}", token=token)[0] == 200, (phone, answer)
        else:
            assert status == 201, (phone, answer)


def test_kill_9_during_a_burst_of_writes_loses_no_acknowledged_write_and_leaves_no_dangling_index(
    ports_and_state,
) -> None:
    port, moto_port, state = ports_and_state
    first = Run(port, moto_port, state, "--no-seed")
    try:
        first.wait_ready()
        session = _new_crm(first.base, "Burst Sales")
        burst = Burst(first.base, session["access_token"])
        burst.start()
        burst.wait_for(BURST)
        killed_at = time.monotonic()
        first.kill()  # mid-burst: eight writers are waiting for answers
    finally:
        if first.process.poll() is None:
            first.kill()
    burst.stop()
    assert not burst.refused, burst.refused[:3]
    assert len(burst.acknowledged) >= BURST, f"only {len(burst.acknowledged)} writes in the burst"
    assert len(burst.attempted) > len(burst.acknowledged), "the kill came while writes were in flight"
    assert killed_at - max(when for when, _, _ in burst.acknowledged) < 5, "the kill came during the burst"

    again = Run(port, moto_port, state, "--no-seed")
    try:
        again.wait_ready()
        # A refresh token issued before the kill still works.
        status, refreshed = call(again.base, "POST", "/v1/auth/refresh", {"refresh_token": session["refresh_token"]})
        assert status == 200, refreshed
        _check_nothing_lost_or_dangling(again.base, refreshed["access_token"], burst)
    finally:
        code, output = again.interrupt()
    assert code == 0, output


def test_a_restore_that_fails_names_the_item_and_changes_no_saved_file(ports_and_state) -> None:
    port, moto_port, state = ports_and_state
    good = {"pk": {"S": "T#1#C#1"}, "sk": {"S": "CLIENT"}, "name": {"S": "Kept"}}
    broken = {"pk": {"S": "T#1#C#broken"}, "name": {"S": "No sort key"}}
    state.write_text(json.dumps({"version": 2, "journal": 0, "dynamodb": [good, broken], "cognito": [], "ssm": []}))
    journal = state.with_name(state.name + ".journal.0")
    journal.write_text(json.dumps({"dynamodb": [{"key": {"pk": good["pk"], "sk": good["sk"]}, "item": None}]}) + "\n")
    saved = {path: path.read_bytes() for path in (state, journal)}

    run = Run(port, moto_port, state)
    code = run.process.wait(timeout=120)
    output = run.output()
    assert code == 1, output
    assert "could not be restored" in output
    assert "DynamoDB item #2" in output  # names the item
    assert "T#1#C#broken" in output
    assert {path: path.read_bytes() for path in saved} == saved  # neither saved over nor rotated
    assert sorted(p.name for p in state.parent.iterdir() if not p.name.endswith(".log")) == sorted(
        p.name for p in saved
    )


def test_unknown_routes_answer_404_and_405_in_the_envelope_without_echoing_the_token(ports_and_state) -> None:
    port, moto_port, state = ports_and_state
    run = Run(port, moto_port, state, "--no-seed", "--no-persist")
    secret = "eyJhbGciOiJSUzI1NiJ9.secret-token-value"
    try:
        run.wait_ready()
        answers = {}
        for method, path in (("GET", "/v1/no-such-thing"), ("POST", "/nowhere/at/all"), ("DELETE", "/v1/health")):
            request = urllib.request.Request(run.base + path, method=method, data=b"{}" if method == "POST" else None)
            request.add_header("Authorization", f"Bearer {secret}")
            with pytest.raises(urllib.error.HTTPError) as refused:
                urllib.request.urlopen(request, timeout=10)
            raw = refused.value.read().decode()
            assert secret not in raw
            assert secret not in str(refused.value.headers)
            answers[(method, path)] = (refused.value.code, json.loads(raw), refused.value.headers)
    finally:
        run.interrupt()
    for path in ("/v1/no-such-thing", "/nowhere/at/all"):
        status, body, _ = answers[("GET" if path.startswith("/v1") else "POST", path)]
        assert status == 404
        assert body == {"error": {"code": "not_found", "message": "no such route"}}
    status, body, headers = answers[("DELETE", "/v1/health")]
    assert status == 405
    assert body["error"]["code"] == "method_not_allowed"
    assert headers["Allow"] == "GET"
