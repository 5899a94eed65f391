"""The caller's own profile."""

from __future__ import annotations

from chalicelib.api.routing import Router
from chalicelib.api.schemas import GroupOut, UserOut
from chalicelib.bootstrap import services
from chalicelib.domain.actor import Actor

router = Router(__name__, tag="Me")


class MeOut(UserOut):
    crm_id: str
    group: GroupOut


@router.route("/me", "GET", response=MeOut)
def get_me(actor: Actor) -> MeOut:
    """The authenticated user's profile, group and rights."""
    profile = services().profile.me(actor)
    return MeOut(
        **UserOut.of(profile.user).model_dump(),
        crm_id=profile.tenant_id,
        group=GroupOut.of(profile.group),
    )
