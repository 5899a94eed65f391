"""Access patterns of a contact's card and feed (AP14, AP15), its phones and emails (AP18, AP43),
its whole partition (AP44) and the search index (AP19), against moto."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from chalicelib.db import keys
from chalicelib.db.pagination import Page
from chalicelib.db.repositories.contacts import ContactRepository
from chalicelib.db.repositories.deals import DealRepository
from chalicelib.db.repositories.search import SearchIndex
from chalicelib.domain.contacts import Contact, ContactKind, Email, FeedEntry, FeedKind, Phone
from chalicelib.domain.deals import Deal, DealStatus, StatusChange
from chalicelib.domain.errors import DuplicateError
from chalicelib.domain.search import Term, TermKind
from tests.harness import LocalAws
from tests.meter import dynamodb_calls

T0 = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)
TENANT = "tenant-1"


@pytest.fixture
def repo(aws: LocalAws) -> ContactRepository:
    return ContactRepository(TENANT)


def a_contact(n: int, name: str, phones: tuple[str, ...] = (), emails: tuple[str, ...] = ()) -> Contact:
    at = T0 + timedelta(minutes=n)
    return Contact(
        id=f"c{n:03d}",
        kind=ContactKind.CLIENT,
        name=name,
        created_at=at,
        created_by="u1",
        updated_at=at,
        responsible_user_id="u1",
        phones=tuple(Phone(p) for p in phones),
        emails=tuple(Email(e) for e in emails),
    )


def notes(count: int) -> list[FeedEntry]:
    """Feed entries whose ids sort in time order (as ULIDs do): E00 is the oldest."""
    return [
        FeedEntry(f"E{n:02d}", FeedKind.NOTE, T0 + timedelta(minutes=n), "u1", text=f"note {n}") for n in range(count)
    ]


def test_ap14_a_contacts_card_and_its_newest_feed_entries_in_one_query(repo: ContactRepository) -> None:
    """AP14: the contact and its newest feed entries come in one Query, with a cursor when there are more."""
    ada = a_contact(1, "Ada", phones=("+33612345678",))
    repo.create(ada, notes(3))

    with dynamodb_calls() as calls:
        contact, feed = repo.card(ada.id, 2)
    assert contact == ada
    assert [e.id for e in feed.items] == ["E02", "E01"]
    assert feed.next_cursor is not None
    assert calls == {"Query": 1}
    contact, feed = repo.card(ada.id, 5)
    assert [e.id for e in feed.items] == ["E02", "E01", "E00"]
    assert feed.next_cursor is None
    assert ContactRepository("tenant-2").card(ada.id, 5) == (None, Page([], None))


def test_ap15_a_contacts_feed_newest_first_page_by_page(repo: ContactRepository) -> None:
    """AP15: a contact's feed, newest first, a page (one Query) at a time; the card's cursor goes on."""
    ada = a_contact(1, "Ada")
    repo.create(ada, notes(5))
    _, first = repo.card(ada.id, 2)

    seen = [e.id for e in first.items]
    cursor = first.next_cursor
    while cursor is not None:
        with dynamodb_calls() as calls:
            page = repo.feed(ada.id, limit=2, cursor=cursor)
        assert calls == {"Query": 1}
        seen += [e.id for e in page.items]
        cursor = page.next_cursor
    assert seen == ["E04", "E03", "E02", "E01", "E00"]
    assert [e.id for e in repo.feed(ada.id, limit=10, cursor=None).items] == seen
    assert repo.feed("c999", limit=10, cursor=None).items == []


def test_ap18_the_owner_of_a_phone_or_an_email_and_each_has_one(repo: ContactRepository) -> None:
    """AP18: the contact owning a phone or an email is one GetItem away; a second owner is refused."""
    ada = a_contact(1, "Ada", phones=("+33612345678",), emails=("ada@example.com",))
    repo.create(ada, [])

    with dynamodb_calls() as calls:
        by_phone = repo.owner_of_phone("+33612345678")
    assert (by_phone, calls) == (ada.id, {"GetItem": 1})
    assert repo.owner_of_email("ada@example.com") == ada.id
    assert repo.owner_of_phone("+33600000000") is None
    assert repo.owner_of_email("bob@example.com") is None
    with pytest.raises(DuplicateError):
        repo.create(a_contact(2, "Bob", phones=("+33612345678",)), [])
    assert ContactRepository("tenant-2").owner_of_phone("+33612345678") is None


def test_ap43_the_owners_of_a_chunks_phones_and_emails_in_batches_of_100(repo: ContactRepository) -> None:
    """AP43: the owners of many phones and emails, one BatchGetItem per 100 keys; unknown ones are left out."""
    ada = a_contact(1, "Ada", phones=("+33612345678", "+33612345679"), emails=("ada@example.com",))
    bob = a_contact(2, "Bob", emails=("bob@example.com",))
    for contact in (ada, bob):
        repo.create(contact, [])

    with dynamodb_calls() as calls:
        owners = repo.owners(["+33612345679", "+33600000000"], ["bob@example.com", "ada@example.com"])
    assert owners == {
        ("phone", "+33612345679"): ada.id,
        ("email", "bob@example.com"): bob.id,
        ("email", "ada@example.com"): ada.id,
    }
    assert calls == {"BatchGetItem": 1}
    unknown = [f"+336000{n:05d}" for n in range(150)]
    with dynamodb_calls() as calls:
        owners = repo.owners([*unknown, "+33612345678"], [])
    assert owners == {("phone", "+33612345678"): ada.id}
    assert calls == {"BatchGetItem": 2}


def test_ap44_the_partitions_of_contacts_that_still_exist(repo: ContactRepository) -> None:
    """AP44: each existing contact with the sort keys of its partition (record, feed); gone ones are left out."""
    ada, bob = a_contact(1, "Ada"), a_contact(2, "Bob")
    repo.create(ada, notes(2))
    repo.create(bob, [])

    found = repo.partitions([ada.id, "c999", bob.id])
    assert [(c, sorted(sks)) for c, sks in found] == [
        (ada, [keys.feed_sk("E00"), keys.feed_sk("E01"), keys.contact_record_sk()]),
        (bob, [keys.contact_record_sk()]),
    ]
    assert repo.partitions([ada.id]) == [found[0]]
    assert repo.partitions([]) == []


def test_ap19_search_finds_records_by_a_term_prefix_and_fetches_them_in_one_batch(repo: ContactRepository) -> None:
    """AP19: the records with a term starting with the query (one Query), then the records (one BatchGetItem)."""
    dupont = a_contact(1, "Marie Dupont", emails=("marie@example.com",))
    durand = a_contact(2, "Paul Durand")
    repo.create(dupont, [])
    repo.create(durand, [])
    deal = Deal(
        id="d1", title="Dupuis website", client_id=durand.id, amount_minor=100, currency="EUR",
        status=DealStatus.NEW, responsible_user_id="u1", position="a0", created_at=T0, created_by="u1",
        updated_at=T0, history=(StatusChange(DealStatus.NEW, T0),),
    )  # fmt: skip
    DealRepository(TENANT).create(deal, [])
    index = SearchIndex(TENANT)

    with dynamodb_calls() as calls:
        found = index.find(Term(TermKind.WORD, "dup"), limit=10)
    assert calls == {"Query": 1}
    assert sorted(found) == [("contact", dupont.id), ("deal", deal.id)]
    with dynamodb_calls() as calls:
        records = index.fetch(found)
    assert calls == {"BatchGetItem": 1}
    assert [r.id for r in records] == [i for _, i in found]
    assert index.find(Term(TermKind.WORD, "durand"), limit=10) == [("contact", durand.id)]
    assert index.find(Term(TermKind.EMAIL, "marie@"), limit=10) == [("contact", dupont.id)]
    assert index.find(Term(TermKind.WORD, "dupontel"), limit=10) == []
    assert SearchIndex("tenant-2").find(Term(TermKind.WORD, "dup"), limit=10) == []
