"""Threading, auto-leads (EM-3), exceptions (EM-6) and bounces (DSN) of issue 18."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import pytest

from chalicelib.domain.email.bounces import Bounce, BounceKind, parse_dsn
from chalicelib.domain.email.message import Address, BulkFlags, ParsedMessage, parse
from chalicelib.domain.email.rules import (
    Direction,
    LeadMode,
    Refusal,
    decide_leads,
    excluded,
    message_excluded,
)
from chalicelib.domain.email.threads import own_id, thread_root
from chalicelib.domain.errors import ValidationError

FIXTURES = Path(__file__).parent.parent / "fixtures" / "email"
OWN = ("sales@acme-crm.test", "john.doe@acme-crm.test")
DOMAINS = ("acme-crm.test",)


def replace(message: ParsedMessage, **changes: Any) -> ParsedMessage:
    """A parsed message with some fields changed (it is a NamedTuple)."""
    return message._replace(**changes)


def eml(name: str) -> ParsedMessage:
    return parse((FIXTURES / name).read_bytes())


def sent_by(message: ParsedMessage, email: str) -> ParsedMessage:
    return replace(message, sender=Address(email))


def decide(
    message: ParsedMessage,
    *,
    mode: LeadMode = LeadMode.RECEIVED,
    direction: Direction = Direction.IN,
    exceptions: tuple[str, ...] = (),
    in_existing_thread: bool = False,
) -> dict[str, Refusal | None]:
    decision = decide_leads(
        message,
        mode=mode,
        direction=direction,
        own_addresses=OWN,
        own_domains=DOMAINS,
        exceptions=exceptions,
        in_existing_thread=in_existing_thread,
    )
    return dict.fromkeys(decision.accepted) | dict(decision.refused)


# Threads


def test_a_reply_carrying_only_references_is_threaded_to_the_root() -> None:
    reply = eml("reply_references_only.eml")
    assert thread_root(reply, known_parent_thread=None) == "CAF=abc123.456@mail.example.org"
    assert thread_root(reply, known_parent_thread="something-else") == "CAF=abc123.456@mail.example.org"


def test_a_reply_with_only_in_reply_to_joins_its_parent_s_known_thread() -> None:
    reply = replace(eml("plain.eml"), in_reply_to="parent@x", references=())
    assert thread_root(reply, known_parent_thread="root@x") == "root@x"


def test_a_reply_to_an_unknown_parent_is_threaded_under_the_parent_s_id() -> None:
    reply = replace(eml("plain.eml"), in_reply_to="parent@x", references=())
    assert thread_root(reply, known_parent_thread=None) == "parent@x"


def test_a_new_message_starts_its_own_thread() -> None:
    message = eml("plain.eml")
    assert thread_root(message, known_parent_thread=None) == "CAF=abc123.456@mail.example.org"


def test_a_message_without_message_id_is_keyed_by_its_digest() -> None:
    message = replace(eml("plain.eml"), message_id=None)
    assert own_id(message) == f"sha256:{message.digest}"
    assert thread_root(message, known_parent_thread=None) == own_id(message)


# Auto-leads


def test_a_new_message_from_an_unknown_sender_makes_a_lead_in_received_mode() -> None:
    # The Cc (bob) of a first message may become a lead too; To are the CRM's own addresses.
    assert decide(eml("plain.eml")) == {"anna.schmidt@example.org": None, "bob@partner.example": None}


def test_mode_none_creates_no_lead() -> None:
    assert set(decide(eml("plain.eml"), mode=LeadMode.NONE).values()) == {Refusal.MODE_NONE}


def test_a_list_unsubscribe_message_creates_no_lead() -> None:
    assert decide(eml("newsletter.eml")) == {"news@shop.example": Refusal.BULK}
    only_unsubscribe = replace(eml("plain.eml"), bulk=BulkFlags(list_unsubscribe=True))
    assert set(decide(only_unsubscribe).values()) == {Refusal.BULK}


def test_an_auto_submitted_bounce_creates_no_lead() -> None:
    assert decide(eml("dsn_511.eml")) == {"mailer-daemon@mx.acme-crm.test": Refusal.OWN_DOMAIN}
    outside = sent_by(eml("dsn_511.eml"), "postmaster@elsewhere.example")
    assert set(decide(outside).values()) == {Refusal.BULK}


@pytest.mark.parametrize(
    "address",
    [
        "noreply@shop.example",
        "no-reply@shop.example",
        "do-not-reply@x.example",
        "MAILER-DAEMON@x.example",
        "bounces+123@list.example",
        "postmaster@x.example",
    ],
)
def test_an_automatic_sender_creates_no_lead(address: str) -> None:
    message = replace(sent_by(eml("plain.eml"), address.lower()), cc=())
    assert decide(message) == {address.lower(): Refusal.ROBOT}


def test_a_person_whose_name_merely_starts_like_a_robot_may_become_a_lead() -> None:
    message = replace(sent_by(eml("plain.eml"), "noreplyfan@x.example"), cc=())
    assert decide(message) == {"noreplyfan@x.example": None}


def test_a_cc_d_person_on_an_existing_thread_never_becomes_a_lead() -> None:
    reply = eml("reply_references_only.eml")
    assert decide(reply)["carol@example.org"] is Refusal.CC_ON_THREAD
    not_a_reply = replace(eml("plain.eml"), in_reply_to=None, references=())
    assert decide(not_a_reply, in_existing_thread=True)["bob@partner.example"] is Refusal.CC_ON_THREAD


def test_a_reply_creates_no_second_lead() -> None:
    assert decide(eml("reply_references_only.eml"))["anna.schmidt@example.org"] is Refusal.REPLY
    assert decide(eml("plain.eml"), in_existing_thread=True)["anna.schmidt@example.org"] is Refusal.REPLY


def test_the_crm_s_own_users_and_domains_never_become_leads() -> None:
    from_colleague = sent_by(eml("plain.eml"), "john.doe@acme-crm.test")
    assert decide(from_colleague)["john.doe@acme-crm.test"] is Refusal.OWN_ADDRESS
    other_user = sent_by(eml("plain.eml"), "new@acme-crm.test")
    assert decide(other_user)["new@acme-crm.test"] is Refusal.OWN_DOMAIN


def test_an_exception_match_never_becomes_a_lead() -> None:
    result = decide(eml("plain.eml"), exceptions=("@Example.org", "bob@partner.example"))
    assert result == {"anna.schmidt@example.org": Refusal.EXCEPTION, "bob@partner.example": Refusal.EXCEPTION}


def test_sent_mail_makes_leads_of_its_recipients_only_in_received_and_sent_mode() -> None:
    sent = replace(
        sent_by(eml("plain.eml"), "sales@acme-crm.test"),
        to=("new.client@example.com",),
        cc=("boss@example.com", "sales@acme-crm.test"),
    )
    assert set(decide(sent, direction=Direction.OUT).values()) == {Refusal.SENT_NOT_ENABLED}
    assert decide(sent, direction=Direction.OUT, mode=LeadMode.RECEIVED_AND_SENT) == {
        "new.client@example.com": None,
        "boss@example.com": None,
        "sales@acme-crm.test": Refusal.OWN_ADDRESS,
    }


# Exceptions


@pytest.mark.parametrize(
    ("address", "patterns", "expected"),
    [
        ("someone@example.com", ("someone@example.com",), True),
        ("Someone@Example.COM", ("someone@example.com",), True),
        ("other@example.com", ("someone@example.com",), False),
        ("anyone@example.com", ("@example.com",), True),
        ("anyone@mail.example.com", ("@example.com",), False),
        ("anyone@notexample.com", ("@example.com",), False),
        ("anyone@example.com", (), False),
    ],
)
def test_an_exception_is_an_address_or_a_whole_domain(address: str, patterns: tuple[str, ...], expected: bool) -> None:
    assert excluded(address, patterns) is expected


def test_mail_from_or_to_an_exception_never_enters_the_crm() -> None:
    message = eml("plain.eml")
    assert message_excluded(message, ("@example.org",))  # the sender
    assert message_excluded(message, ("bob@partner.example",))  # a Cc
    assert not message_excluded(message, ("@elsewhere.example",))


# Bounces


def test_a_dsn_5_1_1_is_a_hard_bounce_of_that_recipient() -> None:
    bounces = parse_dsn((FIXTURES / "dsn_511.eml").read_bytes())
    assert bounces[0] == Bounce(
        "nobody@example.net",
        "5.1.1",
        BounceKind.HARD,
        "550 5.1.1 <nobody@example.net>: Recipient address rejected: User unknown in virtual mailbox table",
    )


def test_a_dsn_4_x_x_is_a_soft_bounce_and_delivered_recipients_are_not_bounces() -> None:
    bounces = parse_dsn((FIXTURES / "dsn_511.eml").read_bytes())
    assert [(b.recipient, b.kind) for b in bounces] == [
        ("nobody@example.net", BounceKind.HARD),
        ("full@example.com", BounceKind.SOFT),
    ]


def test_a_message_that_is_not_a_dsn_has_no_bounces() -> None:
    assert parse_dsn((FIXTURES / "plain.eml").read_bytes()) == ()


def test_a_dsn_with_a_text_delivery_status_is_read_too() -> None:
    raw = (
        b"From: MAILER-DAEMON@mx.example\r\nContent-Type: multipart/report; report-type=delivery-status;"
        b' boundary="b"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nfailed\r\n--b\r\n'
        b"Content-Type: message/delivery-status\r\nContent-Transfer-Encoding: base64\r\n\r\n"
        + base64.encodebytes(
            b"Reporting-MTA: dns; mx.example\r\n\r\nFinal-Recipient: rfc822; <Gone@Example.com>\r\n"
            b"Action: failed\r\nStatus: 5.1.1\r\n"
        )
        + b"\r\n--b--\r\n"
    )
    bounces = parse_dsn(raw)
    assert [(b.recipient, b.status, b.kind) for b in bounces] == [("gone@example.com", "5.1.1", BounceKind.HARD)]


def test_empty_input_is_not_a_dsn_but_a_validation_error() -> None:
    with pytest.raises(ValidationError):
        parse_dsn(b"")
