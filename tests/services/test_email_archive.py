"""The archive's rules at the service tier (fakes): who becomes a lead (EM-3), what stays out
(EM-6), threads and deals of replies, the feeds, the notification (NT-1)."""

from __future__ import annotations

from dataclasses import replace

from chalicelib.domain.contacts import Contact, ContactKind
from chalicelib.domain.contacts import Email as ContactEmail
from chalicelib.domain.emails import ContactRef, Direction, EmailException, EmailSettings
from chalicelib.domain.ids import new_id
from chalicelib.domain.notifications import NotificationKind
from chalicelib.services.email_archive import EmailArchive
from chalicelib.services.notifications import NotificationService
from tests.email.helpers import mailbox, message
from tests.fakes.outside import FakeFiles
from tests.services.world import World


def archive(world: World) -> EmailArchive:
    center = NotificationService(world.storage, world.clock)
    return EmailArchive(world.storage, world.clock, FakeFiles(), notifier=center)


def box(world: World, leads: str = "received", shared: str | tuple[str, ...] = ()):
    made = mailbox(world.admin.user_id, leads=leads, shared=shared)
    world.storage.mailboxes(world.tenant_id).create(made, 20)
    return made


def client_with_email(world: World, address: str, owner_id: str) -> Contact:
    now = world.clock()
    contact = Contact(new_id(), ContactKind.CLIENT, "Known", now, owner_id, now, emails=(ContactEmail(address),),
                      responsible_user_id=owner_id)  # fmt: skip
    world.storage.contacts(world.tenant_id).create(contact, [])
    return contact


def leads(world: World) -> set[str]:
    contacts = world.storage.contacts(world.tenant_id)
    return {e.email for c in contacts.records.values() if c.kind is ContactKind.LEAD for e in c.emails}


def test_a_known_client_gets_the_email_in_its_feed_and_its_owner_a_notification(world: World) -> None:
    owner = world.user("Olga Owner")
    known = client_with_email(world, "anna@example.org", owner.user_id)
    mailbox_ = box(world, leads="none")
    stored = archive(world).store(world.tenant_id, mailbox_, message("Anna <anna@example.org>", subject="Hi"),
                                  direction=Direction.IN)  # fmt: skip
    assert stored is not None
    assert stored.contact == ContactRef("client", known.id)
    [entry] = world.storage.contacts(world.tenant_id).feeds[known.id]
    assert entry.kind.value == "email"
    assert entry.data == {"email_id": stored.id, "direction": "in", "subject": "Hi", "from": "anna@example.org",
                          "to": ["sales@acme-crm.test"], "attachments": 0}  # fmt: skip
    assert entry.text == "Hi there"
    [told] = world.storage.notifications(world.tenant_id).all_of(owner.user_id)
    assert told.kind is NotificationKind.EMAIL_RECEIVED
    assert "anna@example.org" in told.title
    assert leads(world) == set()


def test_who_never_becomes_a_lead(world: World) -> None:
    mailbox_ = box(world)
    store = archive(world).store
    emails = world.storage.emails(world.tenant_id)
    emails.save_settings(EmailSettings(), EmailSettings(("acme.example",)))
    emails.add_exception(EmailException(new_id(), "blocked@example.org", world.clock()))
    world.user("Carl Colleague")  # carl@acme.test
    cases = [
        message("boss@acme.example"),  # the CRM's own domain
        message("x@mx.acme.example"),  # ...and its subdomains
        message("carl@acme.test"),  # a user of the CRM
        message("noreply@shop.example"),  # a robot
        message("news@shop.example", headers={"List-Unsubscribe": "<mailto:u@shop.example>"}),
        message("list@shop.example", headers={"List-Id": "<deals.shop.example>"}),
        message("bulk@shop.example", headers={"Precedence": "bulk"}),
        message("auto@shop.example", headers={"Auto-Submitted": "auto-replied"}),
        message("replier@example.org", in_reply_to="unknown-parent@example.org"),
        message("refs@example.org", references="<older@example.org>"),
    ]
    for raw in cases:
        assert store(world.tenant_id, mailbox_, raw, direction=Direction.IN) is not None
    # An exception keeps the mail out altogether.
    assert store(world.tenant_id, mailbox_, message("blocked@example.org"), direction=Direction.IN) is None
    assert store(world.tenant_id, mailbox_, message("x@y.example", cc="Blocked@Example.org"),
                 direction=Direction.IN) is None  # fmt: skip
    assert leads(world) == set()


def test_the_cc_of_a_thread_is_no_lead_but_a_new_sender_is(world: World) -> None:
    mailbox_ = box(world)
    store = archive(world).store
    first = store(world.tenant_id, mailbox_, message("New <new@example.org>", message_id="root", cc="cc1@example.org"),
                  direction=Direction.IN)  # fmt: skip
    assert first is not None
    assert leads(world) == {"new@example.org", "cc1@example.org"}  # a first message: its Cc too
    reply = message("cc2@example.org", cc="cc3@example.org", in_reply_to="root@mail.example.org")
    assert store(world.tenant_id, mailbox_, reply, direction=Direction.IN) is not None
    assert leads(world) == {"new@example.org", "cc1@example.org"}
    [lead] = [c for c in world.storage.contacts(world.tenant_id).records.values() if c.name == "New"]
    assert lead.responsible_user_id == world.admin.user_id  # a personal mailbox: its owner's
    assert first.contact == ContactRef("lead", lead.id)


def test_modes_received_and_sent(world: World) -> None:
    store = archive(world).store
    received = box(world)
    both = box(world, leads="received_and_sent", shared="all")
    out = message("sales@acme-crm.test", to="Prospect <p1@example.org>")
    assert store(world.tenant_id, received, out, direction=Direction.OUT) is not None
    assert leads(world) == set()
    out2 = message("sales@acme-crm.test", to="p2@example.org")
    assert store(world.tenant_id, both, out2, direction=Direction.OUT) is not None
    assert leads(world) == {"p2@example.org"}
    [lead] = [c for c in world.storage.contacts(world.tenant_id).records.values() if c.is_lead]
    assert lead.responsible_user_id is None  # a shared mailbox: the pool


def test_a_reply_inherits_the_thread_and_the_deal(world: World) -> None:
    mailbox_ = box(world, leads="none")
    store = archive(world).store
    deal_id = new_id()
    first = store(world.tenant_id, mailbox_, message("a@example.org", message_id="d1"), direction=Direction.OUT,
                  deal_id=deal_id, user_id=world.admin.user_id)  # fmt: skip
    assert first is not None
    reply = store(world.tenant_id, mailbox_, message("a@example.org", in_reply_to="d1@mail.example.org"),
                  direction=Direction.IN)  # fmt: skip
    assert reply is not None
    assert (reply.thread_id, reply.deal_id) == ("d1@mail.example.org", deal_id)
    refs_only = store(world.tenant_id, mailbox_, message("b@example.org", references="<d1@mail.example.org>"),
                      direction=Direction.IN)  # fmt: skip
    assert refs_only is not None
    assert (refs_only.thread_id, refs_only.deal_id) == ("d1@mail.example.org", deal_id)
    feed = world.storage.deals(world.tenant_id).feeds[deal_id]
    assert [e.data["direction"] for e in feed] == ["out", "in", "in"]
    assert feed[0].user_id == world.admin.user_id


def test_stored_twice_stores_nothing(world: World) -> None:
    mailbox_ = box(world)
    raw = message("someone@example.org")
    store = archive(world).store
    assert store(world.tenant_id, mailbox_, raw, direction=Direction.IN) is not None
    transactions = world.storage.transactions
    assert store(world.tenant_id, mailbox_, raw, direction=Direction.IN) is None
    assert world.storage.transactions == transactions
    assert len(world.storage.emails(world.tenant_id).records) == 1
    # A message without a Message-ID is keyed by its bytes.
    bare = raw.replace(b"Message-ID", b"X-Old-Id")
    first = store(world.tenant_id, replace(mailbox_), bare, direction=Direction.IN)
    assert first is not None
    assert first.message_id.startswith("sha256:")
    assert store(world.tenant_id, mailbox_, bare, direction=Direction.IN) is None
