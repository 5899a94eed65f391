"""Access rights (SPEC ST-7): the 13 permission flags, group types and the standard groups.

The flags and group types are the PBX vendor's own (its CRM API's `users/groups`), so a
migration keeps every group's meaning. Admin groups hold every right, whatever is stored.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import field
from enum import StrEnum

from chalicelib.domain.errors import ForbiddenError
from chalicelib.domain.records import record


class Permission(StrEnum):
    CUSTOMERS_CREATE = "customers_create"
    CUSTOMERS_EDIT = "customers_edit"
    CUSTOMERS_DELETE = "customers_delete"
    CUSTOMERS_IMPORT_EXPORT = "customers_import_export"
    CUSTOMERS_VIEW_ALL = "customers_view_all"
    CALENDAR_OTHER_USERS_ACCESS = "calendar_other_users_access"
    CALLS_OTHER_USERS_ACCESS = "calls_other_users_access"
    LEADS_VIEW = "leads_view"
    LEADS_EDIT = "leads_edit"
    LEADS_DELETE = "leads_delete"
    LEADS_IMPORT_EXPORT = "leads_import_export"
    TEAM_ADD = "team_add"
    TEAM_EDIT = "team_edit"


class Access(StrEnum):
    """Who may call a route when no single permission flag governs it."""

    PUBLIC = "public"  # no token at all
    ANY_USER = "any_user"  # any active user of the CRM
    ADMIN = "admin"  # members of an admin group only (rights, company settings)


# What a route declares: one of the 13 flags, or one of the Access levels above.
Right = Permission | Access


class GroupType(StrEnum):
    ADMIN = "admin"
    MANAGER = "manager"
    CHAT_OPERATOR = "chat_operator"
    TRAINEE = "trainee"
    CUSTOM = "custom"


ALL_PERMISSIONS: frozenset[Permission] = frozenset(Permission)

# Default rights of the standard groups; docs/rights.md explains the choices.
STANDARD_GROUPS: Mapping[GroupType, tuple[str, frozenset[Permission]]] = {
    GroupType.ADMIN: ("Administrators", ALL_PERMISSIONS),
    # The vendor's own example manager group: customers on, everything else off.
    GroupType.MANAGER: (
        "Managers",
        frozenset(
            {
                Permission.CUSTOMERS_CREATE,
                Permission.CUSTOMERS_EDIT,
                Permission.CUSTOMERS_DELETE,
                Permission.CUSTOMERS_IMPORT_EXPORT,
            }
        ),
    ),
    GroupType.CHAT_OPERATOR: (
        "Chat operators",
        frozenset({Permission.CUSTOMERS_CREATE, Permission.CUSTOMERS_EDIT}),
    ),
    GroupType.TRAINEE: ("Trainees", frozenset({Permission.CUSTOMERS_CREATE})),
}


@record(frozen=True, slots=True)
class Group:
    """A set of rights shared by users; admin groups always hold every right."""

    id: str
    type: GroupType
    title: str
    permissions: frozenset[Permission] = field(default_factory=frozenset)
    version: int = 1

    @property
    def effective_permissions(self) -> frozenset[Permission]:
        return ALL_PERMISSIONS if self.type is GroupType.ADMIN else self.permissions

    def flags(self) -> dict[str, bool]:
        """Every flag with its value, in the API's shape."""
        held = self.effective_permissions
        return {p.value: p in held for p in Permission}


def standard_groups(new_id: Callable[[], str]) -> list[Group]:
    """The four standard groups of a new CRM, their ids in this order: the groups list is in id
    order (ids made in the same millisecond would otherwise fall in any order)."""
    ids = sorted(new_id() for _ in STANDARD_GROUPS)
    return [
        Group(id=group_id, type=group_type, title=title, permissions=perms)
        for group_id, (group_type, (title, perms)) in zip(ids, STANDARD_GROUPS.items(), strict=True)
    ]


def require(group: Group, needed: Right) -> None:
    """The one rights check: routes and service methods all go through it."""
    if needed is Access.PUBLIC or needed is Access.ANY_USER:
        return
    if needed is Access.ADMIN:
        if group.type is not GroupType.ADMIN:
            raise ForbiddenError("only administrators can do this")
        return
    if needed not in group.effective_permissions:
        raise ForbiddenError(f"this action needs the '{needed.value}' right")
