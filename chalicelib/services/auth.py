"""Logging in, refreshing tokens, and turning a verified token into an Actor."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from chalicelib.domain.actor import Actor
from chalicelib.domain.errors import UnauthorizedError
from chalicelib.domain.rights import Group, GroupType
from chalicelib.domain.users import User, UserStatus, normalize_email, parse_principal_name, principal_name

if TYPE_CHECKING:
    from chalicelib.ports.outside import Clock, IdentityProvider, Tokens
    from chalicelib.ports.storage import Storage

_BAD_CREDENTIALS = "wrong CRM, email or password"


@dataclass(frozen=True, slots=True)
class Session:
    tokens: Tokens
    user: User


class AuthService:
    def __init__(
        self,
        storage: Storage,
        clock: Clock,
        identity: IdentityProvider,
    ) -> None:
        self._storage = storage
        self._clock = clock
        self._identity = identity

    def login(self, crm_slug: str, email: str, password: str) -> Session:
        """Tokens for a user of the CRM `crm_slug`; the same 401 whatever part is wrong."""
        tenant_id = self._storage.crms.resolve_slug(crm_slug.strip().lower())
        if tenant_id is None:
            raise UnauthorizedError(_BAD_CREDENTIALS)
        users = self._storage.users(tenant_id)
        user_id = users.find_id_by_email(normalize_email(email))
        if user_id is None:
            raise UnauthorizedError(_BAD_CREDENTIALS)
        tokens = self._identity.authenticate(principal_name(tenant_id, user_id), password)
        user = users.get(user_id, consistent=True)
        if user is None or not user.can_log_in:
            raise UnauthorizedError("this user is deactivated")
        return Session(tokens=tokens, user=user)

    def refresh(self, refresh_token: str) -> Tokens:
        """A new access token, refused to users deactivated since they logged in."""
        tokens = self._identity.refresh(refresh_token)
        self.actor(tokens.principal)
        return tokens

    def actor(self, principal: str) -> Actor:
        """The user behind a verified token, with their group's rights (2 reads)."""
        try:
            tenant_id, user_id = parse_principal_name(principal)
        except ValueError:
            raise UnauthorizedError("the token is not for a CRM user") from None
        return load_actor(self._storage, self._clock, tenant_id, user_id)


def load_actor(storage: Storage, clock: Clock, tenant_id: str, user_id: str) -> Actor:
    """An active user with their group's rights (2 reads); also the owner of an API key."""
    # A consistent read of the user; their presence is written at most once a minute (AP3).
    user = storage.users(tenant_id).get_and_mark_seen(user_id, clock())
    if user is None or user.status is not UserStatus.ACTIVE:
        raise UnauthorizedError("this user is deactivated")
    group = storage.groups(tenant_id).get(user.group_id)
    if group is None:
        # The group was deleted under the user: they keep their session but no rights.
        group = Group(id=user.group_id, type=GroupType.CUSTOM, title="(deleted group)")
    return Actor(tenant_id=tenant_id, user=user, group=group)
