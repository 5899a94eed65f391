"""Groups and their rights (SPEC ST-7): standard groups are adjustable, custom ones free."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from chalicelib.domain.errors import ConflictError, NotFoundError, ValidationError, check_version
from chalicelib.domain.ids import new_id
from chalicelib.domain.rights import Access, Group, GroupType, Permission

if TYPE_CHECKING:
    from chalicelib.domain.actor import Actor
    from chalicelib.domain.paging import Page
    from chalicelib.ports.storage import Storage

MAX_GROUPS = 50


class GroupService:
    def __init__(self, storage: Storage) -> None:
        self._storage = storage

    def page(self, actor: Actor, *, limit: int, cursor: str | None) -> Page[Group]:
        """A page of the CRM's groups in creation order (the standard ones came with the CRM)."""
        actor.require(Access.ANY_USER)
        return self._storage.groups(actor.tenant_id).page(limit=limit, cursor=cursor)

    def get(self, actor: Actor, group_id: str) -> Group:
        actor.require(Access.ANY_USER)
        return self._require(actor, group_id)

    def create(self, actor: Actor, title: str, permissions: frozenset[Permission]) -> Group:
        """A custom group: administrators only, since rights are what it grants."""
        actor.require(Access.ADMIN)
        groups = self._storage.groups(actor.tenant_id)
        if len(groups.list_all()) >= MAX_GROUPS:
            raise ConflictError(f"a CRM has at most {MAX_GROUPS} groups")
        group = Group(id=new_id(), type=GroupType.CUSTOM, title=_title(title), permissions=permissions)
        self._storage.transact(groups.creation_writes(group))
        return group

    def update(
        self,
        actor: Actor,
        group_id: str,
        version: int | None,
        *,
        title: str | None = None,
        permissions: dict[Permission, bool] | None = None,
    ) -> Group:
        """Rename a custom group or change a non-admin group's rights; applies on members' next request."""
        actor.require(Access.ADMIN)
        group = self._require(actor, group_id)
        check_version(version, group.version, "group")
        if title is not None and group.type is not GroupType.CUSTOM:
            raise ValidationError("only custom groups can be renamed", field="title")
        if permissions and group.type is GroupType.ADMIN:
            raise ValidationError("administrators always hold every right", field="permissions")
        held = set(group.permissions)
        for permission, on in (permissions or {}).items():
            (held.add if on else held.discard)(permission)
        changed = replace(group, title=_title(title) if title is not None else group.title, permissions=frozenset(held))
        return self._storage.groups(actor.tenant_id).save_changes(group, changed)

    def delete(self, actor: Actor, group_id: str) -> None:
        """Delete an empty custom group."""
        actor.require(Access.ADMIN)
        group = self._require(actor, group_id)
        if group.type is not GroupType.CUSTOM:
            raise ConflictError("the standard groups cannot be deleted")
        if self._storage.users(actor.tenant_id).list_by_group(group.id, limit=1).items:
            raise ConflictError("move the group's users to another group first")
        self._storage.groups(actor.tenant_id).delete(group)

    def _require(self, actor: Actor, group_id: str) -> Group:
        group = self._storage.groups(actor.tenant_id).get(group_id)
        if group is None:
            raise NotFoundError("no such group in this CRM")
        return group


def _title(title: str) -> str:
    title = " ".join(title.split())
    if not 1 <= len(title) <= 60:
        raise ValidationError("a group title has 1 to 60 characters", field="title")
    return title
