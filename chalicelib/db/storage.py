"""The DynamoDB implementation of the storage port (`ports/storage.py`).

Each method imports its repository when first called, so a Lambda loads the table models and
repositories its services use and no others (the cold start pays only for what runs).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from chalicelib.ports.writes import FeedOwner, Write

if TYPE_CHECKING:
    from chalicelib.db.repositories.api_keys import ApiKeyRepository
    from chalicelib.db.repositories.broadcasts import BroadcastRepository
    from chalicelib.db.repositories.calendar import CalendarRepository, CalendarScheduleRepository
    from chalicelib.db.repositories.call_lists import CallListRepository
    from chalicelib.db.repositories.calls import CallRepository
    from chalicelib.db.repositories.contacts import ContactRepository
    from chalicelib.db.repositories.crms import CrmRepository
    from chalicelib.db.repositories.dashboards import DashboardLayoutRepository
    from chalicelib.db.repositories.deals import DealRepository
    from chalicelib.db.repositories.due import DueRepository
    from chalicelib.db.repositories.email_broadcasts import EmailBroadcastRepository
    from chalicelib.db.repositories.emails import EmailRepository
    from chalicelib.db.repositories.groups import GroupRepository
    from chalicelib.db.repositories.imports import ExportRepository, ImportRepository
    from chalicelib.db.repositories.invitations import InvitationRepository
    from chalicelib.db.repositories.mailboxes import MailboxRepository, MailPollIndex
    from chalicelib.db.repositories.notifications import NotificationRepository
    from chalicelib.db.repositories.presence import ExtensionStatusRepository, WebphoneKeyRepository
    from chalicelib.db.repositories.properties import PropertyRepository
    from chalicelib.db.repositories.rollups import RollupRepository
    from chalicelib.db.repositories.search import SearchIndex
    from chalicelib.db.repositories.signatures import SignatureRepository
    from chalicelib.db.repositories.sms_templates import SmsTemplateRepository
    from chalicelib.db.repositories.sources import SourceTagRepository
    from chalicelib.db.repositories.tasks import TaskRepository
    from chalicelib.db.repositories.teamsale_ids import TeamsaleIdRepository
    from chalicelib.db.repositories.users import UserRepository
    from chalicelib.domain.contacts import FeedEntry


class DynamoStorage:
    """Repositories over the one table (bound by `db.items.bind_table` in the composition root)."""

    @functools.cached_property
    def api_keys(self) -> ApiKeyRepository:
        from chalicelib.db.repositories.api_keys import ApiKeyRepository

        return ApiKeyRepository()

    @functools.cached_property
    def crms(self) -> CrmRepository:
        from chalicelib.db.repositories.crms import CrmRepository

        return CrmRepository()

    @functools.cached_property
    def due_actions(self) -> DueRepository:
        from chalicelib.db.repositories.due import DueRepository

        return DueRepository()

    @functools.cached_property
    def invitations(self) -> InvitationRepository:
        from chalicelib.db.repositories.invitations import InvitationRepository

        return InvitationRepository()

    @functools.cached_property
    def mail_polls(self) -> MailPollIndex:
        from chalicelib.db.repositories.mailboxes import MailPollIndex

        return MailPollIndex()

    def emails(self, tenant_id: str) -> EmailRepository:
        from chalicelib.db.repositories.emails import EmailRepository

        return EmailRepository(tenant_id)

    @functools.cached_property
    def calendar_schedule(self) -> CalendarScheduleRepository:
        from chalicelib.db.repositories.calendar import CalendarScheduleRepository

        return CalendarScheduleRepository()

    def calendars(self, tenant_id: str) -> CalendarRepository:
        from chalicelib.db.repositories.calendar import CalendarRepository

        return CalendarRepository(tenant_id)

    def broadcasts(self, tenant_id: str) -> BroadcastRepository:
        from chalicelib.db.repositories.broadcasts import BroadcastRepository

        return BroadcastRepository(tenant_id)

    def call_lists(self, tenant_id: str) -> CallListRepository:
        from chalicelib.db.repositories.call_lists import CallListRepository

        return CallListRepository(tenant_id)

    def calls(self, tenant_id: str) -> CallRepository:
        from chalicelib.db.repositories.calls import CallRepository

        return CallRepository(tenant_id)

    def contacts(self, tenant_id: str) -> ContactRepository:
        from chalicelib.db.repositories.contacts import ContactRepository

        return ContactRepository(tenant_id)

    def dashboards(self, tenant_id: str) -> DashboardLayoutRepository:
        from chalicelib.db.repositories.dashboards import DashboardLayoutRepository

        return DashboardLayoutRepository(tenant_id)

    def deals(self, tenant_id: str) -> DealRepository:
        from chalicelib.db.repositories.deals import DealRepository

        return DealRepository(tenant_id)

    def exports(self, tenant_id: str) -> ExportRepository:
        from chalicelib.db.repositories.imports import ExportRepository

        return ExportRepository(tenant_id)

    def extension_statuses(self, tenant_id: str) -> ExtensionStatusRepository:
        from chalicelib.db.repositories.presence import ExtensionStatusRepository

        return ExtensionStatusRepository(tenant_id)

    def webphone_keys(self, tenant_id: str) -> WebphoneKeyRepository:
        from chalicelib.db.repositories.presence import WebphoneKeyRepository

        return WebphoneKeyRepository(tenant_id)

    def groups(self, tenant_id: str) -> GroupRepository:
        from chalicelib.db.repositories.groups import GroupRepository

        return GroupRepository(tenant_id)

    def imports(self, tenant_id: str) -> ImportRepository:
        from chalicelib.db.repositories.imports import ImportRepository

        return ImportRepository(tenant_id)

    def notifications(self, tenant_id: str) -> NotificationRepository:
        from chalicelib.db.repositories.notifications import NotificationRepository

        return NotificationRepository(tenant_id)

    def properties(self, tenant_id: str) -> PropertyRepository:
        from chalicelib.db.repositories.properties import PropertyRepository

        return PropertyRepository(tenant_id)

    def rollups(self, tenant_id: str) -> RollupRepository:
        from chalicelib.db.repositories.rollups import RollupRepository

        return RollupRepository(tenant_id)

    def search(self, tenant_id: str) -> SearchIndex:
        from chalicelib.db.repositories.search import SearchIndex

        return SearchIndex(tenant_id)

    def mailboxes(self, tenant_id: str) -> MailboxRepository:
        from chalicelib.db.repositories.mailboxes import MailboxRepository

        return MailboxRepository(tenant_id)

    def signatures(self, tenant_id: str) -> SignatureRepository:
        from chalicelib.db.repositories.signatures import SignatureRepository

        return SignatureRepository(tenant_id)

    def email_broadcasts(self, tenant_id: str) -> EmailBroadcastRepository:
        from chalicelib.db.repositories.email_broadcasts import EmailBroadcastRepository

        return EmailBroadcastRepository(tenant_id)

    def sms_templates(self, tenant_id: str) -> SmsTemplateRepository:
        from chalicelib.db.repositories.sms_templates import SmsTemplateRepository

        return SmsTemplateRepository(tenant_id)

    def teamsale_ids(self, tenant_id: str) -> TeamsaleIdRepository:
        from chalicelib.db.repositories.teamsale_ids import TeamsaleIdRepository

        return TeamsaleIdRepository(tenant_id)

    def source_tags(self, tenant_id: str) -> SourceTagRepository:
        from chalicelib.db.repositories.sources import SourceTagRepository

        return SourceTagRepository(tenant_id)

    def tasks(self, tenant_id: str) -> TaskRepository:
        from chalicelib.db.repositories.tasks import TaskRepository

        return TaskRepository(tenant_id)

    def users(self, tenant_id: str) -> UserRepository:
        from chalicelib.db.repositories.users import UserRepository

        return UserRepository(tenant_id)

    def feed_write(self, tenant_id: str, owner: FeedOwner, owner_id: str, entry: FeedEntry) -> Write:
        from chalicelib.db import keys
        from chalicelib.db.repositories.feeds import entry_put

        pk = keys.contact_pk(tenant_id, owner_id) if owner is FeedOwner.CONTACT else keys.deal_pk(tenant_id, owner_id)
        return entry_put(pk, entry)

    def transact(self, writes: Sequence[Write]) -> None:
        from chalicelib.db.writes import transact

        transact(writes)

    def transact_groups(self, groups: Iterable[Sequence[Write]]) -> int:
        from chalicelib.db.writes import transact_groups

        return transact_groups(groups)


if TYPE_CHECKING:
    from chalicelib.ports.storage import Storage

    # mypy checks here that every repository has what its Protocol promises.
    _checked: Storage = DynamoStorage()
