"""CRMs across tenants."""

from __future__ import annotations

from datetime import datetime

from chalicelib.domain.records import record


@record(frozen=True, slots=True)
class ProvisioningCrm:
    """A CRM still being provisioned, as the sweeper sees it."""

    tenant_id: str
    slug: str
    created_at: datetime
