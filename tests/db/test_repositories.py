"""One test per access pattern of db/keys.py (AP1..AP10), against moto."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from chalicelib.db import keys
from chalicelib.db.items import Item
from chalicelib.db.models.deals import DealItem
from chalicelib.db.pagination import decode_cursor, encode_cursor
from chalicelib.db.repositories.crms import CrmRepository
from chalicelib.db.repositories.deals import DealRepository
from chalicelib.db.repositories.groups import GroupRepository
from chalicelib.db.repositories.search import SearchIndex
from chalicelib.db.repositories.users import UserRepository
from chalicelib.db.writes import transact
from chalicelib.domain.clock import utcnow
from chalicelib.domain.crm import Crm, CrmStatus
from chalicelib.domain.deals import Deal, DealStatus, StatusChange
from chalicelib.domain.errors import ConflictError, ValidationError
from chalicelib.domain.ids import new_id
from chalicelib.domain.rights import GroupType, standard_groups
from chalicelib.domain.search import Term, TermKind
from chalicelib.domain.users import User, UserStatus
from tests.harness import LocalAws


def a_crm(slug: str = "acme", status: CrmStatus = CrmStatus.ACTIVE, age: timedelta = timedelta()) -> Crm:
    return Crm(
        id=new_id(),
        slug=slug,
        name=slug.title(),
        country="FR",
        timezone="Europe/Paris",
        status=status,
        created_at=utcnow() - age,
    )


def a_user(name: str, email: str, extension: str | None = None, group_id: str = "g") -> User:
    now = utcnow()
    return User(
        id=new_id(),
        name=name,
        email=email,
        extension=extension,
        group_id=group_id,
        status=UserStatus.ACTIVE,
        created_at=now,
        updated_at=now,
    )


@pytest.fixture
def crm(aws: LocalAws) -> Crm:
    crm = a_crm()
    CrmRepository().create(crm, [])
    return crm


def test_ap1_get_crm_by_id(crm: Crm) -> None:
    assert CrmRepository().get(crm.id) == crm
    assert CrmRepository().get(new_id()) is None


def test_ap2_resolve_slug_and_a_slug_is_unique(crm: Crm) -> None:
    assert CrmRepository().resolve_slug("acme") == crm.id
    assert CrmRepository().resolve_slug("other") is None
    with pytest.raises(ConflictError):
        CrmRepository().create(a_crm("acme"), [])


def test_ap3_get_user_and_update_profile_with_version(crm: Crm) -> None:
    users = UserRepository(crm.id)
    ada = a_user("Ada", "ada@example.com")
    transact(users.creation_writes(ada))

    assert users.get(ada.id) == ada
    updated = users.save_changes(ada, replace(ada, name="Ada L", language="fr", extension="102"))
    assert users.get(ada.id) == updated
    assert (updated.name, updated.language, updated.version) == ("Ada L", "fr", 2)
    with pytest.raises(ConflictError) as stale:
        users.save_changes(ada, replace(ada, name="stale"))
    assert stale.value.field == "version"
    users.set_status(ada.id, UserStatus.DEACTIVATED)
    assert users.get(ada.id, consistent=True).status is UserStatus.DEACTIVATED


def test_ap4_ap5_find_user_by_email_and_extension_and_both_are_unique(crm: Crm) -> None:
    users = UserRepository(crm.id)
    ada = a_user("Ada", "ada@example.com", "100")
    transact(users.creation_writes(ada))

    assert users.find_id_by_email("ada@example.com") == ada.id
    assert users.find_id_by_extension("100") == ada.id
    with pytest.raises(ConflictError) as same_email:
        transact(users.creation_writes(a_user("Bob", "ada@example.com", "101")))
    with pytest.raises(ConflictError) as same_extension:
        transact(users.creation_writes(a_user("Bob", "bob@example.com", "100")))
    assert (same_email.value.field, same_extension.value.field) == ("email", "extension")
    assert users.find_id_by_email("bob@example.com") is None, "a failed transaction writes nothing"


def test_ap6_users_by_name_in_pages(crm: Crm) -> None:
    users = UserRepository(crm.id)
    for name in ["carol", "Alice", "bob", "Dave", "erin"]:
        transact(users.creation_writes(a_user(name, f"{name.lower()}@example.com")))

    first = users.list_by_name(limit=2)
    second = users.list_by_name(limit=2, cursor=first.next_cursor)
    third = users.list_by_name(limit=2, cursor=second.next_cursor)

    names = [u.name for page in (first, second, third) for u in page.items]
    assert names == ["Alice", "bob", "carol", "Dave", "erin"]


def test_ap6_users_of_another_crm_never_appear(crm: Crm) -> None:
    other = a_crm("other")
    CrmRepository().create(other, [])
    transact(UserRepository(other.id).creation_writes(a_user("Mallory", "m@example.com")))
    assert UserRepository(crm.id).list_by_name(limit=10).items == []


def test_ap7_ap8_groups(crm: Crm) -> None:
    groups = GroupRepository(crm.id)
    created = standard_groups(new_id)
    transact([w for g in created for w in groups.creation_writes(g)])

    assert groups.get(created[0].id) == created[0]
    assert {g.type for g in groups.list_all()} == {
        GroupType.ADMIN,
        GroupType.MANAGER,
        GroupType.CHAT_OPERATOR,
        GroupType.TRAINEE,
    }


def test_ap9_crms_stuck_in_provisioning_oldest_first(aws: LocalAws) -> None:
    repo = CrmRepository()
    old = a_crm("old-one", CrmStatus.PROVISIONING, age=timedelta(hours=2))
    recent = a_crm("recent-one", CrmStatus.PROVISIONING, age=timedelta(minutes=1))
    done = a_crm("done-one", CrmStatus.PROVISIONING, age=timedelta(hours=1))
    for crm in (recent, old, done):
        repo.create(crm, [])
    repo.mark_active(done.id)

    stale = repo.provisioning_before(utcnow() - timedelta(minutes=15))

    assert [c.tenant_id for c in stale] == [old.id]
    assert repo.get(done.id).status is CrmStatus.ACTIVE


def test_ap10_delete_a_tenant_partition_and_free_its_slug(crm: Crm) -> None:
    users = UserRepository(crm.id)
    transact(users.creation_writes(a_user("Ada", "ada@example.com", "100")))

    deleted = CrmRepository().delete_tenant(crm.id, crm.slug)

    assert deleted == 5  # crm, user, email guard, extension guard, slug
    assert list(Item.query(keys.tenant_pk(crm.id))) == []
    assert CrmRepository().resolve_slug(crm.slug) is None


def test_cursor_round_trips_and_rejects_tampering_and_other_tenants() -> None:
    tenant, other = new_id(), new_id()
    key = {"pk": {"S": keys.tenant_pk(tenant)}, "sk": {"S": "USER#1"}}
    assert decode_cursor(encode_cursor(key), tenant) == key

    foreign = encode_cursor({"pk": {"S": keys.tenant_pk(other)}, "sk": {"S": "USER#1"}})
    for bad in ["%%%", "bm90LWpzb24", encode_cursor({"pk": {"N": "1"}}), foreign]:
        with pytest.raises(ValidationError) as error:
            decode_cursor(bad, tenant)
        assert error.value.field == "cursor"


def test_ap3_presence_is_refreshed_at_most_once_a_minute(crm: Crm) -> None:
    users = UserRepository(crm.id)
    ada = a_user("Ada", "ada@example.com")
    transact(users.creation_writes(ada))
    start = utcnow()

    first = users.get_and_mark_seen(ada.id, start)
    soon = users.get_and_mark_seen(ada.id, start + timedelta(seconds=30))
    later = users.get_and_mark_seen(ada.id, start + timedelta(minutes=2))

    assert first.last_seen_at == start
    assert soon.last_seen_at == start, "no write within a minute, the stored user is returned"
    assert later.last_seen_at == start + timedelta(minutes=2)
    assert later.version == ada.version, "presence is not an edit: it never makes a PATCH stale"
    assert users.get_and_mark_seen(new_id(), start) is None


def test_ap11_members_of_a_group_follow_moves(crm: Crm) -> None:
    users = UserRepository(crm.id)
    ada, bob = a_user("Ada", "ada@example.com", group_id="g1"), a_user("Bob", "bob@example.com", group_id="g1")
    transact(users.creation_writes(ada) + users.creation_writes(bob))

    users.save_changes(bob, replace(bob, group_id="g2"))

    assert [u.name for u in users.list_by_group("g1", limit=10).items] == ["Ada"]
    assert [u.name for u in users.list_by_group("g2", limit=10).items] == ["Bob"]


def a_deal(title: str, status: str, owner: str, created: timedelta, client_id: str = "c1") -> Deal:
    at = utcnow() - created
    return Deal(
        id=new_id(),
        title=title,
        client_id=client_id,
        amount_minor=100,
        currency="EUR",
        status=DealStatus(status),
        responsible_user_id=owner,
        position="a0",
        created_at=at,
        created_by=owner,
        updated_at=at,
        history=(StatusChange(DealStatus(status), at),),
    )


def test_ap60_ap61_deals_by_creation_for_all_or_a_user_and_one_status(crm: Crm) -> None:
    repo = DealRepository(crm.id)
    old = a_deal("Old", "new", "u1", timedelta(days=3))
    mid = a_deal("Mid", "success", "u2", timedelta(days=2))
    new = a_deal("New", "new", "u2", timedelta(days=1))
    for deal in (old, mid, new):
        repo.create(deal, [])

    def ids(**kwargs: object) -> list[str]:
        query = {"owner": None, "status": None, "created_from": None, "created_to": None, **kwargs}
        return [d.id for d in repo.listed(limit=10, cursor=None, **query).items]  # type: ignore[arg-type]

    assert ids() == [new.id, mid.id, old.id]  # AP60, every status, newest first
    assert ids(newest_first=False) == [old.id, mid.id, new.id]
    assert ids(owner="u2") == [new.id, mid.id]
    assert ids(status=DealStatus.NEW) == [new.id, old.id]  # AP61
    assert ids(owner="u2", status=DealStatus.NEW) == [new.id]
    assert ids(created_from=mid.created_at, created_to=new.created_at) == [mid.id]  # [from, to)
    page = repo.listed(owner=None, status=None, created_from=None, created_to=None, limit=2, cursor=None)
    rest = repo.listed(owner=None, status=None, created_from=None, created_to=None, limit=2, cursor=page.next_cursor)
    assert [d.id for d in (*page.items, *rest.items)] == [new.id, mid.id, old.id]
    with pytest.raises(ValidationError):  # a cursor of another list
        repo.listed(owner="u2", status=None, created_from=None, created_to=None, limit=2, cursor=page.next_cursor)

    # A move and a change of responsible user rewrite the copies, in the same transaction.
    moved = repo.save_changes(old, replace(old, status=DealStatus.IN_PROGRESS, responsible_user_id="u2"), [])
    assert ids(status=DealStatus.NEW) == [new.id]
    assert ids(owner="u1") == []
    listed = repo.listed(owner="u2", status=DealStatus.IN_PROGRESS, created_from=None, created_to=None, limit=5,
                         cursor=None).items  # fmt: skip
    assert listed == [moved]  # a full copy: the deal as its record has it, version included
    repo.delete(moved)
    assert ids() == [new.id, mid.id]


def test_deals_stored_before_their_list_and_search_get_them_from_index_existing(crm: Crm) -> None:
    repo = DealRepository(crm.id)
    legacy = a_deal("Legacy Website", "decision", "u1", timedelta(hours=1))
    for write in repo.creation_writes(legacy, []):  # only what a deal had before AP60 and deal search
        item = write.item
        if isinstance(item, DealItem):
            item.save()
    assert repo.listed(owner=None, status=None, created_from=None, created_to=None, limit=5, cursor=None).items == []

    assert repo.index_existing() == 1

    listed = repo.listed(owner="u1", status=None, created_from=None, created_to=None, limit=5, cursor=None).items
    assert [d.id for d in listed] == [legacy.id]
    index = SearchIndex(crm.id)
    assert index.find(Term(TermKind.WORD, "websi"), limit=5) == [("deal", legacy.id)]
