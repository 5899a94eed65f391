"""Email integrations (SPEC EM-1): mailboxes over IMAP/SMTP, personal or shared, at most 20.

Who: an administrator manages every integration and may share one with all users or chosen
users; any other user adds and manages personal integrations only (`shared_with: []`) and sees
their own plus those shared with them. Passwords go to the SecretStore (SSM SecureString), never
to the table nor any answer. Saving new server settings runs the connection test first
(MailboxProbe): a refused login, an unreachable host or a TLS failure is a 400 naming the field.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from chalicelib.domain.errors import ConflictError, ForbiddenError, NotFoundError, ValidationError, check_version
from chalicelib.domain.ids import new_id
from chalicelib.domain.mailboxes import (
    MAX_INTEGRATIONS,
    PRESETS,
    SHARED_WITH_ALL,
    CreateLeads,
    Integration,
    Preset,
    Security,
    Server,
    SyncStatus,
    check_name,
    check_password,
    check_server,
    secret_name,
)
from chalicelib.domain.rights import Access
from chalicelib.domain.users import normalize_email
from chalicelib.ports.results import MailboxProbeError

if TYPE_CHECKING:
    from chalicelib.domain.actor import Actor
    from chalicelib.ports.outside import Clock, MailboxProbe, SecretStore
    from chalicelib.ports.storage import Storage

SIDES = ("imap", "smtp")

# What the connection test's failure points at, and how it reads.
_PROBE_FIELDS = {"auth": "password", "unreachable": "host", "tls": "security"}
_PROBE_WORDS = {
    "auth": "authentication failed",
    "unreachable": "host unreachable",
    "tls": "TLS failed",
    "protocol": "not a mail server",
}


@dataclass(frozen=True, slots=True)
class ServerInput:
    """One side's settings as sent; in a PATCH every field is optional (absent: kept)."""

    host: str | None = None
    port: int | None = None
    security: str | None = None
    username: str | None = None
    password: str | None = None


@dataclass(frozen=True, slots=True)
class IntegrationInput:
    name: str | None = None
    email: str | None = None
    imap: ServerInput | None = None
    smtp: ServerInput | None = None
    shared_with: str | list[str] | None = None
    create_leads: str | None = None


class MailboxService:
    def __init__(self, storage: Storage, clock: Clock, secrets: SecretStore, probe: MailboxProbe) -> None:
        self._storage = storage
        self._clock = clock
        self._secrets = secrets
        self._probe = probe

    @staticmethod
    def presets() -> tuple[Preset, ...]:
        return PRESETS

    def visible(self, actor: Actor) -> list[Integration]:
        """The integrations the caller may see (AP89: one Query of at most 20)."""
        actor.require(Access.ANY_USER)
        found = self._storage.mailboxes(actor.tenant_id).list_all()
        return [i for i in found if i.visible_to(actor.user_id, admin=actor.is_admin)]

    def get(self, actor: Actor, integration_id: str) -> Integration:
        actor.require(Access.ANY_USER)
        integration = self._storage.mailboxes(actor.tenant_id).get(integration_id)
        if integration is None or not integration.visible_to(actor.user_id, admin=actor.is_admin):
            raise NotFoundError("no such email integration in this CRM")
        return integration

    def create(self, actor: Actor, given: IntegrationInput) -> Integration:
        actor.require(Access.ANY_USER)
        for name in ("name", "email"):
            if getattr(given, name) is None:
                raise ValidationError(f"{name} is required", field=name)
        imap, imap_password = _server(None, given.imap or ServerInput(), "imap", None)
        smtp, smtp_password = _server(None, given.smtp or ServerInput(), "smtp", None)
        shared = self._shared_with(actor, given.shared_with if given.shared_with is not None else [])
        integration = Integration(
            id=new_id(),
            owner_id=actor.user_id,
            name=check_name(given.name or ""),
            email=_check_email(given.email or ""),
            imap=imap,
            smtp=smtp,
            shared_with=shared,
            create_leads=_create_leads(given.create_leads or CreateLeads.NONE.value),
            created_at=self._clock(),
        )
        repo = self._storage.mailboxes(actor.tenant_id)
        if len(repo.list_all()) >= MAX_INTEGRATIONS:  # early, before a connection test; the count decides
            raise ConflictError(f"a CRM has at most {MAX_INTEGRATIONS} email integrations", field="limit")
        self._test(imap, imap_password, smtp, smtp_password)
        self._secrets.put(actor.tenant_id, secret_name(integration.id), {"imap": imap_password, "smtp": smtp_password})
        try:
            repo.create(integration, MAX_INTEGRATIONS)
        except Exception:
            self._secrets.delete(actor.tenant_id, secret_name(integration.id))
            raise
        return integration

    def update(self, actor: Actor, integration_id: str, version: int | None, given: IntegrationInput) -> Integration:
        before = self._manageable(actor, integration_id)
        check_version(version, before.version, "integration")
        stored = self._secrets.get(actor.tenant_id, secret_name(before.id)) or {}
        imap, imap_password = _server(before.imap, given.imap or ServerInput(), "imap", stored.get("imap"))
        smtp, smtp_password = _server(before.smtp, given.smtp or ServerInput(), "smtp", stored.get("smtp"))
        after = replace(
            before,
            name=check_name(given.name) if given.name is not None else before.name,
            email=_check_email(given.email) if given.email is not None else before.email,
            imap=imap,
            smtp=smtp,
            shared_with=self._shared_with(actor, given.shared_with)
            if given.shared_with is not None
            else before.shared_with,
            create_leads=_create_leads(given.create_leads) if given.create_leads is not None else before.create_leads,
        )
        changed = given.imap is not None or given.smtp is not None
        if changed:
            self._test(imap, imap_password, smtp, smtp_password)
            after = replace(after, status=SyncStatus.SYNCING, last_error=None)
        saved = self._storage.mailboxes(actor.tenant_id).save(before, after)
        if changed:
            secret = {"imap": imap_password, "smtp": smtp_password}
            if secret != stored:
                self._secrets.put(actor.tenant_id, secret_name(before.id), secret)
        return saved

    def delete(self, actor: Actor, integration_id: str) -> None:
        integration = self._manageable(actor, integration_id)
        self._storage.mailboxes(actor.tenant_id).delete(integration)
        self._secrets.delete(actor.tenant_id, secret_name(integration.id))

    # --- helpers ---------------------------------------------------------------------------------

    def _manageable(self, actor: Actor, integration_id: str) -> Integration:
        integration = self.get(actor, integration_id)
        if not integration.manageable_by(actor.user_id, admin=actor.is_admin):
            raise ForbiddenError("only an administrator manages a shared or another user's integration")
        return integration

    def _shared_with(self, actor: Actor, value: str | list[str]) -> str | tuple[str, ...]:
        if isinstance(value, str):
            if value != SHARED_WITH_ALL:
                raise ValidationError('"all" or a list of user ids', field="shared_with")
            if not actor.is_admin:
                raise ForbiddenError("only an administrator shares an integration", field="shared_with")
            return SHARED_WITH_ALL
        if not value:
            return ()
        if not actor.is_admin:
            raise ForbiddenError("only an administrator shares an integration", field="shared_with")
        ids = list(dict.fromkeys(value))
        known = {u.id for u in self._storage.users(actor.tenant_id).get_many(ids)}
        for i, user_id in enumerate(value):
            if user_id not in known:
                raise ValidationError("no such user in this CRM", field=f"shared_with[{i}]")
        return tuple(ids)

    def _test(self, imap: Server, imap_password: str, smtp: Server, smtp_password: str) -> None:
        """The connection test on save: both servers, each failure named by its field."""
        for side, server, password in (("imap", imap, imap_password), ("smtp", smtp, smtp_password)):
            check = self._probe.check_imap if side == "imap" else self._probe.check_smtp
            try:
                check(server, password)
            except MailboxProbeError as failure:
                words = _PROBE_WORDS.get(failure.kind, failure.kind)
                part = _PROBE_FIELDS.get(failure.kind)
                raise ValidationError(
                    f"{side.upper()} {server.host}:{server.port}: {words} ({failure.detail})",
                    field=f"{side}.{part}" if part else side,
                ) from None


def _server(before: Server | None, given: ServerInput, side: str, password: str | None) -> tuple[Server, str]:
    """One side merged over `before` (None on create: everything required) and its password."""
    values = {}
    for name in ("host", "port", "security", "username"):
        value = getattr(given, name)
        if value is None:
            if before is None:
                raise ValidationError(f"{name} is required", field=f"{side}.{name}")
            value = getattr(before, name)
        values[name] = value
    try:
        security = Security(values["security"])
    except ValueError:
        raise ValidationError("ssl, starttls or none", field=f"{side}.security") from None
    host, port, username = check_server(values["host"], values["port"], values["username"], side)
    if given.password is not None:
        password = check_password(given.password, side)
    if password is None:
        raise ValidationError("password is required", field=f"{side}.password")
    return Server(host, port, security, username), password


def _check_email(email: str) -> str:
    email = normalize_email(email)
    local, _, domain = email.partition("@")
    if not local or "." not in domain or len(email) > 320 or any(c.isspace() for c in email):
        raise ValidationError("an email address", field="email")
    return email


def _create_leads(value: str) -> CreateLeads:
    try:
        return CreateLeads(value)
    except ValueError:
        raise ValidationError("none, received or received_and_sent", field="create_leads") from None
