"""Teamsale-compatible keys (issue 22) at the service tier: the secret is kept encrypted (the
secret store) because the server computes each request's HMAC, never in the key's record; a
signed request acts as the owner, within 100 requests a minute."""

from __future__ import annotations

import pytest

from chalicelib.domain.api_keys import TEAMSALE_RATE_LIMIT, ApiKeyScope, teamsale_secret_name
from chalicelib.domain.errors import RateLimitedError, UnauthorizedError
from chalicelib.domain.zadarma_signing import auth_header
from chalicelib.services.api_keys import ApiKeyService
from tests.fakes.outside import FakeSecrets
from tests.services.world import World

PEPPER = b"p" * 32
PATH = "/v1/zcrm/leads"
PARAMS = {"lead": {"name": "John Doe", "phones": [{"phone": "+44123456789", "type": "work"}]}}


def service(world: World, secrets: FakeSecrets) -> ApiKeyService:
    return ApiKeyService(world.storage, world.clock, lambda: PEPPER, secrets)


def test_the_secret_is_kept_in_the_secret_store_and_shown_once(world: World) -> None:
    secrets = FakeSecrets()
    key, secret = service(world, secrets).create(world.admin, "Moved", ApiKeyScope.TEAMSALE)

    assert len(secret) == 40
    assert secrets.values[(world.tenant_id, teamsale_secret_name(key.id))] == {"secret": secret}
    assert secret not in repr(world.storage.api_keys.records[key.id])
    assert key.rate_limit == TEAMSALE_RATE_LIMIT


def test_a_signed_request_acts_as_the_owner_and_a_forged_one_is_refused(world: World) -> None:
    secrets = FakeSecrets()
    keys = service(world, secrets)
    member = world.user("Max Member")
    key, secret = keys.create(member, "Moved", ApiKeyScope.TEAMSALE)
    query, header = auth_header(key.id, secret, PATH, PARAMS)

    actor, found = service(world, secrets).authenticate_signed(header, PATH, query)
    assert (actor.user_id, found.id) == (member.user_id, key.id)
    _, forged = auth_header(key.id, "0" * 40, PATH, PARAMS)
    # Another key's id: the last character changed (never to itself: ids are random).
    other_id = key.id[:-1] + ("Y" if key.id.endswith("Z") else "Z")
    for bad in (forged, header.replace(key.id, other_id), "", key.id, None):
        with pytest.raises(UnauthorizedError):
            keys.authenticate_signed(bad, PATH, query)
    with pytest.raises(UnauthorizedError):
        keys.authenticate_signed(header, PATH + "/", query)  # the path is signed, trailing slash too
    with pytest.raises(UnauthorizedError):
        keys.authenticate(key.id)  # not an X-Api-Key


def test_other_scopes_do_not_sign_and_a_deleted_key_loses_its_secret(world: World) -> None:
    secrets = FakeSecrets()
    keys = service(world, secrets)
    plain, _ = keys.create(world.admin, "Zapier", ApiKeyScope.API)
    _, header = auth_header(plain.id, "x" * 40, PATH, {})
    with pytest.raises(UnauthorizedError):
        keys.authenticate_signed(header, PATH, "")

    key, secret = keys.create(world.admin, "Moved", ApiKeyScope.TEAMSALE)
    query, header = auth_header(key.id, secret, PATH, {})
    keys.authenticate_signed(header, PATH, query)
    keys.delete(world.admin, key.id)
    assert (world.tenant_id, teamsale_secret_name(key.id)) not in secrets.values
    with pytest.raises(UnauthorizedError):
        keys.authenticate_signed(header, PATH, query)


def test_a_hundred_requests_a_minute(world: World) -> None:
    keys = service(world, FakeSecrets())
    key, secret = keys.create(world.admin, "Moved", ApiKeyScope.TEAMSALE)
    query, header = auth_header(key.id, secret, PATH, {})
    for _ in range(TEAMSALE_RATE_LIMIT):
        keys.authenticate_signed(header, PATH, query)
    with pytest.raises(RateLimitedError):
        keys.authenticate_signed(header, PATH, query)
    world.clock.advance(minutes=1)
    keys.authenticate_signed(header, PATH, query)
