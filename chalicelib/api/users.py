"""The team: users of the CRM (SPEC TM-1, TM-2)."""

from __future__ import annotations

from pydantic import EmailStr, Field

from chalicelib.api.routing import Router
from chalicelib.api.schemas import Id, Input, PageOut, PageQuery, UserOut, VersionIn
from chalicelib.bootstrap import services
from chalicelib.domain.actor import Actor
from chalicelib.domain.rights import Access, Permission
from chalicelib.domain.users import EXTENSION_PATTERN

router = Router(__name__, tag="Team")


class UserQuery(PageQuery):
    group_id: Id | None = Field(None, description="Only the members of this group")


class UserList(PageOut):
    items: list[UserOut]


class UserIn(Input):
    name: str = Field(min_length=1, max_length=100)
    email: EmailStr
    extension: str | None = Field(None, pattern=EXTENSION_PATTERN.pattern)
    group_id: Id | None = Field(None, description="Default: the Managers group")


class UserPatch(Input):
    version: VersionIn = None
    name: str | None = Field(None, min_length=1, max_length=100)
    email: EmailStr | None = None
    extension: str | None = Field(None, pattern=EXTENSION_PATTERN.pattern, description="null removes it")
    group_id: Id | None = None


@router.route("/users", "GET", right=Access.ANY_USER, query=UserQuery, response=UserList)
def list_users(actor: Actor, query: UserQuery) -> UserList:
    """The team sorted by name, with extensions, groups, working hours and who is online."""
    team = services().team
    page = team.page(actor, group_id=query.group_id, limit=query.limit, cursor=query.cursor)
    now = team.now()
    return UserList(items=[UserOut.of(u, now) for u in page.items], next_cursor=page.next_cursor)


@router.route("/users", "POST", right=Permission.TEAM_ADD, body=UserIn, response=UserOut, status=201)
def add_user(actor: Actor, body: UserIn) -> UserOut:
    """Add a user: created as invited and emailed a link to choose a password."""
    user = services().invitations.invite_user(actor, body.name, body.email, body.extension, body.group_id)
    return UserOut.of(user)


@router.route("/users/{user_id}", "GET", right=Access.ANY_USER, response=UserOut)
def get_user(actor: Actor, user_id: str) -> UserOut:
    """One colleague."""
    return UserOut.of(services().team.get(actor, user_id))


@router.route("/users/{user_id}", "PATCH", right=Permission.TEAM_EDIT, body=UserPatch, response=UserOut)
def update_user(actor: Actor, user_id: str, body: UserPatch) -> UserOut:
    """Edit a colleague's name, email, extension or group."""
    changes = {"extension": body.extension} if "extension" in body.model_fields_set else {}
    user = services().team.update(
        actor, user_id, body.version, name=body.name, email=body.email, group_id=body.group_id, **changes
    )
    return UserOut.of(user)


@router.route("/users/{user_id}/deactivate", "POST", right=Permission.TEAM_EDIT, response=UserOut)
def deactivate_user(actor: Actor, user_id: str) -> UserOut:
    """Deactivate: the user is refused from their next request, tokens included."""
    return UserOut.of(services().team.deactivate(actor, user_id))


@router.route("/users/{user_id}/activate", "POST", right=Permission.TEAM_EDIT, response=UserOut)
def activate_user(actor: Actor, user_id: str) -> UserOut:
    """Let a deactivated user back in."""
    return UserOut.of(services().team.activate(actor, user_id))
