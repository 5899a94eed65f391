"""Composition root: builds the services with their repositories and adapters, once per process.

Nothing here runs at import time; the first request builds the graph. Tests replace parts by
calling `services.cache_clear()` after changing the environment, or by building services
directly with fakes.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from chalicelib.config import get_settings
from chalicelib.db.repositories.crms import CrmRepository
from chalicelib.integrations.cognito import CognitoIdentityProvider
from chalicelib.integrations.files import S3FileStore
from chalicelib.integrations.mail import SesMailer
from chalicelib.integrations.pbx import PbxAccounts
from chalicelib.integrations.ports import FileStore, SmsSender
from chalicelib.integrations.secrets import SsmSecretStore
from chalicelib.integrations.workflows import StepFunctionsWorkflows
from chalicelib.services.auth import AuthService
from chalicelib.services.autodial import AutodialService, AutodialTiming
from chalicelib.services.broadcasts import BroadcastService, BroadcastTiming
from chalicelib.services.company import CompanyService
from chalicelib.services.contacts import ContactService
from chalicelib.services.crms import CrmService
from chalicelib.services.deals import DealService
from chalicelib.services.due import DueWorker
from chalicelib.services.exports import ExportService
from chalicelib.services.groups import GroupService
from chalicelib.services.imports import ImportService
from chalicelib.services.invitations import InvitationService
from chalicelib.services.maintenance import MaintenanceService
from chalicelib.services.pbx_events import PbxEvents, RecordingTiming
from chalicelib.services.profile import ProfileService
from chalicelib.services.properties import PropertyService
from chalicelib.services.recordings import RecordingService
from chalicelib.services.search import SearchService
from chalicelib.services.sms import SmsService
from chalicelib.services.sources import SourceTagService
from chalicelib.services.tasks import TaskService
from chalicelib.services.team import TeamService
from chalicelib.services.telephony import TelephonyService


@dataclass(frozen=True, slots=True)
class Services:
    auth: AuthService
    autodial: AutodialService
    broadcasts: BroadcastService
    company: CompanyService
    contacts: ContactService
    crms: CrmService
    deals: DealService
    due: DueWorker
    exports: ExportService
    files: FileStore
    groups: GroupService
    imports: ImportService
    invitations: InvitationService
    maintenance: MaintenanceService
    pbx: PbxAccounts
    pbx_events: PbxEvents
    profile: ProfileService
    properties: PropertyService
    recordings: RecordingService
    search: SearchService
    sms: SmsService
    sources: SourceTagService
    tasks: TaskService
    team: TeamService
    telephony: TelephonyService


@functools.cache
def services() -> Services:
    settings = get_settings()
    crms = CrmRepository()
    identity = CognitoIdentityProvider(settings.cognito_pool_id, settings.cognito_client_id)
    secrets = SsmSecretStore(settings.secrets_prefix)
    files = S3FileStore(settings.files_bucket)
    mailer = SesMailer(settings.mail_from)
    pbx = PbxAccounts(secrets, settings.zadarma_api_url)
    sms = sms_sender(settings.sms_provider, pbx)
    timing = RecordingTiming(
        settings.recording_delay_seconds, settings.recording_retry_seconds, settings.transcript_retry_seconds
    )
    workflows = StepFunctionsWorkflows(settings.state_machine_arn_prefix)
    autodial = AutodialService(
        crms, pbx, workflows, AutodialTiming(settings.autodial_gap_seconds, settings.autodial_answer_timeout_seconds)
    )
    invitations = InvitationService(identity, mailer, settings.app_url)
    contacts = ContactService(crms)
    return Services(
        auth=AuthService(crms, identity),
        autodial=autodial,
        broadcasts=BroadcastService(crms, sms, workflows, BroadcastTiming(settings.broadcast_retry_seconds)),
        company=CompanyService(crms),
        contacts=contacts,
        crms=CrmService(crms, identity, secrets, invitations=invitations),
        deals=DealService(crms),
        due=DueWorker(mailer, sms, settings.app_url, crms),
        exports=ExportService(crms, contacts, files, workflows),
        files=files,
        groups=GroupService(),
        imports=ImportService(crms, files, workflows, chunk_rows=settings.import_chunk_rows),
        invitations=invitations,
        maintenance=MaintenanceService(crms),
        pbx=pbx,
        pbx_events=PbxEvents(crms, pbx, workflows, timing, on_call_end=autodial.call_ended),
        profile=ProfileService(files, crms),
        properties=PropertyService(),
        recordings=RecordingService(pbx, files),
        search=SearchService(),
        sms=SmsService(crms, sms),
        sources=SourceTagService(),
        tasks=TaskService(crms),
        team=TeamService(identity),
        telephony=TelephonyService(crms, pbx, files),
    )


def sms_sender(provider: str, pbx: PbxAccounts | None = None) -> SmsSender:
    """The configured SmsSender; an unknown name fails at start-up rather than at the first SMS."""
    from chalicelib.integrations.sms import NoSmsSender
    from chalicelib.integrations.zadarma.sms import ZadarmaSmsSender

    if provider == "zadarma" and pbx is not None:
        return ZadarmaSmsSender(pbx.credentials, pbx.base_url)
    if provider == "none":
        return NoSmsSender()
    raise ValueError(f"SMS_PROVIDER={provider!r} is not one of: zadarma, none")
