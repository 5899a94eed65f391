"""The email archive (EM-2, EM-3, EM-6) over moto: stored once, threaded, in the feeds, leads."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from chalicelib.bootstrap import services
from chalicelib.domain.emails import ContactRef, Direction, EmailException
from chalicelib.domain.ids import new_id
from tests.email.helpers import MAILBOX, mailbox, message
from tests.harness import Api, CrmSession, LocalAws


def client(api: Api, crm: CrmSession, name: str, email: str) -> str:
    made = api.post("/v1/clients", {"name": name, "emails": [{"email": email}]}, token=crm.token)
    assert made.status == 201, made.json
    return str(made.json["id"])


def feed(api: Api, crm: CrmSession, kind: str, contact_id: str) -> list[dict]:
    reply = api.get(f"/v1/{kind}/{contact_id}/feed", token=crm.token)
    assert reply.status == 200, reply.json
    return [e for e in reply.json["items"] if e["kind"] == "email"]


def setup(api: Api, make_crm: Callable[..., CrmSession], leads: str = "received") -> tuple:
    crm = make_crm()
    box = mailbox(crm.admin["id"], leads=leads)
    services().storage.mailboxes(crm.id).create(box, 20)
    return crm, box


def test_stored_once_in_the_clients_feed_with_html_and_attachment(aws: LocalAws, api: Api, make_crm) -> None:
    crm, box = setup(api, make_crm)
    anna = client(api, crm, "Anna", "anna@example.org")
    raw = message("Anna <Anna@Example.org>", html="<p>Hi<script>x()</script></p>", attachment=b"%PDF-1.4 x")
    archive = services().email_archive
    stored = archive.store(crm.id, box, raw, direction=Direction.IN)
    assert stored is not None
    assert stored.contact == ContactRef("client", anna)
    assert stored.has_html
    assert stored.attachments[0].name == "offer.pdf"
    assert archive.store(crm.id, box, raw, direction=Direction.IN) is None  # twice: nothing
    entries = feed(api, crm, "clients", anna)
    assert len(entries) == 1
    assert entries[0]["data"]["email_id"] == stored.id
    assert entries[0]["data"]["direction"] == "in"
    assert entries[0]["data"]["attachments"] == 1
    html = services().files.get(stored.html_key or "")
    assert html is not None
    assert b"script" not in html


def test_a_reply_with_only_references_joins_the_thread_and_its_deal(aws: LocalAws, api: Api, make_crm) -> None:
    crm, box = setup(api, make_crm)
    archive = services().email_archive
    first = archive.store(crm.id, box, message("a@example.org", message_id="root-1"), direction=Direction.IN,
                          deal_id=None)  # fmt: skip
    assert first is not None
    reply = message("b@example.org", references="<root-1@mail.example.org>")
    second = archive.store(crm.id, box, reply, direction=Direction.IN)
    assert second is not None
    assert second.thread_id == first.thread_id == "root-1@mail.example.org"


def test_exceptions_keep_mail_out(aws: LocalAws, api: Api, make_crm) -> None:
    crm, box = setup(api, make_crm)
    services().storage.emails(crm.id).add_exception(EmailException(new_id(), "@spam.example", box.created_at))
    assert services().email_archive.store(crm.id, box, message("x@spam.example"), direction=Direction.IN) is None


def test_leads_cc_on_thread_bulk_and_five_at_once(aws: LocalAws, api: Api, make_crm) -> None:
    crm, box = setup(api, make_crm)
    archive = services().email_archive
    # A new sender becomes a lead (the pool: the mailbox is shared? personal: the owner's).
    first = archive.store(
        crm.id, box, message("New Person <new@example.org>", message_id="t-1"), direction=Direction.IN
    )
    assert first is not None
    assert first.contact is not None
    assert first.contact.type == "lead"
    # A reply from someone CC'd on that thread: no lead.
    cc_reply = message("carol@example.org", in_reply_to="t-1@mail.example.org", cc="dave@example.org")
    replied = archive.store(crm.id, box, cc_reply, direction=Direction.IN)
    assert replied is not None
    assert replied.contact is None
    # A newsletter: no lead.
    news = message("news@shop.example", headers={"List-Unsubscribe": "<mailto:u@shop.example>"})
    assert archive.store(crm.id, box, news, direction=Direction.IN) is not None
    contacts = services().storage.contacts(crm.id)
    for address in ("carol@example.org", "dave@example.org", "news@shop.example"):
        assert contacts.owner_of_email(address) is None
    # Five messages from one unknown address at once: one lead.
    raws = [message("burst@example.org") for _ in range(5)]
    with ThreadPoolExecutor(5) as pool:
        stored = list(pool.map(lambda r: archive.store(crm.id, box, r, direction=Direction.IN), raws))
    assert all(s is not None for s in stored)
    owners = {s.contact.id for s in stored if s is not None and s.contact is not None}
    assert len(owners) == 1
    assert owners == {contacts.owner_of_email("burst@example.org")}
    assert MAILBOX not in {s.sender for s in stored if s}
