"""The caller's own profile (SPEC ST-1)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from chalicelib.db.repositories.users import UserRepository
from chalicelib.domain.actor import Actor
from chalicelib.domain.clock import utcnow
from chalicelib.domain.crm import check_timezone
from chalicelib.domain.errors import ConflictError, ValidationError
from chalicelib.domain.rights import Group
from chalicelib.domain.schedule import parse_working_hours
from chalicelib.domain.users import TelephonyMode, User, WeekStart

LANGUAGES = frozenset({"en", "fr", "de", "es", "it", "pt", "pl", "uk", "ru"})


@dataclass(frozen=True, slots=True)
class Profile:
    tenant_id: str
    user: User
    group: Group


class ProfileService:
    def __init__(
        self, users: Callable[[str], UserRepository] = UserRepository, clock: Callable[[], datetime] = utcnow
    ) -> None:
        self._users = users
        self._clock = clock

    def me(self, actor: Actor) -> Profile:
        """Who am I: read during authentication already, so it costs no further call."""
        return Profile(tenant_id=actor.tenant_id, user=actor.user, group=actor.group)

    def update(
        self,
        actor: Actor,
        version: int,
        *,
        name: str | None = None,
        language: str | None = None,
        timezone: str | None = None,
        week_start: WeekStart | None = None,
        telephony_mode: TelephonyMode | None = None,
    ) -> Profile:
        """Change one's own profile; a stale `version` is a conflict, nothing is overwritten."""
        if name is not None:
            name = " ".join(name.split())
            if not name:
                raise ValidationError("name cannot be blank", field="name")
        if language is not None and language not in LANGUAGES:
            raise ValidationError(f"language must be one of {', '.join(sorted(LANGUAGES))}", field="language")
        if timezone is not None:
            check_timezone(timezone)
        current = actor.user
        if version != current.version:
            raise ConflictError("the profile was changed since you read it; reload and retry", field="version")
        changed = replace(
            current,
            name=name if name is not None else current.name,
            language=language if language is not None else current.language,
            timezone=timezone if timezone is not None else current.timezone,
            week_start=week_start or current.week_start,
            telephony_mode=telephony_mode or current.telephony_mode,
            updated_at=self._clock(),
        )
        user = self._users(actor.tenant_id).save_changes(current, changed)
        return Profile(tenant_id=actor.tenant_id, user=user, group=actor.group)

    def set_working_hours(self, actor: Actor, document: dict[str, Any] | None) -> User:
        """Replace one's working hours (ST-3); None clears them (always available)."""
        stored = parse_working_hours(document, field_name="working_hours").to_dict() if document else None
        current = actor.user
        return self._users(actor.tenant_id).save_changes(
            current, replace(current, working_hours=stored, updated_at=self._clock())
        )
