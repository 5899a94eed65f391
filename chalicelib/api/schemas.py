"""Shared pieces of the request and response models (pydantic v2).

The OpenAPI document is generated from these same models (api/openapi.py), so what the routes
validate and what the document says cannot drift apart.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer, WithJsonSchema

from chalicelib.db.pagination import DEFAULT_LIMIT, MAX_LIMIT
from chalicelib.domain.clock import isoformat_z, utcnow
from chalicelib.domain.rights import Group
from chalicelib.domain.users import User

# Times in responses: ISO 8601, UTC, with a Z.
UtcDateTime = Annotated[
    datetime,
    PlainSerializer(isoformat_z, return_type=str),
    WithJsonSchema({"type": "string", "format": "date-time"}),
]


class Input(BaseModel):
    """Base of request bodies and query strings: unknown fields are an error naming the field."""

    # defer_build: a model's validator is built on first use, so a cold Lambda only pays for
    # the models of the request it serves, not for every route's.
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, defer_build=True)


class Output(BaseModel):
    """Base of response bodies."""

    model_config = ConfigDict(from_attributes=True, defer_build=True)


# `version` of a PUT/PATCH body (API.md, Settings): optional. Given and stale, a 409 `conflict`;
# absent, the write applies (the services check it with domain.errors.check_version).
VersionIn = Annotated[
    int | None,
    Field(ge=1, description="The version you read; a stale one is a 409 conflict. Absent: the write applies"),
]


class PageQuery(Input):
    """The query parameters every list accepts."""

    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT)
    cursor: str | None = None


class ErrorBody(Output):
    code: str
    message: str
    field: str | None = None
    existing: dict[str, Any] | None = None


class ErrorEnvelope(Output):
    error: ErrorBody


class PageOut(Output):
    next_cursor: str | None = Field(description="Pass as ?cursor= for the next page; null on the last one")


class GroupOut(Output):
    id: str
    type: str
    title: str
    permissions: dict[str, bool] = Field(description="The 13 rights; admin groups hold them all")
    version: int

    @classmethod
    def of(cls, group: Group) -> GroupOut:
        return cls(
            id=group.id, type=group.type.value, title=group.title, permissions=group.flags(), version=group.version
        )


class UserOut(Output):
    id: str
    name: str
    email: str
    extension: str | None
    group_id: str
    active: bool
    status: str = Field(description="active | invited (no password set yet) | deactivated")
    language: str
    timezone: str | None
    week_start: str
    telephony_mode: str
    phones: list[str]
    avatar_url: str | None = Field(description="A short-lived link to the picture (12 h)")
    working_hours: dict[str, Any] | None = Field(description="See PUT /v1/me/working-hours; null if not set")
    online: bool = Field(description="Seen in the last 5 minutes")
    last_seen_at: UtcDateTime | None
    created_at: UtcDateTime
    updated_at: UtcDateTime
    version: int

    @classmethod
    def of(cls, user: User, now: datetime | None = None) -> UserOut:
        from chalicelib.bootstrap import services  # the edge's composition root; avoids an import cycle

        return cls(
            id=user.id,
            name=user.name,
            email=user.email,
            extension=user.extension,
            group_id=user.group_id,
            active=user.active,
            status=user.status.value,
            language=user.language,
            timezone=user.timezone,
            week_start=user.week_start.value,
            telephony_mode=user.telephony_mode.value,
            phones=list(user.phones),
            avatar_url=services().files.url(user.avatar_key) if user.avatar_key else None,
            working_hours=user.working_hours,
            online=user.online(now or utcnow()),
            last_seen_at=user.last_seen_at,
            created_at=user.created_at,
            updated_at=user.updated_at,
            version=user.version,
        )
