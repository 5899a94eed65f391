"""Company settings (SPEC ST-6): name, locale, base currency and exchange rates.

Changing the time zone starts a rebuild of the CRM's rollups (their days are the company's)."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from chalicelib.domain import crm as crm_rules
from chalicelib.domain.errors import NotFoundError, UnavailableError, check_version
from chalicelib.domain.money import ExchangeRates, check_currency, parse_currencies
from chalicelib.domain.rights import Access
from chalicelib.observability import logger

if TYPE_CHECKING:
    from chalicelib.domain.actor import Actor
    from chalicelib.domain.crm import Crm
    from chalicelib.ports.storage import Storage
    from chalicelib.services.rollups import RollupService


class CompanyService:
    def __init__(self, storage: Storage, *, rollups: RollupService | None = None) -> None:
        self._storage = storage
        self._rollups = rollups

    def get(self, actor: Actor) -> Crm:
        actor.require(Access.ANY_USER)
        return self._require(actor.tenant_id)

    def update(
        self,
        actor: Actor,
        version: int | None,
        *,
        name: str,
        country: str,
        timezone: str,
        base_currency: str,
        currencies: list[dict[str, Any]],
    ) -> Crm:
        """Replace the settings; the slug (the CRM's address) never changes."""
        actor.require(Access.ADMIN)
        before = self._require(actor.tenant_id)
        check_version(version, before.version, "settings")
        after = replace(
            before,
            name=crm_rules.check_company_name(name),
            country=crm_rules.check_country(country),
            timezone=crm_rules.check_timezone(timezone),
            rates=parse_currencies(check_currency(base_currency, field_name="base_currency"), currencies),
        )
        saved = self._storage.crms.save_company(before, after)
        if saved.timezone != before.timezone and self._rollups is not None:
            # Day cells are days of the company's time zone: rebuild them in the background
            # (a chunked reconciliation with repair, docs/analytics.md "Time zones").
            try:
                self._rollups.start(actor.tenant_id, repair=True, reason="timezone")
            except UnavailableError:
                # The settings are saved; the figures catch up with the next rebuild
                # (`make reconcile CRM=<slug> REPAIR=1`). The operators' alarm is this error log.
                logger.exception("the rollups rebuild after a time zone change could not start",
                                 extra={"tenant_id": actor.tenant_id})  # fmt: skip
        return saved

    def rates(self, tenant_id: str) -> ExchangeRates:
        """The CRM's exchange rates: deals and analytics convert amounts with them."""
        return self._require(tenant_id).rates

    def to_base(self, tenant_id: str, amount: Decimal, currency: str) -> Decimal:
        return self.rates(tenant_id).to_base(amount, currency)

    def _require(self, tenant_id: str) -> Crm:
        crm = self._storage.crms.get(tenant_id)
        if crm is None:
            raise NotFoundError("no such CRM")
        return crm
