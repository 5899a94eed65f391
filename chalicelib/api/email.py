"""Email integrations (SPEC EM-1, ST-5) and the known provider presets."""

from __future__ import annotations

from typing import Literal

from pydantic import ConfigDict, Field

from chalicelib.api.routing import Router
from chalicelib.api.schemas import Id, Input, Output, UtcDateTime, VersionIn
from chalicelib.bootstrap import services
from chalicelib.domain.actor import Actor
from chalicelib.domain.emails import MAX_DOMAINS, EmailException, EmailSettings
from chalicelib.domain.mailboxes import MAX_HOST, MAX_NAME, MAX_PASSWORD, MAX_USERNAME, Integration, Preset, Server
from chalicelib.domain.rights import Access
from chalicelib.services.emails import ShownEmail
from chalicelib.services.mailboxes import IntegrationInput, ServerInput

router = Router(__name__, tag="Email")

Security = Literal["ssl", "starttls", "none"]
CreateLeads = Literal["none", "received", "received_and_sent"]
SharedWith = Literal["all"] | list[Id]


class ServerIn(Input):
    host: str = Field(min_length=1, max_length=MAX_HOST)
    port: int = Field(ge=1, le=65535)
    security: Security
    username: str = Field(min_length=1, max_length=MAX_USERNAME)
    password: str = Field(min_length=1, max_length=MAX_PASSWORD, description="Write-only: never returned")


class ServerPatch(Input):
    host: str | None = Field(None, min_length=1, max_length=MAX_HOST)
    port: int | None = Field(None, ge=1, le=65535)
    security: Security | None = None
    username: str | None = Field(None, min_length=1, max_length=MAX_USERNAME)
    password: str | None = Field(None, min_length=1, max_length=MAX_PASSWORD, description="Absent: kept")


class IntegrationIn(Input):
    name: str = Field(min_length=1, max_length=MAX_NAME)
    email: str = Field(min_length=3, max_length=320)
    imap: ServerIn
    smtp: ServerIn
    shared_with: SharedWith = Field(
        default_factory=list, max_length=1000, description='"all", chosen user ids, or [] (personal)'
    )
    create_leads: CreateLeads = "none"


class IntegrationPatch(Input):
    version: VersionIn = None
    name: str | None = Field(None, min_length=1, max_length=MAX_NAME)
    email: str | None = Field(None, min_length=3, max_length=320)
    imap: ServerPatch | None = None
    smtp: ServerPatch | None = None
    shared_with: SharedWith | None = Field(None, max_length=1000)
    create_leads: CreateLeads | None = None


class ServerOut(Output):
    host: str
    port: int
    security: str
    username: str

    @classmethod
    def of(cls, server: Server) -> ServerOut:
        return cls(host=server.host, port=server.port, security=server.security.value, username=server.username)


class IntegrationOut(Output):
    id: str
    name: str
    email: str
    imap: ServerOut
    smtp: ServerOut
    shared_with: str | list[str]
    create_leads: str
    owner_id: str
    status: str = Field(description="ok | error | syncing")
    last_sync_at: UtcDateTime | None
    last_error: str | None
    messages: int
    created_at: UtcDateTime
    version: int

    @classmethod
    def of(cls, integration: Integration) -> IntegrationOut:
        shared = integration.shared_with
        return cls(
            id=integration.id,
            name=integration.name,
            email=integration.email,
            imap=ServerOut.of(integration.imap),
            smtp=ServerOut.of(integration.smtp),
            shared_with=shared if isinstance(shared, str) else list(shared),
            create_leads=integration.create_leads.value,
            owner_id=integration.owner_id,
            status=integration.status.value,
            last_sync_at=integration.last_sync_at,
            last_error=integration.last_error,
            messages=integration.messages,
            created_at=integration.created_at,
            version=integration.version,
        )


class IntegrationList(Output):
    items: list[IntegrationOut]


class PresetServerOut(Output):
    host: str
    port: int
    security: str


class PresetOut(Output):
    id: str
    name: str
    imap: PresetServerOut
    smtp: PresetServerOut
    note: str | None

    @classmethod
    def of(cls, preset: Preset) -> PresetOut:
        def side(value: tuple[str, int, object]) -> PresetServerOut:
            return PresetServerOut(host=value[0], port=value[1], security=str(value[2]))

        return cls(id=preset.id, name=preset.name, imap=side(preset.imap), smtp=side(preset.smtp), note=preset.note)


class PresetList(Output):
    items: list[PresetOut]


def _server_input(body: ServerIn | ServerPatch | None) -> ServerInput | None:
    if body is None:
        return None
    return ServerInput(body.host, body.port, body.security, body.username, body.password)


def _input(body: IntegrationIn | IntegrationPatch) -> IntegrationInput:
    return IntegrationInput(
        name=body.name,
        email=body.email,
        imap=_server_input(body.imap),
        smtp=_server_input(body.smtp),
        shared_with=body.shared_with,
        create_leads=body.create_leads,
    )


@router.route("/email/presets", "GET", right=Access.ANY_USER, response=PresetList)
def list_email_presets(actor: Actor) -> PresetList:
    """Known providers' IMAP/SMTP settings, to fill the integration form."""
    return PresetList(items=[PresetOut.of(p) for p in services().mailboxes.presets()])


@router.route("/email/integrations", "GET", right=Access.ANY_USER, response=IntegrationList)
def list_email_integrations(actor: Actor) -> IntegrationList:
    """The integrations you may see: yours, those shared with you; all of them for an administrator."""
    return IntegrationList(items=[IntegrationOut.of(i) for i in services().mailboxes.visible(actor)])


@router.route("/email/integrations", "POST", right=Access.ANY_USER, body=IntegrationIn, response=IntegrationOut,
              status=201)  # fmt: skip
def create_email_integration(actor: Actor, body: IntegrationIn) -> IntegrationOut:
    """Add a mailbox (EM-1) after a connection test; at most 20 per CRM (a 21st is a 409)."""
    return IntegrationOut.of(services().mailboxes.create(actor, _input(body)))


@router.route("/email/integrations/{integration_id}", "GET", right=Access.ANY_USER, response=IntegrationOut)
def get_email_integration(actor: Actor, integration_id: str) -> IntegrationOut:
    """One integration you may see."""
    return IntegrationOut.of(services().mailboxes.get(actor, integration_id))


@router.route("/email/integrations/{integration_id}", "PATCH", right=Access.ANY_USER, body=IntegrationPatch,
              response=IntegrationOut)  # fmt: skip
def update_email_integration(actor: Actor, integration_id: str, body: IntegrationPatch) -> IntegrationOut:
    """Edit an integration; new server settings are tested before they are saved."""
    return IntegrationOut.of(services().mailboxes.update(actor, integration_id, body.version, _input(body)))


@router.route("/email/integrations/{integration_id}", "DELETE", right=Access.ANY_USER, status=204)
def delete_email_integration(actor: Actor, integration_id: str) -> None:
    """Remove an integration and its stored passwords."""
    services().mailboxes.delete(actor, integration_id)


# --- sync now, archived emails, exceptions, settings (EM-2, EM-6, ST-5) ---------------------------


class SyncStarted(Output):
    id: str
    status: str = Field(description="ok | error | syncing: the mailbox's status after this check")
    stored: int = Field(description="Emails stored by this check (0 when another run is reading the mailbox)")


@router.route("/email/integrations/{integration_id}/sync", "POST", right=Access.ANY_USER, response=SyncStarted,
              status=202)  # fmt: skip
def sync_email_integration(actor: Actor, integration_id: str) -> SyncStarted:
    """Check the mailbox now, besides the 10-minute schedule (a short, bounded read)."""
    result = services().email_sync.sync_now(actor, integration_id)
    if result is None:
        return SyncStarted(id=integration_id, status="syncing", stored=0)
    return SyncStarted(id=integration_id, status=result.status.value, stored=result.stored)


class ContactRefOut(Output):
    type: str = Field(description="client | lead")
    id: str


class AttachmentOut(Output):
    name: str
    size: int
    url: str | None = Field(description="A short-lived download URL; null for a file over the size caps")


class EmailOut(Output):
    model_config = ConfigDict(from_attributes=True, defer_build=True, serialize_by_alias=True, validate_by_name=True)

    id: str
    direction: str = Field(description="in | out")
    from_: str = Field(alias="from")
    to: list[str]
    cc: list[str]
    subject: str
    text: str
    html: str | None = Field(None, description="Sanitised HTML, when the email has an HTML body")
    time: UtcDateTime
    contact: ContactRefOut | None = None
    deal_id: str | None = None
    thread_id: str
    message_id: str
    integration_id: str
    attachments: list[AttachmentOut]

    @classmethod
    def of(cls, shown: ShownEmail) -> EmailOut:
        email = shown.email
        return cls.model_validate(
            {
                "id": email.id,
                "direction": email.direction.value,
                "from": email.sender,
                "to": list(email.to),
                "cc": list(email.cc),
                "subject": email.subject,
                "text": shown.text,
                "html": shown.html,
                "time": email.time,
                "contact": {"type": email.contact.type, "id": email.contact.id} if email.contact else None,
                "deal_id": email.deal_id,
                "thread_id": email.thread_id,
                "message_id": email.message_id,
                "integration_id": email.integration_id,
                "attachments": [
                    {"name": a.name, "size": a.size, "url": url}
                    for a, url in zip(email.attachments, shown.urls, strict=True)
                ],
            }
        )


@router.route("/emails/{email_id}", "GET", right=Access.ANY_USER, response=EmailOut)
def get_email(actor: Actor, email_id: str) -> EmailOut:
    """One email, if you may see its mailbox or one of the clients/leads it involves."""
    return EmailOut.of(services().emails.get(actor, email_id))


class ExceptionIn(Input):
    pattern: str = Field(min_length=3, max_length=320, description='"someone@example.com" or "@example.com"')


class ExceptionOut(Output):
    id: str
    pattern: str
    created_at: UtcDateTime

    @classmethod
    def of(cls, exception: EmailException) -> ExceptionOut:
        return cls(id=exception.id, pattern=exception.pattern, created_at=exception.created_at)


class ExceptionList(Output):
    items: list[ExceptionOut]


@router.route("/email/exceptions", "GET", right=Access.ANY_USER, response=ExceptionList)
def list_email_exceptions(actor: Actor) -> ExceptionList:
    """Addresses and domains whose mail never enters the CRM (EM-6)."""
    return ExceptionList(items=[ExceptionOut.of(e) for e in services().emails.exceptions(actor)])


@router.route("/email/exceptions", "POST", right=Access.ADMIN, body=ExceptionIn, response=ExceptionOut, status=201)
def create_email_exception(actor: Actor, body: ExceptionIn) -> ExceptionOut:
    """Keep the mail from or to an address (or a whole domain) out of the CRM."""
    return ExceptionOut.of(services().emails.add_exception(actor, body.pattern))


@router.route("/email/exceptions/{exception_id}", "DELETE", right=Access.ADMIN, status=204)
def delete_email_exception(actor: Actor, exception_id: str) -> None:
    """Let that mail in again (from the next message on)."""
    services().emails.delete_exception(actor, exception_id)


class EmailSettingsIn(Input):
    own_domains: list[str] = Field(max_length=MAX_DOMAINS, description="The CRM's own domains: never leads (EM-3)")
    version: int | None = Field(None, ge=0, description="The version you read; a stale one is a 409")


class EmailSettingsOut(Output):
    own_domains: list[str]
    version: int

    @classmethod
    def of(cls, settings: EmailSettings) -> EmailSettingsOut:
        return cls(own_domains=list(settings.own_domains), version=settings.version)


@router.route("/settings/email", "GET", right=Access.ANY_USER, response=EmailSettingsOut)
def get_email_settings(actor: Actor) -> EmailSettingsOut:
    """The CRM's email settings."""
    return EmailSettingsOut.of(services().emails.settings(actor))


@router.route("/settings/email", "PUT", right=Access.ADMIN, body=EmailSettingsIn, response=EmailSettingsOut)
def put_email_settings(actor: Actor, body: EmailSettingsIn) -> EmailSettingsOut:
    """Replace the CRM's email settings."""
    return EmailSettingsOut.of(services().emails.save_settings(actor, body.own_domains, body.version))
