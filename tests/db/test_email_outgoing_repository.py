"""Outgoing email against moto: signatures (AP100, AP101), email broadcasts with their claims,
report and bounces (AP102-AP105)."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from chalicelib.db.repositories.email_broadcasts import EmailBroadcastRepository
from chalicelib.db.repositories.signatures import SignatureRepository
from chalicelib.db.repositories.sms_templates import SmsTemplateRepository
from chalicelib.domain.broadcasts import BroadcastStatus, RecipientStatus
from chalicelib.domain.clock import utcnow
from chalicelib.domain.email.broadcasts import EmailBroadcast, EmailRecipient
from chalicelib.domain.email.outgoing import Signature
from chalicelib.domain.errors import StaleVersionError
from chalicelib.domain.ids import new_id
from chalicelib.domain.sms import SmsTemplate
from tests.harness import LocalAws

TENANT = "tenant-1"


def test_ap100_ap101_signatures(aws: LocalAws) -> None:
    repo = SignatureRepository(TENANT)
    SmsTemplateRepository(TENANT).create(SmsTemplate(new_id(), "T", "Hello", utcnow()))  # another item kind
    first = Signature(new_id(), "Default", "<p>Ada</p>", utcnow())
    second = Signature(new_id(), "Short", "<p>A.</p>", utcnow())
    repo.create(first)
    repo.create(second)
    assert repo.get(first.id) == first
    assert [s.id for s in repo.list_all()] == [first.id, second.id]
    assert SignatureRepository("tenant-2").list_all() == []
    saved = repo.save(first, replace(first, name="Renamed"))
    assert (saved.version, repo.get(first.id)) == (2, saved)
    with pytest.raises(StaleVersionError):
        repo.save(first, replace(first, name="Old"))
    with pytest.raises(StaleVersionError):
        repo.delete(first)
    repo.delete(saved)
    assert repo.get(first.id) is None
    assert [s.id for s in repo.list_all()] == [second.id]


def broadcast(created_by: str = "user-1", minutes: int = 0) -> EmailBroadcast:
    return EmailBroadcast(
        id=new_id(),
        status=BroadcastStatus.RUNNING,
        total=3,
        created_by=created_by,
        created_at=utcnow() + timedelta(minutes=minutes),
        integration_id="int-1",
        subject="Winter sale",
        text="Hello\n\n-- \nAda",
        html="<p>Hello</p>",
        signature_id="sig-1",
        failed=1,
    )


def recipients() -> list[EmailRecipient]:
    return [
        EmailRecipient(0, "a@example.org", "c0"),
        EmailRecipient(1, "", "c1", RecipientStatus.FAILED, "no email address"),
        EmailRecipient(2, "b@example.org", "c2"),
    ]


def test_ap102_ap104_claims_outcomes_and_a_bounce(aws: LocalAws) -> None:
    """AP102: the record and its recipients; a claim only while running; each outcome moves the
    counter; AP104: the Message-ID of a sent one leads back to it; a bounce moves one count."""
    repo = EmailBroadcastRepository(TENANT)
    made = broadcast()
    repo.create(made, recipients())
    assert repo.get(made.id, consistent=True) == made
    assert [r.status for r in repo.recipients(made.id).items] == [
        RecipientStatus.PENDING, RecipientStatus.FAILED, RecipientStatus.PENDING,
    ]  # fmt: skip
    assert [r.index for r in repo.recipients(made.id, start=1, end=2).items] == [1]

    assert repo.claim(made.id, 0) is True
    assert repo.claim(made.id, 0) is False  # taken
    assert repo.finish(made.id, 0, RecipientStatus.SENT, message_id="<m0@example.com>", email="a@example.org")
    assert not repo.finish(made.id, 0, RecipientStatus.SENT, message_id="<m0@example.com>")  # done already
    assert repo.sent_message("<m0@example.com>") == (made.id, 0, "a@example.org")
    assert repo.sent_message("m0@EXAMPLE.com") == (made.id, 0, "a@example.org")  # brackets and case
    assert repo.sent_message("<other@example.com>") is None

    assert repo.bounced(made.id, 0, "bounced 5.1.1: User unknown")
    assert not repo.bounced(made.id, 0, "bounced 5.1.1: User unknown")  # once
    assert not repo.bounced(made.id, 2, "bounced 5.1.1")  # not sent: nothing to undo
    now = repo.get(made.id, consistent=True)
    assert now is not None
    assert (now.sent, now.failed) == (0, 2)
    first = repo.recipients(made.id).items[0]
    assert (first.status, first.reason, first.message_id) == (
        RecipientStatus.FAILED, "bounced 5.1.1: User unknown", "<m0@example.com>",
    )  # fmt: skip

    canceled = repo.set_status(made.id, BroadcastStatus.CANCELED, utcnow())
    assert canceled is not None
    assert canceled.status is BroadcastStatus.CANCELED
    assert repo.claim(made.id, 2) is None  # stopped
    assert repo.set_status(made.id, BroadcastStatus.COMPLETED, utcnow()) is None


def test_ap103_history_newest_first(aws: LocalAws) -> None:
    """AP103: a CRM's email broadcasts newest first (gsi1), one creator's (gsi2), paged."""
    repo = EmailBroadcastRepository(TENANT)
    mine = [broadcast("user-1", minutes=i) for i in range(3)]
    theirs = broadcast("user-2", minutes=10)
    for b in [*mine, theirs]:
        repo.create(b, recipients())
    everyone = repo.history(created_by=None, limit=10, cursor=None)
    assert [b.id for b in everyone.items] == [theirs.id, *[b.id for b in reversed(mine)]]
    page = repo.history(created_by="user-1", limit=2, cursor=None)
    assert [b.id for b in page.items] == [mine[2].id, mine[1].id]
    rest = repo.history(created_by="user-1", limit=2, cursor=page.next_cursor)
    assert [b.id for b in rest.items] == [mine[0].id]
    assert EmailBroadcastRepository("tenant-2").history(created_by=None, limit=10, cursor=None).items == []


def test_ap105_bouncing_addresses(aws: LocalAws) -> None:
    repo = EmailBroadcastRepository(TENANT)
    repo.mark_bouncing("Gone@Example.org", "5.1.1", "User unknown", utcnow())
    assert repo.bouncing(["gone@example.org", "fine@example.org", ""]) == {"gone@example.org": "5.1.1 User unknown"}
    assert EmailBroadcastRepository("tenant-2").bouncing(["gone@example.org"]) == {}
    assert repo.bouncing([]) == {}
