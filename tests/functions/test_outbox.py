"""The local stack prints the emails the CRM sends, so invitation links are usable on a laptop."""

from __future__ import annotations

import io

from infra.local.outbox import Outbox
from tests.harness import REGION, Api


def test_sent_emails_are_printed_once(api: Api, make_crm) -> None:
    crm = make_crm()
    stream = io.StringIO()
    outbox = Outbox(REGION, stream)
    api.post("/v1/invitations", {"emails": ["ola@example.com"]}, token=crm.token)

    assert outbox.show_new() == 1
    assert outbox.show_new() == 0
    printed = stream.getvalue()
    assert "To: ola@example.com" in printed
    assert "invitations/accept?token=" in printed


def test_mail_caught_by_the_local_smtp_server_is_printed_once(aws: object) -> None:
    """`make run`'s mailboxes send through the SMTP catcher; the console shows what it caught."""
    import smtplib
    import warnings

    from infra.local.smtp_catcher import SmtpCatcher

    catcher = SmtpCatcher().start()
    try:
        stream = io.StringIO()
        outbox = Outbox(REGION, stream, mail=catcher.taken)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # aiosmtpd: AUTH without TLS (a local server, on purpose)
            with smtplib.SMTP(catcher.host, catcher.port, timeout=5) as smtp:
                smtp.login("any", "thing")
                smtp.sendmail("sales@example.com", ["bob@example.org"],
                              b"From: sales@example.com\r\nTo: bob@example.org\r\nSubject: Offer\r\n"
                              b"Message-ID: <1@example.com>\r\n\r\nHello Bob\r\n")  # fmt: skip
        assert outbox.show_new() == 1
        assert outbox.show_new() == 0
        printed = stream.getvalue()
        assert "To: bob@example.org" in printed
        assert "Subject: Offer" in printed
        assert "Hello Bob" in printed
    finally:
        catcher.stop()
