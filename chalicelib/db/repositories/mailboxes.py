"""Email integrations of one CRM (AP89, AP90), in the tenant's partition, counted under a limit."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

from chalicelib.db import keys
from chalicelib.db.models.mailboxes import MailboxCountItem, MailboxItem
from chalicelib.db.writes import Delete, Put, Update, must_exist, must_not_exist, transact
from chalicelib.domain.clock import isoformat_z
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
        item.gsi1pk, item.gsi1sk = self._poll_keys(integration.id, integration.created_at)  # due at once (AP94)
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
        old = _attributes(before)
        # Only what the edit changes: the poller's state (status, messages...) written meanwhile stays.
        values = {name: value for name, value in _attributes(after).items() if old[name] != value}
        actions = [getattr(MailboxItem, name).set(value) for name, value in values.items() if value is not None]
        actions += [getattr(MailboxItem, name).remove() for name, value in values.items() if value is None]
        if before.imap != after.imap:  # new server settings: poll them at once
            pk, sk = self._poll_keys(before.id, after.created_at)
            actions += [MailboxItem.gsi1pk.set(pk), MailboxItem.gsi1sk.set(sk)]
        transact([Update(item, actions, condition=must_exist(), on_conflict=StaleVersionError("integration"))])
        return replace(after, version=before.version + 1)

    # --- polling (EM-2) -----------------------------------------------------------------------

    def _poll_keys(self, integration_id: str, at: datetime) -> tuple[str, str]:
        return keys.mail_poll_pk(), keys.mail_poll_sk(isoformat_z(at), self._tenant_id, integration_id)

    def _update(self, integration_id: str, actions: list[Any], condition: Any) -> MailboxItem | None:
        """One UpdateItem of the sync state, outside the version (an edit never conflicts with a
        poll, and a poll never with an edit); None when `condition` fails."""
        from pynamodb.exceptions import UpdateError

        item = MailboxItem(self._pk, keys.email_integration_sk(integration_id))
        try:
            reply = MailboxItem._get_connection().update_item(
                item.pk, range_key=item.sk, actions=actions, condition=condition, return_values="ALL_NEW"
            )
        except UpdateError as error:
            if getattr(error, "cause_response_code", None) == "ConditionalCheckFailedException":
                return None
            raise
        return MailboxItem.from_raw_data(reply["Attributes"])

    def claim(self, integration_id: str, now: datetime, until: datetime) -> Integration | None:
        """AP90 (UpdateItem): hold the mailbox until `until` unless a poll holds it; the
        integration as stored (status `syncing`), or None (held, or gone)."""
        free = MailboxItem.lease_until.does_not_exist() | (MailboxItem.lease_until < now)
        item = self._update(
            integration_id,
            [MailboxItem.lease_until.set(until), MailboxItem.status.set("syncing")],
            MailboxItem.pk.exists() & free,
        )
        return _to_integration(item) if item is not None else None

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
        """AP90 (UpdateItem): the run's outcome, the lease given back, the next poll (AP94);
        nothing when the lease is no longer this run's (it ran over and another run took it)."""
        pk, sk = self._poll_keys(integration_id, next_poll)
        actions: list[Any] = [
            MailboxItem.status.set(status.value),
            MailboxItem.last_sync_at.set(at),
            MailboxItem.messages.add(added),
            MailboxItem.lease_until.remove(),
            MailboxItem.gsi1pk.set(pk),
            MailboxItem.gsi1sk.set(sk),
            MailboxItem.last_error.set(error) if error else MailboxItem.last_error.remove(),
        ]
        self._update(integration_id, actions, MailboxItem.lease_until == held_until)

    def schedule(self, integration_id: str, at: datetime) -> None:
        """AP94: poll the mailbox at `at` ("sync now": at once)."""
        pk, sk = self._poll_keys(integration_id, at)
        self._update(integration_id, [MailboxItem.gsi1pk.set(pk), MailboxItem.gsi1sk.set(sk)], MailboxItem.pk.exists())

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


class MailPollIndex:
    """The mailboxes of every CRM by their next poll (AP94): what the 10-minute run takes."""

    def due(self, now: datetime, *, limit: int) -> list[tuple[str, str]]:
        """AP94: (tenant id, integration id) of mailboxes due at `now`, longest waiting first."""
        items = MailboxItem.gsi1.query(keys.mail_poll_pk(), MailboxItem.gsi1sk <= f"{isoformat_z(now)}#~", limit=limit)
        found = []
        for item in items:
            _, tenant_id, integration_id = (item.gsi1sk or "").rsplit("#", 2)
            found.append((tenant_id, integration_id))
        return found
