"""Archived emails of one CRM (AP91, AP92), mailbox cursors (AP93), exceptions (AP95), settings (AP96)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from chalicelib.db import keys
from chalicelib.db.models.emails import (
    EmailCursorItem,
    EmailExceptionItem,
    EmailItem,
    EmailSettingsItem,
    MessageGuardItem,
)
from chalicelib.db.writes import Delete, Put, Write, must_exist, must_not_exist, transact
from chalicelib.domain.emails import (
    Attachment,
    ContactRef,
    Direction,
    Email,
    EmailException,
    EmailSettings,
    FolderCursor,
    MessageGuard,
)
from chalicelib.domain.errors import ConflictError, NotFoundError


class _DuplicateMessageError(ConflictError):
    """The Message-ID is stored already (the guard's condition failed)."""


class EmailRepository:
    def __init__(self, tenant_id: str) -> None:
        self._tenant_id = tenant_id
        self._pk = keys.tenant_pk(tenant_id)

    # --- emails ------------------------------------------------------------------------------

    def get(self, email_id: str) -> Email | None:
        """AP91."""
        try:
            return _to_email(EmailItem.get(keys.email_pk(self._tenant_id, email_id), keys.EMAIL_RECORD))
        except EmailItem.DoesNotExist:
            return None

    def guard(self, message_key: str) -> MessageGuard | None:
        """AP92: the email already stored under this Message-ID (sha256), if any."""
        try:
            item = MessageGuardItem.get(self._pk, keys.message_guard_sk(message_key), consistent_read=True)
        except MessageGuardItem.DoesNotExist:
            return None
        return MessageGuard(item.email_id, item.thread_id, item.deal_id)

    def store(self, email: Email, message_key: str, feeds: Sequence[Write]) -> bool:
        """AP91 + AP92: the record, its guard and its feed lines at once; False (nothing
        written) when the Message-ID is stored already."""
        item = EmailItem(keys.email_pk(self._tenant_id, email.id), keys.EMAIL_RECORD, **_attributes(email))
        guard = MessageGuardItem(
            self._pk,
            keys.message_guard_sk(message_key),
            email_id=email.id,
            thread_id=email.thread_id,
            deal_id=email.deal_id,
        )
        try:
            transact(
                [
                    Put(guard, condition=must_not_exist(), on_conflict=_DuplicateMessageError("stored already")),
                    Put(item, condition=must_not_exist()),
                    *feeds,
                ]
            )
        except _DuplicateMessageError:
            return False
        return True

    # --- cursors -----------------------------------------------------------------------------

    def cursors(self, integration_id: str) -> dict[str, FolderCursor]:
        """AP93: every folder cursor of a mailbox, by folder role (one Query)."""
        items = EmailCursorItem.query(
            self._pk, EmailCursorItem.sk.startswith(keys.email_cursors_prefix(integration_id)), consistent_read=True
        )
        prefix = keys.email_cursors_prefix(integration_id)
        return {
            i.sk.removeprefix(prefix): FolderCursor(int(i.uidvalidity), int(i.last_uid))
            for i in items
            if isinstance(i, EmailCursorItem)
        }

    def save_cursor(self, integration_id: str, folder: str, cursor: FolderCursor) -> None:
        """AP93 (PutItem): only the poller holding the mailbox's lease writes it."""
        EmailCursorItem(
            self._pk,
            keys.email_cursor_sk(integration_id, folder),
            uidvalidity=cursor.uidvalidity,
            last_uid=cursor.last_uid,
        ).save()

    def drop_cursors(self, integration_id: str) -> None:
        for folder in self.cursors(integration_id):
            EmailCursorItem(self._pk, keys.email_cursor_sk(integration_id, folder)).delete()

    # --- exceptions (EM-6) -------------------------------------------------------------------

    def exceptions(self) -> list[EmailException]:
        """AP95: every exception of the CRM (a few hundred at most), in creation order."""
        items = EmailExceptionItem.query(self._pk, EmailExceptionItem.sk.startswith(keys.EMAIL_EXCEPTION))
        return [
            EmailException(i.sk.removeprefix(keys.EMAIL_EXCEPTION), i.pattern, i.created_at)
            for i in items
            if isinstance(i, EmailExceptionItem)
        ]

    def add_exception(self, exception: EmailException) -> None:
        item = EmailExceptionItem(
            self._pk, keys.email_exception_sk(exception.id), pattern=exception.pattern, created_at=exception.created_at
        )
        transact([Put(item, condition=must_not_exist())])

    def delete_exception(self, exception_id: str) -> bool:
        """AP95 (DeleteItem); False when there was none."""
        item = EmailExceptionItem(self._pk, keys.email_exception_sk(exception_id))
        try:
            transact([Delete(item, condition=must_exist(), on_conflict=NotFoundError("no such exception"))])
        except NotFoundError:
            return False
        return True

    # --- settings ----------------------------------------------------------------------------

    def settings(self) -> EmailSettings:
        """AP96."""
        try:
            item = EmailSettingsItem.get(self._pk, keys.EMAIL_SETTINGS)
        except EmailSettingsItem.DoesNotExist:
            return EmailSettings()
        return EmailSettings(tuple(item.own_domains or ()), int(item.revision or 0))

    def save_settings(self, before: EmailSettings, after: EmailSettings) -> EmailSettings:
        """AP96, if nobody saved them since `before` was read (else a conflict)."""
        item = EmailSettingsItem(
            self._pk, keys.EMAIL_SETTINGS, own_domains=list(after.own_domains), revision=before.version + 1
        )
        same = (
            EmailSettingsItem.revision.does_not_exist()
            if before.version == 0
            else (EmailSettingsItem.revision == before.version)
        )
        changed = ConflictError("the settings changed meanwhile", field="version")
        transact([Put(item, condition=same, on_conflict=changed)])
        return EmailSettings(after.own_domains, before.version + 1)


def _ref(value: dict[str, Any] | None) -> ContactRef | None:
    return ContactRef(value["type"], value["id"]) if value else None


def _attributes(email: Email) -> dict[str, Any]:
    def ref(r: ContactRef) -> dict[str, str]:
        return {"type": r.type, "id": r.id}

    return {
        "integration_id": email.integration_id,
        "direction": email.direction.value,
        "message_id": email.message_id,
        "thread_id": email.thread_id,
        "sender": email.sender,
        "to": list(email.to),
        "cc": list(email.cc),
        "subject": email.subject,
        "text": email.text,
        "has_html": email.has_html,
        "time": email.time,
        "contact": ref(email.contact) if email.contact else None,
        "contacts": [ref(c) for c in email.contacts],
        "deal_id": email.deal_id,
        "attachments": [
            {"name": a.name, "size": a.size, "key": a.key, "content_type": a.content_type} for a in email.attachments
        ],
        "user_id": email.user_id,
        "in_reply_to": email.in_reply_to,
        "html_key": email.html_key,
        "text_key": email.text_key,
    }


def _to_email(item: EmailItem) -> Email:
    return Email(
        id=item.pk.rpartition("#")[2],
        integration_id=item.integration_id,
        direction=Direction(item.direction),
        message_id=item.message_id,
        thread_id=item.thread_id,
        sender=item.sender,
        to=tuple(item.to or ()),
        cc=tuple(item.cc or ()),
        subject=item.subject,
        text=item.text,
        has_html=bool(item.has_html),
        time=item.time,
        contact=_ref(item.contact),
        deal_id=item.deal_id,
        attachments=tuple(
            Attachment(a["name"], int(a["size"]), a.get("key"), a.get("content_type") or "application/octet-stream")
            for a in item.attachments or ()
        ),
        user_id=item.user_id,
        contacts=tuple(r for r in (_ref(c) for c in item.contacts or ()) if r is not None),
        in_reply_to=item.in_reply_to,
        html_key=item.html_key,
        text_key=item.text_key,
    )
