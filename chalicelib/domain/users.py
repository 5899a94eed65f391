"""Users of a CRM and the rules on their identifying fields."""

from __future__ import annotations

import re
from dataclasses import field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from chalicelib.domain.errors import ValidationError
from chalicelib.domain.records import record
from chalicelib.domain.text import normalize_email as normalize_email

# One password rule for the API's validation, the Cognito pool (CDK) and the local stack.
# Length over composition rules, as NIST SP 800-63B recommends.
PASSWORD_MIN_LENGTH = 8
PASSWORD_MAX_LENGTH = 256

# Seen within this window = online. Requests refresh `last_seen_at` at most once a minute.
ONLINE_WINDOW = timedelta(minutes=5)
PRESENCE_REFRESH = timedelta(minutes=1)

# PBX extensions are short digit strings (Zadarma's are three digits: 100, 101...).
EXTENSION_PATTERN = re.compile(r"^[0-9]{2,6}$")


class UserStatus(StrEnum):
    ACTIVE = "active"
    # Created by an administrator (e.g. in the CRM wizard) but has not set a password yet.
    INVITED = "invited"
    DEACTIVATED = "deactivated"


class WeekStart(StrEnum):
    MONDAY = "monday"
    SUNDAY = "sunday"


class TelephonyMode(StrEnum):
    WEBPHONE = "webphone"
    SOFTPHONE = "softphone"
    WEBPHONE_WORKING_HOURS = "webphone_working_hours"


@record(frozen=True, slots=True)
class User:
    """A person who logs in to one CRM."""

    id: str
    name: str
    email: str
    extension: str | None
    group_id: str
    status: UserStatus
    created_at: datetime
    updated_at: datetime
    language: str = "en"
    timezone: str | None = None
    week_start: WeekStart = WeekStart.MONDAY
    telephony_mode: TelephonyMode = TelephonyMode.WEBPHONE
    phones: tuple[str, ...] = field(default_factory=tuple)
    avatar_key: str | None = None  # in the files bucket; shown through a presigned URL
    # The API's working-hours document (domain.schedule parses it); None = no schedule set.
    working_hours: dict[str, Any] | None = None
    last_seen_at: datetime | None = None
    version: int = 1

    @property
    def active(self) -> bool:
        return self.status is not UserStatus.DEACTIVATED

    @property
    def can_log_in(self) -> bool:
        return self.status is UserStatus.ACTIVE

    def online(self, now: datetime) -> bool:
        return self.last_seen_at is not None and now - self.last_seen_at < ONLINE_WINDOW


NAME_MAX_LENGTH = 100


def check_user_name(name: str, *, field_name: str = "name") -> str:
    """A person's name, spaces collapsed; any script."""
    name = " ".join(name.split())
    if not 1 <= len(name) <= NAME_MAX_LENGTH:
        raise ValidationError(f"a name has 1 to {NAME_MAX_LENGTH} characters", field=field_name)
    return name


def check_extension(extension: str, *, field_name: str = "extension") -> str:
    if not EXTENSION_PATTERN.fullmatch(extension):
        raise ValidationError("an extension is 2 to 6 digits, e.g. 100", field=field_name)
    return extension


def check_password(password: str, *, field_name: str = "password") -> str:
    if not PASSWORD_MIN_LENGTH <= len(password) <= PASSWORD_MAX_LENGTH:
        raise ValidationError(
            f"a password has {PASSWORD_MIN_LENGTH} to {PASSWORD_MAX_LENGTH} characters",
            field=field_name,
        )
    return password


AVATAR_TYPES = {"image/png": "png", "image/jpeg": "jpg", "image/webp": "webp"}
AVATAR_MAX_BYTES = 2 * 1024 * 1024


def avatar_object_key(tenant_id: str, user_id: str, file_id: str, content_type: str) -> str:
    """Where a user's avatar lives in the files bucket (a new key per upload: no stale caches)."""
    if content_type not in AVATAR_TYPES:
        raise ValidationError(f"an avatar is one of {', '.join(AVATAR_TYPES)}", field="content_type")
    return f"tenants/{tenant_id}/avatars/{user_id}/{file_id}.{AVATAR_TYPES[content_type]}"


def principal_name(tenant_id: str, user_id: str) -> str:
    """The login identity of a user in the identity provider (unique across CRMs)."""
    # Ids are ULIDs (Crockford base32), so '.' can never appear inside one.
    return f"{tenant_id}.{user_id}"


def parse_principal_name(name: str) -> tuple[str, str]:
    """The (tenant_id, user_id) of a principal name; ValueError if it is not one of ours."""
    tenant_id, sep, user_id = name.partition(".")
    if not (sep and tenant_id and user_id) or "." in user_id:
        raise ValueError("not a CRM principal name")
    return tenant_id, user_id
