"""Email integrations of one CRM (AP89, AP90), in the tenant's partition, counted under a limit."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from chalicelib.db import keys
from chalicelib.db.models.mailboxes import MailboxCountItem, MailboxItem
from chalicelib.db.writes import Delete, Put, Update, must_exist, must_not_exist, transact
from chalicelib.domain.errors import ConflictError, StaleVersionError
from chalicelib.domain.mailboxes import CreateLeads, Integration, Security, Server, SyncStatus


class MailboxRepository:
    def __init__(self, tenant_id: str) -> None:
        self._tenant_id = tenant_id
        self._pk = keys.tenant_pk(tenant_id)

    def list_all(self) -> list[Integration]:
        """AP89: every integration (at most 20), in creation order (ids are time-ordered)."""
        items = MailboxItem.query(
            self._pk,
            MailboxItem.sk.startswith(keys.EMAIL_INTEGRATION),
            filter_condition=MailboxItem.kind == MailboxItem,
        )
        return [_to_integration(i) for i in items]

    def get(self, integration_id: str) -> Integration | None:
        """AP90."""
        try:
            return _to_integration(MailboxItem.get(self._pk, keys.email_integration_sk(integration_id)))
        except MailboxItem.DoesNotExist:
            return None

    def create(self, integration: Integration, limit: int) -> None:
        """AP90: the item and the count in one transaction; the count's condition keeps the limit."""
        item = MailboxItem(self._pk, keys.email_integration_sk(integration.id), **_attributes(integration))
        counter = MailboxCountItem(self._pk, keys.EMAIL_INTEGRATION_COUNT)
        below = MailboxCountItem.total.does_not_exist() | (MailboxCountItem.total < limit)
        full = ConflictError(f"a CRM has at most {limit} email integrations", field="limit")
        transact(
            [
                Put(item, condition=must_not_exist()),
                Update(
                    counter,
                    [MailboxCountItem.kind.set(MailboxCountItem), MailboxCountItem.total.add(1)],
                    condition=below,
                    on_conflict=full,
                ),
            ]
        )

    def save(self, before: Integration, after: Integration) -> Integration:
        """AP90, conditional on the version read."""
        item = MailboxItem(self._pk, keys.email_integration_sk(before.id), version=before.version)
        values = _attributes(after)
        actions = [getattr(MailboxItem, name).set(value) for name, value in values.items() if value is not None]
        actions += [getattr(MailboxItem, name).remove() for name, value in values.items() if value is None]
        transact([Update(item, actions, condition=must_exist(), on_conflict=StaleVersionError("integration"))])
        return replace(after, version=before.version + 1)

    def delete(self, integration: Integration) -> None:
        """AP90: the item and one less in the count."""
        item = MailboxItem(self._pk, keys.email_integration_sk(integration.id), version=integration.version)
        counter = MailboxCountItem(self._pk, keys.EMAIL_INTEGRATION_COUNT)
        transact(
            [
                Delete(item, condition=must_exist(), on_conflict=StaleVersionError("integration")),
                Update(counter, [MailboxCountItem.total.add(-1)], condition=MailboxCountItem.total > 0),
            ]
        )


def _server(server: Server) -> dict[str, Any]:
    return {"host": server.host, "port": server.port, "security": server.security.value, "username": server.username}


def _attributes(integration: Integration) -> dict[str, Any]:
    shared = integration.shared_with
    return {
        "owner_id": integration.owner_id,
        "name": integration.name,
        "email": integration.email,
        "imap": _server(integration.imap),
        "smtp": _server(integration.smtp),
        "shared_with": shared if isinstance(shared, str) else list(shared),
        "create_leads": integration.create_leads.value,
        "created_at": integration.created_at,
        "status": integration.status.value,
        "last_sync_at": integration.last_sync_at,
        "last_error": integration.last_error,
        "messages": integration.messages,
    }


def _to_server(value: dict[str, Any]) -> Server:
    return Server(value["host"], int(value["port"]), Security(value["security"]), value["username"])


def _to_integration(item: MailboxItem) -> Integration:
    shared = item.shared_with
    return Integration(
        id=item.sk.removeprefix(keys.EMAIL_INTEGRATION),
        owner_id=item.owner_id,
        name=item.name,
        email=item.email,
        imap=_to_server(item.imap),
        smtp=_to_server(item.smtp),
        shared_with=shared if isinstance(shared, str) else tuple(shared),
        create_leads=CreateLeads(item.create_leads),
        created_at=item.created_at,
        status=SyncStatus(item.status),
        last_sync_at=item.last_sync_at,
        last_error=item.last_error,
        messages=int(item.messages or 0),
        version=item.version or 1,
    )
