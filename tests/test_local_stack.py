"""`make run` as a user meets it: a real process on real ports, curl-like calls, Ctrl-C, restart."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from tests.harness import ROOT

pytestmark = pytest.mark.slow


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def call(base: str, method: str, path: str, body: Any = None, token: str | None = None) -> tuple[int, Any]:
    request = urllib.request.Request(base + path, method=method, data=json.dumps(body).encode() if body else None)
    request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


class Run:
    """One `python -m infra.local` process."""

    def __init__(self, port: int, moto_port: int, state_file: Path) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "COGNITO_", "MOTO_"))}
        env.pop("TABLE_NAME", None)
        self.base = f"http://127.0.0.1:{port}"
        self.process = subprocess.Popen(
            [sys.executable, "-m", "infra.local", "--port", str(port), "--moto-port", str(moto_port),
             "--state-file", str(state_file)],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )  # fmt: skip

    def wait_ready(self, timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"the local stack exited early:\n{self.process.stdout.read()}")
            try:
                if call(self.base, "GET", "/v1/health")[0] == 200:
                    return
            except (urllib.error.URLError, ConnectionError):
                pass
            time.sleep(0.2)
        raise AssertionError("the local stack did not answer in time")

    def interrupt(self) -> tuple[int, str]:
        """Ctrl-C, as in a terminal; returns (exit code, output)."""
        self.process.send_signal(signal.SIGINT)
        output, _ = self.process.communicate(timeout=30)
        return self.process.returncode, output


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
        deadline, calls = time.monotonic() + 90, []
        while time.monotonic() < deadline:
            calls = call(first.base, "GET", "/v1/calls", token=demo_session["access_token"])[1]["items"]
            if len(calls) == 2 and all(c["recording"] == "ready" for c in calls):
                break
            time.sleep(1)
        assert sorted(c["recording"] for c in calls) == ["ready", "ready"], calls
        assert {c["direction"] for c in calls} == {"incoming"}

        second_copy = Run(port, moto_port, state.with_name("other.json"))
        code, output = second_copy.process.wait(timeout=60), second_copy.process.stdout.read()
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
