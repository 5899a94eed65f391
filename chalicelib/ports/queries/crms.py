"""CRMs across tenants."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class ProvisioningCrm:
    tenant_id: str
    slug: str
    created_at: datetime
