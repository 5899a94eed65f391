"""A CRM in memory for service tests: its groups, users and actors over the fake storage."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from decimal import Decimal

from chalicelib.domain.actor import Actor
from chalicelib.domain.contacts import Contact, ContactKind, Phone
from chalicelib.domain.crm import Crm, CrmStatus
from chalicelib.domain.ids import new_id
from chalicelib.domain.money import ExchangeRates
from chalicelib.domain.rights import Group, GroupType, Permission, standard_groups
from chalicelib.domain.users import User, UserStatus
from tests.fakes.clock import ManualClock
from tests.fakes.storage import FakeStorage

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a Monday


@dataclass
class World:
    """One CRM (EUR base, USD at 0.9) with an admin; `user()` adds people with any rights."""

    storage: FakeStorage = field(default_factory=FakeStorage)
    clock: ManualClock = field(default_factory=lambda: ManualClock(START))
    tenant_id: str = field(default_factory=new_id)

    def __post_init__(self) -> None:
        rates = ExchangeRates("EUR", {"USD": Decimal("0.9")})
        crm = Crm(self.tenant_id, "acme", "Acme", "FR", "Europe/Paris", CrmStatus.ACTIVE, START, rates=rates)
        self.storage.crms.create(crm, [])
        self.groups = {g.type: g for g in standard_groups(new_id)}
        for group in self.groups.values():
            self.storage.transact(self.storage.groups(self.tenant_id).creation_writes(group))
        self.admin = self.user("Ada Admin", GroupType.ADMIN)

    def user(self, name: str, group: GroupType | frozenset[Permission] = GroupType.MANAGER) -> Actor:
        """An active user; `group` is a standard group or a custom group with these rights."""
        if isinstance(group, frozenset):
            chosen = Group(new_id(), GroupType.CUSTOM, f"Custom {name}", group)
            self.storage.transact(self.storage.groups(self.tenant_id).creation_writes(chosen))
        else:
            chosen = self.groups[group]
        email = f"{name.split()[0].lower()}@acme.test"
        user = User(new_id(), name, email, None, chosen.id, UserStatus.ACTIVE, self.clock(), self.clock())
        self.storage.transact(self.storage.users(self.tenant_id).creation_writes(user))
        return Actor(self.tenant_id, user, chosen)

    def deactivate(self, actor: Actor) -> None:
        users = self.storage.users(self.tenant_id)
        users.records[actor.user_id] = replace(users.records[actor.user_id], status=UserStatus.DEACTIVATED)

    def client(self, name: str, owner: Actor, *, phone: str | None = None) -> Contact:
        """A client stored directly (services under test create their own through the service)."""
        now = self.clock()
        contact = Contact(
            new_id(), ContactKind.CLIENT, name, now, owner.user_id, now,
            phones=(Phone(phone),) if phone else (), responsible_user_id=owner.user_id,
        )  # fmt: skip
        self.storage.contacts(self.tenant_id).create(contact, [])
        return contact
