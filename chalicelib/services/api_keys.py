"""Public API keys (SPEC API-1): created by a user for themself, shown once, stored as a keyed
hash; a request presenting one acts as its owner, within the key's scope and rate limit."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from chalicelib.domain.api_keys import (
    DEFAULT_RATE_LIMIT,
    MAX_KEYS_PER_USER,
    RATE_WINDOW,
    TEAMSALE_RATE_LIMIT,
    ApiKey,
    ApiKeyScope,
    check_key_name,
    check_origins,
    format_key,
    hash_key,
    key_matches,
    new_secret,
    parse_key,
    parse_user_key,
    rate_window,
    teamsale_secret,
    teamsale_secret_name,
)
from chalicelib.domain.errors import ConflictError, NotFoundError, RateLimitedError, UnauthorizedError
from chalicelib.domain.ids import new_id
from chalicelib.domain.rights import Access
from chalicelib.domain.zadarma_signing import signature_matches
from chalicelib.services.auth import load_actor

if TYPE_CHECKING:
    from collections.abc import Callable

    from chalicelib.domain.actor import Actor
    from chalicelib.domain.paging import Page
    from chalicelib.ports.outside import Clock, SecretStore
    from chalicelib.ports.storage import Storage

_INVALID = "the API key is invalid or has been deleted"
# Compared against when no key has the presented id, so both failures take the same time.
_NO_HASH = "0" * 64


class ApiKeyService:
    def __init__(
        self, storage: Storage, clock: Clock, pepper: Callable[[], bytes], secrets: SecretStore | None = None
    ) -> None:
        self._storage = storage
        self._clock = clock
        self._pepper = pepper  # the deployment's secret (SSM), read on first use
        self._secrets = secrets  # Teamsale keys' secrets (encrypted: the HMAC needs them)
        # Teamsale secrets read this container's life (a key is still read, AP130, each request,
        # so a revoked key fails at once whatever is cached here).
        self._teamsale_secrets: dict[str, str] = {}

    def create(
        self,
        actor: Actor,
        name: str,
        scope: ApiKeyScope,
        *,
        allowed_origins: list[str] | None = None,
        rate_limit: int | None = None,
    ) -> tuple[ApiKey, str]:
        """A new key of the caller's own, and the key itself (never obtainable again).
        A Teamsale key's "key itself" is its secret (its user key is its id, always shown)."""
        actor.require(Access.ANY_USER)
        repo = self._storage.api_keys
        mine = repo.page(actor.tenant_id, user_id=actor.user_id, limit=MAX_KEYS_PER_USER, cursor=None)
        if len(mine.items) >= MAX_KEYS_PER_USER:
            raise ConflictError(f"a user holds at most {MAX_KEYS_PER_USER} keys; delete one first")
        key_id = new_id()
        text = format_key(key_id, new_secret())
        if scope is ApiKeyScope.TEAMSALE:
            if self._secrets is None:
                raise RuntimeError("Teamsale keys need the secret store")
            text = teamsale_secret()
            rate_limit = TEAMSALE_RATE_LIMIT
            allowed_origins = []
            self._secrets.put(actor.tenant_id, teamsale_secret_name(key_id), {"secret": text})
        key = ApiKey(
            id=key_id,
            tenant_id=actor.tenant_id,
            user_id=actor.user_id,
            name=check_key_name(name),
            scope=scope,
            secret_hash=hash_key(self._pepper(), text),
            created_at=self._clock(),
            rate_limit=rate_limit or DEFAULT_RATE_LIMIT,
            allowed_origins=check_origins(allowed_origins or []),
        )
        repo.create(key)
        return key, text

    def page(self, actor: Actor, *, limit: int, cursor: str | None) -> Page[ApiKey]:
        """An administrator's view: every key of the CRM; anyone else's: their own."""
        actor.require(Access.ANY_USER)
        owner = None if actor.is_admin else actor.user_id
        return self._storage.api_keys.page(actor.tenant_id, user_id=owner, limit=limit, cursor=cursor)

    def get(self, actor: Actor, key_id: str) -> ApiKey:
        """A key of the caller's (or, for an administrator, of the CRM); another's is not found."""
        key = self._storage.api_keys.get(key_id)
        if key is None or key.tenant_id != actor.tenant_id or not (actor.is_admin or key.user_id == actor.user_id):
            raise NotFoundError("no such API key", field="api_key_id")
        return key

    def delete(self, actor: Actor, key_id: str) -> None:
        """Revoke a key: the next request presenting it is refused (401)."""
        key = self.get(actor, key_id)
        self._storage.api_keys.delete(key.id)
        if key.scope is ApiKeyScope.TEAMSALE and self._secrets is not None:
            self._secrets.delete(key.tenant_id, teamsale_secret_name(key.id))
            self._teamsale_secrets.pop(key.id, None)

    def authenticate(self, presented: str) -> tuple[Actor, ApiKey]:
        """The owner behind an `X-Api-Key` (with their current rights) and the key: 2 reads and a
        counter write; `last_used_at` is written by the first request of a minute only."""
        parsed = parse_key(presented)
        if parsed is None:
            raise UnauthorizedError("the X-Api-Key header is not an API key of this CRM service")
        key = self._storage.api_keys.get(parsed[0])
        matches = key_matches(self._pepper(), presented.strip(), key.secret_hash if key else _NO_HASH)
        if key is None or not matches or key.scope is ApiKeyScope.TEAMSALE:
            raise UnauthorizedError(_INVALID)
        return self._admit(key)

    def authenticate_signed(self, authorization: str | None, method_path: str, query: str) -> tuple[Actor, ApiKey]:
        """The owner behind a Teamsale `Authorization: <user key>:<signature>` header, the
        signature being Zadarma's over `method_path + query + md5(query)` (`query`: the request's
        parameters as the client signed them, domain/zadarma_signing.query_of_pairs)."""
        user_key, _, signature = (authorization or "").partition(":")
        key_id = parse_user_key(user_key)
        key = self._storage.api_keys.get(key_id) if key_id else None
        if key is None or key.scope is not ApiKeyScope.TEAMSALE or not signature:
            raise UnauthorizedError("Auth error")
        secret = self._teamsale_secret(key)
        if secret is None or not signature_matches(secret, method_path, query, signature):
            raise UnauthorizedError("Auth error")
        return self._admit(key)

    def _teamsale_secret(self, key: ApiKey) -> str | None:
        secret = self._teamsale_secrets.get(key.id)
        if secret is None and self._secrets is not None:
            stored = self._secrets.get(key.tenant_id, teamsale_secret_name(key.id))
            secret = stored.get("secret") if stored else None
            if secret:
                self._teamsale_secrets[key.id] = secret
        return secret

    def _admit(self, key: ApiKey) -> tuple[Actor, ApiKey]:
        """The rate limit (AP133), then the owner with their current rights."""
        now = self._clock()
        window, seconds_left = rate_window(now)
        count = self._storage.api_keys.count_request(key.id, window, now)
        if count > key.rate_limit:
            raise RateLimitedError(
                f"this key is limited to {key.rate_limit} requests a minute; retry in {seconds_left} s",
                retry_after=seconds_left,
            )
        actor = load_actor(self._storage, self._clock, key.tenant_id, key.user_id)
        if count == 1 and (key.last_used_at is None or now - key.last_used_at >= RATE_WINDOW):
            self._storage.api_keys.mark_used(key.id, now)
            key = replace(key, last_used_at=now)
        return actor, key
