"""API keys (AP130-AP133) against moto: found by id, listed per CRM and per owner, counted."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from chalicelib.db import keys
from chalicelib.db.models.api_keys import ApiKeyRateItem
from chalicelib.db.repositories.api_keys import ApiKeyRepository
from chalicelib.domain.api_keys import ApiKey, ApiKeyScope, rate_window
from chalicelib.domain.errors import ConflictError, ValidationError
from chalicelib.domain.ids import new_id
from tests.harness import LocalAws

NOW = datetime(2030, 3, 4, 10, 20, 30, tzinfo=UTC)


def key(tenant: str = "t1", user: str = "u1", at: datetime = NOW) -> ApiKey:
    return ApiKey(
        id=new_id(),
        tenant_id=tenant,
        user_id=user,
        name="Website",
        scope=ApiKeyScope.FORMS,
        secret_hash="ab" * 32,
        created_at=at,
        allowed_origins=("https://shop.example",),
    )


def test_ap130_a_key_by_its_id_created_once_marked_used_deleted(aws: LocalAws) -> None:
    repo = ApiKeyRepository()
    stored = key()
    repo.create(stored)

    assert repo.get(stored.id) == stored
    with pytest.raises(ConflictError):
        repo.create(stored)
    repo.mark_used(stored.id, NOW + timedelta(minutes=1))
    got = repo.get(stored.id)
    assert got is not None
    assert got.last_used_at == NOW + timedelta(minutes=1)

    repo.delete(stored.id)
    assert repo.get(stored.id) is None
    repo.mark_used(stored.id, NOW)  # a key deleted meanwhile: nothing is written
    assert repo.get(stored.id) is None


def test_ap131_ap132_a_crms_keys_and_one_owners_newest_first_paged(aws: LocalAws) -> None:
    repo = ApiKeyRepository()
    mine = [key(user="u1", at=NOW + timedelta(seconds=i)) for i in range(3)]
    theirs = key(user="u2", at=NOW + timedelta(seconds=10))
    elsewhere = key(tenant="t2", at=NOW + timedelta(seconds=20))
    for k in [*mine, theirs, elsewhere]:
        repo.create(k)

    crm = repo.page("t1", user_id=None, limit=10, cursor=None)
    assert [k.id for k in crm.items] == [theirs.id, *(k.id for k in reversed(mine))]
    first = repo.page("t1", user_id="u1", limit=2, cursor=None)
    rest = repo.page("t1", user_id="u1", limit=2, cursor=first.next_cursor)
    assert [k.id for k in first.items + rest.items] == [k.id for k in reversed(mine)]
    assert rest.next_cursor is None
    with pytest.raises(ValidationError):
        repo.page("t1", user_id=None, limit=2, cursor="not-a-cursor")


def test_ap133_a_keys_requests_counted_per_minute_with_a_ttl(aws: LocalAws) -> None:
    repo = ApiKeyRepository()
    window, left = rate_window(NOW)
    assert (window, left) == ("203003041020", 30)

    counts = [repo.count_request("k1", window, NOW) for _ in range(3)]
    next_minute, _ = rate_window(NOW + timedelta(seconds=30))

    assert counts == [1, 2, 3]
    assert repo.count_request("k1", next_minute, NOW) == 1
    assert repo.count_request("k2", window, NOW) == 1
    item = ApiKeyRateItem.get(keys.api_key_pk("k1"), keys.api_key_rate_sk(window))
    assert item.ttl is not None
    assert item.ttl > NOW
