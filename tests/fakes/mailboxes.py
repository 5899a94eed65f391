"""Fake email integrations repository (ports.storage.Mailboxes) and connection test (MailboxProbe)."""

from __future__ import annotations

from dataclasses import dataclass, field

from chalicelib.domain.errors import ConflictError
from chalicelib.domain.mailboxes import Integration, Server
from chalicelib.ports.results import MailboxProbeError
from tests.fakes.base import versioned_delete, versioned_save


class FakeMailboxes:
    def __init__(self) -> None:
        self.records: dict[str, Integration] = {}

    def list_all(self) -> list[Integration]:
        return sorted(self.records.values(), key=lambda i: i.id)

    def get(self, integration_id: str) -> Integration | None:
        return self.records.get(integration_id)

    def create(self, integration: Integration, limit: int) -> None:
        if len(self.records) >= limit:
            raise ConflictError(f"a CRM has at most {limit} email integrations", field="limit")
        self.records[integration.id] = integration

    def save(self, before: Integration, after: Integration) -> Integration:
        return versioned_save(self.records, before, after, "integration")

    def delete(self, integration: Integration) -> None:
        versioned_delete(self.records, integration, "integration")


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
