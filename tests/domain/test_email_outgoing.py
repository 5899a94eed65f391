"""Outgoing email as plain rules: the signature appended, our Message-ID, reply headers, which
providers keep sent mail themselves, email broadcast bounce reasons."""

from __future__ import annotations

from datetime import UTC, datetime
from email import message_from_bytes, policy

import pytest

from chalicelib.domain.email.broadcasts import bounce_reason
from chalicelib.domain.email.outgoing import (
    Body,
    Signature,
    check_address,
    check_signature_html,
    compose,
    new_message_id,
    signed,
)
from chalicelib.domain.errors import ValidationError
from chalicelib.domain.mailboxes import CreateLeads, Integration, Security, Server, keeps_sent

NOW = datetime(2026, 12, 5, 12, 0, tzinfo=UTC)
SIGNATURE = Signature("s1", "Default", "<p>Ada Admin</p><p>ACME</p>", NOW)


def test_the_signature_is_appended_to_text_and_html() -> None:
    text, html = signed(Body.of(None, "<p>Hello</p>"), SIGNATURE)
    assert text == "Hello\n\n-- \nAda Admin\n\nACME"
    assert html == '<p>Hello</p>\n<div class="signature"><p>Ada Admin</p><p>ACME</p></div>'
    text, html = signed(Body.of("Hello", None), SIGNATURE)
    assert (text, html) == ("Hello\n\n-- \nAda Admin\n\nACME", None)
    assert signed(Body.of("Hello", None), None) == ("Hello", None)


def test_bodies_and_signatures_are_checked() -> None:
    for text, html, field in ((None, None, "text"), ("  ", None, "text"), ("a", "<p>b</p>", "html")):
        with pytest.raises(ValidationError) as bad:
            Body.of(text, html)
        assert bad.value.field == field
    assert Body.of(None, "<p onclick='x()'>Hi</p><script>x</script>").html == "<p>Hi</p>"
    with pytest.raises(ValidationError):
        check_signature_html("<script>only a script</script>")
    assert check_signature_html('<img src="https://example.com/logo.png">').startswith("<img")
    with pytest.raises(ValidationError):
        check_address("two@@example.com", "to[0]")
    assert check_address(" bob@example.org ", "to[0]") == "bob@example.org"


def test_compose_our_message_id_and_the_reply_headers() -> None:
    message_id = new_message_id("sales@example.com")
    assert message_id.startswith("<")
    assert message_id.endswith("@example.com>")
    assert new_message_id("sales@example.com") != message_id
    raw = compose(sender="sales@example.com", sender_name="Ada Admin", to=["bob@example.org"], cc=["c@example.org"],
                  subject="Re: Offer", text="Hi", html="<p>Hi</p>", message_id=message_id, date=NOW,
                  in_reply_to="<parent@example.org>", references=("<root@example.org>",))  # fmt: skip
    message = message_from_bytes(raw, policy=policy.default)
    assert message["Message-ID"] == message_id
    assert message["From"] == "Ada Admin <sales@example.com>"
    assert (message["To"], message["Cc"]) == ("bob@example.org", "c@example.org")
    assert message["In-Reply-To"] == "<parent@example.org>"
    assert message["References"] == "<root@example.org> <parent@example.org>"
    assert message.get_body(("plain",)).get_content().strip() == "Hi"
    assert "<p>Hi</p>" in message.get_body(("html",)).get_content()


def integration(smtp_host: str) -> Integration:
    return Integration(
        id="i1", owner_id="u1", name="Sales", email="sales@example.com",
        imap=Server("imap.example.com", 993, Security.SSL, "sales"), smtp=Server(smtp_host, 465, Security.SSL, "s"),
        shared_with=(), create_leads=CreateLeads.NONE, created_at=NOW,
    )  # fmt: skip


def test_gmail_and_microsoft_keep_sent_mail_others_get_an_append() -> None:
    assert keeps_sent(integration("smtp.gmail.com"))
    assert keeps_sent(integration("smtp.office365.com"))
    assert not keeps_sent(integration("smtp.zoho.com"))
    assert not keeps_sent(integration("mail.example.com"))


def test_bounce_reason() -> None:
    assert bounce_reason("5.1.1", "550 5.1.1 User unknown") == "bounced 5.1.1: 550 5.1.1 User unknown"
    assert bounce_reason("5.1.1", "") == "bounced 5.1.1"
