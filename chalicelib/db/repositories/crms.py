"""The deployment's registry of CRMs (tenants): creation, slug resolution, provisioning state.

This is the one repository not bound to a tenant: it resolves slugs before any tenant is known
and sweeps failed creations. It still takes ids, never raw keys.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, fields, replace
from datetime import datetime
from typing import Any

from pynamodb.exceptions import DeleteError

from chalicelib.db import keys
from chalicelib.db.items import Item, narrow
from chalicelib.db.models.crm import CrmItem, SlugItem
from chalicelib.db.writes import Put, Update, Write, must_exist, must_not_exist, transact
from chalicelib.domain.clock import isoformat_z
from chalicelib.domain.crm import Crm, CrmStatus
from chalicelib.domain.errors import ConflictError, StaleVersionError
from chalicelib.domain.money import parse_currencies
from chalicelib.domain.telephony_settings import TelephonySettings
from chalicelib.ports.queries.crms import ProvisioningCrm


class CrmRepository:
    def create(self, crm: Crm, members: Sequence[Write]) -> None:
        """Claim the slug and write the CRM with its members (users, groups...) at once.

        A taken slug is a ConflictError on `name`; nothing is written then.
        """
        pk = keys.tenant_pk(crm.id)
        slug = SlugItem(keys.slug_pk(crm.slug), keys.slug_sk(), tenant_id=crm.id)
        item = CrmItem(
            pk,
            keys.crm_sk(),
            name=crm.name,
            slug=crm.slug,
            country=crm.country,
            timezone=crm.timezone,
            status=crm.status.value,
            has_pbx_credentials=crm.has_pbx_credentials,
            base_currency=crm.rates.base,
            currencies=crm.rates.to_list(),
            created_at=crm.created_at,
        )
        item.gsi2pk, item.gsi2sk = keys.crms_pk(), keys.crms_sk(isoformat_z(crm.created_at), crm.id)
        if crm.status is CrmStatus.PROVISIONING:
            item.gsi1pk = keys.provisioning_pk()
            item.gsi1sk = keys.provisioning_sk(isoformat_z(crm.created_at), crm.id)
        taken = ConflictError(f"the CRM address '{crm.slug}' is taken, choose another name", field="name")
        transact(
            [
                Put(slug, condition=must_not_exist(), on_conflict=taken),
                Put(item, condition=must_not_exist()),
                *members,
            ]
        )

    def get(self, tenant_id: str) -> Crm | None:
        """AP1."""
        try:
            item = CrmItem.get(keys.tenant_pk(tenant_id), keys.crm_sk())
        except CrmItem.DoesNotExist:
            return None
        return _to_crm(item)

    def resolve_slug(self, slug: str) -> str | None:
        """AP2: the tenant id of a CRM slug."""
        try:
            return SlugItem.get(keys.slug_pk(slug), keys.slug_sk()).tenant_id
        except SlugItem.DoesNotExist:
            return None

    def save_company(self, before: Crm, after: Crm) -> Crm:
        """Company settings (ST-6), if unchanged since `before` was read (else a conflict on `version`)."""
        item = CrmItem(keys.tenant_pk(before.id), keys.crm_sk(), version=before.version)
        actions = [
            CrmItem.name.set(after.name),
            CrmItem.country.set(after.country),
            CrmItem.timezone.set(after.timezone),
            CrmItem.base_currency.set(after.rates.base),
            CrmItem.currencies.set(after.rates.to_list()),
        ]
        stale = StaleVersionError("settings")
        transact([Update(item, actions, condition=must_exist(), on_conflict=stale)])
        return replace(after, version=before.version + 1)

    def save_telephony(self, before: Crm, after: Crm) -> Crm:
        """Telephony settings (ST-4), if unchanged since `before` was read."""
        item = CrmItem(keys.tenant_pk(before.id), keys.crm_sk(), version=before.version)
        actions = [
            CrmItem.telephony.set(asdict(after.telephony)),
            CrmItem.has_pbx_credentials.set(after.has_pbx_credentials),
        ]
        transact([Update(item, actions, condition=must_exist(), on_conflict=StaleVersionError("settings"))])
        return replace(after, version=before.version + 1)

    def mark_active(self, tenant_id: str) -> None:
        """The CRM is fully set up: leave the provisioning index (AP9)."""
        item = CrmItem(keys.tenant_pk(tenant_id), keys.crm_sk())
        item.update(
            actions=[
                CrmItem.status.set(CrmStatus.ACTIVE.value),
                CrmItem.gsi1pk.remove(),
                CrmItem.gsi1sk.remove(),
            ],
            condition=CrmItem.status == CrmStatus.PROVISIONING.value,
            add_version_condition=False,
        )

    def provisioning_before(self, cutoff: datetime, *, limit: int = 50) -> list[ProvisioningCrm]:
        """AP9: CRMs still provisioning that were created before `cutoff`, oldest first."""
        items = CrmItem.gsi1.query(
            keys.provisioning_pk(),
            CrmItem.gsi1sk < keys.provisioning_sk(isoformat_z(cutoff), "~"),
            limit=limit,
        )
        crms = (narrow(item, CrmItem) for item in items)
        return [ProvisioningCrm(item.pk.removeprefix(keys.TENANT), item.slug, item.created_at) for item in crms]

    def page(self, *, limit: int, after: dict[str, Any] | None = None) -> tuple[list[str], dict[str, Any] | None]:
        """AP62: tenant ids of every CRM, oldest first, and the key to go on from (maintenance
        runs: the key is never a client's cursor)."""
        result = CrmItem.gsi2.query(keys.crms_pk(), limit=limit, last_evaluated_key=after)
        return [item.pk.removeprefix(keys.TENANT) for item in result], result.last_evaluated_key

    def enrol_existing(self, *, limit: int, after: dict[str, Any] | None = None) -> tuple[int, dict[str, Any] | None]:
        """Put CRMs created before AP62 existed into it: the one Scan of the code, for an upgrade
        (services/maintenance.py), never on a request path. `limit` items read a call; returns
        the CRMs enrolled and the key to go on from (None: the table has been read)."""
        result = CrmItem.scan(
            CrmItem.gsi2pk.does_not_exist(), limit=limit, last_evaluated_key=after, consistent_read=True
        )
        enrolled = 0
        for item in result:
            item.update(
                actions=[
                    CrmItem.gsi2pk.set(keys.crms_pk()),
                    CrmItem.gsi2sk.set(keys.crms_sk(isoformat_z(item.created_at), item.pk.removeprefix(keys.TENANT))),
                ],
                condition=must_exist(),
                add_version_condition=False,
            )
            enrolled += 1
        return enrolled, result.last_evaluated_key

    def delete_tenant(self, tenant_id: str, slug: str) -> int:
        """AP10: delete every item of a tenant partition and its slug (rollback of a failed creation).

        Returns the number of items deleted. Only for small, just-created CRMs: it reads the
        whole partition.
        """
        from chalicelib.db.models import load_all

        load_all()  # the partition holds records of every area: a query sees only known types
        pk = keys.tenant_pk(tenant_id)
        deleted = 0
        with Item.batch_write() as batch:
            for item in Item.query(pk):
                batch.delete(item)
                deleted += 1
        try:
            # Release the slug only while it still points at this tenant.
            SlugItem(keys.slug_pk(slug), keys.slug_sk()).delete(condition=SlugItem.tenant_id == tenant_id)
            deleted += 1
        except DeleteError as exc:
            if exc.cause_response_code != "ConditionalCheckFailedException":
                raise
        return deleted


def _to_crm(item: CrmItem) -> Crm:
    return Crm(
        id=item.pk.removeprefix(keys.TENANT),
        slug=item.slug,
        name=item.name,
        country=item.country,
        timezone=item.timezone,
        status=CrmStatus(item.status),
        created_at=item.created_at,
        has_pbx_credentials=bool(item.has_pbx_credentials),
        rates=parse_currencies(item.base_currency, item.currencies or []),
        telephony=_telephony(item.telephony or {}),
        version=item.version or 1,
    )


def _telephony(stored: dict[str, Any]) -> TelephonySettings:
    """Stored settings; keys unknown to this version are ignored, missing ones take defaults."""
    known = {f.name for f in fields(TelephonySettings)}
    return TelephonySettings(**{k: v for k, v in stored.items() if k in known})
