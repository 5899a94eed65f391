"""The caller's own profile (SPEC ST-1)."""

from __future__ import annotations

from dataclasses import dataclass

from chalicelib.domain.actor import Actor
from chalicelib.domain.rights import Group
from chalicelib.domain.users import User


@dataclass(frozen=True, slots=True)
class Profile:
    tenant_id: str
    user: User
    group: Group


class ProfileService:
    def me(self, actor: Actor) -> Profile:
        """Who am I: read during authentication already, so it costs no further call."""
        return Profile(tenant_id=actor.tenant_id, user=actor.user, group=actor.group)
