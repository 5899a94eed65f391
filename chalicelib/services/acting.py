"""Background work acts for the user who asked for it, with that user's rights at the time it runs."""

from __future__ import annotations

from chalicelib.db.repositories.groups import GroupRepository
from chalicelib.db.repositories.users import UserRepository
from chalicelib.domain.actor import Actor
from chalicelib.domain.errors import ValidationError
from chalicelib.domain.users import UserStatus


def acting_user(tenant_id: str, user_id: str, work: str) -> Actor:
    """The user behind `work` ("import", "export"); deactivated since, the work stops (400)."""
    user = UserRepository(tenant_id).get(user_id)
    if user is None or user.status is not UserStatus.ACTIVE:
        raise ValidationError(f"the user who started this {work} is no longer active", field="created_by")
    group = GroupRepository(tenant_id).get(user.group_id)
    if group is None:
        raise ValidationError(f"the user who started this {work} has no group any more", field="created_by")
    return Actor(tenant_id=tenant_id, user=user, group=group)
