"""Sending email (CL-8), signatures (EM-5) and email broadcasts (EM-4) on fakes: who may send
through which mailbox, the Sent copy, the broadcast's claims, retries, report and bounces. The
workflow's steps driven by hand."""

from __future__ import annotations

from email import message_from_bytes, policy

import pytest

from chalicelib.domain.broadcasts import UNKNOWN_OUTCOME, BroadcastStatus, RecipientStatus
from chalicelib.domain.contacts import Contact, ContactKind, Email
from chalicelib.domain.errors import BadGatewayError, ConflictError, ForbiddenError, NotFoundError, ValidationError
from chalicelib.domain.ids import new_id
from chalicelib.domain.mailboxes import CreateLeads, Integration, Security, Server, secret_name
from chalicelib.ports.results import MailSendError
from chalicelib.services.email_broadcasts import EmailBroadcastService, EmailBroadcastTiming
from chalicelib.services.email_sending import EmailSendService, SendInput
from tests.fakes.email_outgoing import FakeArchive, FakeMailTransport
from tests.fakes.outside import FakeSecrets, FakeWorkflows
from tests.services.world import World


class Kit:
    def __init__(self, world: World) -> None:
        self.world = world
        self.transport = FakeMailTransport()
        self.secrets = FakeSecrets()
        self.archive = FakeArchive()
        self.workflows = FakeWorkflows()
        self.sending = EmailSendService(world.storage, world.clock, self.secrets, self.transport, self.archive)
        self.broadcasts = EmailBroadcastService(world.storage, world.clock, self.sending, self.transport,
                                                self.workflows, self.archive, EmailBroadcastTiming(0, 3))  # fmt: skip

    def integration(self, owner: str, smtp_host: str = "mail.example.com", shared: tuple[str, ...] = ()) -> str:
        integration = Integration(
            id=new_id(), owner_id=owner, name="Sales", email="sales@example.com",
            imap=Server("mail.example.com", 993, Security.SSL, "sales"),
            smtp=Server(smtp_host, 465, Security.SSL, "sales"), shared_with=shared,
            create_leads=CreateLeads.NONE, created_at=self.world.clock(),
        )  # fmt: skip
        self.world.storage.mailboxes(self.world.tenant_id).create(integration, 20)
        self.secrets.put(self.world.tenant_id, secret_name(integration.id), {"imap": "i-pw", "smtp": "s-pw"})
        return integration.id

    def client(self, email: str | None, owner: str | None = None) -> str:
        now, owner = self.world.clock(), owner or self.world.admin.user_id
        contact = Contact(new_id(), ContactKind.CLIENT, f"Client {email}", now, owner, now,
                          emails=(Email(email),) if email else (), responsible_user_id=owner)  # fmt: skip
        self.world.storage.contacts(self.world.tenant_id).create(contact, [])
        return contact.id

    def run(self, broadcast_id: str, total: int, size: int = 10) -> list[str]:
        """Every batch until done (what the workflow does), the statuses of the last attempts."""
        statuses = []
        for start in range(0, total, size):
            batch = {"start": start, "end": min(start + size, total)}
            job = {"tenant_id": self.world.tenant_id, "broadcast_id": broadcast_id, "batch": batch, "attempt": 0,
                   "max_attempts": 3}  # fmt: skip
            while (job := self.broadcasts.send_batch(job))["status"] == "retry":
                pass
            statuses.append(job["status"])
        self.broadcasts.finish({"tenant_id": self.world.tenant_id, "broadcast_id": broadcast_id})
        return statuses


@pytest.fixture
def kit() -> Kit:
    return Kit(World())


def test_signatures_are_managed_by_admins_and_sanitised(kit: Kit) -> None:
    admin, manager = kit.world.admin, kit.world.user("Max Manager")
    made = kit.sending.create_signature(admin, " Default ", "<p>Ada</p><script>x()</script>")
    assert (made.name, made.html) == ("Default", "<p>Ada</p>")
    assert kit.sending.signatures(manager) == [made]
    with pytest.raises(ForbiddenError):
        kit.sending.create_signature(manager, "Mine", "<p>x</p>")
    changed = kit.sending.update_signature(admin, made.id, 1, None, "<p>Ada A.</p>")
    assert (changed.html, changed.version) == ("<p>Ada A.</p>", 2)
    with pytest.raises(ConflictError):
        kit.sending.update_signature(admin, made.id, 1, "Old", None)
    kit.sending.delete_signature(admin, made.id)
    with pytest.raises(NotFoundError):
        kit.sending.delete_signature(admin, made.id)


def test_send_appends_to_sent_unless_the_provider_keeps_it(kit: Kit) -> None:
    admin = kit.world.admin
    own = kit.integration(admin.user_id)
    gmail = kit.integration(admin.user_id, smtp_host="smtp.gmail.com")
    for integration_id in (own, gmail):
        kit.sending.send(admin, SendInput(integration_id, ["bob@example.org"], "Hi", text="Hello"))
    assert len(kit.transport.sent) == 2
    assert kit.transport.appended == [kit.transport.sent[0][2]]  # the same bytes, once: Gmail files its own
    assert [s["direction"].value for s in kit.archive.stored] == ["out", "out"]

    kit.transport.append_fails = True  # the mail is out: a failed copy is not an error
    kit.sending.send(admin, SendInput(own, ["bob@example.org"], "Hi", text="Hello"))
    assert len(kit.transport.sent) == 3


def test_a_refusal_writes_nothing_and_names_the_cause(kit: Kit) -> None:
    admin = kit.world.admin
    own = kit.integration(admin.user_id)
    kit.transport.down.append(MailSendError("auth", "535 5.7.8 Authentication credentials invalid"))
    with pytest.raises(BadGatewayError) as refused:
        kit.sending.send(admin, SendInput(own, ["bob@example.org"], "Hi", text="Hello"))
    assert refused.value.field == "integration_id"
    assert "authentication failed" in refused.value.message
    assert (kit.transport.sent, kit.transport.appended, kit.archive.stored) == ([], [], [])

    kit.transport.refused["gone@example.org"] = (True, "550 5.1.1 No such user")
    with pytest.raises(ValidationError) as bad:
        kit.sending.send(admin, SendInput(own, ["bob@example.org"], "Hi", cc=["gone@example.org"], text="Hello"))
    assert bad.value.field == "cc[0]"
    assert kit.archive.stored == []


def test_who_may_send_through_which_mailbox(kit: Kit) -> None:
    admin, manager, other = kit.world.admin, kit.world.user("Max Manager"), kit.world.user("Olga Other")
    personal = kit.integration(manager.user_id)
    shared = kit.integration(admin.user_id, shared=(other.user_id,))
    message = SendInput(personal, ["bob@example.org"], "Hi", text="Hello")
    kit.sending.send(manager, message)  # the owner
    kit.sending.send(admin, message)  # an administrator
    with pytest.raises(ValidationError) as refused:
        kit.sending.send(other, message)  # another's personal mailbox
    assert refused.value.field == "integration_id"
    kit.sending.send(other, message._replace(integration_id=shared))  # shared with them
    with pytest.raises(ValidationError):
        kit.sending.send(manager, message._replace(integration_id=shared))  # not shared with them


def test_a_broadcast_sends_once_each_and_reports_exactly(kit: Kit) -> None:
    admin = kit.world.admin
    integration = kit.integration(admin.user_id)
    signature = kit.sending.create_signature(admin, "Default", "<p>ACME</p>")
    ids = [kit.client(f"c{i}@example.org") for i in range(25)] + [kit.client(None)]
    kit.transport.refused["c3@example.org"] = (True, "550 5.1.1 No such user")
    kit.transport.busy = 2  # two 4xx: those wait for the batch's next attempt

    made = kit.broadcasts.create(admin, integration, ids, "Sale", None, "<p>-20%</p>", signature.id)
    [(machine, payload)] = kit.workflows.started.values()
    assert machine == "EmailBroadcast"
    assert payload["batches"] == [{"start": 0, "end": 10}, {"start": 10, "end": 20}, {"start": 20, "end": 26}]
    assert kit.run(made.id, 26) == ["done", "done", "done"]

    done = kit.world.storage.email_broadcasts(kit.world.tenant_id).get(made.id)
    assert done is not None
    assert (done.status, done.total, done.sent, done.failed) == (BroadcastStatus.COMPLETED, 26, 24, 2)
    sent_to = [recipients[0] for _, recipients, _ in kit.transport.sent]
    assert sorted(sent_to) == sorted(f"c{i}@example.org" for i in range(25) if i != 3)
    messages = [message_from_bytes(raw, policy=policy.default) for _, _, raw in kit.transport.sent]
    assert len({m["Message-ID"] for m in messages}) == 24
    assert all("ACME" in m.get_body(("html",)).get_content() for m in messages)
    report = kit.broadcasts.get(admin, made.id)[1].items
    assert report[25].reason == "no email address"
    assert report[3].reason is not None
    assert "550" in report[3].reason
    assert len(kit.archive.stored) == 24


def test_an_unreachable_server_waits_then_fails_the_batch_with_the_reason(kit: Kit) -> None:
    admin = kit.world.admin
    integration = kit.integration(admin.user_id)
    ids = [kit.client("a@example.org"), kit.client("b@example.org")]
    made = kit.broadcasts.create(admin, integration, ids, "Hi", "Hello", None, None)
    kit.transport.down.extend(MailSendError("unreachable", "timed out", permanent=False) for _ in range(3))
    job = {"tenant_id": kit.world.tenant_id, "broadcast_id": made.id, "batch": {"start": 0, "end": 2},
           "attempt": 0, "max_attempts": 3}  # fmt: skip
    job = kit.broadcasts.send_batch(job)
    assert job["status"] == "retry"
    assert [r.status for r in kit.broadcasts.get(admin, made.id)[1].items] == [RecipientStatus.PENDING] * 2
    job = kit.broadcasts.send_batch(job)
    job = kit.broadcasts.send_batch(job)
    assert job["status"] == "done"
    report = kit.broadcasts.get(admin, made.id)[1].items
    assert [r.status for r in report] == [RecipientStatus.FAILED] * 2
    assert all("not sent after 3 attempts" in (r.reason or "") for r in report)
    assert kit.transport.sent == []


def test_a_batch_run_again_after_a_crash_sends_nothing_twice(kit: Kit) -> None:
    admin = kit.world.admin
    integration = kit.integration(admin.user_id)
    ids = [kit.client("a@example.org"), kit.client("b@example.org")]
    made = kit.broadcasts.create(admin, integration, ids, "Hi", "Hello", None, None)
    repo = kit.world.storage.email_broadcasts(kit.world.tenant_id)
    assert repo.claim(made.id, 0)  # an attempt claimed it and died before knowing the outcome
    kit.run(made.id, 2)
    report = kit.broadcasts.get(admin, made.id)[1].items
    assert [(r.status, r.reason) for r in report] == [
        (RecipientStatus.FAILED, UNKNOWN_OUTCOME), (RecipientStatus.SENT, None),
    ]  # fmt: skip
    assert [recipients for _, recipients, _ in kit.transport.sent] == [["b@example.org"]]


def test_bounces_fail_the_recipient_they_name_and_mark_the_address(kit: Kit) -> None:
    admin = kit.world.admin
    integration = kit.integration(admin.user_id)
    ids = [kit.client("a@example.org"), kit.client("b@example.org")]
    made = kit.broadcasts.create(admin, integration, ids, "Hi", "Hello", None, None)
    kit.run(made.id, 2)
    first = message_from_bytes(kit.transport.sent[0][2], policy=policy.default)["Message-ID"]

    kit.broadcasts.bounced(
        kit.world.tenant_id, first, "x@example.org", "5.1.1", "unknown"
    )  # not the address it went to
    kit.broadcasts.bounced(kit.world.tenant_id, first, "a@example.org", "4.2.2", "mailbox full")  # soft: ignored
    assert kit.broadcasts.get(admin, made.id)[0].sent == 2
    kit.broadcasts.bounced(kit.world.tenant_id, first.strip("<>"), "a@example.org", "5.1.1", "User unknown")
    broadcast, recipients = kit.broadcasts.get(admin, made.id)
    assert (broadcast.sent, broadcast.failed) == (1, 1)
    assert recipients.items[0].reason == "bounced 5.1.1: User unknown"
    kit.broadcasts.bounced(kit.world.tenant_id, None, "c@example.org", "5.1.1", "")  # no Message-ID: the address only

    again = kit.broadcasts.create(admin, integration, [*ids, kit.client("c@example.org")], "Hi", "Hello", None, None)
    assert [r.status for r in kit.broadcasts.get(admin, again.id)[1].items] == [
        RecipientStatus.FAILED, RecipientStatus.PENDING, RecipientStatus.FAILED,
    ]  # fmt: skip


def test_only_its_creator_and_admins_see_or_cancel_a_broadcast(kit: Kit) -> None:
    manager, other = kit.world.user("Max Manager"), kit.world.user("Olga Other")
    integration = kit.integration(manager.user_id)
    ids = [kit.client("a@example.org", owner=manager.user_id)]
    made = kit.broadcasts.create(manager, integration, ids, "Hi", "Hello", None, None)
    with pytest.raises(NotFoundError):
        kit.broadcasts.get(other, made.id)
    assert [b.id for b in kit.broadcasts.history(other, limit=10, cursor=None).items] == []
    assert [b.id for b in kit.broadcasts.history(kit.world.admin, limit=10, cursor=None).items] == [made.id]
    assert kit.broadcasts.cancel(kit.world.admin, made.id).status is BroadcastStatus.CANCELED
    with pytest.raises(ConflictError):
        kit.broadcasts.cancel(manager, made.id)
    kit.run(made.id, 1)
    assert kit.transport.sent == []
