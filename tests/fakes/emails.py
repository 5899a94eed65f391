"""Fake archived emails (ports.storage.Emails) and the mailboxes' poll index (MailPolls)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from chalicelib.domain.emails import Email, EmailException, EmailSettings, FolderCursor, MessageGuard
from chalicelib.domain.errors import ConflictError
from tests.fakes.base import FakeWrite, commit

if TYPE_CHECKING:
    from tests.fakes.storage import FakeStorage


class FakeEmails:
    def __init__(self, storage: FakeStorage) -> None:
        self._storage = storage
        self.records: dict[str, Email] = {}
        self.guards: dict[str, MessageGuard] = {}
        self.cursor_of: dict[tuple[str, str], FolderCursor] = {}
        self.exception_list: list[EmailException] = []
        self.saved_settings = EmailSettings()

    def get(self, email_id: str) -> Email | None:
        return self.records.get(email_id)

    def guard(self, message_key: str) -> MessageGuard | None:
        return self.guards.get(message_key)

    def store(self, email: Email, message_key: str, feeds: Sequence[Any]) -> bool:
        def check() -> None:
            if message_key in self.guards:
                raise ConflictError("stored already", field="message_id")

        def apply() -> None:
            self.guards[message_key] = MessageGuard(email.id, email.thread_id, email.deal_id)
            self.records[email.id] = email

        try:
            self._storage.transactions += 1
            commit([FakeWrite(apply, check), *feeds])
        except ConflictError:
            return False
        return True

    def cursors(self, integration_id: str) -> dict[str, FolderCursor]:
        return {folder: c for (i, folder), c in self.cursor_of.items() if i == integration_id}

    def save_cursor(self, integration_id: str, folder: str, cursor: FolderCursor) -> None:
        self.cursor_of[(integration_id, folder)] = cursor

    def exceptions(self) -> list[EmailException]:
        return list(self.exception_list)

    def add_exception(self, exception: EmailException) -> None:
        self.exception_list.append(exception)

    def delete_exception(self, exception_id: str) -> bool:
        before = len(self.exception_list)
        self.exception_list = [e for e in self.exception_list if e.id != exception_id]
        return len(self.exception_list) < before

    def settings(self) -> EmailSettings:
        return self.saved_settings

    def save_settings(self, before: EmailSettings, after: EmailSettings) -> EmailSettings:
        if before.version != self.saved_settings.version:
            raise ConflictError("the settings changed meanwhile", field="version")
        self.saved_settings = EmailSettings(after.own_domains, before.version + 1)
        return self.saved_settings


class FakeMailPolls:
    def __init__(self, storage: FakeStorage) -> None:
        self._storage = storage

    def due(self, now: datetime, *, limit: int) -> list[tuple[str, str]]:
        found = []
        for tenant_id, tenant in self._storage._tenants.items():
            for integration_id, at in tenant.mailboxes.next_poll.items():
                if at <= now:
                    found.append((at, tenant_id, integration_id))
        return [(t, i) for _, t, i in sorted(found)[:limit]]
