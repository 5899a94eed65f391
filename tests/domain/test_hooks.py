"""Webhook rules (domain/hooks.py): outcomes, the retry schedule, the SSRF rule, the events of a
write, and the outbox's record codec."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from itertools import pairwise

import pytest

from chalicelib.domain.contacts import Contact, ContactKind, Email, LeadSource, Phone
from chalicelib.domain.deals import Deal, DealStatus, StatusChange
from chalicelib.domain.errors import ValidationError
from chalicelib.domain.hooks import (
    RETRY_DELAYS,
    HookEvent,
    Outcome,
    check_addresses,
    check_url,
    classify,
    decode,
    encode,
    events_of,
    next_attempt,
)
from chalicelib.domain.tasks import Task, TaskStatus, TaskType

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("status", "outcome"),
    [
        (200, Outcome.DELIVERED),
        (204, Outcome.DELIVERED),
        (None, Outcome.RETRYING),
        (429, Outcome.RETRYING),
        (500, Outcome.RETRYING),
        (503, Outcome.RETRYING),
        (410, Outcome.GONE),
        (400, Outcome.FAILED),
        (404, Outcome.FAILED),
        (301, Outcome.FAILED),
    ],
)
def test_outcomes(status: int | None, outcome: Outcome) -> None:
    assert classify(status) is outcome


def test_retries_back_off_then_give_up() -> None:
    delays = [next_attempt(NOW, n) for n in range(1, len(RETRY_DELAYS) + 2)]
    assert delays[0] == NOW + timedelta(minutes=1)
    assert all(a <= b for a, b in pairwise(RETRY_DELAYS))
    assert delays[-1] is None
    assert sum(RETRY_DELAYS, timedelta()) > timedelta(days=2)


REFUSED = [
    ["10.0.0.1"],
    ["192.168.1.1"],
    ["127.0.0.1"],
    ["169.254.169.254"],
    ["::1"],
    ["fd00::1"],
    ["::ffff:10.0.0.1"],
    ["93.184.216.34", "10.0.0.1"],
    ["100.64.0.1"],
    ["0.0.0.0"],
]


@pytest.mark.parametrize("addresses", REFUSED)
def test_only_public_addresses_in_aws(addresses: list[str]) -> None:
    with pytest.raises(ValidationError) as refused:
        check_addresses("https://hooks.example.com/x", addresses, allow_loopback_http=False)
    assert refused.value.field == "target_url"


def test_public_https_is_fine_and_loopback_only_where_allowed() -> None:
    check_addresses("https://hooks.example.com/x", ["93.184.216.34", "2606:2800:220:1::1"], allow_loopback_http=False)
    check_addresses("http://127.0.0.1:9000/x", ["127.0.0.1"], allow_loopback_http=True)
    with pytest.raises(ValidationError):
        check_addresses("http://93.184.216.34/x", ["93.184.216.34"], allow_loopback_http=True)  # http: loopback only


@pytest.mark.parametrize(
    "url", ["ftp://example.com/", "http://example.com/", "https://user:pw@example.com/", "https:///x", "x" * 2100]
)
def test_url_forms_refused(url: str) -> None:
    with pytest.raises(ValidationError):
        check_url(url, allow_loopback_http=False)


def lead() -> Contact:
    return Contact(
        id="c1", kind=ContactKind.LEAD, name="Ann", created_at=NOW, created_by="u1", updated_at=NOW,
        phones=(Phone("+33612345678"),), emails=(Email("ann@example.com"),), tags=("vip",),
        properties={"size": 3}, lead_source=LeadSource.MANUAL,
    )  # fmt: skip


def test_events_of_writes() -> None:
    contact = lead()
    client = replace(contact, kind=ContactKind.CLIENT)
    assert events_of("contact", None, contact) == [HookEvent.LEAD_CREATED]
    assert events_of("contact", contact, client) == [HookEvent.CLIENT_CREATED]  # converted
    assert events_of("contact", contact, replace(contact, name="Ann B")) == []
    assert events_of("contact", contact, None) == []
    deal = Deal("d1", "Big", "c1", 1000, "EUR", DealStatus.NEW, "u1", "a0", NOW, "u1", NOW)
    assert events_of("deal", None, deal) == [HookEvent.DEAL_CREATED]
    assert events_of("deal", deal, replace(deal, status=DealStatus.DECISION)) == [HookEvent.DEAL_STATUS_CHANGED]
    assert events_of("deal", deal, replace(deal, title="Bigger")) == []
    task = Task("k1", TaskType.CALL, "Call", NOW, NOW + timedelta(hours=1), "u1", NOW, "u1", NOW)
    done = replace(task, status=TaskStatus.DONE)
    assert events_of("task", None, task) == [HookEvent.TASK_CREATED]
    assert events_of("task", task, done) == [HookEvent.TASK_COMPLETED]
    assert events_of("task", None, done) == [HookEvent.TASK_CREATED, HookEvent.TASK_COMPLETED]
    assert events_of("task", done, replace(done, title="x")) == []


def test_the_outbox_codec_gives_back_the_record() -> None:
    contact = lead()
    assert decode(Contact, encode(contact)) == contact
    deal = Deal(
        "d1", "Big", "c1", 1000, "EUR", DealStatus.SUCCESS, "u1", "a0", NOW, "u1", NOW, closed_at=NOW,
        history=(StatusChange(DealStatus.NEW, NOW, "u1"),),
    )  # fmt: skip
    assert decode(Deal, encode(deal)) == deal
