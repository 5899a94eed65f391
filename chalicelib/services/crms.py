"""Creating a CRM (SPEC ON-1..3) and rolling back one whose creation failed half-way.

DynamoDB, Cognito and SSM cannot share a transaction, so creation is a small saga:
1. one TransactWrite claims the slug and writes the CRM (status `provisioning`), its standard
   groups and its users with their unique-value guards — a taken slug fails it whole;
2. the admin's login (Cognito) and the PBX credentials (SSM SecureString) are created;
3. the CRM is marked active.
If step 2 fails, everything is undone before answering. If the Lambda dies between 1 and 3,
`functions/provisioning.py` finds the CRM in the provisioning index and undoes it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import TYPE_CHECKING

from chalicelib.domain import crm as crm_rules
from chalicelib.domain.actor import Actor
from chalicelib.domain.crm import Crm, CrmStatus
from chalicelib.domain.errors import DomainError, ValidationError
from chalicelib.domain.ids import new_id
from chalicelib.domain.rights import GroupType, standard_groups
from chalicelib.domain.users import User, UserStatus, check_extension, check_password, normalize_email, principal_name
from chalicelib.observability import logger
from chalicelib.ports.pbx import PBX_SECRET
from chalicelib.services.provisioning import Provisioning

if TYPE_CHECKING:
    from chalicelib.ports.outside import Clock, IdentityProvider, SecretStore
    from chalicelib.ports.storage import Storage
    from chalicelib.services.invitations import InvitationService

# More users are invited afterwards; the wizard's list stays short.
MAX_EXTRA_USERS = 25


@dataclass(frozen=True, slots=True)
class NewUser:
    name: str
    email: str
    extension: str | None = None


@dataclass(frozen=True, slots=True)
class PbxCredentials:
    api_key: str
    api_secret: str = field(repr=False)


@dataclass(frozen=True, slots=True)
class NewCrm:
    name: str
    admin: NewUser
    admin_password: str = field(repr=False)
    users: tuple[NewUser, ...] = ()
    country: str = "FR"
    timezone: str = "Europe/Paris"
    pbx: PbxCredentials | None = None


@dataclass(frozen=True, slots=True)
class CreatedCrm:
    crm: Crm
    admin: User
    users: tuple[User, ...]


class CrmService:
    def __init__(
        self,
        storage: Storage,
        clock: Clock,
        identity: IdentityProvider,
        secrets: SecretStore,
        invitations: Callable[[], InvitationService] | None = None,
    ) -> None:
        # A provider: the invitation service is built only when a creation invites someone
        # (the provisioning sweep never does).
        self._invitations = invitations
        self._storage = storage
        self._identity = identity
        self._secrets = secrets
        self._clock = clock

    def create(self, new: NewCrm) -> CreatedCrm:
        """Create a CRM with its admin, extra users and PBX credentials, or nothing at all."""
        slug = crm_rules.slugify(new.name)
        name = crm_rules.check_name(new.name)
        country = crm_rules.check_country(new.country)
        timezone = crm_rules.check_timezone(new.timezone)
        check_password(new.admin_password, field_name="admin.password")
        if new.admin.extension is None:
            raise ValidationError("the administrator needs a PBX extension", field="admin.extension")
        _check_people(new)

        now = self._clock()
        tenant_id = new_id()
        groups = standard_groups(new_id)
        group_of = {group.type: group.id for group in groups}
        crm = Crm(
            id=tenant_id,
            slug=slug,
            name=name,
            country=country,
            timezone=timezone,
            status=CrmStatus.PROVISIONING,
            created_at=now,
            has_pbx_credentials=new.pbx is not None,
        )
        admin = _user(new.admin, group_of[GroupType.ADMIN], UserStatus.ACTIVE, timezone, now)
        # Extra users get no password here: they set one by accepting an invitation.
        others = tuple(_user(u, group_of[GroupType.MANAGER], UserStatus.INVITED, timezone, now) for u in new.users)

        users, group_repo = self._storage.users(tenant_id), self._storage.groups(tenant_id)
        # The slug, the CRM, its groups and its admin in one transaction: a taken slug cancels it
        # whole. The other users follow before the CRM is activated, undone with it on failure.
        members = [w for g in groups for w in group_repo.creation_writes(g)] + users.creation_writes(admin)
        self._storage.crms.create(crm, members)

        try:
            self._storage.transact_groups(users.creation_writes(u) for u in others)
            self._identity.create_login(principal_name(tenant_id, admin.id), admin.email, new.admin_password)
            if new.pbx is not None:
                self._secrets.put(tenant_id, PBX_SECRET, {"api_key": new.pbx.api_key, "api_secret": new.pbx.api_secret})
            self._storage.crms.mark_active(tenant_id)
        except Exception:
            logger.exception("crm creation failed, rolling back", extra={"tenant_id": tenant_id})
            self.roll_back(tenant_id, slug)
            raise
        logger.info("crm created", extra={"tenant_id": tenant_id, "slug": slug, "users": 1 + len(others)})
        if others and self._invitations is not None:
            admin_group = next(g for g in groups if g.type is GroupType.ADMIN)
            self._invite(Actor(tenant_id=tenant_id, user=admin, group=admin_group), others)
        return CreatedCrm(crm=replace(crm, status=CrmStatus.ACTIVE), admin=admin, users=others)

    def _invite(self, admin: Actor, users: tuple[User, ...]) -> None:
        """Email the wizard's users their invitations; the CRM exists either way (admins can re-invite)."""
        if self._invitations is None:
            raise RuntimeError("CrmService was built without an invitation service")
        try:
            self._invitations().invite_created(admin, users)
        except DomainError:
            logger.exception("could not invite the new CRM's users", extra={"tenant_id": admin.tenant_id})

    def roll_back(self, tenant_id: str, slug: str) -> None:
        """Undo a creation: logins, secrets, then the items (the slug last, freeing the name)."""
        Provisioning(self._storage, self._clock, self._identity, self._secrets).roll_back(tenant_id, slug)


def _check_people(new: NewCrm) -> None:
    """Emails and extensions must be unique within the request (the table guards the rest)."""
    if len(new.users) > MAX_EXTRA_USERS:
        raise ValidationError(f"at most {MAX_EXTRA_USERS} users can be added with the CRM", field="users")
    seen_emails = {normalize_email(new.admin.email): "admin.email"}
    seen_extensions = {check_extension(new.admin.extension or "", field_name="admin.extension"): "admin.extension"}
    for i, user in enumerate(new.users):
        email = normalize_email(user.email)
        if email in seen_emails:
            raise ValidationError(f"{email} is listed twice (also {seen_emails[email]})", field=f"users[{i}].email")
        seen_emails[email] = f"users[{i}].email"
        if user.extension is not None:
            ext = check_extension(user.extension, field_name=f"users[{i}].extension")
            if ext in seen_extensions:
                raise ValidationError(
                    f"extension {ext} is listed twice (also {seen_extensions[ext]})", field=f"users[{i}].extension"
                )
            seen_extensions[ext] = f"users[{i}].extension"


def _user(new: NewUser, group_id: str, status: UserStatus, timezone: str, now: datetime) -> User:
    return User(
        id=new_id(),
        name=" ".join(new.name.split()),
        email=normalize_email(new.email),
        extension=new.extension,
        group_id=group_id,
        status=status,
        created_at=now,
        updated_at=now,
        timezone=timezone,
    )
