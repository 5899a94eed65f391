"""The sending adapter (smtplib + imapclient) against real servers: aiosmtpd catching SMTP,
pymap (IMAP, a child process) receiving the Sent copy; each failure reads as its kind."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator

import pytest

from chalicelib.domain.mailboxes import Security, Server
from chalicelib.integrations.mail_transport import SmtpImapTransport
from chalicelib.ports.results import MailSendError
from infra.local.smtp_catcher import SmtpCatcher
from tests.integrations.test_mailbox_probe import free_port, wait_listening

pytest.importorskip("pymap")
pytest.importorskip("aiosmtpd")
pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")

USER, PASSWORD = "demouser", "demopass"
MESSAGE = (
    b"From: demouser@example.com\r\nTo: bob@example.org\r\nSubject: Offer\r\n"
    b"Message-ID: <sent-1@example.com>\r\n\r\nHello Bob\r\n"
)


@pytest.fixture
def smtp() -> Iterator[SmtpCatcher]:
    catcher = SmtpCatcher(users={USER: PASSWORD}, refuse=frozenset({"gone@example.org"})).start()
    try:
        yield catcher
    finally:
        catcher.stop()


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


def server(port: int) -> Server:
    return Server("127.0.0.1", port, Security.NONE, USER)


def test_one_message_per_send_refusals_reported_per_message(smtp: SmtpCatcher) -> None:
    transport = SmtpImapTransport(timeout=5)
    outcomes = transport.send_many(
        server(smtp.port),
        PASSWORD,
        "demouser@example.com",
        [(["a@example.org"], MESSAGE), (["gone@example.org"], MESSAGE), (["b@example.org"], MESSAGE)],
    )
    assert outcomes[0] is None
    assert outcomes[2] is None
    refused = outcomes[1]
    assert refused is not None
    assert (refused.kind, refused.permanent) == ("refused", True)
    assert "550" in refused.detail
    assert [m.recipients for m in smtp.taken()] == [("a@example.org",), ("b@example.org",)]


def test_a_refused_login_and_a_dead_host_read_as_their_kind(smtp: SmtpCatcher) -> None:
    transport = SmtpImapTransport(timeout=5)
    with pytest.raises(MailSendError) as refused:
        transport.send(server(smtp.port), "wrong", "demouser@example.com", ["a@example.org"], MESSAGE)
    assert refused.value.kind == "auth"
    assert "535" in refused.value.detail
    with pytest.raises(MailSendError) as dead:
        transport.send(server(free_port()), PASSWORD, "demouser@example.com", ["a@example.org"], MESSAGE)
    assert (dead.value.kind, dead.value.permanent) == ("unreachable", False)
    assert smtp.taken() == []


def test_the_sent_copy_is_appended_to_the_sent_folder(imap_port: int) -> None:
    from imapclient import IMAPClient

    SmtpImapTransport(timeout=5).append_sent(server(imap_port), PASSWORD, MESSAGE)

    with IMAPClient("127.0.0.1", port=imap_port, ssl=False, timeout=5) as client:
        client.login(USER, PASSWORD)
        folder = next(name for flags, _, name in client.list_folders() if b"\\Sent" in flags or name == "Sent")
        client.select_folder(folder, readonly=True)
        uids = client.search("ALL")
        fetched = client.fetch(uids, ["BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)]", "FLAGS"])
        found = [f for f in fetched.values() if b"sent-1@example.com" in f[b"BODY[HEADER.FIELDS (MESSAGE-ID)]"]]
        assert len(found) == 1
        assert b"\\Seen" in found[0][b"FLAGS"]
    with pytest.raises(MailSendError) as refused:
        SmtpImapTransport(timeout=5).append_sent(server(imap_port), "wrong", MESSAGE)
    assert refused.value.kind == "auth"
