"""A real `python -m infra.local` process on free ports, for the tests that meet the local stack
as a user or an outside client does (curl-like calls, Ctrl-C, restarts, the Zapier app)."""

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

from tests.harness import ROOT


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
    """One `python -m infra.local` process; its output goes to a file beside the state file (a
    pipe nobody reads would block the server once full)."""

    def __init__(self, port: int, moto_port: int, state_file: Path, *extra: str) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "COGNITO_", "MOTO_"))}
        env.pop("TABLE_NAME", None)
        self.base = f"http://127.0.0.1:{port}"
        self.log = state_file.parent / f"run-{port}-{time.monotonic_ns()}.log"
        with self.log.open("w") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "infra.local", "--port", str(port), "--moto-port", str(moto_port),
                 "--smtp-port", str(free_port()), "--imap-port", str(free_port()),
                 "--state-file", str(state_file), *extra],
                cwd=ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                text=True,
            )  # fmt: skip

    def output(self) -> str:
        return self.log.read_text()

    def wait_ready(self, timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"the local stack exited early:\n{self.output()}")
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
        # Stopping saves a full snapshot of the state (the demo's weeks of history included):
        # on a machine whose two cores run the other test workers it took over 30 s once.
        try:
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.process.send_signal(signal.SIGUSR1)  # every thread's stack, into the output
            time.sleep(2)
            self.process.kill()
            self.process.wait()
            raise AssertionError(f"the local stack did not stop within 60 s:\n{self.output()}") from None
        return self.process.returncode, self.output()

    def kill(self) -> None:
        """`kill -9`: no handler runs, nothing is saved on the way out."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=30)
