"""Reading archived emails (`GET /v1/emails/{id}`), the exceptions (EM-6) and the email settings.

An email is shown to whoever may see its mailbox (the integration's owner, those it is shared
with, administrators) or one of the clients/leads whose feed holds it. Exceptions and settings
are read by every user (the settings screen shows them) and changed by administrators.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from chalicelib.domain.contacts import can_see
from chalicelib.domain.emails import (
    MAX_EXCEPTIONS,
    Email,
    EmailException,
    EmailSettings,
    check_domains,
    check_pattern,
)
from chalicelib.domain.errors import ConflictError, NotFoundError
from chalicelib.domain.ids import new_id
from chalicelib.domain.rights import Access

if TYPE_CHECKING:
    from chalicelib.domain.actor import Actor
    from chalicelib.ports.outside import Clock, FileStore
    from chalicelib.ports.storage import Storage

URL_SECONDS = 3600


@dataclass(frozen=True, slots=True)
class ShownEmail:
    email: Email
    text: str
    html: str | None
    urls: tuple[str | None, ...]  # one per attachment (None: over the caps, not kept)


class EmailService:
    def __init__(self, storage: Storage, clock: Clock, files: FileStore) -> None:
        self._storage = storage
        self._clock = clock
        self._files = files

    def get(self, actor: Actor, email_id: str) -> ShownEmail:
        actor.require(Access.ANY_USER)
        email = self._storage.emails(actor.tenant_id).get(email_id)
        if email is None or not self._may_see(actor, email):
            raise NotFoundError("no such email in this CRM")
        text = email.text
        if email.text_key:
            whole = self._files.get(email.text_key)
            text = whole.decode("utf-8", errors="replace") if whole is not None else text
        html = None
        if email.html_key:
            body = self._files.get(email.html_key)
            html = body.decode("utf-8", errors="replace") if body is not None else None
        urls = tuple(
            self._files.url(a.key, URL_SECONDS, download_as=a.name) if a.key else None for a in email.attachments
        )
        return ShownEmail(email, text, html, urls)

    def _may_see(self, actor: Actor, email: Email) -> bool:
        integration = self._storage.mailboxes(actor.tenant_id).get(email.integration_id)
        if integration is not None and integration.visible_to(actor.user_id, admin=actor.is_admin):
            return True
        if actor.is_admin:
            return True
        ids = [ref.id for ref in email.contacts]
        contacts = self._storage.contacts(actor.tenant_id).get_many(ids) if ids else []
        return any(can_see(actor, c) for c in contacts)

    # --- exceptions (EM-6) -------------------------------------------------------------------

    def exceptions(self, actor: Actor) -> list[EmailException]:
        actor.require(Access.ANY_USER)
        return self._storage.emails(actor.tenant_id).exceptions()

    def add_exception(self, actor: Actor, pattern: str) -> EmailException:
        actor.require(Access.ADMIN)
        value = check_pattern(pattern)
        repo = self._storage.emails(actor.tenant_id)
        existing = repo.exceptions()
        for known in existing:
            if known.pattern == value:
                return known  # the same pattern twice is one exception
        if len(existing) >= MAX_EXCEPTIONS:
            raise ConflictError(f"a CRM has at most {MAX_EXCEPTIONS} exceptions", field="pattern")
        exception = EmailException(new_id(), value, self._clock())
        repo.add_exception(exception)
        return exception

    def delete_exception(self, actor: Actor, exception_id: str) -> None:
        actor.require(Access.ADMIN)
        if not self._storage.emails(actor.tenant_id).delete_exception(exception_id):
            raise NotFoundError("no such exception")

    # --- settings ----------------------------------------------------------------------------

    def settings(self, actor: Actor) -> EmailSettings:
        actor.require(Access.ANY_USER)
        return self._storage.emails(actor.tenant_id).settings()

    def save_settings(self, actor: Actor, own_domains: list[str], version: int | None) -> EmailSettings:
        actor.require(Access.ADMIN)
        repo = self._storage.emails(actor.tenant_id)
        before = repo.settings()
        if version is not None and version != before.version:
            raise ConflictError("the settings changed meanwhile: read them again", field="version")
        return repo.save_settings(before, EmailSettings(check_domains(own_domains), before.version))
