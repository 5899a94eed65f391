"""Archived emails and their bookkeeping against moto (AP91-AP96)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from chalicelib.db.repositories.emails import EmailRepository
from chalicelib.db.repositories.mailboxes import MailboxRepository, MailPollIndex
from chalicelib.domain.emails import (
    Attachment,
    ContactRef,
    Direction,
    Email,
    EmailException,
    EmailSettings,
    FolderCursor,
    MessageGuard,
    message_key,
)
from chalicelib.domain.errors import ConflictError
from chalicelib.domain.ids import new_id
from chalicelib.domain.mailboxes import SyncStatus
from tests.email.helpers import mailbox
from tests.harness import LocalAws

TENANT = "tenant-1"
T0 = datetime(2026, 12, 5, 10, 0, tzinfo=UTC)


def email(message_id: str = "m-1@example.org") -> Email:
    return Email(
        id=new_id(), integration_id="int-1", direction=Direction.IN, message_id=message_id, thread_id=message_id,
        sender="a@example.org", to=("sales@acme.test",), cc=(), subject="Hi", text="Hello", has_html=False,
        time=T0, contact=ContactRef("client", "c-1"), deal_id="d-1",
        attachments=(Attachment("a.pdf", 3, "emails/x/a.pdf", "application/pdf"),),
        contacts=(ContactRef("client", "c-1"),),
    )  # fmt: skip


def test_ap91_ap92_stored_once_with_its_guard(aws: LocalAws) -> None:
    """AP91: the record; AP92: its Message-ID guard, in the same transaction."""
    repo = EmailRepository(TENANT)
    first = email()
    assert repo.guard(message_key(first.message_id)) is None
    assert repo.store(first, message_key(first.message_id), [])
    assert repo.get(first.id) == first
    assert repo.guard(message_key(first.message_id)) == MessageGuard(first.id, first.thread_id, "d-1")
    again = email()  # the same Message-ID under another id: nothing written
    assert not repo.store(again, message_key(again.message_id), [])
    assert repo.get(again.id) is None
    assert EmailRepository("tenant-2").get(first.id) is None


def test_ap93_cursors_per_folder(aws: LocalAws) -> None:
    repo = EmailRepository(TENANT)
    assert repo.cursors("int-1") == {}
    repo.save_cursor("int-1", "inbox", FolderCursor(7, 120))
    repo.save_cursor("int-1", "sent", FolderCursor(8, 3))
    repo.save_cursor("int-2", "inbox", FolderCursor(1, 1))
    assert repo.cursors("int-1") == {"inbox": FolderCursor(7, 120), "sent": FolderCursor(8, 3)}


def test_ap94_due_mailboxes_across_crms_and_the_lease(aws: LocalAws) -> None:
    """AP94: mailboxes due for a poll (gsi1), taken under a lease (AP90 conditional update)."""
    one, two = MailboxRepository("t-a"), MailboxRepository("t-b")
    a, b = mailbox("u-1"), mailbox("u-2")
    one.create(a, 20)
    two.create(b, 20)
    due = MailPollIndex().due(T0, limit=50)
    assert ("t-a", a.id) in due
    assert ("t-b", b.id) in due
    held = one.claim(a.id, T0, T0 + timedelta(minutes=5))
    assert held is not None
    assert held.status is SyncStatus.SYNCING
    assert one.claim(a.id, T0, T0 + timedelta(minutes=5)) is None
    one.finish(a.id, held_until=T0 + timedelta(minutes=5), status=SyncStatus.OK, error=None, at=T0, added=4,
               next_poll=T0 + timedelta(minutes=10))  # fmt: skip
    after = one.get(a.id)
    assert after is not None
    assert (after.status, after.messages, after.last_sync_at, after.version) == (SyncStatus.OK, 4, T0, 1)
    assert ("t-a", a.id) not in MailPollIndex().due(T0, limit=50)
    assert ("t-a", a.id) in MailPollIndex().due(T0 + timedelta(minutes=10), limit=50)
    # An edit of the settings leaves the poller's state alone.
    saved = one.save(after, replace(after, name="New"))
    assert (saved.messages, saved.status) == (4, SyncStatus.OK)
    assert MailboxRepository("t-a").claim("missing", T0, T0) is None


def test_ap95_ap96_exceptions_and_settings(aws: LocalAws) -> None:
    repo = EmailRepository(TENANT)
    exception = EmailException(new_id(), "@spam.example", T0)
    repo.add_exception(exception)
    assert repo.exceptions() == [exception]
    assert repo.delete_exception(exception.id)
    assert not repo.delete_exception(exception.id)
    assert repo.settings() == EmailSettings()
    saved = repo.save_settings(EmailSettings(), EmailSettings(("acme.example",)))
    assert saved == EmailSettings(("acme.example",), 1)
    assert repo.settings() == saved
    with pytest.raises(ConflictError):
        repo.save_settings(EmailSettings(), EmailSettings(("x.example",)))
