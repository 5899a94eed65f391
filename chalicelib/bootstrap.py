"""Composition root: builds each service with its repositories and adapters on first use.

Nothing here runs at import time, and nothing is built before it is needed: a Lambda imports and
builds only the services its route or job asks for (`services().tasks` loads the task service,
its repositories and the table models, not the import planner or the PBX client). The first use
also checks the settings (a missing one stops the Lambda with its name) and binds the table.
Tests replace parts by calling `services.cache_clear()` after changing the environment, or by
building services directly with fakes.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from chalicelib.config import Settings, get_settings
from chalicelib.domain.clock import utcnow

if TYPE_CHECKING:
    from chalicelib.db.storage import DynamoStorage
    from chalicelib.domain.actor import Actor
    from chalicelib.domain.email.outgoing import Signature
    from chalicelib.domain.email.rules import Direction
    from chalicelib.domain.emails import ContactRef, Email
    from chalicelib.domain.mailboxes import Integration
    from chalicelib.domain.notifications import Link, NotificationKind, Title
    from chalicelib.domain.tasks import Task
    from chalicelib.integrations.cognito import CognitoIdentityProvider
    from chalicelib.integrations.google_calendar import GoogleEndpoints, GoogleOAuth
    from chalicelib.integrations.mail import SesMailer
    from chalicelib.integrations.pbx import PbxAccounts
    from chalicelib.integrations.secrets import SsmSecretStore
    from chalicelib.integrations.workflows import StepFunctionsWorkflows
    from chalicelib.ports.outside import (
        BounceSink,
        Clock,
        FileStore,
        MailboxProbe,
        MailboxReader,
        MailTransport,
        SmsReceipt,
        SmsSender,
    )
    from chalicelib.services.analytics import AnalyticsService
    from chalicelib.services.api_keys import ApiKeyService
    from chalicelib.services.auth import AuthService
    from chalicelib.services.autodial import AutodialService
    from chalicelib.services.broadcasts import BroadcastService
    from chalicelib.services.calendar import CalendarService
    from chalicelib.services.calendar_worker import CalendarSyncWorker
    from chalicelib.services.company import CompanyService
    from chalicelib.services.contacts import ContactService
    from chalicelib.services.crms import CrmService
    from chalicelib.services.dashboard import DashboardService
    from chalicelib.services.deals import DealService
    from chalicelib.services.due import DueWorker
    from chalicelib.services.email_archive import EmailArchive
    from chalicelib.services.email_broadcasts import EmailBroadcastService
    from chalicelib.services.email_sending import EmailSendService, MailArchive
    from chalicelib.services.email_sync import EmailSync
    from chalicelib.services.emails import EmailService
    from chalicelib.services.exports import ExportService
    from chalicelib.services.forms import FormService
    from chalicelib.services.groups import GroupService
    from chalicelib.services.hooks import HookService
    from chalicelib.services.imports import ImportService
    from chalicelib.services.invitations import InvitationService
    from chalicelib.services.mailboxes import MailboxService
    from chalicelib.services.maintenance import MaintenanceService
    from chalicelib.services.notifications import NotificationService
    from chalicelib.services.pbx_events import PbxEvents
    from chalicelib.services.profile import ProfileService
    from chalicelib.services.properties import PropertyService
    from chalicelib.services.provisioning import Provisioning
    from chalicelib.services.recordings import RecordingService
    from chalicelib.services.rollups import RollupService
    from chalicelib.services.search import SearchService
    from chalicelib.services.sms import SmsService
    from chalicelib.services.sources import SourceTagService
    from chalicelib.services.tasks import TaskService
    from chalicelib.services.team import TeamService
    from chalicelib.services.teamsale_ids import TeamsaleIdService
    from chalicelib.services.telephony import TelephonyService

# The SSM secret (under the secrets prefix) whose bytes key the hashes of API keys.
API_KEY_PEPPER = "api-key-pepper"

# The imports inside the properties are the point of this module: each one is paid by the first
# request or job that needs it, never by the cold start of a Lambda that does not.


class Services:
    """The process's services and adapters, each built once, on first use."""

    def __init__(self, settings: Settings, *, clock: Clock = utcnow) -> None:
        self.settings = settings
        # Every service reads the time from this one clock (tests put a movable one here before
        # the first service is built: see tests/harness.py).
        self.clock: Clock = clock

    # Adapters and repositories shared by several services.

    @functools.cached_property
    def storage(self) -> DynamoStorage:
        from chalicelib.db.storage import DynamoStorage

        return DynamoStorage()

    @functools.cached_property
    def identity(self) -> CognitoIdentityProvider:
        from chalicelib.integrations.cognito import CognitoIdentityProvider

        return CognitoIdentityProvider(self.settings.cognito_pool_id, self.settings.cognito_client_id)

    @functools.cached_property
    def secrets(self) -> SsmSecretStore:
        from chalicelib.integrations.secrets import SsmSecretStore

        return SsmSecretStore(self.settings.secrets_prefix)

    @functools.cached_property
    def files(self) -> FileStore:
        from chalicelib.integrations.files import S3FileStore

        return S3FileStore(self.settings.files_bucket)

    @functools.cached_property
    def mailer(self) -> SesMailer:
        from chalicelib.integrations.mail import SesMailer

        return SesMailer(self.settings.mail_from)

    @functools.cached_property
    def pbx(self) -> PbxAccounts:
        from chalicelib.integrations.pbx import PbxAccounts

        clock = self.clock  # the keys kept age with the services' clock (tests move it)
        return PbxAccounts(self.secrets, self.settings.zadarma_api_url, clock=lambda: clock().timestamp())

    @functools.cached_property
    def sms_sender(self) -> SmsSender:
        return sms_sender(self.settings.sms_provider, self.pbx)

    @functools.cached_property
    def workflows(self) -> StepFunctionsWorkflows:
        from chalicelib.integrations.workflows import StepFunctionsWorkflows

        return StepFunctionsWorkflows(self.settings.state_machine_arn_prefix)

    # Services, as the routes and the functions/ Lambdas call them.

    @functools.cached_property
    def analytics(self) -> AnalyticsService:
        from chalicelib.services.analytics import AnalyticsService

        return AnalyticsService(self.storage, self.clock)

    @functools.cached_property
    def api_keys(self) -> ApiKeyService:
        from chalicelib.services.api_keys import ApiKeyService

        secrets = self.secrets
        # The pepper of API keys' hashes: one SSM SecureString for the deployment, created on first
        # use, read once per container (only by requests presenting or creating a key).
        pepper = functools.cache(lambda: secrets.shared_secret(API_KEY_PEPPER))
        return ApiKeyService(self.storage, self.clock, pepper, secrets)

    @functools.cached_property
    def auth(self) -> AuthService:
        from chalicelib.services.auth import AuthService

        return AuthService(self.storage, self.clock, self.identity)

    @functools.cached_property
    def autodial(self) -> AutodialService:
        from chalicelib.services.autodial import AutodialService, AutodialTiming

        timing = AutodialTiming(self.settings.autodial_gap_seconds, self.settings.autodial_answer_timeout_seconds)
        return AutodialService(self.storage, self.clock, self.pbx, self.workflows, timing)

    @functools.cached_property
    def broadcasts(self) -> BroadcastService:
        from chalicelib.services.broadcasts import BroadcastService, BroadcastTiming

        timing = BroadcastTiming(self.settings.broadcast_retry_seconds)
        return BroadcastService(self.storage, self.clock, self.sms_sender, self.workflows, timing)

    @functools.cached_property
    def calendar(self) -> CalendarService:
        """Google Calendar connections (issue 19); Google's libraries load on the first consent."""
        from chalicelib.services.calendar import CalendarService

        return CalendarService(self.storage, self.clock, self.secrets, self._google_auth, kick=self._kick_calendar_sync)

    @functools.cached_property
    def calendar_sync(self) -> CalendarSyncWorker:
        from chalicelib.integrations.google_calendar import GoogleCalendarClient
        from chalicelib.services.calendar_worker import CalendarSyncWorker

        endpoints = self._google_endpoints()

        def google(refresh_token: str, calendar_id: str) -> GoogleCalendarClient:
            return GoogleCalendarClient.connect(endpoints, refresh_token, calendar_id)

        return CalendarSyncWorker(
            self.storage, self.clock, self.secrets, google, LazyTaskWrites(lambda: self.tasks), self.notifier,
            webhook_url=self.settings.google_webhook_url,
        )  # fmt: skip

    def _google_endpoints(self) -> GoogleEndpoints:
        from chalicelib.integrations.google_calendar import GoogleEndpoints

        s = self.settings
        return GoogleEndpoints(
            s.google_client_id, s.google_client_secret, s.google_auth_uri, s.google_token_uri, s.google_revoke_uri,
            s.google_api_endpoint,
        )  # fmt: skip

    def _google_auth(self) -> GoogleOAuth | None:
        if not self.settings.google_client_id:
            return None
        from chalicelib.domain.calendar_connection import SCOPES
        from chalicelib.integrations.google_calendar import GoogleOAuth

        return GoogleOAuth(self._google_endpoints(), self.settings.google_redirect_uri, SCOPES)

    def _kick_calendar_sync(self, tenant_id: str, user_id: str) -> None:
        """\"Sync now\": the worker invoked asynchronously for one user (best effort: the
        connection is due now, so the schedule takes it anyway)."""
        name = self.settings.calendar_sync_function
        if not name:
            return
        import json

        from chalicelib.integrations.aws import client

        try:
            payload = json.dumps({"tenant_id": tenant_id, "user_id": user_id}).encode()
            client("lambda").invoke(FunctionName=name, InvocationType="Event", Payload=payload)
        except Exception:  # noqa: BLE001  (the schedule is the baseline)
            pass

    @functools.cached_property
    def company(self) -> CompanyService:
        from chalicelib.services.company import CompanyService

        return CompanyService(self.storage, rollups=self.rollups)

    @functools.cached_property
    def contacts(self) -> ContactService:
        from chalicelib.services.contacts import ContactService

        return ContactService(self.storage, self.clock, notifier=self.notifier)

    @functools.cached_property
    def crms(self) -> CrmService:
        from chalicelib.services.crms import CrmService

        return CrmService(self.storage, self.clock, self.identity, self.secrets, invitations=lambda: self.invitations)

    @functools.cached_property
    def dashboard(self) -> DashboardService:
        from chalicelib.services.dashboard import DashboardService

        return DashboardService(self.storage, self.clock)

    @functools.cached_property
    def deals(self) -> DealService:
        from chalicelib.services.deals import DealService

        return DealService(self.storage, self.clock)

    @functools.cached_property
    def due(self) -> DueWorker:
        from chalicelib.services.due import DueWorker

        # A deferred SMS falls due now and then: its sender (and the PBX client) is built on the
        # first one, not at every run's cold start.
        sms = LazySmsSender(lambda: self.sms_sender)
        return DueWorker(self.storage, self.clock, self.mailer, sms, self.settings.app_url, notifier=self.notifier)

    @functools.cached_property
    def exports(self) -> ExportService:
        from chalicelib.services.contact_lists import ContactLists
        from chalicelib.services.exports import ExportService

        # The lists alone, not the contact service: the export worker reads lists, writes no contact.
        return ExportService(self.storage, self.clock, ContactLists(self.storage), self.files, self.workflows)

    @functools.cached_property
    def forms(self) -> FormService:
        from chalicelib.services.forms import FormService

        return FormService(self.storage, self.clock, self.contacts, self.sources)

    @functools.cached_property
    def groups(self) -> GroupService:
        from chalicelib.services.groups import GroupService

        return GroupService(self.storage)

    @functools.cached_property
    def imports(self) -> ImportService:
        from chalicelib.services.imports import ImportService

        return ImportService(
            self.storage,
            self.clock,
            self.files,
            self.workflows,
            chunk_rows=self.settings.import_chunk_rows,
            notifier=self.notifier,
        )

    @functools.cached_property
    def invitations(self) -> InvitationService:
        from chalicelib.services.invitations import InvitationService

        return InvitationService(self.storage, self.clock, self.identity, self.mailer, self.settings.app_url)

    @functools.cached_property
    def maintenance(self) -> MaintenanceService:
        from chalicelib.services.maintenance import MaintenanceService

        return MaintenanceService(self.storage)

    @functools.cached_property
    def rollups(self) -> RollupService:
        from chalicelib.services.rollups import RollupService

        return RollupService(self.storage, self.clock, files=self.files, workflows=self.workflows)

    @functools.cached_property
    def notifications(self) -> NotificationService:
        from chalicelib.services.notifications import NotificationService

        return NotificationService(self.storage, self.clock)

    @functools.cached_property
    def notifier(self) -> LazyNotifier:
        """What the producing services notify through: the notification center, built when
        the first notification is sent (most invocations of a producer send none)."""
        return LazyNotifier(self)

    @functools.cached_property
    def hooks(self) -> HookService:
        """Webhooks: subscriptions (the API) and deliveries (the WebhookDelivery function)."""
        from chalicelib.db.repositories.hooks import DynamoHookStore
        from chalicelib.integrations.webhooks import HttpWebhookSender
        from chalicelib.services.hooks import HookService

        def render(tenant_id: str, record_type: str, stored: object) -> object:
            from chalicelib.api.records import render_stored  # the API's rendering (pydantic, no Chalice)

            return render_stored(tenant_id, record_type, stored)

        sender = HttpWebhookSender(
            allow_loopback_http=self.settings.webhooks_allow_loopback_http,
            timeout_seconds=self.settings.webhook_timeout_seconds,
        )
        return HookService(DynamoHookStore(), self.clock, sender, notifier=self.notifier, render=render)

    @functools.cached_property
    def pbx_events(self) -> PbxEvents:
        from chalicelib.services.pbx_events import PbxEvents, RecordingTiming

        settings = self.settings
        timing = RecordingTiming(
            settings.recording_delay_seconds, settings.recording_retry_seconds, settings.transcript_retry_seconds
        )
        return PbxEvents(
            self.storage,
            self.clock,
            self.pbx,
            self.workflows,
            timing,
            on_call_end=self.autodial.call_ended,
            notifier=self.notifier,
            cache_ttl=timedelta(seconds=settings.pbx_cache_seconds),
        )

    @functools.cached_property
    def profile(self) -> ProfileService:
        from chalicelib.services.profile import ProfileService

        return ProfileService(self.storage, self.clock, self.files)

    @functools.cached_property
    def properties(self) -> PropertyService:
        from chalicelib.services.properties import PropertyService

        return PropertyService(self.storage)

    @functools.cached_property
    def provisioning(self) -> Provisioning:
        from chalicelib.services.provisioning import Provisioning

        return Provisioning(self.storage, self.clock, self.identity, self.secrets)

    @functools.cached_property
    def recordings(self) -> RecordingService:
        from chalicelib.services.recordings import RecordingService

        return RecordingService(self.storage, self.pbx, self.files)

    @functools.cached_property
    def search(self) -> SearchService:
        from chalicelib.services.search import SearchService

        return SearchService(self.storage)

    @functools.cached_property
    def email_archive(self) -> EmailArchive:
        from chalicelib.services.email_archive import EmailArchive

        return EmailArchive(self.storage, self.clock, self.files, notifier=self.notifier)

    @functools.cached_property
    def emails(self) -> EmailService:
        from chalicelib.services.emails import EmailService

        return EmailService(self.storage, self.clock, self.files)

    @functools.cached_property
    def bounce_sink(self) -> BounceSink:
        """Hard bounces the poller reads: the address and the broadcast recipient are marked."""
        from chalicelib.services.email_bounces import BounceRecorder

        return BounceRecorder(self.storage, self.clock)

    @functools.cached_property
    def mailbox_reader(self) -> MailboxReader:
        from chalicelib.integrations.imap_reader import ImapReader

        return ImapReader()

    @functools.cached_property
    def email_sync(self) -> EmailSync:
        from chalicelib.services.email_sync import EmailSync

        return EmailSync(
            self.storage,
            self.clock,
            self.secrets,
            self.mailbox_reader,
            LazyMailArchive(lambda: self.email_archive),
            self.bounce_sink,
            notifier=self.notifier,
        )

    @functools.cached_property
    def mailbox_probe(self) -> MailboxProbe:
        from chalicelib.integrations.mailbox_probe import ImapSmtpProbe

        return ImapSmtpProbe()

    @functools.cached_property
    def mailboxes(self) -> MailboxService:
        from chalicelib.services.mailboxes import MailboxService

        return MailboxService(self.storage, self.clock, self.secrets, self.mailbox_probe)

    @functools.cached_property
    def mail_transport(self) -> MailTransport:
        from chalicelib.integrations.mail_transport import SmtpImapTransport

        return SmtpImapTransport()

    @functools.cached_property
    def email_sending(self) -> EmailSendService:
        from chalicelib.services.email_sending import EmailSendService

        # The archive (the parser, the contacts, the feeds) is built by the first message sent.
        archive = LazyMailArchive(lambda: self.email_archive)
        return EmailSendService(self.storage, self.clock, self.secrets, self.mail_transport, archive)

    @functools.cached_property
    def email_broadcasts(self) -> EmailBroadcastService:
        from chalicelib.services.email_broadcasts import EmailBroadcastService, EmailBroadcastTiming

        timing = EmailBroadcastTiming(self.settings.broadcast_retry_seconds)
        return EmailBroadcastService(
            self.storage,
            self.clock,
            LazyEmailSending(lambda: self.email_sending),
            self.mail_transport,
            self.workflows,
            LazyMailArchive(lambda: self.email_archive),  # built by the first message sent
            timing,
        )

    @functools.cached_property
    def sms(self) -> SmsService:
        from chalicelib.services.sms import SmsService

        return SmsService(self.storage, self.clock, self.sms_sender)

    @functools.cached_property
    def sources(self) -> SourceTagService:
        from chalicelib.services.sources import SourceTagService

        return SourceTagService(self.storage, self.clock)

    @functools.cached_property
    def tasks(self) -> TaskService:
        from chalicelib.services.tasks import TaskService

        return TaskService(self.storage, self.clock, notifier=self.notifier)

    @functools.cached_property
    def teamsale_ids(self) -> TeamsaleIdService:
        from chalicelib.services.teamsale_ids import TeamsaleIdService

        return TeamsaleIdService(self.storage)

    @functools.cached_property
    def team(self) -> TeamService:
        from chalicelib.services.team import TeamService

        return TeamService(self.storage, self.clock, self.identity)

    @functools.cached_property
    def telephony(self) -> TelephonyService:
        from chalicelib.services.telephony import TelephonyService

        return TelephonyService(self.storage, self.clock, self.pbx, self.files, self.contacts)


class LazyNotifier:
    """The `Notifier` port in front of `Services.notifications`, which it builds (with its
    domain) on the first `notify`: a worker that may notify, but mostly does not, does not
    load the notification center at its cold start."""

    def __init__(self, services: Services) -> None:
        self._services = services

    def notify(
        self,
        tenant_id: str,
        user_id: str,
        kind: NotificationKind,
        title: Title,
        link: Link | None,
        *,
        by: str | None = None,
        at: datetime | None = None,
        once: str | None = None,
    ) -> None:
        self._services.notifications.notify(tenant_id, user_id, kind, title, link, by=by, at=at, once=once)


class LazySmsSender:
    """The `SmsSender` port in front of `Services.sms_sender`, which it builds on the first
    `send` (for a worker that sends an SMS in few of its runs)."""

    def __init__(self, build: Callable[[], SmsSender]) -> None:
        self._build = build
        self._sender: SmsSender | None = None

    def send(self, tenant_id: str, to: str, text: str) -> SmsReceipt:
        if self._sender is None:
            self._sender = self._build()
        return self._sender.send(tenant_id, to, text)


class LazyTaskWrites:
    """The task writes of the calendar worker in front of `Services.tasks`, which it builds (with
    its rules, the contacts' feeds and the rollups) on the first write: a run with nobody due,
    or nothing changed, does not load it."""

    def __init__(self, build: Callable[[], TaskService]) -> None:
        self._build = build

    def create(self, actor: Actor, fields: Mapping[str, Any]) -> Task:
        return self._build().create(actor, fields)

    def update(self, actor: Actor, task_id: str, version: int | None, changes: Mapping[str, Any]) -> Task:
        return self._build().update(actor, task_id, version, changes)

    def delete(self, actor: Actor, task_id: str) -> None:
        self._build().delete(actor, task_id)


class LazyEmailSending:
    """What the email broadcasts ask of `Services.email_sending` (the mailbox and signature a user
    may send with, a mailbox's SMTP password), which it builds on first use: the broadcast
    worker's cold start does not load the sending service."""

    def __init__(self, build: Callable[[], EmailSendService]) -> None:
        self._build = build

    def usable_integration(self, actor: Actor, integration_id: str) -> tuple[Integration, str]:
        return self._build().usable_integration(actor, integration_id)

    def chosen_signature(self, actor: Actor, signature_id: str | None) -> Signature | None:
        return self._build().chosen_signature(actor, signature_id)

    def secret(self, tenant_id: str, name: str) -> str | None:
        return self._build().secret(tenant_id, name)


class LazyMailArchive:
    """The `MailArchive` port in front of `Services.email_archive`, which it builds (with the
    parsing, the contacts and the feeds) on the first message stored: a poll run that finds no
    new mail, or the cold start of the email broadcast worker, does not load it."""

    def __init__(self, build: Callable[[], MailArchive]) -> None:
        self._build = build

    def store(
        self,
        tenant_id: str,
        integration: Integration,
        raw: bytes,
        *,
        direction: Direction,
        contact: ContactRef | None = None,
        deal_id: str | None = None,
        user_id: str | None = None,
    ) -> Email | None:
        return self._build().store(
            tenant_id, integration, raw, direction=direction, contact=contact, deal_id=deal_id, user_id=user_id
        )


@functools.cache
def services() -> Services:
    """The process's composition root: reads (and checks) the settings and binds the table."""
    settings = get_settings()
    bind_storage(settings)
    return Services(settings)


def bind_storage(settings: Settings | None = None) -> None:
    """Point the table models at the stage's table (the local stack calls this before creating it)."""
    from chalicelib.db.items import bind_table

    settings = settings or get_settings()
    bind_table(settings.table_name, settings.region)


def sms_sender(provider: str, pbx: PbxAccounts | None = None) -> SmsSender:
    """The configured SmsSender; an unknown name fails at start-up rather than at the first SMS."""
    from chalicelib.integrations.sms import NoSmsSender

    if provider == "zadarma" and pbx is not None:
        from chalicelib.integrations.zadarma.sms import ZadarmaSmsSender

        return ZadarmaSmsSender(pbx.credentials, pbx.base_url)
    if provider == "none":
        return NoSmsSender()
    raise ValueError(f"SMS_PROVIDER={provider!r} is not one of: zadarma, none")
