"""Fake email integrations repository (ports.storage.Mailboxes) and connection test (MailboxProbe)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime

from chalicelib.domain.errors import ConflictError
from chalicelib.domain.mailboxes import Integration, Server, SyncStatus
from chalicelib.ports.results import MailboxProbeError
from tests.fakes.base import versioned_delete, versioned_save


class FakeMailboxes:
    def __init__(self) -> None:
        self.records: dict[str, Integration] = {}
        self.leases: dict[str, datetime] = {}
        self.next_poll: dict[str, datetime] = {}

    def list_all(self) -> list[Integration]:
        return sorted(self.records.values(), key=lambda i: i.id)

    def get(self, integration_id: str) -> Integration | None:
        return self.records.get(integration_id)

    def create(self, integration: Integration, limit: int) -> None:
        if len(self.records) >= limit:
            raise ConflictError(f"a CRM has at most {limit} email integrations", field="limit")
        self.records[integration.id] = integration
        self.next_poll[integration.id] = integration.created_at

    def save(self, before: Integration, after: Integration) -> Integration:
        return versioned_save(self.records, before, after, "integration")

    def delete(self, integration: Integration) -> None:
        versioned_delete(self.records, integration, "integration")
        self.next_poll.pop(integration.id, None)

    def claim(self, integration_id: str, now: datetime, until: datetime) -> Integration | None:
        found = self.records.get(integration_id)
        held = self.leases.get(integration_id)
        if found is None or (held is not None and held >= now):
            return None
        self.leases[integration_id] = until
        found = self.records[integration_id] = replace(found, status=SyncStatus.SYNCING)
        return found

    def finish(
        self,
        integration_id: str,
        *,
        held_until: datetime,
        status: SyncStatus,
        error: str | None,
        at: datetime,
        added: int,
        next_poll: datetime,
    ) -> None:
        found = self.records.get(integration_id)
        if found is None or self.leases.get(integration_id) != held_until:
            return
        del self.leases[integration_id]
        self.next_poll[integration_id] = next_poll
        self.records[integration_id] = replace(
            found, status=status, last_error=error, last_sync_at=at, messages=found.messages + added
        )

    def schedule(self, integration_id: str, at: datetime) -> None:
        if integration_id in self.records:
            self.next_poll[integration_id] = at


@dataclass
class FakeMailboxProbe:
    """Accepts every server unless `failures` maps its host to (kind, detail); records the checks."""

    failures: dict[str, tuple[str, str]] = field(default_factory=dict)
    checked: list[tuple[str, str, str]] = field(default_factory=list)  # (protocol, host, password)

    def _check(self, protocol: str, server: Server, password: str) -> None:
        self.checked.append((protocol, server.host, password))
        if server.host in self.failures:
            raise MailboxProbeError(*self.failures[server.host])

    def check_imap(self, server: Server, password: str) -> None:
        self._check("imap", server, password)

    def check_smtp(self, server: Server, password: str) -> None:
        self._check("smtp", server, password)
