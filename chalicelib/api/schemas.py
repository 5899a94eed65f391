"""Shared pieces of the request and response models (pydantic v2).

The OpenAPI document is generated from these same models (api/openapi.py), so what the routes
validate and what the document says cannot drift apart.
"""

from __future__ import annotations

from datetime import date, datetime
from types import NoneType, UnionType
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer, ValidationInfo, WithJsonSchema, field_validator

from chalicelib.domain.clock import EARLIEST_YEAR, LATEST_YEAR, isoformat_z, plausible, utcnow
from chalicelib.domain.ids import MAX_ID_LENGTH
from chalicelib.domain.paging import DEFAULT_LIMIT, MAX_LIMIT
from chalicelib.domain.rights import Group
from chalicelib.domain.users import User

# Times in responses: ISO 8601, UTC, with a Z.
UtcDateTime = Annotated[
    datetime,
    PlainSerializer(isoformat_z, return_type=str),
    WithJsonSchema({"type": "string", "format": "date-time"}),
]


class Input(BaseModel):
    """Base of request bodies and query strings. Unknown fields are an error naming the field;
    so is a date or time outside the years EARLIEST_YEAR..LATEST_YEAR (arithmetic on year 1 or
    9999 overflows; no CRM record lies there). Strings are stripped as the services strip them
    (Python's notion of whitespace, wider than pydantic's) before their length is checked, so
    what is measured is what is stored. Booleans are JSON true/false only (`"yes"`, `0.0` or `1`
    are errors), and `true`/`false` in a query string."""

    # defer_build: a model's validator is built on first use, so a cold Lambda only pays for
    # the models of the request it serves, not for every route's.
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, defer_build=True)

    @field_validator("*", mode="before")
    @classmethod
    def _normalise(cls, value: Any, info: ValidationInfo) -> Any:
        if isinstance(value, str) and not _is_boolean(cls, info.field_name):
            return value.strip()
        if value is None or isinstance(value, bool) or not _is_boolean(cls, info.field_name):
            return value
        if isinstance(info.context, dict) and info.context.get("query") and value in ("true", "false"):
            return value == "true"
        raise ValueError("a boolean is true or false")

    @field_validator("*", mode="after")
    @classmethod
    def _plausible_dates(cls, value: Any) -> Any:
        if isinstance(value, date) and not plausible(value):
            raise ValueError(f"a date lies between the years {EARLIEST_YEAR} and {LATEST_YEAR}")
        return value


def _is_boolean(model: type[BaseModel], name: str | None) -> bool:
    """Whether the field is a `bool` or `bool | None`."""
    field = model.model_fields.get(name or "")
    if field is None:
        return False
    annotation = field.annotation
    return annotation is bool or (
        get_origin(annotation) in (Union, UnionType) and set(get_args(annotation)) == {bool, NoneType}
    )


class Output(BaseModel):
    """Base of response bodies."""

    model_config = ConfigDict(from_attributes=True, defer_build=True)


# A request's ids are bounded (domain/ids.py): an absurd one is a 400 naming it.
Id = Annotated[str, Field(max_length=MAX_ID_LENGTH)]
# A contact's tag: part of its filter entries' and counters' keys.
MAX_TAG_LENGTH = 50
Tag = Annotated[str, Field(max_length=MAX_TAG_LENGTH)]
# A cursor is a LastEvaluatedKey: a few hundred characters at most.
MAX_CURSOR_LENGTH = 4096

# `version` of a PUT/PATCH body (API.md, Settings): optional. Given and stale, a 409 `conflict`;
# absent, the write applies (the services check it with domain.errors.check_version).
VersionIn = Annotated[
    int | None,
    Field(ge=1, description="The version you read; a stale one is a 409 conflict. Absent: the write applies"),
]


class PageQuery(Input):
    """The query parameters every list accepts."""

    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT)
    cursor: str | None = Field(None, max_length=MAX_CURSOR_LENGTH)


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
