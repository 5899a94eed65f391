"""In-memory storage (`chalicelib.ports.storage.Storage`): repositories kept in dicts.

Writes follow the table's rules where a service relies on them: a stale `version` or a taken
unique value is a conflict and nothing of the transaction is applied; pages come in the index's
order with an opaque cursor. A repository a test does not need raises AttributeError at once
(no silent stub): add it here when a service test needs it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from chalicelib.domain.contacts import FeedEntry
from chalicelib.ports.storage import FeedOwner
from tests.fakes.api_keys import FakeApiKeys
from tests.fakes.base import FakeWrite, commit
from tests.fakes.broadcasts import FakeBroadcasts
from tests.fakes.calendars import FakeCalendars, FakeCalendarSchedule
from tests.fakes.dashboards import FakeDashboardLayouts
from tests.fakes.email_outgoing import FakeEmailBroadcasts, FakeSignatures
from tests.fakes.emails import FakeEmails, FakeMailPolls
from tests.fakes.mailboxes import FakeMailboxes
from tests.fakes.notifications import FakeNotifications
from tests.fakes.records import (
    FakeContacts,
    FakeCrms,
    FakeDeals,
    FakeGroups,
    FakeInvitations,
    FakeProperties,
    FakeSmsTemplates,
    FakeSourceTags,
    FakeUsers,
)
from tests.fakes.rollups import FakeRollups
from tests.fakes.tasks import FakeDueActions, FakeTasks
from tests.fakes.teamsale_ids import FakeTeamsaleIds
from tests.fakes.telephony import FakeCallLists, FakeCalls, FakeWebphoneKeys


@dataclass
class Tenant:
    """One CRM's repositories (each made on first use, kept for the test)."""

    contacts: FakeContacts
    users: FakeUsers
    source_tags: FakeSourceTags
    groups: FakeGroups = field(default_factory=FakeGroups)
    deals: FakeDeals = field(default_factory=FakeDeals)
    properties: FakeProperties = field(default_factory=FakeProperties)
    sms_templates: FakeSmsTemplates = field(default_factory=FakeSmsTemplates)
    mailboxes: FakeMailboxes = field(default_factory=FakeMailboxes)
    signatures: FakeSignatures = field(default_factory=FakeSignatures)
    email_broadcasts: FakeEmailBroadcasts = field(default_factory=FakeEmailBroadcasts)
    calls: FakeCalls | None = None
    tasks: FakeTasks | None = None
    broadcasts: FakeBroadcasts = field(default_factory=FakeBroadcasts)
    call_lists: FakeCallLists = field(default_factory=FakeCallLists)
    teamsale_ids: FakeTeamsaleIds = field(default_factory=FakeTeamsaleIds)
    rollups: FakeRollups = field(default_factory=FakeRollups)
    dashboards: FakeDashboardLayouts = field(default_factory=FakeDashboardLayouts)
    notifications: FakeNotifications = field(default_factory=FakeNotifications)
    emails: FakeEmails | None = None
    calendars: FakeCalendars | None = None
    webphone_keys: FakeWebphoneKeys = field(default_factory=FakeWebphoneKeys)


class FakeStorage:
    """Every CRM's data in memory; the same object for the whole test."""

    def __init__(self) -> None:
        self.crms = FakeCrms()
        self.invitations = FakeInvitations()
        self.api_keys = FakeApiKeys()
        self.due_actions = FakeDueActions()
        self.calendar_schedule = FakeCalendarSchedule()
        self._tenants: dict[str, Tenant] = {}
        self.transactions = 0  # how many all-or-nothing writes ran (services batching them)
        self.mail_polls = FakeMailPolls(self)

    def tenant(self, tenant_id: str) -> Tenant:
        if tenant_id not in self._tenants:
            contacts = FakeContacts(self)
            tenant = self._tenants[tenant_id] = Tenant(contacts, FakeUsers(self), FakeSourceTags(contacts))
            tenant.rollups.zone = lambda: self._zone(tenant_id)
            contacts.rollups = tenant.deals.rollups = tenant.rollups
        return self._tenants[tenant_id]

    def _zone(self, tenant_id: str) -> ZoneInfo:
        crm = self.crms.get(tenant_id)
        return ZoneInfo(crm.timezone if crm is not None else "UTC")

    def contacts(self, tenant_id: str) -> FakeContacts:
        return self.tenant(tenant_id).contacts

    def calls(self, tenant_id: str) -> FakeCalls:
        tenant = self.tenant(tenant_id)
        if tenant.calls is None:
            tenant.calls = FakeCalls(tenant.contacts)
            tenant.calls.rollups = tenant.rollups
        return tenant.calls

    def tasks(self, tenant_id: str) -> FakeTasks:
        tenant = self.tenant(tenant_id)
        if tenant.tasks is None:
            tenant.tasks = FakeTasks(self.due_actions, tenant_id)
            tenant.tasks.rollups = tenant.rollups
        return tenant.tasks

    def calendars(self, tenant_id: str) -> FakeCalendars:
        tenant = self.tenant(tenant_id)
        if tenant.calendars is None:
            tenant.calendars = FakeCalendars(tenant_id, self.calendar_schedule)
        return tenant.calendars

    def broadcasts(self, tenant_id: str) -> FakeBroadcasts:
        return self.tenant(tenant_id).broadcasts

    def call_lists(self, tenant_id: str) -> FakeCallLists:
        return self.tenant(tenant_id).call_lists

    def users(self, tenant_id: str) -> FakeUsers:
        return self.tenant(tenant_id).users

    def groups(self, tenant_id: str) -> FakeGroups:
        return self.tenant(tenant_id).groups

    def deals(self, tenant_id: str) -> FakeDeals:
        return self.tenant(tenant_id).deals

    def properties(self, tenant_id: str) -> FakeProperties:
        return self.tenant(tenant_id).properties

    def source_tags(self, tenant_id: str) -> FakeSourceTags:
        return self.tenant(tenant_id).source_tags

    def rollups(self, tenant_id: str) -> FakeRollups:
        return self.tenant(tenant_id).rollups

    def dashboards(self, tenant_id: str) -> FakeDashboardLayouts:
        return self.tenant(tenant_id).dashboards

    def notifications(self, tenant_id: str) -> FakeNotifications:
        return self.tenant(tenant_id).notifications

    def mailboxes(self, tenant_id: str) -> FakeMailboxes:
        return self.tenant(tenant_id).mailboxes

    def signatures(self, tenant_id: str) -> FakeSignatures:
        return self.tenant(tenant_id).signatures

    def email_broadcasts(self, tenant_id: str) -> FakeEmailBroadcasts:
        return self.tenant(tenant_id).email_broadcasts

    def emails(self, tenant_id: str) -> FakeEmails:
        tenant = self.tenant(tenant_id)
        if tenant.emails is None:
            tenant.emails = FakeEmails(self)
        return tenant.emails

    def sms_templates(self, tenant_id: str) -> FakeSmsTemplates:
        return self.tenant(tenant_id).sms_templates

    def webphone_keys(self, tenant_id: str) -> FakeWebphoneKeys:
        return self.tenant(tenant_id).webphone_keys

    def teamsale_ids(self, tenant_id: str) -> FakeTeamsaleIds:
        return self.tenant(tenant_id).teamsale_ids

    def feed_write(self, tenant_id: str, owner: FeedOwner, owner_id: str, entry: FeedEntry) -> FakeWrite:
        tenant = self.tenant(tenant_id)
        feeds = tenant.contacts.feeds if owner is FeedOwner.CONTACT else tenant.deals.feeds
        return FakeWrite(lambda: feeds.setdefault(owner_id, []).append(entry))

    def transact(self, writes: Sequence[Any]) -> None:
        self.transactions += 1
        commit(writes)

    def transact_groups(self, groups: Iterable[Sequence[Any]]) -> int:
        count = 0
        for group in groups:
            self.transact(group)
            count += 1
        return count
