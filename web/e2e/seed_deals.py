"""Seed many deals into one CRM of a running local stack, fast (the e2e board of 2,000 deals).

Writes straight through the deals repository in DynamoDB batches (the records, their list copies,
search words and feed entries), then the board counters once per column: what `POST /v1/deals`
writes one transaction at a time, minus the analytics rollups. For tests only.

    python web/e2e/seed_deals.py --moto-port 8001 --tenant-id T --user-id U --client-id C --count 2000
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from infra.local.environment import Options, configure


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--moto-port", type=int, required=True)
    parser.add_argument("--tenant-id", required=True)
    parser.add_argument("--user-id", required=True)
    parser.add_argument("--client-id", required=True)
    parser.add_argument("--count", type=int, default=2000)
    parser.add_argument("--currency", default="EUR")
    args = parser.parse_args()
    configure(Options(moto_port=args.moto_port))

    from fractional_indexing import generate_key_between

    from chalicelib.bootstrap import bind_storage
    from chalicelib.db import keys
    from chalicelib.db.items import Item
    from chalicelib.db.models.shared import CounterItem
    from chalicelib.db.repositories.deals import ALL, DealRepository
    from chalicelib.db.writes import Put
    from chalicelib.domain.clock import utcnow
    from chalicelib.domain.deals import BOARD_ORDER, Deal, StatusChange
    from chalicelib.domain.ids import new_id

    bind_storage()
    started = time.monotonic()
    repo = DealRepository(args.tenant_id)
    now = utcnow()
    last: dict[str, str | None] = {}
    totals: dict[str, list[int]] = {}
    with Item.batch_write() as batch:
        for i in range(args.count):
            status = BOARD_ORDER[i % len(BOARD_ORDER)]
            position = generate_key_between(last.get(status.value), None)
            last[status.value] = position
            amount_minor = (100 + i % 900) * 100
            deal = Deal(
                id=new_id(), title=f"Deal {i + 1}", client_id=args.client_id, amount_minor=amount_minor,
                currency=args.currency, status=status, responsible_user_id=args.user_id, position=position,
                created_at=now, created_by=args.user_id, updated_at=now, closed_at=now if status.final else None,
                history=(StatusChange(status, now, args.user_id),),
            )  # fmt: skip
            for write in repo.creation_writes(deal, []):
                if isinstance(write, Put):
                    batch.save(write.item)
            sums = totals.setdefault(status.value, [0, 0])
            sums[0] += 1
            sums[1] += amount_minor
    pk = keys.tenant_pk(args.tenant_id)
    for status_value, (count, total) in totals.items():
        for scope in (ALL, args.user_id):
            CounterItem(pk, keys.deal_counter_sk(scope, status_value, args.currency)).update(
                actions=[
                    CounterItem.kind.set(CounterItem),
                    CounterItem.count.add(count),
                    CounterItem.total.add(total),
                    CounterItem.name.set(status_value),
                    CounterItem.contact_kind.set("deal"),
                    CounterItem.value.set(args.currency),
                ]
            )
    print(f"seeded {args.count} deals in {time.monotonic() - started:.1f} s", flush=True)


if __name__ == "__main__":
    main()
