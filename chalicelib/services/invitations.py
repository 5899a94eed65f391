"""Inviting people into a CRM (SPEC TM-3) and accepting an invitation.

Accepting creates the login first, then, in one transaction, consumes the invitation and
activates (or creates) the user record; if that transaction fails — the token was used in the
meantime, the email is taken — the login is deleted again, so nothing is left half-done.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING

from chalicelib.domain.errors import ConflictError, DomainError, ForbiddenError, NotFoundError, ValidationError
from chalicelib.domain.ids import new_id
from chalicelib.domain.invitations import INVITATION_LIFETIME, MAX_EMAILS_PER_REQUEST, Invitation, new_token, token_hash
from chalicelib.domain.rights import Group, GroupType, Permission
from chalicelib.domain.users import (
    User,
    UserStatus,
    check_extension,
    check_password,
    check_user_name,
    normalize_email,
    principal_name,
)
from chalicelib.observability import logger

if TYPE_CHECKING:
    from chalicelib.domain.actor import Actor
    from chalicelib.ports.outside import Clock, IdentityProvider, Mailer
    from chalicelib.ports.storage import Storage
    from chalicelib.ports.writes import Write


@dataclass(frozen=True, slots=True)
class InvitationResult:
    email: str
    status: str  # "sent" | "already_member" | "failed"
    user_id: str | None = None
    expires_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class InvitationLink:
    url: str
    token: str
    expires_at: datetime


class InvitationService:
    def __init__(
        self,
        storage: Storage,
        clock: Clock,
        identity: IdentityProvider,
        mailer: Mailer,
        app_url: str,
    ) -> None:
        self._storage = storage
        self._clock = clock
        self._identity = identity
        self._mailer = mailer
        self._app_url = app_url

    def invite(self, actor: Actor, emails: list[str], group_id: str | None) -> list[InvitationResult]:
        """Invite several people by email; each gets a user record (invited) and a link."""
        actor.require(Permission.TEAM_ADD)
        if not 1 <= len(emails) <= MAX_EMAILS_PER_REQUEST:
            raise ValidationError(f"invite 1 to {MAX_EMAILS_PER_REQUEST} emails at a time", field="emails")
        group = self._group_for(actor, group_id)
        results = []
        for email in dict.fromkeys(normalize_email(e) for e in emails):
            results.append(self._invite_one(actor, group, email, name=email.split("@")[0], extension=None))
        return results

    def invite_user(self, actor: Actor, name: str, email: str, extension: str | None, group_id: str | None) -> User:
        """Add a user (TM-2): created invited, with an emailed invitation to set a password."""
        actor.require(Permission.TEAM_ADD)
        group = self._group_for(actor, group_id)
        email = normalize_email(email)
        if extension is not None:
            check_extension(extension)
        users = self._storage.users(actor.tenant_id)
        if users.find_id_by_email(email) is not None:
            raise ConflictError(f"{email} is already a user of this CRM", field="email")
        result = self._invite_one(actor, group, email, name=check_user_name(name), extension=extension)
        return users.require(result.user_id or "")

    def invite_created(self, actor: Actor, users: Sequence[User]) -> list[InvitationResult]:
        """Email invitations to users just created `invited` (the CRM wizard): one write for all."""
        actor.require(Permission.TEAM_ADD)
        tokens = {user.id: new_token() for user in users}
        invitations = {
            user.id: self._new_invitation(actor, user.group_id, email=user.email, user_id=user.id) for user in users
        }
        repo = self._storage.invitations
        self._storage.transact_groups(repo.creation_writes(invitations[u.id], token_hash(tokens[u.id])) for u in users)
        return [self._send(actor, u.email, u.id, tokens[u.id], invitations[u.id]) for u in users]

    def create_link(self, actor: Actor, group_id: str | None) -> InvitationLink:
        """A shareable, single-use link: whoever opens it first joins with their own email."""
        actor.require(Permission.TEAM_ADD)
        group = self._group_for(actor, group_id)
        token = new_token()
        invitation = self._new_invitation(actor, group.id, email=None, user_id=None)
        self._storage.transact(self._storage.invitations.creation_writes(invitation, token_hash(token)))
        return InvitationLink(url=self._url(token), token=token, expires_at=invitation.expires_at)

    def list_pending(self, actor: Actor) -> list[Invitation]:
        actor.require(Permission.TEAM_ADD)
        now = self._clock()
        return [i for i in self._storage.invitations.list_pending(actor.tenant_id) if not i.expired(now)]

    def accept(self, token: str, name: str, password: str, email: str | None) -> User:
        """Join the CRM of the invitation: a login, and an active user record."""
        digest = token_hash(token)
        invitation = self._storage.invitations.get_by_token_hash(digest)
        if invitation is None or invitation.expired(self._clock()):
            raise NotFoundError("this invitation does not exist or has expired", field="token")
        check_password(password)
        name = check_user_name(name)
        users = self._storage.users(invitation.tenant_id)
        now = self._clock()
        if invitation.user_id is not None:
            before = users.require(invitation.user_id)
            if before.status is not UserStatus.INVITED:
                raise ConflictError("this invitation has already been used", field="token")
            user = replace(before, name=name, status=UserStatus.ACTIVE, updated_at=now)
            writes: list[Write] = users.change_writes(before, user)
            user = replace(user, version=before.version + 1)
        else:
            if not email:
                raise ValidationError("give the email you will log in with", field="email")
            user = _new_user(name, normalize_email(email), None, invitation.group_id, UserStatus.ACTIVE, now)
            writes = users.creation_writes(user)
        principal = principal_name(invitation.tenant_id, user.id)
        self._identity.create_login(principal, user.email, password)
        try:
            self._storage.transact([self._storage.invitations.use_write(digest), *writes])
        except DomainError:
            self._identity.delete_login(principal)
            raise
        logger.info("invitation accepted", extra={"tenant_id": invitation.tenant_id, "user_id": user.id})
        return user

    def _invite_one(
        self, actor: Actor, group: Group, email: str, *, name: str, extension: str | None
    ) -> InvitationResult:
        users = self._storage.users(actor.tenant_id)
        existing_id = users.find_id_by_email(email)
        existing = users.get(existing_id) if existing_id else None
        if existing is not None and existing.status is not UserStatus.INVITED:
            return InvitationResult(email=email, status="already_member", user_id=existing.id)
        writes: list[Write] = []
        if existing is None:
            existing = _new_user(name, email, extension, group.id, UserStatus.INVITED, self._clock())
            writes += users.creation_writes(existing)
        token = new_token()
        invitation = self._new_invitation(actor, group.id, email=email, user_id=existing.id)
        self._storage.transact([*writes, *self._storage.invitations.creation_writes(invitation, token_hash(token))])
        return self._send(actor, email, existing.id, token, invitation)

    def _send(self, actor: Actor, email: str, user_id: str, token: str, invitation: Invitation) -> InvitationResult:
        """Email the link; a refused email leaves the invitation valid (re-inviting sends a new one)."""
        try:
            self._mailer.send(email, "You are invited to join the team's CRM", self._letter(actor, token))
        except DomainError:
            logger.warning("invitation email failed", extra={"user_id": user_id})
            return InvitationResult(email=email, status="failed", user_id=user_id, expires_at=invitation.expires_at)
        return InvitationResult(email=email, status="sent", user_id=user_id, expires_at=invitation.expires_at)

    def _new_invitation(self, actor: Actor, group_id: str, *, email: str | None, user_id: str | None) -> Invitation:
        now = self._clock()
        return Invitation(
            id=new_id(),
            tenant_id=actor.tenant_id,
            group_id=group_id,
            created_by=actor.user_id,
            created_at=now,
            expires_at=now + INVITATION_LIFETIME,
            email=email,
            user_id=user_id,
        )

    def _group_for(self, actor: Actor, group_id: str | None) -> Group:
        """The invitation's group (default: managers); only admins may invite administrators."""
        groups = self._storage.groups(actor.tenant_id)
        if group_id is None:
            group = next((g for g in groups.list_all() if g.type is GroupType.MANAGER), None)
        else:
            group = groups.get(group_id)
        if group is None:
            raise ValidationError("no such group in this CRM", field="group_id")
        if group.type is GroupType.ADMIN and not actor.is_admin:
            raise ForbiddenError("only administrators can invite administrators", field="group_id")
        return group

    def _url(self, token: str) -> str:
        return f"{self._app_url}/invitations/accept?token={token}"

    def _letter(self, actor: Actor, token: str) -> str:
        days = INVITATION_LIFETIME.days
        return (
            f"Hello,\n\n{actor.user.name} invites you to join the team's CRM.\n\n"
            f"Choose your password here (the link works once, for {days} days):\n{self._url(token)}\n"
        )


def _new_user(name: str, email: str, extension: str | None, group_id: str, status: UserStatus, now: datetime) -> User:
    return User(
        id=new_id(),
        name=name or email,
        email=email,
        extension=extension,
        group_id=group_id,
        status=status,
        created_at=now,
        updated_at=now,
    )
