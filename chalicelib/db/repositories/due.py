"""The due actions of every CRM (AP31-32): deployment-wide, partitioned by hour, read by the
scheduled worker (`services/due.py`).

Apart from the task repository so the due worker's run, which mostly finds nothing due, loads
only the due actions' items: the tasks' lists, rollups and transactions come with the first
action it fires.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

from pynamodb.exceptions import UpdateError

from chalicelib.db import keys
from chalicelib.db.models.tasks import DueItem, WatermarkItem
from chalicelib.domain.clock import isoformat_z
from chalicelib.domain.tasks import DueAction, DueKind
from chalicelib.ports.queries.tasks import DueRecord


class DueRepository:
    """The due actions of every CRM, partitioned by hour; claimed with a lease before firing."""

    def due(self, hour: datetime, until: datetime) -> Iterator[DueRecord]:
        """AP31: actions of the hour holding `hour` due at `until` or before, oldest first."""
        condition = DueItem.sk <= keys.due_until_sk(isoformat_z(until))
        for item in DueItem.query(keys.due_pk(keys.due_bucket(hour)), condition, consistent_read=True):
            yield _to_due(item)

    def claim(self, record: DueRecord, now: datetime, lease: timedelta) -> bool:
        """Take an action for `lease`: False if it is gone or another run holds it."""
        item = due_item(record.action)
        free = DueItem.claimed_until.does_not_exist() | (DueItem.claimed_until < now)
        try:
            item.update(
                actions=[DueItem.claimed_until.set(now + lease), DueItem.attempts.add(1)],
                condition=DueItem.pk.exists() & free,
            )
        except UpdateError as exc:
            if exc.cause_response_code == "ConditionalCheckFailedException":
                return False
            raise
        return True

    def release(self, record: DueRecord, error: str, retry_at: datetime) -> None:
        """Give a failed action back: it is retried once `retry_at` has passed (if it still
        exists: the task may have moved or gone meanwhile)."""
        try:
            due_item(record.action).update(
                actions=[DueItem.claimed_until.set(retry_at), DueItem.last_error.set(error[:500])],
                condition=DueItem.pk.exists(),
            )
        except UpdateError as exc:
            if exc.cause_response_code != "ConditionalCheckFailedException":
                raise

    def finish(self, record: DueRecord) -> None:
        due_item(record.action).delete()

    def put(self, action: DueAction) -> None:
        due_item(action).save()

    def watermark(self) -> datetime | None:
        """AP32: the start of the oldest hour that may still hold work."""
        try:
            bucket = WatermarkItem.get(*keys.due_watermark_key(), consistent_read=True).bucket
        except WatermarkItem.DoesNotExist:
            return None
        return keys.due_bucket_start(bucket)

    def set_watermark(self, hour: datetime) -> None:
        WatermarkItem(*keys.due_watermark_key(), bucket=keys.due_bucket(hour)).save()


def due_item(action: DueAction) -> DueItem:
    at = isoformat_z(action.at)
    return DueItem(
        keys.due_pk(keys.due_bucket(action.at)),
        keys.due_sk(at, action.tenant_id, action.task_id, action.kind.value),
        tenant_id=action.tenant_id,
        task_id=action.task_id,
        due_kind=action.kind.value,
        at=action.at,
    )


def _to_due(item: DueItem) -> DueRecord:
    action = DueAction(item.tenant_id, item.task_id, DueKind(item.due_kind), item.at)
    return DueRecord(action, int(item.attempts or 0), item.claimed_until, item.last_error)
