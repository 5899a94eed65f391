"""Who is making a request: the authenticated user of one CRM and their rights."""

from __future__ import annotations

from typing import TYPE_CHECKING

from chalicelib.domain.records import record
from chalicelib.domain.rights import GroupType, require

if TYPE_CHECKING:
    from chalicelib.domain.rights import Group, Permission, Right
    from chalicelib.domain.users import User


@record(frozen=True, slots=True)
class Actor:
    """The caller of a service method; services scope every read and write to `tenant_id`."""

    tenant_id: str
    user: User
    group: Group

    @property
    def user_id(self) -> str:
        return self.user.id

    @property
    def is_admin(self) -> bool:
        return self.group.type is GroupType.ADMIN

    def can(self, permission: Permission) -> bool:
        return permission in self.group.effective_permissions

    def require(self, right: Right) -> None:
        require(self.group, right)
