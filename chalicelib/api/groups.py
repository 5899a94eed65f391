"""Groups and their rights (SPEC ST-7)."""

from __future__ import annotations

from pydantic import Field, create_model

from chalicelib.api.routing import Router
from chalicelib.api.schemas import GroupOut, Input, PageOut, PageQuery, VersionIn
from chalicelib.bootstrap import services
from chalicelib.domain.actor import Actor
from chalicelib.domain.rights import Access, Permission

router = Router(__name__, tag="Groups")

# {"customers_create": true, ...}: every key optional, unknown keys refused by name.
PermissionsIn = create_model(  # type: ignore[call-overload]  # fields built from the enum, as **kwargs
    "PermissionsIn",
    __base__=Input,
    **{p.value: (bool | None, None) for p in Permission},
)


class GroupIn(Input):
    title: str = Field(min_length=1, max_length=60)
    permissions: PermissionsIn = Field(default_factory=PermissionsIn)


class GroupPatch(Input):
    version: VersionIn = None
    title: str | None = Field(None, min_length=1, max_length=60)
    permissions: PermissionsIn | None = None


class GroupList(PageOut):
    items: list[GroupOut]


def _flags(permissions: PermissionsIn | None) -> dict[Permission, bool]:
    if permissions is None:
        return {}
    return {Permission(k): v for k, v in permissions.model_dump().items() if v is not None}


@router.route("/groups", "GET", right=Access.ANY_USER, query=PageQuery, response=GroupList)
def list_groups(actor: Actor, query: PageQuery) -> GroupList:
    """The CRM's groups with their rights, in creation order (the standard ones first)."""
    page = services().groups.page(actor, limit=query.limit, cursor=query.cursor)
    return GroupList(items=[GroupOut.of(g) for g in page.items], next_cursor=page.next_cursor)


@router.route("/groups", "POST", right=Access.ADMIN, body=GroupIn, response=GroupOut, status=201)
def create_group(actor: Actor, body: GroupIn) -> GroupOut:
    """Create a custom group with chosen rights."""
    flags = _flags(body.permissions)
    group = services().groups.create(actor, body.title, frozenset(p for p, on in flags.items() if on))
    return GroupOut.of(group)


@router.route("/groups/{group_id}", "PATCH", right=Access.ADMIN, body=GroupPatch, response=GroupOut)
def update_group(actor: Actor, group_id: str, body: GroupPatch) -> GroupOut:
    """Rename a custom group or switch rights on and off (members get them on their next request)."""
    group = services().groups.update(
        actor, group_id, body.version, title=body.title, permissions=_flags(body.permissions)
    )
    return GroupOut.of(group)


@router.route("/groups/{group_id}", "DELETE", right=Access.ADMIN, status=204)
def delete_group(actor: Actor, group_id: str) -> None:
    """Delete an empty custom group."""
    services().groups.delete(actor, group_id)
