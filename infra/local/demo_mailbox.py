"""The demo mailbox of `make run`: a real IMAP server (pymap, dict backend, in a child process)
holding a few messages from the demo CRM's clients, read by the CRM's poller (EM-2).

pymap keeps its mail in memory: every start delivers the same messages again (same Message-IDs)
into a new UIDVALIDITY; the poller reads them again and its Message-ID guard stores nothing twice.
The server starts at once (a child process) and is waited for only in the background thread that
delivers the messages and runs the first poll, so start-up does not wait for it.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime

IMAP_USER = "sales@demo.example"
IMAP_PASSWORD = "demo-mailbox"
# The demo client's address (infra/local/seed.py) and a stranger who becomes a lead (EM-3).
CLIENT_EMAIL = "office@acme-dental.example"  # = seed.DEMO_CLIENT_EMAIL
PROSPECT = "Lena Baker <lena@bakery.example>"
# Where the local stack's SMTP catcher (aiosmtpd, the sending side) listens.
DEMO_SMTP_PORT = 8025


def _message(sender: str, subject: str, text: str, msg_id: str, at: datetime, *, reply_to: str | None = None,
             bulk: bool = False) -> bytes:  # fmt: skip
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = f"Demo Sales <{IMAP_USER}>"
    msg["Subject"] = subject
    msg["Date"] = format_datetime(at)
    msg["Message-ID"] = f"<{msg_id}@demo.example>"
    if reply_to:
        msg["In-Reply-To"] = f"<{reply_to}@demo.example>"
        msg["References"] = f"<{reply_to}@demo.example>"
    if bulk:
        msg["List-Unsubscribe"] = "<mailto:unsubscribe@news.example>"
    msg.set_content(text)
    return msg.as_bytes()


def demo_messages(now: datetime) -> list[bytes]:
    """A short conversation with the demo client, a first message from a prospect, a newsletter."""
    day = now.astimezone(UTC).replace(hour=9, minute=0, second=0, microsecond=0) - timedelta(days=1)
    return [
        _message(f"Acme Dental <{CLIENT_EMAIL}>", "Maintenance contract renewal",
                 "Hello,\n\nOur maintenance contract ends next month. Could you send us the offer for next year?\n\n"
                 "Best regards,\nAcme Dental", "acme-renewal-1", day),
        _message(f"Acme Dental <{CLIENT_EMAIL}>", "Re: Maintenance contract renewal",
                 "One more thing: we would like to add the second practice to the contract.\n\nAcme Dental",
                 "acme-renewal-2", day + timedelta(hours=3), reply_to="acme-renewal-1"),
        _message(PROSPECT, "Question about your services",
                 "Hi,\n\nI run a small bakery and I am looking for a CRM. Can we talk this week?\n\nLena",
                 "bakery-first-contact", day + timedelta(hours=5)),
        _message("Industry News <news@news.example>", "This week in dental tech",
                 "Our weekly newsletter.", "newsletter-42", day + timedelta(hours=6), bulk=True),
    ]  # fmt: skip


# pymap, watched: when `make run` dies without stopping it (kill -9, a crash), the server exits
# within a second instead of holding the port for the next start.
_CHILD = """
import os, threading, time
parent = os.getppid()
def watch():
    while os.getppid() == parent:
        time.sleep(0.5)
    os._exit(0)
threading.Thread(target=watch, daemon=True).start()
from pymap.main import main
main()
"""


class DemoMailbox:
    def __init__(self, host: str, port: int) -> None:
        self.host = host
        self.port = port
        self._process: subprocess.Popen[bytes] | None = None

    @staticmethod
    def available() -> bool:
        try:
            import pymap  # noqa: F401
        except ImportError:
            return False
        return True

    def start(self) -> None:
        """Start the server (returns at once; `deliver` waits for it)."""
        command = [
            sys.executable, "-c", _CHILD, "--host", self.host, "--port", str(self.port),
            "--no-tls", "dict", "--demo-user", IMAP_USER, "--demo-password", IMAP_PASSWORD,
        ]  # fmt: skip
        self._process = subprocess.Popen(
            command,
            env={**os.environ, "FQDN": "localhost"},
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    def wait_ready(self, seconds: float = 15.0) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self._process is not None and self._process.poll() is not None:
                raise RuntimeError("the demo IMAP server (pymap) exited at start")
            with socket.socket() as probe:
                if probe.connect_ex((self.host, self.port)) == 0:
                    return
            time.sleep(0.05)
        raise RuntimeError(f"the demo IMAP server did not listen on {self.port}")

    def deliver(self, messages: list[bytes]) -> None:
        """Put the messages in INBOX (IMAP APPEND), once the server listens."""
        from imapclient import IMAPClient

        self.wait_ready()
        client = IMAPClient(self.host, port=self.port, ssl=False, timeout=10)
        try:
            client.login(IMAP_USER, IMAP_PASSWORD)
            for raw in messages:
                client.append("INBOX", raw)
        finally:
            client.logout()

    def stop(self) -> None:
        if self._process is None:
            return
        self._process.terminate()
        try:
            self._process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait(timeout=5)
        self._process = None


def connect_demo_crm(host: str, port: int) -> str | None:
    """The demo CRM's integration for the demo mailbox (created once, pointed at `port` each
    start); its id, or None without the demo CRM."""
    from chalicelib.bootstrap import services
    from chalicelib.db.repositories.crms import CrmRepository
    from chalicelib.domain.clock import utcnow
    from chalicelib.domain.ids import new_id
    from chalicelib.domain.mailboxes import CreateLeads, Integration, Security, Server, secret_name
    from infra.local.seed import DEMO_EMAIL, DEMO_SLUG

    tenant_id = CrmRepository().resolve_slug(DEMO_SLUG)
    storage = services().storage
    if tenant_id is None:
        return None
    repo = storage.mailboxes(tenant_id)
    found = next((i for i in repo.list_all() if i.email == IMAP_USER), None)
    server = Server(host, port, Security.NONE, IMAP_USER)
    # Sending goes to the SMTP catcher of this run (`--smtp-port`, LOCAL_SMTP_PORT).
    smtp = Server(host, int(os.environ.get("LOCAL_SMTP_PORT", DEMO_SMTP_PORT)), Security.NONE, IMAP_USER)
    if found is None:
        owner = storage.users(tenant_id).find_id_by_email(DEMO_EMAIL)
        if owner is None:
            return None
        found = Integration(
            id=new_id(), owner_id=owner, name="Demo sales mailbox", email=IMAP_USER, imap=server,
            smtp=smtp, shared_with="all",
            create_leads=CreateLeads.RECEIVED, created_at=utcnow(),
        )  # fmt: skip
        repo.create(found, 20)
    elif found.imap != server or found.smtp != smtp:
        from dataclasses import replace

        found = repo.save(found, replace(found, imap=server, smtp=smtp))
    services().secrets.put(tenant_id, secret_name(found.id), {"imap": IMAP_PASSWORD, "smtp": IMAP_PASSWORD})
    repo.schedule(found.id, utcnow())  # read at the first poll
    return found.id


def poll_now() -> int:
    """One poll of every mailbox due (the scheduled function runs every 10 minutes)."""
    from chalicelib.bootstrap import services

    return sum(r.stored for r in services().email_sync.run_due())
