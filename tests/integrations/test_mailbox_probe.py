"""The connection test's adapter (imapclient + smtplib) against real servers: pymap (IMAP, in a
child process on a free port) and aiosmtpd (SMTP, in-process); each failure reads as its kind."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest

from chalicelib.domain.mailboxes import Security, Server
from chalicelib.integrations.mailbox_probe import ImapSmtpProbe
from chalicelib.ports.results import MailboxProbeError

pytest.importorskip("pymap")
pytest.importorskip("aiosmtpd")

USER, PASSWORD = "demouser", "demopass"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_listening(port: int, seconds: float = 15.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise RuntimeError(f"nothing listens on {port}")


@pytest.fixture(scope="module")
def imap_port() -> Iterator[int]:
    port = free_port()
    command = [
        sys.executable, "-c", "from pymap.main import main; main()", "--host", "127.0.0.1", "--port", str(port),
        "--no-tls", "dict", "--demo-user", USER, "--demo-password", PASSWORD,
    ]  # fmt: skip
    server = subprocess.Popen(
        command, env={**os.environ, "FQDN": "localhost"}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        wait_listening(port)
        yield port
    finally:
        server.terminate()
        server.wait(timeout=10)


@pytest.fixture(scope="module")
def smtp_port() -> Iterator[int]:
    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult

    def authenticate(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
        ok = (data.login, data.password) == (USER.encode(), PASSWORD.encode())
        return AuthResult(success=ok, handled=False)  # handled=False: aiosmtpd answers 535 itself

    class Sink:
        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 (aiosmtpd's name)
            return "250 OK"

    port = free_port()
    controller = Controller(
        Sink(), hostname="127.0.0.1", port=port, authenticator=authenticate, auth_require_tls=False,
    )  # fmt: skip
    controller.start()
    try:
        yield port
    finally:
        controller.stop()


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A server that accepts connections and never says a word (a hung IMAP server)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                accepted.append(listener.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield int(listener.getsockname()[1])
    finally:
        stop.set()
        thread.join()
        for connection in accepted:
            connection.close()
        listener.close()


def kind_of(check: Any, server: Server, password: str) -> str:
    with pytest.raises(MailboxProbeError) as failure:
        check(server, password)
    assert failure.value.detail
    return failure.value.kind


def test_imap_login_and_its_failures(imap_port: int) -> None:
    probe = ImapSmtpProbe(timeout=5)
    plain = Server("127.0.0.1", imap_port, Security.NONE, USER)
    probe.check_imap(plain, PASSWORD)
    assert kind_of(probe.check_imap, plain, "wrong") == "auth"
    assert kind_of(probe.check_imap, Server("127.0.0.1", imap_port, Security.SSL, USER), PASSWORD) == "tls"
    assert kind_of(probe.check_imap, Server("127.0.0.1", imap_port, Security.STARTTLS, USER), PASSWORD) == "tls"
    assert kind_of(probe.check_imap, Server("127.0.0.1", free_port(), Security.NONE, USER), PASSWORD) == "unreachable"


def test_smtp_login_and_its_failures(smtp_port: int) -> None:
    probe = ImapSmtpProbe(timeout=5)
    plain = Server("127.0.0.1", smtp_port, Security.NONE, USER)
    probe.check_smtp(plain, PASSWORD)
    assert kind_of(probe.check_smtp, plain, "wrong") == "auth"
    assert kind_of(probe.check_smtp, Server("127.0.0.1", smtp_port, Security.SSL, USER), PASSWORD) == "tls"
    assert kind_of(probe.check_smtp, Server("127.0.0.1", smtp_port, Security.STARTTLS, USER), PASSWORD) == "tls"
    assert kind_of(probe.check_smtp, Server("127.0.0.1", free_port(), Security.NONE, USER), PASSWORD) == "unreachable"


def test_a_hung_server_fails_within_the_timeout(silent_port: int) -> None:
    probe = ImapSmtpProbe(timeout=1)
    started = time.monotonic()
    assert kind_of(probe.check_imap, Server("127.0.0.1", silent_port, Security.NONE, USER), PASSWORD) == "unreachable"
    assert kind_of(probe.check_smtp, Server("127.0.0.1", silent_port, Security.NONE, USER), PASSWORD) == "unreachable"
    assert time.monotonic() - started < 5
