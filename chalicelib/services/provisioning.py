"""Undoing a CRM creation that stopped half-way (the compensation of the saga in `crms.py`).

`CrmService.create` rolls back through it when a step fails; the scheduled ProvisioningSweeper
(`functions/provisioning.py`) finds the CRMs a dead Lambda left in `provisioning` and rolls
them back. Apart from the creation so the sweeper, which mostly finds nothing, loads neither
the creation's rules nor its values.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from chalicelib.observability import logger

if TYPE_CHECKING:
    from chalicelib.ports.outside import Clock, IdentityProvider, SecretStore
    from chalicelib.ports.storage import Storage

# Longer than any API request can run, so the sweep never races a creation in progress.
PROVISIONING_TIMEOUT = timedelta(minutes=15)


class Provisioning:
    def __init__(self, storage: Storage, clock: Clock, identity: IdentityProvider, secrets: SecretStore) -> None:
        self._storage = storage
        self._clock = clock
        self._identity = identity
        self._secrets = secrets

    def roll_back(self, tenant_id: str, slug: str) -> None:
        """Undo a creation: logins, secrets, then the items (the slug last, freeing the name)."""
        # A failed creation or a stuck one: rare, so the names it needs load with it.
        from chalicelib.domain.users import principal_name
        from chalicelib.ports.pbx import PBX_SECRET

        users = self._storage.users(tenant_id)
        cursor: str | None = None
        while True:
            page = users.list_by_name(limit=100, cursor=cursor)
            for user in page.items:
                self._identity.delete_login(principal_name(tenant_id, user.id))
                users.drop_search_terms(user)
            if not (cursor := page.next_cursor):
                break
        self._secrets.delete(tenant_id, PBX_SECRET)
        self._storage.crms.delete_tenant(tenant_id, slug)

    def sweep(self) -> int:
        """Roll back CRMs whose creation died half-way; returns how many."""
        stale = self._storage.crms.provisioning_before(self._clock() - PROVISIONING_TIMEOUT)
        for crm in stale:
            logger.warning("rolling back a crm stuck in provisioning", extra={"tenant_id": crm.tenant_id})
            self.roll_back(crm.tenant_id, crm.slug)
        return len(stale)
