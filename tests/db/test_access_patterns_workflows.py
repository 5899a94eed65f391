"""Access patterns of the long-running jobs: SMS broadcasts (AP38, AP87), autodial call lists (AP39,
AP40, AP88), imports (AP41, AP42) and exports (AP45, AP46), against moto."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from chalicelib.db.pagination import Page
from chalicelib.db.repositories.broadcasts import BroadcastRepository
from chalicelib.db.repositories.call_lists import CallListRepository
from chalicelib.db.repositories.imports import ExportRepository, ImportRepository
from chalicelib.domain.autodial import CallList, CallListStatus, ListItem, Outcome
from chalicelib.domain.broadcasts import Broadcast, BroadcastStatus, Recipient
from chalicelib.domain.contacts import ContactKind
from chalicelib.domain.errors import ValidationError
from chalicelib.domain.imports import Export, ExportFormat, ExportStatus, Import, ImportStatus
from chalicelib.ports.queries.call_lists import ClaimResult
from tests.harness import LocalAws
from tests.meter import dynamodb_calls

T0 = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)
TENANT = "tenant-1"


def test_ap38_a_broadcast_and_its_recipients_in_send_order_by_range(aws: LocalAws) -> None:
    """AP38: a broadcast's record (GetItem), its recipients in send order, a [start, end) batch in one Query."""
    repo = BroadcastRepository(TENANT)
    broadcast = Broadcast("b1", BroadcastStatus.RUNNING, 12, "u1", T0, text="Hello")
    recipients = [Recipient(i, f"+336123456{i:02d}", f"c{i}", "Hello") for i in range(12)]
    repo.create(broadcast, recipients)

    with dynamodb_calls() as calls:
        found = repo.get("b1")
    assert (found, calls) == (broadcast, {"GetItem": 1})
    assert repo.recipients("b1").items == recipients  # index 10 after 9: the sort keys are padded
    with dynamodb_calls() as calls:
        batch = repo.recipients("b1", start=5, end=10)
    assert calls == {"Query": 1}
    assert batch.items == recipients[5:10]
    first = repo.recipients("b1", start=8, limit=2)
    rest = repo.recipients("b1", start=8, limit=2, cursor=first.next_cursor)
    assert [r.index for r in (*first.items, *rest.items)] == [8, 9, 10, 11]
    assert repo.get("b2") is None
    assert BroadcastRepository("tenant-2").recipients("b1").items == []


def a_call_list(count: int) -> tuple[CallList, list[ListItem]]:
    call_list = CallList("l1", CallListStatus.RUNNING, "u1", "100", count, T0)
    return call_list, [ListItem(i, f"+336123456{i:02d}", f"c{i}") for i in range(count)]


def test_ap39_a_call_list_and_its_numbers_in_dialling_order(aws: LocalAws) -> None:
    """AP39: a call list's record and one number (GetItems), its numbers in dialling order (a Query a page)."""
    repo = CallListRepository(TENANT)
    call_list, items = a_call_list(11)
    repo.create(call_list, items)

    with dynamodb_calls() as calls:
        found = repo.get("l1")
    assert (found, calls) == (call_list, {"GetItem": 1})
    assert repo.item("l1", 10) == items[10]
    assert repo.item("l1", 11) is None
    with dynamodb_calls() as calls:
        assert repo.items("l1").items == items  # index 10 after 9
    assert calls == {"Query": 1}
    first = repo.items("l1", limit=6)
    rest = repo.items("l1", limit=6, cursor=first.next_cursor)
    assert [*first.items, *rest.items] == items
    repo.record(call_list, 0, items[0].phone, Outcome.ANSWER, call_id="in_1")
    assert repo.item("l1", 0) == replace(items[0], outcome=Outcome.ANSWER, call_id="in_1")
    assert repo.get("l1") == replace(call_list, done=1, position=1)
    assert CallListRepository("tenant-2").get("l1") is None


def test_ap88_call_lists_newest_first_the_crms_or_one_creators(aws: LocalAws) -> None:
    """AP88: a CRM's call lists newest first (gsi1), one creator's (gsi2), a page (one Query) at a time."""
    repo = CallListRepository(TENANT)
    made = {
        n: CallList(f"l{n}", CallListStatus.RUNNING, "u1" if n != 2 else "u2", "100", 1, T0 + timedelta(minutes=n))
        for n in (2, 1, 3)
    }
    for c in made.values():
        repo.create(c, [ListItem(0, "+33612345600", None)])
    repo.record(made[3], 0, "+33612345600", Outcome.ANSWER)

    with dynamodb_calls() as calls:
        first = repo.history(user_id=None, limit=2, cursor=None)
    assert calls == {"Query": 1}
    rest = repo.history(user_id=None, limit=2, cursor=first.next_cursor)
    assert [c.id for c in (*first.items, *rest.items)] == ["l3", "l2", "l1"]
    assert first.items[0] == replace(made[3], done=1, position=1)  # the record's progress, as AP39 reads it
    assert [c.id for c in repo.history(user_id="u1", limit=10, cursor=None).items] == ["l3", "l1"]
    assert CallListRepository("tenant-2").history(user_id=None, limit=10, cursor=None) == Page([], None)
    with pytest.raises(ValidationError) as other_list:  # a cursor of the CRM's list is not one of u1's
        repo.history(user_id="u1", limit=1, cursor=first.next_cursor)
    assert other_list.value.field == "cursor"


def test_ap40_the_dial_awaiting_the_end_of_a_call_by_extension_and_number(aws: LocalAws) -> None:
    """AP40: the dial waiting for the end of a call is found by (extension, number) in one GetItem."""
    repo = CallListRepository(TENANT)
    call_list, items = a_call_list(2)
    repo.create(call_list, items)
    phone = items[1].phone
    assert repo.claim(call_list, 1, 1, phone, "token-1") is ClaimResult.CLAIMED

    with dynamodb_calls() as calls:
        awaiting = repo.awaiting("100", phone)
    assert (awaiting, calls) == (("l1", 1, "token-1"), {"GetItem": 1})
    assert repo.awaiting("101", phone) is None
    assert repo.awaiting("100", items[0].phone) is None
    assert repo.forget_awaiting("100", phone, "another token") is False
    assert repo.forget_awaiting("100", phone, "token-1") is True
    assert repo.awaiting("100", phone) is None


def an_import(n: int) -> Import:
    return Import(
        id=f"i{n}",
        entity=ContactKind.CLIENT,
        filename=f"clients-{n}.csv",
        content_type="text/csv",
        status=ImportStatus.UPLOADED,
        created_by="u1",
        created_at=T0 + timedelta(hours=n),
        file_key=f"tenants/{TENANT}/imports/i{n}/source.csv",
    )


def an_export(n: int) -> Export:
    return Export(
        id=f"x{n}",
        entity=ContactKind.LEAD,
        format=ExportFormat.CSV,
        filters={"tag": "vip"},
        status=ExportStatus.RUNNING,
        created_by="u1",
        created_at=T0 + timedelta(hours=n),
        file_key=f"tenants/{TENANT}/exports/x{n}.csv",
    )


def test_ap41_an_import_by_id(aws: LocalAws) -> None:
    """AP41: an import's record in one GetItem, as its last conditional save left it."""
    repo = ImportRepository(TENANT)
    record = an_import(1)
    repo.create(record)

    with dynamodb_calls() as calls:
        found = repo.get("i1")
    assert (found, calls) == (record, {"GetItem": 1})
    started = repo.save(record, replace(record, status=ImportStatus.RUNNING, total=10, chunks=1, started_at=T0))
    assert repo.get("i1", consistent=True) == started
    assert repo.get("i2") is None
    assert ImportRepository("tenant-2").get("i1") is None


def test_ap42_the_import_history_newest_first(aws: LocalAws) -> None:
    """AP42: a CRM's imports newest first, a page (one Query) at a time."""
    repo = ImportRepository(TENANT)
    for n in (2, 1, 3):
        repo.create(an_import(n))

    with dynamodb_calls() as calls:
        first = repo.history(limit=2, cursor=None)
    assert calls == {"Query": 1}
    rest = repo.history(limit=2, cursor=first.next_cursor)
    assert [i.id for i in (*first.items, *rest.items)] == ["i3", "i2", "i1"]
    assert first.items[0] == an_import(3)
    assert ImportRepository("tenant-2").history(limit=10, cursor=None) == Page([], None)
    with pytest.raises(ValidationError):
        ImportRepository("tenant-2").history(limit=2, cursor=first.next_cursor)


def test_ap45_an_export_by_id_closed_once(aws: LocalAws) -> None:
    """AP45: an export's record in one GetItem; it is closed once, a repeated finish changes nothing."""
    repo = ExportRepository(TENANT)
    record = an_export(1)
    repo.create(record)

    with dynamodb_calls() as calls:
        found = repo.get("x1")
    assert (found, calls) == (record, {"GetItem": 1})
    done = repo.finish(record, ExportStatus.COMPLETED, rows=42, error=None, at=T0 + timedelta(hours=2))
    repo.finish(record, ExportStatus.FAILED, rows=None, error="late", at=T0 + timedelta(hours=3))
    assert repo.get("x1", consistent=True) == done
    assert repo.get("x2") is None
    assert ExportRepository("tenant-2").get("x1") is None


def test_ap46_exports_newest_first(aws: LocalAws) -> None:
    """AP46: a CRM's exports newest first, a page (one Query) at a time."""
    repo = ExportRepository(TENANT)
    for n in (1, 3, 2):
        repo.create(an_export(n))

    with dynamodb_calls() as calls:
        first = repo.history(limit=2, cursor=None)
    assert calls == {"Query": 1}
    rest = repo.history(limit=2, cursor=first.next_cursor)
    assert [x.id for x in (*first.items, *rest.items)] == ["x3", "x2", "x1"]
    assert ExportRepository("tenant-2").history(limit=10, cursor=None) == Page([], None)


def test_ap87_broadcasts_newest_first_the_crms_or_one_creators(aws: LocalAws) -> None:
    """AP87: a CRM's broadcasts newest first (gsi1), one creator's (gsi2), a page (one Query) at a time."""
    repo = BroadcastRepository(TENANT)
    made = {
        n: Broadcast(
            f"b{n}", BroadcastStatus.RUNNING, 1, "u1" if n != 2 else "u2", T0 + timedelta(minutes=n), text="Hi"
        )
        for n in (2, 1, 3)
    }
    for b in made.values():
        repo.create(b, [Recipient(0, "+33612345600", "c0", "Hi")])

    with dynamodb_calls() as calls:
        first = repo.history(created_by=None, limit=2, cursor=None)
    assert calls == {"Query": 1}
    rest = repo.history(created_by=None, limit=2, cursor=first.next_cursor)
    assert [b.id for b in (*first.items, *rest.items)] == ["b3", "b2", "b1"]
    assert first.items[0] == made[3]
    assert [b.id for b in repo.history(created_by="u1", limit=10, cursor=None).items] == ["b3", "b1"]
    assert BroadcastRepository("tenant-2").history(created_by=None, limit=10, cursor=None) == Page([], None)
