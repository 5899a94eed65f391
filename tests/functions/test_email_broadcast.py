"""Email broadcasts (EM-4, CL-5): the real ASL run by moto, a real SMTP server (aiosmtpd)
catching what is sent, a DSN turned into a failed recipient by the bounce sink."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from email.message import EmailMessage
from typing import Any

import pytest

from chalicelib.bootstrap import services
from chalicelib.db.items import Item
from chalicelib.db.repositories.contacts import ContactRepository
from chalicelib.db.writes import Put
from chalicelib.domain.clock import utcnow
from chalicelib.domain.contacts import Contact, ContactKind, Email
from chalicelib.domain.email.bounces import parse_dsn
from chalicelib.domain.ids import new_id
from infra.local.smtp_catcher import SmtpCatcher
from tests.harness import Api, CrmSession, aws_client, reset_caches
from tests.integrations.test_mail_transport import imap_port as imap_port  # a pymap server (module fixture)
from tests.pbx import output, wait_for_workflows

pytest.importorskip("aiosmtpd")
pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")

MACHINE = "EmailBroadcast"
SIGNATURE = "<p>Ada Admin</p><p>ACME Ltd &middot; +33 1 23 45 67 89</p>"


@pytest.fixture
def smtp() -> Iterator[SmtpCatcher]:
    catcher = SmtpCatcher(users={"sales": "s-pw"}, refuse=frozenset({"refused@example.org"})).start()
    try:
        yield catcher
    finally:
        catcher.stop()


@pytest.fixture
def workflows(api: Api) -> None:
    """The functions and state machines registered in moto (their tasks run by the Lambda glue)."""
    from infra.local import lambda_glue, resources

    lambda_glue.install()
    arns = resources.register_functions(aws_client("lambda"), aws_client("iam"))
    resources.create_state_machines(aws_client("stepfunctions"), arns)
    reset_caches()  # keeps the test's clock
    from tests.fakes.mailboxes import FakeMailboxProbe

    services().mailbox_probe = FakeMailboxProbe()  # type: ignore[assignment]  (no IMAP server here)


def seed_clients(crm: CrmSession, emails: list[str | None]) -> list[str]:
    """Clients written straight through the repository (batched: fast at any size)."""
    repo = ContactRepository(crm.id)
    now = utcnow()
    ids: list[str] = []
    with Item.batch_write() as batch:
        for i, address in enumerate(emails):
            contact = Contact(id=new_id(), kind=ContactKind.CLIENT, name=f"Client {i}", created_at=now,
                              created_by=crm.admin["id"], updated_at=now,
                              emails=(Email(address),) if address else (),
                              responsible_user_id=crm.admin["id"])  # fmt: skip
            for write in repo.creation_writes(contact, []):
                if isinstance(write, Put):
                    batch.save(write.item)
            ids.append(contact.id)
    return ids


def setup(api: Api, crm: CrmSession, smtp: SmtpCatcher) -> tuple[str, str]:
    body = {
        "name": "Sales",
        "email": "sales@example.com",
        "imap": {"host": "127.0.0.1", "port": 9, "security": "none", "username": "sales", "password": "i-pw"},
        "smtp": {"host": "127.0.0.1", "port": smtp.port, "security": "none", "username": "sales", "password": "s-pw"},
    }
    integration = api.post("/v1/email/integrations", body, token=crm.token)
    assert integration.status == 201, integration.json
    signature = api.post("/v1/email/signatures", {"name": "Default", "html": SIGNATURE}, token=crm.token)
    assert signature.status == 201, signature.json
    return integration.json["id"], signature.json["id"]


def report(api: Api, crm: CrmSession, broadcast_id: str) -> dict[str, Any]:
    reply = api.get(f"/v1/email-broadcasts/{broadcast_id}", token=crm.token)
    assert reply.status == 200, reply.json
    return dict(reply.json)


def dsn(original_message_id: str, recipient: str, status: str = "5.1.1") -> bytes:
    """A delivery status notification as an MTA sends it (RFC 3464)."""
    msg = EmailMessage()
    msg["From"] = "MAILER-DAEMON@example.org"
    msg["To"] = "sales@example.com"
    msg["Subject"] = "Undelivered Mail Returned to Sender"
    msg["Content-Type"] = 'multipart/report; report-type=delivery-status; boundary="B"'
    msg.set_payload(
        "--B\r\nContent-Type: text/plain\r\n\r\nThe message could not be delivered.\r\n"
        "--B\r\nContent-Type: message/delivery-status\r\n\r\n"
        "Reporting-MTA: dns; mx.example.org\r\n\r\n"
        f"Final-Recipient: rfc822; {recipient}\r\nAction: failed\r\nStatus: {status}\r\n"
        f"Diagnostic-Code: smtp; 550 {status} <{recipient}>: Recipient address rejected: User unknown\r\n"
        "--B\r\nContent-Type: text/rfc822-headers\r\n\r\n"
        f"Message-ID: {original_message_id}\r\nSubject: Winter sale\r\n"
        "--B--\r\n"
    )
    return msg.as_bytes()


def test_a_broadcast_to_100_contacts_then_a_bounce(
    api: Api, make_crm: Callable[..., CrmSession], smtp: SmtpCatcher, workflows: None
) -> None:
    crm = make_crm()
    integration_id, signature_id = setup(api, crm, smtp)
    ids = seed_clients(crm, [f"client{i}@example.org" for i in range(100)])

    started = api.post("/v1/email-broadcasts", {"integration_id": integration_id, "contact_ids": ids,
                                                "subject": "Winter sale", "html": "<p>-20% on everything</p>",
                                                "signature_id": signature_id}, token=crm.token)  # fmt: skip
    assert (started.status, started.json["status"]) == (202, "running"), started.json
    [execution] = wait_for_workflows(timeout=240, machine=MACHINE)

    assert execution["status"] == "SUCCEEDED", execution
    assert output(execution) == {"status": "completed", "total": 100, "sent": 100, "failed": 0}
    caught = smtp.taken()
    assert len(caught) == 100  # exactly one message each, no BCC list
    assert all(len(m.recipients) == 1 for m in caught)
    assert Counter(m.recipients[0] for m in caught) == Counter(f"client{i}@example.org" for i in range(100))
    message_ids = [m.message["Message-ID"] for m in caught]
    assert len(set(message_ids)) == 100
    for mail in caught:
        message = mail.message
        assert message["To"] == mail.recipients[0]
        assert "ACME Ltd" in message.get_body(("html",)).get_content()
        assert "ACME Ltd" in message.get_body(("plain",)).get_content()
        assert "-20% on everything" in message.get_body(("html",)).get_content()
    shown = report(api, crm, started.json["id"])
    assert (shown["status"], shown["total"], shown["sent"], shown["failed"]) == ("completed", 100, 100, 0)
    assert {r["status"] for r in shown["recipients"]} == {"sent"}
    feed = api.get(f"/v1/clients/{ids[0]}/feed", token=crm.token).json["items"]
    assert [(e["kind"], e["data"]["direction"], e["data"]["subject"]) for e in feed] == [
        ("email", "out", "Winter sale")
    ]

    # The mailbox polling meets a DSN 5.1.1 for one of them and hands it to the bounce sink.
    bounced = next(m for m in caught if m.recipients[0] == "client42@example.org")
    [bounce] = parse_dsn(dsn(bounced.message["Message-ID"], "client42@example.org"))
    services().email_broadcasts.bounced(crm.id, bounced.message["Message-ID"], bounce.recipient, bounce.status,
                                        bounce.diagnostic)  # fmt: skip
    shown = report(api, crm, started.json["id"])
    assert (shown["sent"], shown["failed"]) == (99, 1)
    [failed] = [r for r in shown["recipients"] if r["status"] == "failed"]
    assert failed["email"] == "client42@example.org"
    assert failed["contact_id"] == ids[42]
    assert failed["reason"].startswith("bounced 5.1.1")
    assert "User unknown" in failed["reason"]

    # The same DSN again (polling twice) changes nothing; the address is now known to bounce.
    services().email_broadcasts.bounced(crm.id, bounced.message["Message-ID"], bounce.recipient, bounce.status,
                                        bounce.diagnostic)  # fmt: skip
    assert (report(api, crm, started.json["id"])["failed"]) == 1
    again = api.post("/v1/email-broadcasts", {"integration_id": integration_id, "contact_ids": ids[40:44],
                                              "subject": "Again", "text": "Hello"}, token=crm.token)  # fmt: skip
    wait_for_workflows(timeout=60, machine=MACHINE)
    shown = report(api, crm, again.json["id"])
    assert (shown["total"], shown["sent"], shown["failed"]) == (4, 3, 1)
    assert [r["reason"][:26] for r in shown["recipients"] if r["status"] == "failed"] == ["the address bounced before"]
    listed = api.get("/v1/email-broadcasts", token=crm.token).json["items"]
    assert [b["id"] for b in listed] == [again.json["id"], started.json["id"]]


def test_contacts_without_an_address_and_refused_ones_are_reported(
    api: Api, make_crm: Callable[..., CrmSession], smtp: SmtpCatcher, workflows: None
) -> None:
    crm = make_crm()
    integration_id, _ = setup(api, crm, smtp)
    ids = seed_clients(crm, ["a@example.org", None, "refused@example.org", "b@example.org"])
    started = api.post("/v1/email-broadcasts", {"integration_id": integration_id, "contact_ids": ids,
                                                "subject": "Hi", "text": "Hello"}, token=crm.token)  # fmt: skip
    assert started.status == 202, started.json
    wait_for_workflows(timeout=60, machine=MACHINE)
    shown = report(api, crm, started.json["id"])
    assert (shown["status"], shown["total"], shown["sent"], shown["failed"]) == ("completed", 4, 2, 2)
    by_contact = {r["contact_id"]: r for r in shown["recipients"]}
    assert (by_contact[ids[1]]["status"], by_contact[ids[1]]["reason"]) == ("failed", "no email address")
    assert by_contact[ids[2]]["status"] == "failed"
    assert "550" in by_contact[ids[2]]["reason"]
    assert sorted(m.recipients[0] for m in smtp.taken()) == ["a@example.org", "b@example.org"]


def test_a_wrong_smtp_password_fails_every_recipient_with_the_reason(
    api: Api, make_crm: Callable[..., CrmSession], smtp: SmtpCatcher, workflows: None
) -> None:
    crm = make_crm()
    integration_id, _ = setup(api, crm, smtp)
    smtp.users = {"sales": "changed"}
    ids = seed_clients(crm, ["a@example.org", "b@example.org"])
    started = api.post("/v1/email-broadcasts", {"integration_id": integration_id, "contact_ids": ids,
                                                "subject": "Hi", "text": "Hello"}, token=crm.token)  # fmt: skip
    wait_for_workflows(timeout=60, machine=MACHINE)
    shown = report(api, crm, started.json["id"])
    assert (shown["status"], shown["sent"], shown["failed"]) == ("completed", 0, 2)
    assert all("auth" in r["reason"] for r in shown["recipients"])
    assert smtp.taken() == []


def test_input_is_checked_and_cancel_stops_it(api: Api, make_crm: Callable[..., CrmSession], smtp: SmtpCatcher) -> None:
    crm = make_crm()
    integration_id, _ = setup(api, crm, smtp)
    ids = seed_clients(crm, ["a@example.org"])
    good = {"integration_id": integration_id, "contact_ids": ids, "subject": "Hi", "text": "Hello"}
    cases: list[tuple[dict[str, Any], str]] = [
        ({**good, "contact_ids": []}, "contact_ids"),
        ({**good, "contact_ids": [f"c{i}" for i in range(101)]}, "contact_ids"),
        ({**good, "contact_ids": [*ids, "missing"]}, "contact_ids[1]"),
        ({**good, "integration_id": "missing"}, "integration_id"),
        ({**good, "text": None}, "text"),
        ({**good, "signature_id": "missing"}, "signature_id"),
    ]
    for body, field in cases:
        reply = api.post("/v1/email-broadcasts", body, token=crm.token)
        assert (reply.status, reply.error.get("field")) == (400, field), (body, reply.json)

    # No workflow registered here: the broadcast stays running until canceled.
    from tests.harness import NoWorkflows

    services().workflows = NoWorkflows()  # type: ignore[assignment]
    services().__dict__.pop("email_broadcasts", None)
    started = api.post("/v1/email-broadcasts", good, token=crm.token)
    assert started.status == 202, started.json
    canceled = api.post(f"/v1/email-broadcasts/{started.json['id']}/cancel", token=crm.token)
    assert (canceled.status, canceled.json["status"]) == (200, "canceled")
    assert api.post(f"/v1/email-broadcasts/{started.json['id']}/cancel", token=crm.token).status == 409
    job = {"tenant_id": crm.id, "broadcast_id": started.json["id"], "batch": {"start": 0, "end": 1}, "attempt": 0}
    assert services().email_broadcasts.send_batch(job)["status"] == "done"
    assert smtp.taken() == []
    assert report(api, crm, started.json["id"])["recipients"][0]["status"] == "pending"


def test_polling_meets_the_dsn_and_the_report_shows_it(
    api: Api, make_crm: Callable[..., CrmSession], smtp: SmtpCatcher, workflows: None, imap_port: int
) -> None:
    """End to end: a broadcast through aiosmtpd, a DSN 5.1.1 in the mailbox (pymap), the
    mailbox polled: the report shows that recipient failed; the DSN is not archived."""
    from imapclient import IMAPClient

    crm = make_crm()
    body = {
        "name": "Sales",
        "email": "sales@example.com",
        "imap": {"host": "127.0.0.1", "port": imap_port, "security": "none", "username": "demouser",
                 "password": "demopass"},
        "smtp": {"host": "127.0.0.1", "port": smtp.port, "security": "none", "username": "sales", "password": "s-pw"},
    }  # fmt: skip
    integration_id = api.post("/v1/email/integrations", body, token=crm.token).json["id"]
    ids = seed_clients(crm, ["x1@example.org", "x2@example.org", "x3@example.org"])
    started = api.post("/v1/email-broadcasts", {"integration_id": integration_id, "contact_ids": ids,
                                                "subject": "Winter sale", "text": "-20%"}, token=crm.token)  # fmt: skip
    wait_for_workflows(timeout=60, machine=MACHINE)
    assert report(api, crm, started.json["id"])["sent"] == 3
    bounced = next(m for m in smtp.taken() if m.recipients == ("x2@example.org",))

    with IMAPClient("127.0.0.1", port=imap_port, ssl=False, timeout=10) as client:
        client.login("demouser", "demopass")
        client.append("INBOX", dsn(bounced.message["Message-ID"], "x2@example.org"))
    services().email_sync.poll(crm.id, integration_id)

    shown = report(api, crm, started.json["id"])
    assert (shown["sent"], shown["failed"]) == (2, 1)
    [failed] = [r for r in shown["recipients"] if r["status"] == "failed"]
    assert (failed["email"], failed["reason"][:13]) == ("x2@example.org", "bounced 5.1.1")
