"""The caller's own profile."""

from __future__ import annotations

from pydantic import Field

from chalicelib.api.routing import Router
from chalicelib.api.schemas import GroupOut, Input, UserOut
from chalicelib.bootstrap import services
from chalicelib.domain.actor import Actor
from chalicelib.domain.rights import Access
from chalicelib.domain.users import TelephonyMode, WeekStart
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
    version: int = Field(ge=1, description="The version you read; a stale one is a 409 conflict")
    name: str | None = Field(None, min_length=1, max_length=100)
    language: str | None = Field(None, min_length=2, max_length=5, examples=["fr"])
    timezone: str | None = Field(None, description="IANA time zone", examples=["Europe/Paris"])
    week_start: WeekStart | None = None
    telephony_mode: TelephonyMode | None = None


@router.route("/me", "GET", right=Access.ANY_USER, response=MeOut)
def get_me(actor: Actor) -> MeOut:
    """The authenticated user's profile, group and rights."""
    return MeOut.of_profile(services().profile.me(actor))


@router.route("/me", "PATCH", right=Access.ANY_USER, body=MePatch, response=MeOut)
def patch_me(actor: Actor, body: MePatch) -> MeOut:
    """Change one's own name, language, time zone, week start or telephony mode."""
    profile = services().profile.update(
        actor,
        body.version,
        name=body.name,
        language=body.language,
        timezone=body.timezone,
        week_start=body.week_start,
        telephony_mode=body.telephony_mode,
    )
    return MeOut.of_profile(profile)
