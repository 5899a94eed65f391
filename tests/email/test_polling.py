"""Polling mailboxes (EM-2) against a real IMAP server (pymap, a child process) and moto.

Twice stores nothing new; a UIDVALIDITY reset stores nothing twice; a dead server fails the
mailbox's run within 30 s with the reason; a poll with nothing new costs a fixed number of
DynamoDB calls; two runs never read one mailbox at once.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import timedelta

import pytest

from chalicelib.bootstrap import services
from chalicelib.domain.mailboxes import Integration, SyncStatus, secret_name
from tests.email.helpers import mailbox, message
from tests.harness import Api, CrmSession, LocalAws
from tests.integrations import test_mailbox_probe as probe_tests
from tests.integrations.test_mailbox_probe import free_port, wait_listening
from tests.meter import dynamodb_calls

pytest.importorskip("pymap")

USER, PASSWORD = "demouser", "demopass"
silent_port = probe_tests.silent_port  # a server that accepts and never answers


@pytest.fixture
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


def imap(port: int):
    from imapclient import IMAPClient

    client = IMAPClient("127.0.0.1", port=port, ssl=False, timeout=10)
    client.login(USER, PASSWORD)
    return client


def deliver(port: int, folder: str, *raws: bytes) -> None:
    client = imap(port)
    try:
        if not client.folder_exists(folder):
            client.create_folder(folder)
        for raw in raws:
            client.append(folder, raw)
    finally:
        client.logout()


def connect(api: Api, make_crm: Callable[..., CrmSession], port: int) -> tuple[CrmSession, Integration]:
    crm = make_crm()
    box = mailbox(crm.admin["id"], port=port)
    services().storage.mailboxes(crm.id).create(box, 20)
    services().secrets.put(crm.id, secret_name(box.id), {"imap": PASSWORD, "smtp": PASSWORD})
    return crm, box


def state(crm: CrmSession, box: Integration) -> Integration:
    found = services().storage.mailboxes(crm.id).get(box.id)
    assert found is not None
    return found


def test_polling_twice_stores_nothing_new_and_reads_sent(aws: LocalAws, api: Api, make_crm, imap_port: int) -> None:
    crm, box = connect(api, make_crm, imap_port)
    deliver(imap_port, "INBOX", message("a@example.org"), message("b@example.org"))
    deliver(imap_port, "Sent", message("sales@acme-crm.test", to="c@example.org"))
    sync = services().email_sync
    first = sync.poll(crm.id, box.id)
    assert first is not None
    assert (first.stored, first.status, first.error) == (3, SyncStatus.OK, None)
    second = sync.poll(crm.id, box.id)
    assert second is not None
    assert (second.stored, second.status) == (0, SyncStatus.OK)
    after = state(crm, box)
    assert (after.status, after.messages, after.last_error) == (SyncStatus.OK, 3, None)
    assert after.last_sync_at is not None
    deliver(imap_port, "INBOX", message("d@example.org"))
    third = sync.poll(crm.id, box.id)
    assert third is not None
    assert third.stored == 1


def test_a_uidvalidity_reset_stores_nothing_twice(aws: LocalAws, api: Api, make_crm, imap_port: int) -> None:
    crm, box = connect(api, make_crm, imap_port)
    sent = [message("sales@acme-crm.test", to=f"p{i}@example.org") for i in range(3)]
    deliver(imap_port, "Sent", *sent)
    sync = services().email_sync
    assert sync.poll(crm.id, box.id).stored == 3  # type: ignore[union-attr]
    before = services().storage.emails(crm.id).cursors(box.id)["sent"]
    client = imap(imap_port)  # the mailbox cleaned up: the folder rebuilt, its UIDs start over
    client.delete_folder("Sent")
    client.create_folder("Sent")
    client.logout()
    deliver(imap_port, "Sent", *sent, message("sales@acme-crm.test", to="new@example.org"))
    result = sync.poll(crm.id, box.id)
    assert result is not None
    assert result.stored == 1  # the new one only
    after = services().storage.emails(crm.id).cursors(box.id)["sent"]
    assert after.uidvalidity != before.uidvalidity
    assert after.last_uid > 0


def test_bounded_work_per_run_then_catch_up(aws: LocalAws, api: Api, make_crm, imap_port: int) -> None:
    crm, box = connect(api, make_crm, imap_port)
    deliver(imap_port, "INBOX", *[message(f"x{i}@example.org") for i in range(5)])
    from chalicelib.services.email_sync import EmailSync

    s = services()
    small = EmailSync(s.storage, s.clock, s.secrets, s.mailbox_reader, s.email_archive, s.bounce_sink, batch=3)
    first = small.poll(crm.id, box.id)
    assert first is not None
    assert (first.stored, first.more) == (3, True)
    # The mailbox is due again at once: the next run takes it first.
    assert (crm.id, box.id) in s.storage.mail_polls.due(s.clock(), limit=50)
    second = small.run_due()
    assert [(r.integration_id, r.stored, r.more) for r in second if r.integration_id == box.id] == [(box.id, 2, False)]


def test_a_dsn_goes_to_the_bounce_sink_not_the_archive(aws: LocalAws, api: Api, make_crm, imap_port: int) -> None:
    from pathlib import Path

    crm, box = connect(api, make_crm, imap_port)
    dsn = (Path(__file__).parent.parent / "fixtures" / "email" / "dsn_511.eml").read_bytes()
    deliver(imap_port, "INBOX", dsn)
    got: list[tuple] = []

    class Sink:
        def bounced(self, tenant_id: str, original: str | None, address: str, status: str, diagnostic: str) -> None:
            got.append((tenant_id, address, status))

    from chalicelib.services.email_sync import EmailSync

    s = services()
    sync = EmailSync(s.storage, s.clock, s.secrets, s.mailbox_reader, s.email_archive, Sink())
    result = sync.poll(crm.id, box.id)
    assert result is not None
    assert result.stored == 0
    assert got
    assert all(status.startswith("5.") for _, _, status in got)


def test_a_poll_with_nothing_new_costs_a_fixed_number_of_calls(
    aws: LocalAws, api: Api, make_crm, imap_port: int
) -> None:
    crm, box = connect(api, make_crm, imap_port)
    deliver(imap_port, "INBOX", message("a@example.org"))
    deliver(imap_port, "Sent", message("sales@acme-crm.test", to="b@example.org"))
    sync = services().email_sync
    sync.poll(crm.id, box.id)
    costs = []
    for _ in range(2):
        with dynamodb_calls() as calls:
            result = sync.poll(crm.id, box.id)
        assert result is not None
        assert result.stored == 0
        costs.append(dict(calls))
    # The lease taken, the cursors read (one Query for every folder), the outcome written.
    assert costs[0] == costs[1] == {"UpdateItem": 2, "Query": 1}


def test_two_runs_never_read_one_mailbox_at_once(aws: LocalAws, api: Api, make_crm, imap_port: int) -> None:
    crm, box = connect(api, make_crm, imap_port)
    repo = services().storage.mailboxes(crm.id)
    now = services().clock()
    held = repo.claim(box.id, now, now + timedelta(minutes=5))
    assert held is not None
    assert held.status is SyncStatus.SYNCING
    assert services().email_sync.poll(crm.id, box.id) is None  # held: this run leaves it
    assert repo.claim(box.id, now + timedelta(minutes=6), now + timedelta(minutes=11)) is not None  # expired


def test_a_dead_server_fails_the_run_within_30_s_with_the_reason(
    aws: LocalAws, api: Api, make_crm, silent_port: int
) -> None:
    crm, box = connect(api, make_crm, silent_port)
    started = time.monotonic()
    result = services().email_sync.poll(crm.id, box.id)
    assert time.monotonic() - started < 30
    assert result is not None
    assert result.status is SyncStatus.ERROR
    after = state(crm, box)
    assert after.status is SyncStatus.ERROR
    assert after.last_error is not None
    assert "unreachable" in after.last_error
    assert str(silent_port) in after.last_error


def test_the_scheduled_function_polls_the_due_mailboxes(aws: LocalAws, api: Api, make_crm, imap_port: int) -> None:
    from functions.email_poll import handler

    crm, box = connect(api, make_crm, imap_port)
    deliver(imap_port, "INBOX", message("a@example.org"), message("b@example.org"))
    report = handler({}, None)
    assert report["stored"] >= 2
    assert report["errors"] == 0
    assert state(crm, box).messages == 2
    # Polled: not due again before ten minutes.
    assert handler({}, None)["mailboxes"] == 0
    aws.clock.advance(minutes=10)
    assert handler({}, None) == {"mailboxes": 1, "stored": 0, "errors": 0, "behind": 0}
