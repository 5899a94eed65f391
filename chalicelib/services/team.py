"""The team (SPEC TM-1, TM-2): the users list, editing users, groups moves, deactivation.

Rules beyond the flags: only administrators touch administrators (edit them, move anyone into
or out of the admin group); nobody deactivates themselves; a CRM always keeps one active
administrator. Changes apply on the user's next request (their record is read on each one).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING

from chalicelib.domain.errors import ConflictError, ForbiddenError, NotFoundError, ValidationError, check_version
from chalicelib.domain.rights import Access, GroupType, Permission
from chalicelib.domain.schedule import parse_working_hours
from chalicelib.domain.users import User, UserStatus, check_extension, check_user_name, normalize_email, principal_name

if TYPE_CHECKING:
    from chalicelib.domain.actor import Actor
    from chalicelib.domain.paging import Page
    from chalicelib.ports.outside import Clock, IdentityProvider
    from chalicelib.ports.storage import Storage

_UNCHANGED = object()


@dataclass(frozen=True, slots=True)
class Availability:
    working: bool
    has_schedule: bool


class TeamService:
    def __init__(
        self,
        storage: Storage,
        clock: Clock,
        identity: IdentityProvider,
    ) -> None:
        self._storage = storage
        self._clock = clock
        self._identity = identity

    def now(self) -> datetime:
        return self._clock()

    def page(self, actor: Actor, *, group_id: str | None, limit: int, cursor: str | None) -> Page[User]:
        """Everyone sees the team (to call a colleague): a page sorted by name."""
        actor.require(Access.ANY_USER)
        users = self._storage.users(actor.tenant_id)
        if group_id is not None:
            return users.list_by_group(group_id, limit=limit, cursor=cursor)
        return users.list_by_name(limit=limit, cursor=cursor)

    def get(self, actor: Actor, user_id: str) -> User:
        actor.require(Access.ANY_USER)
        return self._storage.users(actor.tenant_id).require(user_id)

    def availability(self, actor: Actor, user_id: str, at: datetime) -> Availability:
        """Is the user working at `at` (ST-3)? One read of the user, whatever the team's size.

        A user without working hours is always available; a deactivated one never is.
        """
        actor.require(Access.ANY_USER)
        user = self._storage.users(actor.tenant_id).get(user_id)
        if user is None:
            raise NotFoundError("no such user in this CRM")
        if user.status is UserStatus.DEACTIVATED:
            return Availability(working=False, has_schedule=user.working_hours is not None)
        if user.working_hours is None:
            return Availability(working=True, has_schedule=False)
        return Availability(working=parse_working_hours(user.working_hours).is_working(at), has_schedule=True)

    def update(
        self,
        actor: Actor,
        user_id: str,
        version: int | None,
        *,
        name: str | None = None,
        email: str | None = None,
        extension: object = _UNCHANGED,
        group_id: str | None = None,
    ) -> User:
        """Edit a colleague (team_edit); `extension=None` removes their extension."""
        actor.require(Permission.TEAM_EDIT)
        users = self._storage.users(actor.tenant_id)
        before = users.require(user_id)
        self._check_may_manage(actor, before)
        check_version(version, before.version, "user")
        after = replace(before, updated_at=self._clock())
        if name is not None:
            after = replace(after, name=check_user_name(name))
        if email is not None:
            after = replace(after, email=normalize_email(email))
        if extension is not _UNCHANGED:
            after = replace(after, extension=check_extension(str(extension)) if extension is not None else None)
        if group_id is not None and group_id != before.group_id:
            after = replace(after, group_id=self._check_group_move(actor, before, group_id))
        return users.save_changes(before, after)

    def deactivate(self, actor: Actor, user_id: str) -> User:
        """Refuse the user from their next request on: login disabled, sessions revoked."""
        actor.require(Permission.TEAM_EDIT)
        if user_id == actor.user_id:
            raise ConflictError("you cannot deactivate yourself")
        users = self._storage.users(actor.tenant_id)
        before = users.require(user_id)
        self._check_may_manage(actor, before)
        if before.status is UserStatus.DEACTIVATED:
            return before
        if self._is_admin_member(actor, before):
            self._keep_an_admin(actor, leaving=before.id)
        after = users.save_changes(before, replace(before, status=UserStatus.DEACTIVATED, updated_at=self._clock()))
        self._identity.disable_login(principal_name(actor.tenant_id, user_id))
        return after

    def activate(self, actor: Actor, user_id: str) -> User:
        """Let a deactivated user back in. One who never accepted their invitation has no login
        yet: they are invited again (their invitation still works), not active."""
        actor.require(Permission.TEAM_EDIT)
        users = self._storage.users(actor.tenant_id)
        before = users.require(user_id)
        self._check_may_manage(actor, before)
        if before.status is not UserStatus.DEACTIVATED:
            return before
        has_login = self._identity.enable_login(principal_name(actor.tenant_id, user_id))
        status = UserStatus.ACTIVE if has_login else UserStatus.INVITED
        return users.save_changes(before, replace(before, status=status, updated_at=self._clock()))

    def _check_may_manage(self, actor: Actor, target: User) -> None:
        if self._is_admin_member(actor, target) and not actor.is_admin:
            raise ForbiddenError("only administrators can change administrators")

    def _check_group_move(self, actor: Actor, user: User, group_id: str) -> str:
        groups = self._storage.groups(actor.tenant_id)
        target = groups.get(group_id)
        if target is None:
            raise ValidationError("no such group in this CRM", field="group_id")
        if target.type is GroupType.ADMIN and not actor.is_admin:
            raise ForbiddenError("only administrators can make someone an administrator", field="group_id")
        if self._is_admin_member(actor, user):
            self._keep_an_admin(actor, leaving=user.id)
        return target.id

    def _is_admin_member(self, actor: Actor, user: User) -> bool:
        group = self._storage.groups(actor.tenant_id).get(user.group_id)
        return group is not None and group.type is GroupType.ADMIN

    def _keep_an_admin(self, actor: Actor, leaving: str) -> None:
        """A CRM must keep an active administrator (else nobody can manage rights again)."""
        users = self._storage.users(actor.tenant_id)
        admin_group = next(g for g in self._storage.groups(actor.tenant_id).list_all() if g.type is GroupType.ADMIN)
        cursor: str | None = None
        while True:
            page = users.list_by_group(admin_group.id, limit=25, cursor=cursor)
            if any(u.id != leaving and u.status is UserStatus.ACTIVE for u in page.items):
                return
            if not (cursor := page.next_cursor):
                raise ConflictError("the CRM needs at least one active administrator")
