"""Access patterns of contact lists with combined filters (AP16, AP17, AP20, AP49, AP50), against moto."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from chalicelib.db.pagination import Page
from chalicelib.db.repositories import contacts as contacts_module
from chalicelib.db.repositories.contacts import ContactRepository
from chalicelib.domain.contacts import ClientType, Contact, ContactKind
from chalicelib.domain.errors import ValidationError
from chalicelib.domain.search import parse_query
from chalicelib.ports.queries.contacts import Criteria, property_filter
from tests.harness import LocalAws

T0 = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)
CLIENT, LEAD = ContactKind.CLIENT, ContactKind.LEAD


@pytest.fixture
def repo(aws: LocalAws) -> ContactRepository:
    return ContactRepository("tenant-1")


def add(repo: ContactRepository, n: int, name: str, **fields: object) -> Contact:
    at = T0 + timedelta(minutes=n)
    contact = Contact(
        id=f"c{n:03d}",
        kind=fields.pop("kind", CLIENT),  # type: ignore[arg-type]
        name=name,
        created_at=at,
        created_by="u1",
        updated_at=fields.pop("updated_at", at),  # type: ignore[arg-type]
        responsible_user_id=fields.pop("responsible_user_id", "u1"),  # type: ignore[arg-type]
        **fields,  # type: ignore[arg-type]
    )
    repo.create(contact, [])
    return contact


def every_page(read: object, limit: int) -> list[Page[Contact]]:
    pages, cursor = [], None
    while True:
        page = read(limit=limit, cursor=cursor)  # type: ignore[operator]
        pages.append(page)
        cursor = page.next_cursor
        if cursor is None:
            return pages


def names(pages: Sequence[Page[Contact]]) -> list[str]:
    return [c.name for p in pages for c in p.items]


def test_ap20_the_narrowest_filter_serves_and_the_others_are_checked_within_a_bounded_read(
    repo: ContactRepository, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(contacts_module, "READ_CAP", 3)
    for n in range(12):
        add(repo, n, f"C{n}", tags=("vip",), type=ClientType.PARTNER if n % 3 == 0 else ClientType.CLIENT,
            properties={"city": "Lyon"} if n % 2 == 0 else {})  # fmt: skip
    wanted = Criteria(
        values=frozenset({("tag", "vip"), ("type", "partner"), ("property", property_filter("city", "Lyon"))}),
        newest_first=False,
    )
    pages = every_page(lambda **page: repo.page(CLIENT, wanted, **page), limit=2)
    # C0, C6 match (partner, in Lyon): each page reads 3 of the 6 `city=lyon` entries, finds one.
    assert names(pages) == ["C0", "C6"]
    assert [len(p.items) for p in pages] == [1, 1]
    mine = replace(wanted, any_responsible=False, responsible="u2")
    assert repo.page(CLIENT, mine, limit=10, cursor=None).items == []


def test_ap16_ap17_the_updated_range_is_checked_on_the_kind_s_list_and_bounds_its_key_range(
    repo: ContactRepository,
) -> None:
    for n in range(6):
        add(repo, n, f"C{n}", updated_at=T0 + timedelta(days=1 if n in (1, 4) else 0, minutes=n))
    add(repo, 50, "Lead", kind=LEAD, updated_at=T0 + timedelta(days=1))
    changed = Criteria(updated_from=T0 + timedelta(hours=12), newest_first=False)
    assert names(every_page(lambda **page: repo.page(CLIENT, changed, **page), limit=1)) == ["C1", "C4"]
    untouched = Criteria(updated_to=T0 + timedelta(minutes=2, seconds=30), newest_first=False)
    assert names([repo.page(CLIENT, untouched, limit=10, cursor=None)]) == ["C0", "C2"]
    mine = Criteria(any_responsible=False, responsible="u1", updated_from=T0 + timedelta(hours=12))
    assert names([repo.page(CLIENT, mine, limit=10, cursor=None)]) == ["C4", "C1"]
    nothing = Criteria(created_from=T0 + timedelta(hours=1), updated_to=T0 + timedelta(minutes=30))
    assert repo.page(CLIENT, nothing, limit=10, cursor=None) == Page([], None)


def test_ap16_ap20_a_cursor_of_another_list_or_filter_is_refused(repo: ContactRepository) -> None:
    for n in range(3):
        add(repo, n, f"C{n}", tags=("vip", "gold"))
    of_all = repo.page(CLIENT, Criteria(), limit=1, cursor=None).next_cursor
    of_vip = repo.page(CLIENT, Criteria(values=frozenset({("tag", "vip")})), limit=1, cursor=None).next_cursor
    assert of_all
    assert of_vip
    for criteria, cursor in (
        (Criteria(values=frozenset({("tag", "vip")})), of_all),
        (Criteria(values=frozenset({("tag", "gold")})), of_vip),
        (Criteria(), of_vip),
    ):
        with pytest.raises(ValidationError) as refused:
            repo.page(CLIENT, criteria, limit=1, cursor=cursor)
        assert refused.value.field == "cursor"


def test_ap49_q_pages_through_the_search_index_with_the_filters_checked(
    repo: ContactRepository, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(contacts_module, "READ_CAP", 3)
    for n in range(8):
        add(repo, n, f"Dupont{n} Durand", tags=("vip",) if n % 2 else ())
    add(repo, 20, "Dupuis Dupond", tags=("vip",))  # two words match `dup`: shown once
    add(repo, 21, "Dupin", kind=LEAD, tags=("vip",))
    query = parse_query("dup")
    vip = Criteria(values=frozenset({("tag", "vip")}))
    pages = every_page(lambda **page: repo.search(CLIENT, query, vip, **page), limit=2)
    assert sorted(names(pages)) == ["Dupont1 Durand", "Dupont3 Durand", "Dupont5 Durand", "Dupont7 Durand",
                                    "Dupuis Dupond"]  # fmt: skip
    two_words = parse_query("dur dupont3")
    assert names([repo.search(CLIENT, two_words, Criteria(), limit=5, cursor=None)]) == ["Dupont3 Durand"]


def test_ap50_tag_counts_merge_columns_in_tag_order_page_by_page(repo: ContactRepository) -> None:
    add(repo, 1, "A", tags=("alpha", "beta"))
    add(repo, 2, "B", tags=("beta",), responsible_user_id="u2")
    add(repo, 3, "L", kind=LEAD, tags=("gamma", "alpha"))
    add(repo, 4, "P", kind=LEAD, tags=("delta",), responsible_user_id=None)
    everyone = [(CLIENT, True, None), (LEAD, True, None)]
    pages = every_page(lambda **page: repo.tag_counts(everyone, **page), limit=2)
    assert [r for p in pages for r in p.items] == [
        ("alpha", CLIENT, 1), ("alpha", LEAD, 1), ("beta", CLIENT, 2), ("delta", LEAD, 1), ("gamma", LEAD, 1),
    ]  # fmt: skip
    u1 = [(CLIENT, False, "u1"), (LEAD, False, "u1"), (LEAD, False, None)]
    rows = [r for p in every_page(lambda **page: repo.tag_counts(u1, **page), limit=10) for r in p.items]
    assert rows == [("alpha", CLIENT, 1), ("alpha", LEAD, 1), ("beta", CLIENT, 1), ("delta", LEAD, 1),
                    ("gamma", LEAD, 1)]  # fmt: skip
    # A reassignment moves the user's counters in the same transaction.
    a = repo.get("c001")
    assert a is not None
    repo.save_changes(a, replace(a, responsible_user_id="u2"))
    rows = repo.tag_counts([(CLIENT, False, "u2")], limit=10, cursor=None).items
    assert rows == [("alpha", CLIENT, 1), ("beta", CLIENT, 2)]
    assert repo.tag_counts([(CLIENT, False, "u1")], limit=10, cursor=None).items == []
