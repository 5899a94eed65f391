"""One test per access pattern of db/keys.py (AP1..AP10), against moto."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from chalicelib.db import keys
from chalicelib.db.items import Item
from chalicelib.db.pagination import decode_cursor, encode_cursor
from chalicelib.db.repositories.crms import CrmRepository
from chalicelib.db.repositories.groups import GroupRepository
from chalicelib.db.repositories.users import UserRepository
from chalicelib.db.writes import transact
from chalicelib.domain.clock import utcnow
from chalicelib.domain.crm import Crm, CrmStatus
from chalicelib.domain.errors import ConflictError, ValidationError
from chalicelib.domain.ids import new_id
from chalicelib.domain.rights import GroupType, standard_groups
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
    assert {g.type for g in groups.list()} == {
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
