"""Groups of one CRM (access rights)."""

from __future__ import annotations

from dataclasses import replace

from chalicelib.db import keys
from chalicelib.db.models.users import GroupItem
from chalicelib.db.pagination import Page, prefix_page
from chalicelib.db.writes import Delete, Put, Update, must_exist, must_not_exist, transact
from chalicelib.domain.errors import StaleVersionError
from chalicelib.domain.rights import ALL_PERMISSIONS, Group, GroupType, Permission


class GroupRepository:
    def __init__(self, tenant_id: str) -> None:
        self._tenant_id = tenant_id
        self._pk = keys.tenant_pk(tenant_id)

    def get(self, group_id: str) -> Group | None:
        """AP7."""
        try:
            item = GroupItem.get(self._pk, keys.group_sk(group_id), consistent_read=True)
        except GroupItem.DoesNotExist:
            return None
        return _to_group(item)

    def list_all(self) -> list[Group]:
        """AP8: every group of the CRM (a CRM has a handful)."""
        items = GroupItem.query(self._pk, GroupItem.sk.startswith(keys.GROUP))
        return [_to_group(item) for item in items]

    def page(self, *, limit: int, cursor: str | None = None) -> Page[Group]:
        """AP8, one page in creation order (ids are time-ordered)."""
        return prefix_page(
            GroupItem, self._pk, keys.GROUP, self._tenant_id, limit=limit, cursor=cursor, convert=_to_group
        )

    def save_changes(self, before: Group, after: Group) -> Group:
        """Store `after` if the group is still at `before.version` (else a conflict on `version`)."""
        item = GroupItem(self._pk, keys.group_sk(before.id), version=before.version)
        actions = [GroupItem.title.set(after.title), GroupItem.permissions.set(_stored(after.permissions))]
        stale = StaleVersionError("group")
        transact([Update(item, actions, condition=must_exist(), on_conflict=stale)])
        return replace(after, version=before.version + 1)

    def delete(self, group: Group) -> None:
        item = GroupItem(self._pk, keys.group_sk(group.id), version=group.version)
        stale = StaleVersionError("group")
        transact([Delete(item, condition=must_exist(), on_conflict=stale)])

    def creation_writes(self, group: Group) -> list[Put]:
        item = GroupItem(
            self._pk,
            keys.group_sk(group.id),
            type=group.type.value,
            title=group.title,
            permissions=_stored(group.permissions),
        )
        return [Put(item, condition=must_not_exist())]


def _stored(permissions: frozenset[Permission]) -> list[str]:
    return sorted(p.value for p in permissions)


def _to_group(item: GroupItem) -> Group:
    return Group(
        id=item.sk.removeprefix(keys.GROUP),
        type=GroupType(item.type),
        title=item.title,
        # A flag dropped from the code is ignored rather than failing every request of the group.
        permissions=frozenset(Permission(p) for p in item.permissions if p in ALL_PERMISSIONS),
        version=item.version or 1,
    )
