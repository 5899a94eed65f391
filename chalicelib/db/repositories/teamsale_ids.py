"""Teamsale-compatible ids of one CRM (issue 22; AP134-AP139), in the tenant's partition.

One sequence per CRM, shared by every kind of record: number 7 names one record whatever path
it is given to (the services then 404 a record of the wrong kind, as for any unknown id).
Numbers are handed out lazily, the first time a record is shown or named through /v1/zcrm:

1. AP134: one BatchGetItem reads the numbers a page's records already have;
2. AP135: one UpdateItem `ADD last N` reserves N numbers for the N records without one;
3. AP136: one BatchWriteItem writes number -> record for all of them (a fresh number is
   nobody else's: no condition needed);
4. AP137: a PutItem per record claims record -> number under `attribute_not_exists`. A request
   that loses the race (the same record first shown by two requests at once) reads the winner's
   number and deletes its own number item (AP139): the lost number is simply skipped.

The number -> record item is written before the claim, so a claimed number always resolves.
"""

from __future__ import annotations

from collections.abc import Collection

from pynamodb.exceptions import PutError

from chalicelib.db import keys
from chalicelib.db.models.teamsale_ids import TeamsaleNumberItem, TeamsaleRefItem, TeamsaleSeqItem
from chalicelib.db.writes import must_not_exist

BATCH_GET = 100


class TeamsaleIdRepository:
    def __init__(self, tenant_id: str) -> None:
        self._pk = keys.tenant_pk(tenant_id)

    def numbers(self, refs: Collection[str]) -> dict[str, int]:
        """AP134: the numbers some records already have (BatchGetItem, 100 keys a call)."""
        wanted = list(dict.fromkeys(refs))
        found: dict[str, int] = {}
        for start in range(0, len(wanted), BATCH_GET):
            chunk = [(self._pk, keys.zcrm_ref_sk(r)) for r in wanted[start : start + BATCH_GET]]
            for item in TeamsaleRefItem.batch_get(chunk):
                found[item.sk.removeprefix(keys.ZCRM_REF)] = int(item.number)
        return found

    def reserve(self, count: int) -> range:
        """AP135: `count` numbers no one else gets (one UpdateItem whatever the count)."""
        item = TeamsaleSeqItem(self._pk, keys.zcrm_seq_sk())
        item.update(actions=[TeamsaleSeqItem.kind.set(TeamsaleSeqItem), TeamsaleSeqItem.last.add(count)])
        last = int(item.last)
        return range(last - count + 1, last + 1)

    def assign(self, refs: Collection[str]) -> dict[str, int]:
        """AP135-AP137, AP139: numbers for records that had none (race-safe: a record first
        shown by two requests at once gets one number, the winner's)."""
        wanted = list(dict.fromkeys(refs))
        if not wanted:
            return {}
        fresh = dict(zip(wanted, self.reserve(len(wanted)), strict=True))
        with TeamsaleNumberItem.batch_write() as batch:  # AP136
            for ref, number in fresh.items():
                batch.save(TeamsaleNumberItem(self._pk, keys.zcrm_number_sk(number), ref=ref))
        assigned: dict[str, int] = {}
        lost: list[int] = []
        for ref, number in fresh.items():
            try:  # AP137
                TeamsaleRefItem(self._pk, keys.zcrm_ref_sk(ref), number=number).save(condition=must_not_exist())
                assigned[ref] = number
            except PutError as exc:
                if exc.cause_response_code != "ConditionalCheckFailedException":
                    raise
                winner = TeamsaleRefItem.get(self._pk, keys.zcrm_ref_sk(ref), consistent_read=True)  # AP139
                assigned[ref] = int(winner.number)
                lost.append(number)
        if lost:
            with TeamsaleNumberItem.batch_write() as batch:  # AP139: the lost numbers are skipped
                for number in lost:
                    batch.delete(TeamsaleNumberItem(self._pk, keys.zcrm_number_sk(number)))
        return assigned

    def ref(self, number: int) -> str | None:
        """AP138: the record a number names (one GetItem), None for a number never handed out."""
        try:
            item = TeamsaleNumberItem.get(self._pk, keys.zcrm_number_sk(number))
        except TeamsaleNumberItem.DoesNotExist:
            return None
        return str(item.ref)


__all__ = ["TeamsaleIdRepository"]
