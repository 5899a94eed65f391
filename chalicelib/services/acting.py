"""Background work acts for the user who asked for it, with that user's rights at the time it runs."""

from __future__ import annotations

from typing import TYPE_CHECKING

from chalicelib.domain.actor import Actor
from chalicelib.domain.errors import ValidationError
from chalicelib.domain.users import UserStatus

if TYPE_CHECKING:
    from chalicelib.ports.storage import Storage


def acting_user(storage: Storage, tenant_id: str, user_id: str, work: str) -> Actor:
    """The user behind `work` ("import", "export"); deactivated since, the work stops (400)."""
    user = storage.users(tenant_id).get(user_id)
    if user is None or user.status is not UserStatus.ACTIVE:
        raise ValidationError(f"the user who started this {work} is no longer active", field="created_by")
    group = storage.groups(tenant_id).get(user.group_id)
    if group is None:
        raise ValidationError(f"the user who started this {work} has no group any more", field="created_by")
    return Actor(tenant_id=tenant_id, user=user, group=group)
