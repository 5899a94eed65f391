"""The caller's own profile (SPEC ST-1): identity, contact details, locale, telephony, avatar."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from chalicelib.domain.crm import check_timezone
from chalicelib.domain.errors import ValidationError, check_version
from chalicelib.domain.ids import new_id
from chalicelib.domain.rights import Access, Group
from chalicelib.domain.schedule import parse_working_hours
from chalicelib.domain.users import (
    AVATAR_MAX_BYTES,
    TelephonyMode,
    User,
    WeekStart,
    avatar_object_key,
    check_extension,
    check_user_name,
)

if TYPE_CHECKING:
    from chalicelib.domain.actor import Actor
    from chalicelib.ports.outside import Clock, FileStore
    from chalicelib.ports.storage import Storage

LANGUAGES = frozenset({"en", "fr", "de", "es", "it", "pt", "pl", "uk", "ru"})
MAX_PHONES = 5
_UNCHANGED: Any = object()


@dataclass(frozen=True, slots=True)
class Profile:
    tenant_id: str
    user: User
    group: Group


@dataclass(frozen=True, slots=True)
class AvatarUpload:
    url: str
    fields: dict[str, str]
    expires_in: int
    max_bytes: int
    user: User


class ProfileService:
    def __init__(
        self,
        storage: Storage,
        clock: Clock,
        files: FileStore,
    ) -> None:
        self._storage = storage
        self._clock = clock
        self._files = files

    def me(self, actor: Actor) -> Profile:
        """Who am I: read during authentication already, so it costs no further call."""
        actor.require(Access.ANY_USER)
        return Profile(tenant_id=actor.tenant_id, user=actor.user, group=actor.group)

    def update(
        self,
        actor: Actor,
        version: int | None,
        *,
        name: str | None = None,
        language: str | None = None,
        timezone: str | None = None,
        week_start: WeekStart | None = None,
        telephony_mode: TelephonyMode | None = None,
        extension: Any = _UNCHANGED,
        phones: list[str] | None = None,
    ) -> Profile:
        """Change one's own profile; a stale `version` is a conflict, nothing is overwritten."""
        actor.require(Access.ANY_USER)
        current = actor.user
        check_version(version, current.version, "profile")
        changed = replace(current, updated_at=self._clock())
        if name is not None:
            changed = replace(changed, name=check_user_name(name))
        if language is not None:
            if language not in LANGUAGES:
                raise ValidationError(f"language must be one of {', '.join(sorted(LANGUAGES))}", field="language")
            changed = replace(changed, language=language)
        if timezone is not None:
            changed = replace(changed, timezone=check_timezone(timezone))
        if week_start is not None:
            changed = replace(changed, week_start=week_start)
        if telephony_mode is not None:
            changed = replace(changed, telephony_mode=telephony_mode)
        if extension is not _UNCHANGED:
            changed = replace(changed, extension=check_extension(extension) if extension is not None else None)
        if phones is not None:
            changed = replace(changed, phones=self._phones(actor.tenant_id, phones))
        user = self._storage.users(actor.tenant_id).save_changes(current, changed)
        return Profile(tenant_id=actor.tenant_id, user=user, group=actor.group)

    def set_working_hours(self, actor: Actor, document: dict[str, Any], version: int | None = None) -> User:
        """Replace one's working hours (ST-3); a stale `version` (of the user record) is a conflict."""
        actor.require(Access.ANY_USER)
        stored = parse_working_hours(document).to_dict()
        current = actor.user
        check_version(version, current.version, "working hours")
        return self._storage.users(actor.tenant_id).save_changes(
            current, replace(current, working_hours=stored, updated_at=self._clock())
        )

    def clear_working_hours(self, actor: Actor) -> User:
        """Remove one's working hours: always available again; nothing to remove writes nothing."""
        actor.require(Access.ANY_USER)
        current = actor.user
        if current.working_hours is None:
            return current
        return self._storage.users(actor.tenant_id).save_changes(
            current, replace(current, working_hours=None, updated_at=self._clock())
        )

    def start_avatar_upload(self, actor: Actor, content_type: str) -> AvatarUpload:
        """Point one's avatar at a new file and return where to upload it (presigned POST)."""
        actor.require(Access.ANY_USER)
        key = avatar_object_key(actor.tenant_id, actor.user_id, new_id(), content_type)
        upload = self._files.upload(key, content_type, AVATAR_MAX_BYTES)
        current = actor.user
        user = self._storage.users(actor.tenant_id).save_changes(
            current, replace(current, avatar_key=key, updated_at=self._clock())
        )
        return AvatarUpload(upload.url, upload.fields, upload.expires_in, AVATAR_MAX_BYTES, user)

    def _phones(self, tenant_id: str, phones: list[str]) -> tuple[str, ...]:
        """E.164 numbers; local formats are read in the CRM's country."""
        import phonenumbers  # only this path needs it: keep it off the cold start

        if len(phones) > MAX_PHONES:
            raise ValidationError(f"at most {MAX_PHONES} phone numbers", field="phones")
        crm = self._storage.crms.get(tenant_id)
        region = crm.country if crm else None
        normalized: list[str] = []
        for i, raw in enumerate(phones):
            try:
                number = phonenumbers.parse(raw, region)
            except phonenumbers.NumberParseException:
                number = None
            if number is None or not phonenumbers.is_valid_number(number):
                raise ValidationError(f"'{raw}' is not a valid phone number", field=f"phones[{i}]")
            e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
            if e164 not in normalized:
                normalized.append(e164)
        return tuple(normalized)
