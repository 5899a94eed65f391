"""The write-time rollups of one CRM (`ports.storage.Rollups`, docs/analytics.md).

Layout: one item per (scope, period), `pk=T#<tid>#ROLL#<scope>` (`*` or a user id) and
`sk=<period>` (`D<day>` < `NOW` < `Q<UTC quarter-hour>` in key order), each metric a number
attribute `m:<metric>`. Writes are UpdateItem ADDs (a first ADD creates the item), so they go
into the transaction of the record they count (`updates`), or, for batch paths and repairs,
straight to the table (`add`). The company's time zone decides the D periods: it is read once a
process per CRM and kept TZ_TTL seconds (`company_tz`).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterator, Mapping, Sequence
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from pynamodb.expressions.operand import Path, Value

from chalicelib.db import keys
from chalicelib.db.items import Item
from chalicelib.db.models.rollups import METRIC_PREFIX, ClosedLeadItem, RollupItem
from chalicelib.db.pagination import Page, decode_cursor, encode_cursor
from chalicelib.db.writes import MAX_TRANSACTION_ITEMS, Put, Update, transact
from chalicelib.domain import metrics
from chalicelib.domain.clock import isoformat_z
from chalicelib.domain.rollups import Cell, Contribute, R, delta, is_kept

if TYPE_CHECKING:
    from pynamodb.expressions.update import Action

    from chalicelib.domain.rollups.contacts import ClosedLead

TZ_TTL = 60.0  # seconds a process trusts the company time zone it read (a change rebuilds anyway)
BATCH_GET_KEYS = 100


def company_tz(tenant_id: str) -> ZoneInfo:
    """The CRM's time zone (AP1), cached per process for TZ_TTL seconds; the same read gives
    the webhook outbox the CRM's hook counts (db/repositories/hooks.py)."""
    from chalicelib.db.repositories.hooks import crm_facts

    return crm_facts(tenant_id)[0]


def forget_tz(tenant_id: str) -> None:
    """Drop the cached zone (the company's time zone was just changed in this process)."""
    from chalicelib.db.repositories.hooks import forget_facts

    forget_facts(tenant_id)


def _now() -> datetime:
    return datetime.now(UTC)


class RollupRepository:
    def __init__(self, tenant_id: str, tz: ZoneInfo | None = None) -> None:
        self._tenant_id = tenant_id
        self._tz = tz

    @property
    def tz(self) -> ZoneInfo:
        if self._tz is None:
            self._tz = company_tz(self._tenant_id)
        return self._tz

    # --- reads (the port) ------------------------------------------------------------------

    def days(self, scope: str, first: date, last: date) -> dict[date, dict[str, int]]:
        """AP63: the day cells of one scope, one Query (paged)."""
        low, high = metrics.day_period(first), metrics.day_period(last)
        return {metrics.period_day(p): v for p, v in self._query(scope, low, high) if v}

    def recent(self, scope: str, start: datetime, end: datetime) -> dict[datetime, dict[str, int]]:
        """AP64: the quarter-hour cells of one scope starting in [start, end), one Query."""
        low, high = metrics.recent_period(start), metrics.recent_period(end)
        found: dict[datetime, dict[str, int]] = {}
        for period, values in self._query(scope, low, high):
            at = metrics.period_start(period)
            if start <= at < end and values:
                found[at] = values
        return found

    def gauges(self, scopes: Sequence[str]) -> dict[str, dict[str, int]]:
        """AP65: the NOW cells of these scopes, one BatchGetItem (a hundred scopes a call)."""
        found: dict[str, dict[str, int]] = {s: {} for s in scopes}
        client = _client()
        wanted = list(dict.fromkeys(scopes))
        prefix = keys.rollup_pk(self._tenant_id, "")
        for start in range(0, len(wanted), BATCH_GET_KEYS):
            request: dict[str, Any] = {
                _table(): {
                    "Keys": [
                        {"pk": {"S": keys.rollup_pk(self._tenant_id, s)}, "sk": {"S": metrics.NOW}}
                        for s in wanted[start : start + BATCH_GET_KEYS]
                    ]
                }
            }
            while request:
                answer = client.batch_get_item(RequestItems=request)
                for raw in answer.get("Responses", {}).get(_table(), []):
                    found[raw["pk"]["S"].removeprefix(prefix)] = _metrics_of(raw)
                request = answer.get("UnprocessedKeys") or {}
        return found

    def stored(self, scope: str) -> Counter[Cell]:
        """AP63: every stored cell of one scope (reconciliation), one paged Query."""
        found: Counter[Cell] = Counter()
        for period, values in self._query(scope, None, None):
            for metric, value in values.items():
                if value:
                    found[(scope, period, metric)] = value
        return found

    # --- writes ----------------------------------------------------------------------------

    def delta_updates(self, before: R, after: R, contribute: Contribute[R]) -> list[Update]:
        """The ADDs a write of one record brings (for its transaction); `contribute`: its
        family's contributions (`domain.rollups.contacts`, ...)."""
        return self.updates(delta(before, after, self.tz, contribute))

    def updates(self, deltas: Mapping[Cell, int], now: datetime | None = None) -> list[Update]:
        """One UpdateItem (ADD) per item touched; zero deltas and Q cells older than the recent
        window (never read) are left out; Q items get their TTL."""
        now = now or _now()
        grouped: dict[tuple[str, str], dict[str, int]] = defaultdict(dict)
        for (scope, period, metric), n in deltas.items():
            if n and is_kept(period, now):
                grouped[(scope, period)][metric] = grouped[(scope, period)].get(metric, 0) + n
        updates = []
        for (scope, period), values in sorted(grouped.items()):
            actions: list[Action] = [RollupItem.kind.set(RollupItem)]
            actions += [Path([f"{METRIC_PREFIX}{k}"]).add(Value({"N": str(v)})) for k, v in sorted(values.items()) if v]
            if period.startswith("Q"):
                actions.append(RollupItem.ttl.set(metrics.period_start(period) + metrics.RECENT_KEEP))
            if len(actions) > 1:
                updates.append(
                    Update(RollupItem(keys.rollup_pk(self._tenant_id, scope), keys.rollup_sk(period)), actions)
                )
        return updates

    def add(self, deltas: Mapping[Cell, int], now: datetime | None = None) -> None:
        """Apply `deltas` outside the record's transaction (batch paths, repairs): one
        TransactWriteItems call per MAX_TRANSACTION_ITEMS items (a call's few cells: one call)."""
        updates = self.updates(deltas, now)
        for start in range(0, len(updates), MAX_TRANSACTION_ITEMS):
            transact(updates[start : start + MAX_TRANSACTION_ITEMS])

    # --- closed-lead tombstones ------------------------------------------------------------

    def closed_lead_put(self, lead: ClosedLead) -> Put:
        item = ClosedLeadItem(
            keys.closed_leads_pk(self._tenant_id),
            keys.closed_lead_sk(isoformat_z(lead.closed_at), lead.id),
            lead_id=lead.id,
            created_at=lead.created_at,
            closed_at=lead.closed_at,
            created_for=lead.created_for,
            closed_by=lead.closed_by,
            lead_source=lead.lead_source,
            source_tag_ids=list(lead.source_tag_ids),
            pool_spans=[[s.entered.isoformat(), s.left.isoformat() if s.left else None] for s in lead.pool_spans],
        )
        return Put(item)

    def closed_leads(self, *, limit: int, cursor: str | None) -> Page[ClosedLead]:
        """AP66: the closed-lead tombstones, oldest first, paged."""
        pk = keys.closed_leads_pk(self._tenant_id)
        result = ClosedLeadItem.query(
            pk, limit=limit, last_evaluated_key=decode_cursor(cursor, self._tenant_id, partition=pk)
        )
        found = [_closed_lead(i) for i in result]
        return Page(found, encode_cursor(result.last_evaluated_key))

    # --- helpers ---------------------------------------------------------------------------

    def _query(self, scope: str, low: str | None, high: str | None) -> Iterator[tuple[str, dict[str, int]]]:
        client = _client()
        request: dict[str, Any] = {
            "TableName": _table(),
            "KeyConditionExpression": "pk = :pk",
            "ExpressionAttributeValues": {":pk": {"S": keys.rollup_pk(self._tenant_id, scope)}},
        }
        if low is not None and high is not None:
            request["KeyConditionExpression"] += " AND sk BETWEEN :low AND :high"
            request["ExpressionAttributeValues"] |= {":low": {"S": low}, ":high": {"S": high}}
        while True:
            answer = client.query(**request)
            for raw in answer.get("Items", []):
                yield raw["sk"]["S"], _metrics_of(raw)
            if "LastEvaluatedKey" not in answer:
                return
            request["ExclusiveStartKey"] = answer["LastEvaluatedKey"]


def _client() -> Any:
    return Item._get_connection().connection.client


def _table() -> str:
    name = Item.Meta.table_name
    if name is None:
        raise RuntimeError("the table is not bound (db.items.bind_table)")
    return name


def _metrics_of(raw: Mapping[str, Any]) -> dict[str, int]:
    return {
        name.removeprefix(METRIC_PREFIX): int(value["N"])
        for name, value in raw.items()
        if name.startswith(METRIC_PREFIX) and int(value["N"])
    }


def _closed_lead(item: ClosedLeadItem) -> ClosedLead:
    # Read by reconciliation only: the contact domain is not loaded for every rollup write.
    from chalicelib.domain.contacts import PoolSpan
    from chalicelib.domain.rollups.contacts import ClosedLead

    return ClosedLead(
        id=item.lead_id,
        created_at=item.created_at,
        closed_at=item.closed_at,
        created_for=item.created_for,
        closed_by=item.closed_by,
        lead_source=item.lead_source,
        source_tag_ids=tuple(item.source_tag_ids),
        pool_spans=tuple(
            PoolSpan(datetime.fromisoformat(a), datetime.fromisoformat(b) if b else None) for a, b in item.pool_spans
        ),
    )
