"""Parsing raw email (issue 18): headers, addresses, bodies, attachments, bulk flags, caps."""

from __future__ import annotations

import random
from datetime import UTC, datetime
from pathlib import Path

import pytest

from chalicelib.domain.email.bounces import parse_dsn
from chalicelib.domain.email.html import sanitize_html
from chalicelib.domain.email.message import (
    AttachmentMeta,
    MalformedMessageError,
    attachment_parts,
    normalize_message_id,
    parse,
)
from chalicelib.domain.errors import ValidationError

FIXTURES = Path(__file__).parent.parent / "fixtures" / "email"


def eml(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def test_a_plain_message_gives_its_ids_addresses_subject_and_utc_date() -> None:
    message = parse(eml("plain.eml"))
    assert message.message_id == "CAF=abc123.456@mail.example.org"
    assert message.in_reply_to is None
    assert message.references == ()
    assert message.sender is not None
    assert message.sender.email == "anna.schmidt@example.org"
    assert message.to == ("sales@acme-crm.test", "john.doe@acme-crm.test")
    assert message.cc == ("bob@partner.example",)
    assert message.date == datetime(2026, 12, 5, 9, 15, tzinfo=UTC)
    assert message.text.startswith("Guten Tag,\n\nkönnten Sie")
    assert message.html is None
    assert not message.bulk.is_bulk
    assert not message.is_reply
    assert message.participants == (
        "anna.schmidt@example.org",
        "sales@acme-crm.test",
        "john.doe@acme-crm.test",
        "bob@partner.example",
    )


def test_rfc_2047_encoded_names_and_subjects_are_decoded() -> None:
    message = parse(eml("plain.eml"))
    assert message.sender is not None
    assert message.sender.name == "Anna Müller-Schmidt"
    assert message.subject == "Anfrage: Preise für 2027"
    koi8 = parse(eml("mixed_koi8r_attachment.eml"))
    assert koi8.subject == "Цены на 2027"
    assert koi8.sender is not None
    assert koi8.sender.name == "Jörg Köhler"


def test_non_utf_8_bodies_are_decoded_with_their_charset() -> None:
    message = parse(eml("mixed_koi8r_attachment.eml"))
    assert message.text == "Привет! Цены во вложении."
    assert message.html is not None
    assert "Grüße aus Köln" in message.html


def test_attachments_are_listed_with_name_type_and_size_and_their_bytes_read_on_demand() -> None:
    raw = eml("mixed_koi8r_attachment.eml")
    message = parse(raw)
    assert message.attachments == (
        AttachmentMeta("Preisliste 2027.pdf", "application/pdf", 1040),
        AttachmentMeta("message.eml", "message/rfc822", message.attachments[1].size),
    )
    parts = list(attachment_parts(raw))
    assert [p.meta for p in parts] == list(message.attachments)
    assert parts[0].data.startswith(b"%PDF-1.4")
    assert len(parts[0].data) == 1040
    assert b"Subject: forwarded" in parts[1].data


def test_an_html_only_message_gets_a_text_body_without_scripts_or_styles() -> None:
    message = parse(eml("newsletter.eml"))
    assert message.text == "Deals\n\nSave 50% now"
    assert message.html is not None
    assert "<script>" in message.html


def test_the_sanitised_html_keeps_the_text_and_drops_scripts_handlers_and_javascript_urls() -> None:
    html = parse(eml("newsletter.eml")).html
    assert html is not None
    clean = sanitize_html(html)
    assert "Save" in clean
    assert 'href="https://shop.example/x"' in clean
    for bad in ("<script", "alert(1)", "onclick", "javascript:", "<style"):
        assert bad not in clean
    assert 'rel="noopener noreferrer nofollow"' in clean


def test_a_list_message_carries_its_bulk_flags() -> None:
    bulk = parse(eml("newsletter.eml")).bulk
    assert bulk.list_unsubscribe
    assert bulk.list_id
    assert bulk.precedence == "bulk"
    assert bulk.is_bulk


@pytest.mark.parametrize(
    ("header", "is_bulk"),
    [
        ("Precedence: list", True),
        ("Precedence: junk", True),
        ("Precedence: first-class", False),
        ("Auto-Submitted: auto-replied", True),
        ("Auto-Submitted: auto-generated; owner-email=x@y.z", True),
        ("Auto-Submitted: no", False),
        ("Auto-Submitted: No", False),
        ("List-Id: <team.example.com>", True),
        ("X-Mailer: Outlook", False),
    ],
)
def test_each_bulk_header_marks_the_message_as_bulk(header: str, is_bulk: bool) -> None:
    raw = f"From: a@example.com\r\nTo: b@example.com\r\n{header}\r\nSubject: s\r\n\r\nbody\r\n".encode()
    assert parse(raw).bulk.is_bulk is is_bulk


def test_a_reply_keeps_its_references_in_order() -> None:
    message = parse(eml("reply_references_only.eml"))
    assert message.references == ("CAF=abc123.456@mail.example.org", "out-1@acme-crm.test")
    assert message.in_reply_to is None
    assert message.is_reply


def test_malformed_headers_read_as_missing_never_as_a_crash() -> None:
    message = parse(eml("malformed.eml"))
    assert message.message_id is None
    assert message.sender is None  # "not an address at all"
    assert message.date is None
    assert message.in_reply_to == "just-a-token@nowhere"
    assert message.cc == ("zed@example.com",)  # an unknown charset in a name: the address still counts
    assert all("@" in a for a in message.to)
    assert message.text  # an unknown charset decodes as UTF-8 with replacements
    assert len(message.digest) == 64


@pytest.mark.parametrize(
    ("date", "expected"),
    [
        ("Sat, 05 Dec 2026 10:15:00 +0100", datetime(2026, 12, 5, 9, 15, tzinfo=UTC)),
        ("5 Dec 2026 10:15:00 -0000", datetime(2026, 12, 5, 10, 15, tzinfo=UTC)),
        ("Sat, 05 Dec 2026 10:15:00 EST", datetime(2026, 12, 5, 15, 15, tzinfo=UTC)),
        ("yesterday", None),
        ("", None),
    ],
)
def test_the_date_is_aware_utc_or_none(date: str, expected: datetime | None) -> None:
    raw = f"From: a@example.com\r\nDate: {date}\r\n\r\nx\r\n".encode()
    assert parse(raw).date == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("<abc@host>", "abc@host"),
        ("  <abc@host>  (comment)", "abc@host"),
        ("abc@host", "abc@host"),
        ("<>", None),
        ("", None),
        (None, None),
    ],
)
def test_message_ids_lose_their_angle_brackets(value: str | None, expected: str | None) -> None:
    assert normalize_message_id(value) == expected


def test_a_body_over_the_cap_is_truncated_and_flagged() -> None:
    raw = b"From: a@example.com\r\nContent-Type: text/html\r\n\r\n<p>" + b"x" * 5000 + b"</p>\r\n"
    message = parse(raw, max_body_chars=100)
    assert message.body_truncated
    assert len(message.text) == 100
    assert message.html is not None
    assert len(message.html) == 100
    assert not parse(raw).body_truncated


@pytest.mark.parametrize(
    "raw",
    [
        b"",
        b"   \r\n",
        b"\x00\x01\x02\xff\xfe",
        b"no colon line\r\n\r\nbody",
    ],
)
def test_input_that_is_not_an_email_is_a_validation_error(raw: bytes) -> None:
    with pytest.raises(ValidationError):
        parse(raw)


def test_malformed_input_never_raises_anything_but_a_validation_error() -> None:
    seeds = [eml(p.name) for p in sorted(FIXTURES.glob("*.eml"))]
    rng = random.Random(18)
    for _ in range(300):
        raw = bytearray(rng.choice(seeds))
        for _ in range(rng.randint(1, 40)):
            raw[rng.randrange(len(raw))] = rng.randrange(256)
        cut = bytes(raw[: rng.randint(0, len(raw))])
        try:
            message = parse(cut)
            for text in (message.subject, message.text, message.html or "", *message.participants):
                text.encode("utf-8")  # no lone surrogates: every string can be stored
            list(attachment_parts(cut))
            parse_dsn(cut)
        except MalformedMessageError:
            pass


def test_undeclared_8_bit_headers_read_as_utf_8_or_replacement_characters() -> None:
    utf8 = parse("From: Jörg <j@x.example>\r\nSubject: Grüße\r\n\r\nbody é\r\n".encode())
    assert utf8.subject == "Grüße"
    assert utf8.sender is not None
    assert utf8.sender.name == "Jörg"
    latin1 = parse("From: Jörg <j@x.example>\r\nSubject: Grüße\r\n\r\nbody é\r\n".encode("latin-1"))
    assert latin1.subject == "Gr\ufffd\ufffde"
    latin1.text.encode("utf-8")


def test_a_message_id_missing_leaves_none_and_a_stable_digest() -> None:
    raw = b"From: a@example.com\r\nSubject: hi\r\n\r\nhello\r\n"
    assert parse(raw).message_id is None
    assert parse(raw).digest == parse(raw).digest
