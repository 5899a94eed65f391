"""The caller's own profile."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from chalicelib.api.routing import Router
from chalicelib.api.schemas import GroupOut, Input, Output, UserOut, VersionIn
from chalicelib.bootstrap import services
from chalicelib.domain.actor import Actor
from chalicelib.domain.rights import Access
from chalicelib.domain.users import EXTENSION_PATTERN, TelephonyMode, WeekStart
from chalicelib.services.profile import Profile

router = Router(__name__, tag="Me")


class MeOut(UserOut):
    crm_id: str
    group: GroupOut

    @classmethod
    def of_profile(cls, profile: Profile) -> MeOut:
        return cls(
            **UserOut.of(profile.user).model_dump(),
            crm_id=profile.tenant_id,
            group=GroupOut.of(profile.group),
        )


class MePatch(Input):
    version: VersionIn = None
    name: str | None = Field(None, min_length=1, max_length=100)
    language: str | None = Field(None, min_length=2, max_length=5, examples=["fr"])
    timezone: str | None = Field(None, description="IANA time zone", examples=["Europe/Paris"])
    week_start: WeekStart | None = None
    telephony_mode: TelephonyMode | None = None
    extension: str | None = Field(None, pattern=EXTENSION_PATTERN.pattern, description="null removes it")
    phones: list[str] | None = Field(
        None,
        max_length=5,
        description="Contact numbers seen by colleagues; stored in E.164",
        examples=[["+33612345678"]],
    )


class AvatarIn(Input):
    content_type: Literal["image/png", "image/jpeg", "image/webp"]


class AvatarUploadOut(Output):
    upload_url: str = Field(description="POST the file here as multipart/form-data, with `fields` first")
    fields: dict[str, str]
    expires_in: int
    max_bytes: int
    user: UserOut


@router.route("/me", "GET", right=Access.ANY_USER, response=MeOut)
def get_me(actor: Actor) -> MeOut:
    """The authenticated user's profile, group and rights."""
    return MeOut.of_profile(services().profile.me(actor))


@router.route("/me", "PATCH", right=Access.ANY_USER, body=MePatch, response=MeOut)
def patch_me(actor: Actor, body: MePatch) -> MeOut:
    """Change one's own name, language, time zone, week start, telephony mode, extension or phones."""
    changes = {"extension": body.extension} if "extension" in body.model_fields_set else {}
    profile = services().profile.update(
        actor,
        body.version,
        name=body.name,
        language=body.language,
        timezone=body.timezone,
        week_start=body.week_start,
        telephony_mode=body.telephony_mode,
        phones=body.phones,
        **changes,
    )
    return MeOut.of_profile(profile)


@router.route("/me/avatar", "POST", right=Access.ANY_USER, body=AvatarIn, response=AvatarUploadOut, status=201)
def start_avatar_upload(actor: Actor, body: AvatarIn) -> AvatarUploadOut:
    """Get a presigned upload for a new avatar (PNG, JPEG or WebP, at most 2 MB)."""
    upload = services().profile.start_avatar_upload(actor, body.content_type)
    return AvatarUploadOut(
        upload_url=upload.url,
        fields=upload.fields,
        expires_in=upload.expires_in,
        max_bytes=upload.max_bytes,
        user=UserOut.of(upload.user),
    )
