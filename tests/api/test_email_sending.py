"""Sending email (CL-8) and signatures (EM-5) over HTTP, against a real SMTP server (aiosmtpd):
the contract's shapes, the signature and our Message-ID in what arrives, rights, bad input, and a
refused login that writes nothing."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from infra.local.smtp_catcher import SmtpCatcher
from tests.harness import Api, CrmSession, add_member
from tests.integrations.test_mail_transport import imap_port as imap_port  # a pymap server (module fixture)

pytest.importorskip("aiosmtpd")
pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")

SMTP_USER, SMTP_PASSWORD = "sales", "s-pw"


@pytest.fixture
def smtp() -> Iterator[SmtpCatcher]:
    catcher = SmtpCatcher(users={SMTP_USER: SMTP_PASSWORD}, refuse=frozenset({"nobody@example.org"})).start()
    try:
        yield catcher
    finally:
        catcher.stop()


def integration(api: Api, token: str, smtp: SmtpCatcher, *, password: str = SMTP_PASSWORD, **extra: Any) -> str:
    body = {
        "name": "Sales",
        "email": "sales@example.com",
        # Nothing listens on port 9: the Sent copy fails fast (logged; the mail is out).
        "imap": {"host": "127.0.0.1", "port": 9, "security": "none", "username": SMTP_USER, "password": "i-pw"},
        "smtp": {"host": "127.0.0.1", "port": smtp.port, "security": "none", "username": SMTP_USER,
                 "password": password},
        **extra,
    }  # fmt: skip
    created = api.post("/v1/email/integrations", body, token=token)
    assert created.status == 201, created.json
    return str(created.json["id"])


def signature(api: Api, token: str, html: str = "<p>Ada <b>Admin</b></p><p>ACME Ltd</p>") -> dict[str, Any]:
    created = api.post("/v1/email/signatures", {"name": "Default", "html": html}, token=token)
    assert created.status == 201, created.json
    return dict(created.json)


def test_signatures_crud_sanitised_and_admin_only(api: Api, make_crm: Callable[..., CrmSession]) -> None:
    crm = make_crm()
    made = signature(api, crm.token, '<p onclick="x()">Ada</p><script>alert(1)</script><a href="javascript:x">l</a>')
    assert "script" not in made["html"]
    assert "onclick" not in made["html"]
    assert "javascript" not in made["html"]
    assert made["name"] == "Default"
    assert made["version"] == 1
    listed = api.get("/v1/email/signatures", token=crm.token).json["items"]
    assert [s["id"] for s in listed] == [made["id"]]

    patched = api.request("PATCH", f"/v1/email/signatures/{made['id']}", {"version": 1, "name": "Short"},
                          token=crm.token)  # fmt: skip
    assert (patched.status, patched.json["name"], patched.json["version"]) == (200, "Short", 2)
    stale = api.request("PATCH", f"/v1/email/signatures/{made['id']}", {"version": 1, "html": "<p>x</p>"},
                        token=crm.token)  # fmt: skip
    assert stale.status == 409

    member = add_member(api, crm)
    assert api.get("/v1/email/signatures", token=member.token).status == 200
    assert api.post("/v1/email/signatures", {"name": "Mine", "html": "<p>x</p>"}, token=member.token).status == 403
    assert api.request("DELETE", f"/v1/email/signatures/{made['id']}", token=member.token).status == 403

    for body, field in (({"name": "", "html": "<p>x</p>"}, "name"), ({"name": "E", "html": "<script>x</script>"},
                                                                      "html")):  # fmt: skip
        reply = api.post("/v1/email/signatures", body, token=crm.token)
        assert (reply.status, reply.error["field"]) == (400, field), body

    assert api.request("DELETE", f"/v1/email/signatures/{made['id']}", token=crm.token).status == 204
    assert api.get("/v1/email/signatures", token=crm.token).json["items"] == []


def test_send_with_signature_and_our_message_id(
    api: Api, make_crm: Callable[..., CrmSession], smtp: SmtpCatcher
) -> None:
    crm = make_crm()
    integration_id = integration(api, crm.token, smtp)
    sig = signature(api, crm.token)
    client = api.post("/v1/clients", {"name": "Bob", "emails": [{"email": "bob@example.org"}]}, token=crm.token)
    assert client.status == 201, client.json

    sent = api.post(
        "/v1/email/send",
        {"integration_id": integration_id, "to": ["bob@example.org"], "cc": ["carol@example.org"],
         "subject": "Our offer", "html": "<p>Hello Bob</p>", "signature_id": sig["id"],
         "contact_id": client.json["id"]},
        token=crm.token,
    )  # fmt: skip
    assert sent.status == 201, sent.json
    email = sent.json
    assert (email["direction"], email["from"], email["to"], email["cc"]) == (
        "out", "sales@example.com", ["bob@example.org"], ["carol@example.org"],
    )  # fmt: skip
    assert email["contact"] == {"type": "client", "id": client.json["id"]}
    assert email["subject"] == "Our offer"
    assert "ACME Ltd" in email["text"]
    assert {"id", "time", "thread_id", "attachments"} <= email.keys()
    shown = api.get(f"/v1/emails/{email['id']}", token=crm.token)  # the same email, as GET shows it
    assert shown.status == 200, shown.json
    assert {k: v for k, v in shown.json.items() if k not in ("text", "html")} == {
        k: v for k, v in email.items() if k not in ("text", "html")
    }

    [mail] = smtp.taken()
    assert sorted(mail.recipients) == ["bob@example.org", "carol@example.org"]
    message = mail.message
    assert message["Message-ID"] == f"<{email['message_id']}>"
    assert message["Message-ID"].endswith("@example.com>")
    html = message.get_body(("html",)).get_content()
    text = message.get_body(("plain",)).get_content()
    assert "Hello Bob" in html
    assert "<b>Admin</b>" in html
    assert "ACME Ltd" in text
    assert "-- " in text.splitlines()  # the signature separator

    # Recorded through the archive: the email, in the contact's feed (kind email, direction out).
    feed = api.get(f"/v1/clients/{client.json['id']}/feed", token=crm.token).json["items"]
    [line] = [e for e in feed if e["kind"] == "email"]
    assert (line["data"]["email_id"], line["data"]["direction"], line["data"]["subject"]) == (
        email["id"], "out", "Our offer",
    )  # fmt: skip

    # A reply to it carries In-Reply-To and References, and lands in the same thread.
    reply = api.post("/v1/email/send", {"integration_id": integration_id, "to": ["bob@example.org"],
                                        "subject": "Re: Our offer", "text": "And one more thing",
                                        "in_reply_to": email["id"]}, token=crm.token)  # fmt: skip
    assert reply.status == 201, reply.json
    answer = smtp.taken()[1].message
    assert answer["In-Reply-To"] == message["Message-ID"]
    assert message["Message-ID"] in answer["References"]
    assert reply.json["thread_id"] == email["thread_id"]
    assert reply.json["contact"] == {"type": "client", "id": client.json["id"]}  # found by its address


def test_wrong_smtp_password_is_a_clear_502_and_writes_nothing(
    api: Api, make_crm: Callable[..., CrmSession], smtp: SmtpCatcher
) -> None:
    crm = make_crm()
    integration_id = integration(api, crm.token, smtp, password="wrong")  # the probe is faked in the tests
    client = api.post("/v1/clients", {"name": "Bob", "emails": [{"email": "bob@example.org"}]}, token=crm.token)
    before = api.get(f"/v1/clients/{client.json['id']}/feed", token=crm.token).json["items"]

    reply = api.post("/v1/email/send", {"integration_id": integration_id, "to": ["bob@example.org"], "subject": "Hi",
                                        "text": "Hello", "contact_id": client.json["id"]}, token=crm.token)  # fmt: skip

    assert reply.status == 502, reply.json
    assert reply.error["code"] == "bad_gateway"
    assert reply.error["field"] == "integration_id"
    assert "authentication failed" in reply.error["message"]
    assert f"127.0.0.1:{smtp.port}" in reply.error["message"]
    assert smtp.taken() == []
    assert api.get(f"/v1/clients/{client.json['id']}/feed", token=crm.token).json["items"] == before


def test_unreachable_smtp_is_a_502(api: Api, make_crm: Callable[..., CrmSession], smtp: SmtpCatcher) -> None:
    crm = make_crm()
    integration_id = integration(api, crm.token, smtp)
    smtp.stop()
    reply = api.post("/v1/email/send", {"integration_id": integration_id, "to": ["bob@example.org"], "subject": "Hi",
                                        "text": "Hello"}, token=crm.token)  # fmt: skip
    assert (reply.status, reply.error["field"]) == (502, "integration_id")
    assert "host unreachable" in reply.error["message"]


def test_bad_input_names_the_field(api: Api, make_crm: Callable[..., CrmSession], smtp: SmtpCatcher) -> None:
    crm = make_crm()
    integration_id = integration(api, crm.token, smtp)
    good = {"integration_id": integration_id, "to": ["bob@example.org"], "subject": "Hi", "text": "Hello"}
    cases: list[tuple[dict[str, Any], str]] = [
        ({**good, "integration_id": "missing"}, "integration_id"),
        ({**good, "to": ["not an address"]}, "to[0]"),
        ({**good, "to": []}, "to"),
        ({**good, "cc": ["a@b.c", "x"]}, "cc[1]"),
        ({**good, "text": None}, "text"),
        ({**good, "text": "x", "html": "<p>y</p>"}, "html"),
        ({**good, "signature_id": "missing"}, "signature_id"),
        ({**good, "contact_id": "missing"}, "contact_id"),
        ({**good, "deal_id": "missing"}, "deal_id"),
        ({**good, "in_reply_to": "missing"}, "in_reply_to"),
        ({**good, "to": ["nobody@example.org"]}, "to[0]"),  # the server refuses the address
    ]
    for body, field in cases:
        reply = api.post("/v1/email/send", body, token=crm.token)
        assert (reply.status, reply.error.get("field")) == (400, field), (body, reply.json)
    assert smtp.taken() == []


def test_only_an_integration_the_user_may_use(api: Api, make_crm: Callable[..., CrmSession], smtp: SmtpCatcher) -> None:
    crm = make_crm()
    mine = integration(api, crm.token, smtp)  # the admin's personal mailbox
    member = add_member(api, crm)
    body = {"integration_id": mine, "to": ["bob@example.org"], "subject": "Hi", "text": "Hello"}
    refused = api.post("/v1/email/send", body, token=member.token)
    assert (refused.status, refused.error["field"]) == (400, "integration_id")
    shared = api.request("PATCH", f"/v1/email/integrations/{mine}", {"shared_with": [member.id]}, token=crm.token)
    assert shared.status == 200, shared.json
    assert api.post("/v1/email/send", body, token=member.token).status == 201
    assert len(smtp.taken()) == 1


def test_an_address_refused_among_others_still_sends(
    api: Api, make_crm: Callable[..., CrmSession], smtp: SmtpCatcher
) -> None:
    crm = make_crm()
    integration_id = integration(api, crm.token, smtp)
    reply = api.post("/v1/email/send", {"integration_id": integration_id, "to": ["bob@example.org"],
                                        "cc": ["nobody@example.org"], "subject": "Hi", "text": "Hello"},
                     token=crm.token)  # fmt: skip
    assert reply.status == 201, reply.json
    assert [m.recipients for m in smtp.taken()] == [("bob@example.org",)]


def test_the_sent_copy_is_filed_and_polling_it_stores_nothing_twice(
    api: Api, make_crm: Callable[..., CrmSession], smtp: SmtpCatcher, imap_port: int
) -> None:
    from imapclient import IMAPClient

    from chalicelib.bootstrap import services

    crm = make_crm()
    body = {
        "name": "Sales",
        "email": "sales@example.com",
        "imap": {"host": "127.0.0.1", "port": imap_port, "security": "none", "username": "demouser",
                 "password": "demopass"},
        "smtp": {"host": "127.0.0.1", "port": smtp.port, "security": "none", "username": SMTP_USER,
                 "password": SMTP_PASSWORD},
    }  # fmt: skip
    integration_id = api.post("/v1/email/integrations", body, token=crm.token).json["id"]
    client = api.post("/v1/clients", {"name": "Bob", "emails": [{"email": "bob@example.org"}]}, token=crm.token)
    sent = api.post("/v1/email/send", {"integration_id": integration_id, "to": ["bob@example.org"],
                                       "subject": "Filed", "text": "Hello", "contact_id": client.json["id"]},
                    token=crm.token)  # fmt: skip
    assert sent.status == 201, sent.json

    with IMAPClient("127.0.0.1", port=imap_port, ssl=False, timeout=10) as imap:
        imap.login("demouser", "demopass")
        imap.select_folder("Sent", readonly=True)
        headers = imap.fetch(imap.search("ALL"), ["BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)]"])
        assert any(sent.json["message_id"].encode() in h[b"BODY[HEADER.FIELDS (MESSAGE-ID)]"] for h in headers.values())
    services().email_sync.poll(crm.id, integration_id)  # reads Sent: the guard keeps it from a second record
    feed = api.get(f"/v1/clients/{client.json['id']}/feed", token=crm.token).json["items"]
    assert [e["data"]["email_id"] for e in feed if e["kind"] == "email"] == [sent.json["id"]]
