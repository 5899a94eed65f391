"""Tasks of one CRM (AP27-30) and the deployment's due actions (AP31-32).

A task is its record plus one full copy per list it is in: each participant's calendar (U), its
responsible user's tasks (R), each linked contact's (C) and its deal's (D). A list page is then
one Query with nothing to fetch after it, and the calendar of a user is one Query per range.
Copies are keyed by start, so a list reads in due order and a date range is a key condition.
Every write of a task rewrites its copies and its due actions in the same transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from chalicelib.db import keys
from chalicelib.db.items import narrow
from chalicelib.db.models.tasks import TaskEntryItem, TaskItem
from chalicelib.db.pagination import Page, decode_cursor, encode_cursor
from chalicelib.db.ranges import time_range
from chalicelib.db.repositories.due import DueRepository as DueRepository  # its own module, for the due worker
from chalicelib.db.repositories.due import due_item
from chalicelib.db.repositories.hooks import HookOutbox
from chalicelib.db.repositories.rollups import RollupRepository
from chalicelib.db.writes import Delete, Put, Write, must_not_exist, transact
from chalicelib.domain.clock import isoformat_z
from chalicelib.domain.errors import StaleVersionError
from chalicelib.domain.rollups.tasks import attribute_task, contributions
from chalicelib.domain.tasks import MAX_SPAN, SmsState, Task, TaskAttribution, TaskStatus, TaskType
from chalicelib.ports.queries.tasks import ListFilter, TaskListKind

if TYPE_CHECKING:
    from pynamodb.expressions.condition import Condition
    from pynamodb.pagination import ResultIterator

TaskList = keys.TaskList
# The key segment of each list a service asks for.
_SEGMENT = {
    TaskListKind.PARTICIPANT: TaskList.PARTICIPANT,
    TaskListKind.RESPONSIBLE: TaskList.RESPONSIBLE,
    TaskListKind.CONTACT: TaskList.CONTACT,
    TaskListKind.DEAL: TaskList.DEAL,
}


class TaskRepository:
    def __init__(self, tenant_id: str) -> None:
        self._tenant_id = tenant_id

    def get(self, task_id: str, *, consistent: bool = False) -> Task | None:
        """AP27."""
        try:
            item = TaskItem.get(keys.task_pk(self._tenant_id, task_id), keys.TASK_RECORD, consistent_read=consistent)
        except TaskItem.DoesNotExist:
            return None
        return _to_task(item, item.task_id, item.version or 1)

    def create(self, task: Task, extra: Sequence[Write] = ()) -> None:
        """The task, its list entries, its due actions and `extra` (feed entries), at once."""
        task = attribute_task(None, task)
        record = TaskItem(
            keys.task_pk(self._tenant_id, task.id),
            keys.TASK_RECORD,
            task_id=task.id,
            **self._team(task),
            **_fields(task),
        )
        writes: list[Write] = [Put(record, condition=must_not_exist())]
        writes += [Put(e) for e in self._entries(task)]
        writes += due_writes(self._tenant_id, None, task)
        writes += RollupRepository(self._tenant_id).delta_updates(None, task, contributions)
        writes += HookOutbox(self._tenant_id).writes("task", None, task)
        transact([*writes, *extra])

    def save_changes(self, before: Task, after: Task, extra: Sequence[Write] = ()) -> Task:
        """Store `after` if the task is still at `before.version`; its copies and due actions follow."""
        after = replace(attribute_task(before, after), version=before.version + 1)  # what the record holds
        record = TaskItem(
            keys.task_pk(self._tenant_id, after.id),
            keys.TASK_RECORD,
            task_id=after.id,
            version=before.version,  # PynamoDB makes it the condition and writes version + 1
            **self._team(after),
            **_fields(after),
        )  # the list copies below carry `after.version`, the record's new one
        writes: list[Write] = [Put(record, on_conflict=StaleVersionError("task"))]
        new_entries = self._entries(after)
        kept = {(e.pk, e.sk) for e in new_entries}
        writes += [Delete(e) for e in self._entries(before) if (e.pk, e.sk) not in kept]
        writes += [Put(e) for e in new_entries]
        writes += due_writes(self._tenant_id, before, after)
        writes += RollupRepository(self._tenant_id).delta_updates(before, after, contributions)
        writes += HookOutbox(self._tenant_id).writes("task", before, after)
        transact([*writes, *extra])
        return after

    def delete(self, task: Task, extra: Sequence[Write] = ()) -> None:
        record = TaskItem(keys.task_pk(self._tenant_id, task.id), keys.TASK_RECORD, version=task.version)
        writes: list[Write] = [Delete(record, on_conflict=StaleVersionError("task"))]
        writes += [Delete(e) for e in self._entries(task)]
        writes += [Delete(due_item(a)) for a in task.due_actions(self._tenant_id)]
        writes += RollupRepository(self._tenant_id).delta_updates(task, None, contributions)
        transact([*writes, *extra])

    def page(
        self, list_kind: TaskListKind, owner_id: str, flt: ListFilter, *, limit: int, cursor: str | None
    ) -> Page[Task]:
        """AP28-30: one page of a list, by start (ascending unless `descending`)."""
        pk = keys.task_list_pk(self._tenant_id, _SEGMENT[list_kind], owner_id)
        query: Callable[..., ResultIterator[Any]]  # the table's or an index's query
        if flt.status is not None:
            query, hash_key, range_attr = TaskEntryItem.gsi2.query, keys.tasks_in_status_pk(pk, flt.status), "gsi2sk"
        elif flt.open_only:
            query, hash_key, range_attr = TaskEntryItem.gsi1.query, keys.open_tasks_pk(pk), "gsi1sk"
        else:
            query, hash_key, range_attr = TaskEntryItem.query, pk, "sk"
        result = query(
            hash_key,
            time_range(getattr(TaskEntryItem, range_attr), flt.start_from, flt.start_to),
            filter_condition=_filters(flt),
            scan_index_forward=not flt.descending,
            limit=limit,
            last_evaluated_key=decode_cursor(
                cursor, self._tenant_id, index=range_attr.removesuffix("sk") or None, partition=hash_key
            ),
        )
        items = [_entry_task(narrow(i, TaskEntryItem)) for i in result]
        return Page(items, encode_cursor(result.last_evaluated_key))

    def calendar(self, user_id: str, start: datetime, end: datetime) -> list[Task]:
        """AP28 on a participant's list: tasks running in [start, end), whole (all pages).

        A task is keyed by its start, and none spans more than MAX_SPAN: the key range starts
        that much earlier and a filter drops the tasks that ended before `start`.
        """
        pk = keys.task_list_pk(self._tenant_id, TaskList.PARTICIPANT, user_id)
        key_range = TaskEntryItem.sk.between(isoformat_z(start - MAX_SPAN), isoformat_z(end))
        still_running = (TaskEntryItem.end > start) | (TaskEntryItem.start >= start)
        return [_entry_task(i) for i in TaskEntryItem.query(pk, key_range, filter_condition=still_running)]

    def team_calendar(self, start: datetime, end: datetime) -> list[Task]:
        """AP106: every task of the CRM running in [start, end), whole (all pages): one Query on
        the records' sparse index (gsi3), whatever the number of users. As for AP28, the key
        range starts MAX_SPAN earlier and a filter drops the tasks that ended before `start`."""
        key_range = TaskItem.gsi3sk.between(isoformat_z(start - MAX_SPAN), isoformat_z(end))
        still_running = (TaskItem.end > start) | (TaskItem.start >= start)
        result = TaskItem.gsi3.query(keys.team_calendar_pk(self._tenant_id), key_range, filter_condition=still_running)
        return [_to_task(i, i.task_id, i.version or 1) for i in (narrow(r, TaskItem) for r in result)]

    def index_team_calendar(self, tasks: Sequence[Task]) -> int:
        """AP106's backfill (the reindex): the records of `tasks` (read from a list, e.g. AP30)
        get their index keys, each unless the record changed since (a newer write has them)."""
        done = 0
        # PynamoDB's update would add its own version condition and bump the version: raw client.
        client: Any = TaskItem._get_connection().connection.client
        for task in tasks:
            try:
                client.update_item(
                    TableName=TaskItem.Meta.table_name,
                    Key={"pk": {"S": keys.task_pk(self._tenant_id, task.id)}, "sk": {"S": keys.TASK_RECORD}},
                    UpdateExpression="SET gsi3pk = :pk, gsi3sk = :sk",
                    ConditionExpression="#v = :v",
                    ExpressionAttributeNames={"#v": "version"},
                    ExpressionAttributeValues={
                        ":pk": {"S": keys.team_calendar_pk(self._tenant_id)},
                        ":sk": {"S": keys.task_list_sk(isoformat_z(task.start), task.id)},
                        ":v": {"N": str(task.version)},
                    },
                )
                done += 1
            except ClientError as exc:
                if exc.response.get("Error", {}).get("Code") != "ConditionalCheckFailedException":
                    raise
        return done

    def _team(self, task: Task) -> dict[str, Any]:
        """AP106's keys on the task's record (no extra item: the record is written anyway)."""
        return {
            "gsi3pk": keys.team_calendar_pk(self._tenant_id),
            "gsi3sk": keys.task_list_sk(isoformat_z(task.start), task.id),
        }

    def _entries(self, task: Task) -> list[TaskEntryItem]:
        lists = [(TaskList.PARTICIPANT, u) for u in task.participants]
        lists.append((TaskList.RESPONSIBLE, task.responsible_user_id))
        lists += [(TaskList.CONTACT, c) for c in task.contact_ids]
        if task.deal_id:
            lists.append((TaskList.DEAL, task.deal_id))
        sk = keys.task_list_sk(isoformat_z(task.start), task.id)
        entries = []
        for list_kind, owner in lists:
            pk = keys.task_list_pk(self._tenant_id, list_kind, owner)
            entries.append(
                TaskEntryItem(
                    pk,
                    sk,
                    gsi1pk=None if task.done else keys.open_tasks_pk(pk),
                    gsi1sk=None if task.done else sk,
                    gsi2pk=keys.tasks_in_status_pk(pk, task.status.value),
                    gsi2sk=sk,
                    task_id=task.id,
                    task_version=task.version,
                    **_fields(task),
                )
            )
        return entries


def due_writes(tenant_id: str, before: Task | None, after: Task | None) -> list[Write]:
    """Delete the due actions `before` had and `after` has not; add `after`'s new ones.

    An action both have is left alone: it may be claimed by a worker right now, or be done
    already, and rewriting it would fire it again. (`Task.with_schedule` decides the times.)
    """
    old = before.due_actions(tenant_id) if before else []
    new = after.due_actions(tenant_id) if after else []
    writes: list[Write] = [Delete(due_item(a)) for a in old if a not in new]
    return writes + [Put(due_item(a)) for a in new if a not in old]


# --- conversions -----------------------------------------------------------------------------


def _filters(flt: ListFilter) -> Condition | None:
    condition: Condition | None = None
    if flt.responsible_user_id:
        condition = TaskEntryItem.responsible_user_id == flt.responsible_user_id
    if flt.task_type:
        by_type = TaskEntryItem.task_type == flt.task_type.value
        condition = by_type if condition is None else condition & by_type
    return condition


def _fields(task: Task) -> dict[str, Any]:
    return {
        "task_type": task.type.value,
        "title": task.title,
        "description": task.description,
        "start": task.start,
        "end": task.end,
        "all_day": task.all_day,
        "responsible_user_id": task.responsible_user_id,
        "member_ids": list(task.member_ids),
        "contact_ids": list(task.contact_ids),
        "deal_id": task.deal_id,
        "status": task.status.value,
        "completed_at": task.completed_at,
        "completed_comment": task.completed_comment,
        "remind_minutes_before": task.remind_minutes_before,
        "phone": task.phone,
        "sms_text": task.sms_text,
        "meeting_url": task.meeting_url,
        "sms_status": task.sms_status.value if task.sms_status else None,
        "sms_error": task.sms_error,
        "remind_at": task.remind_at,
        "sms_at": task.sms_at,
        "created_at": task.created_at,
        "created_by": task.created_by,
        "updated_at": task.updated_at,
        "attribution": _attribution_values(task.attribution),
    }


def _attribution_values(attribution: TaskAttribution | None) -> dict[str, Any] | None:
    if attribution is None:
        return None
    return {
        "created_for": attribution.created_for,
        "completed_by": attribution.completed_by,
        "overdue": [[at.isoformat(), by] for at, by in attribution.overdue_marks],
    }


def _attribution_of(values: dict[str, Any] | None) -> TaskAttribution | None:
    if not values:
        return None
    marks = tuple((datetime.fromisoformat(at), by) for at, by in values.get("overdue") or ())
    return TaskAttribution(values["created_for"], values.get("completed_by"), marks)


def _entry_task(item: TaskEntryItem) -> Task:
    return _to_task(item, item.task_id, int(item.task_version))


def _to_task(item: TaskItem | TaskEntryItem, task_id: str, version: int) -> Task:
    remind = item.remind_minutes_before
    return Task(
        id=task_id,
        type=TaskType(item.task_type),
        title=item.title,
        description=item.description,
        start=item.start,
        end=item.end,
        all_day=bool(item.all_day),
        responsible_user_id=item.responsible_user_id,
        member_ids=tuple(item.member_ids or ()),
        contact_ids=tuple(item.contact_ids or ()),
        deal_id=item.deal_id,
        status=TaskStatus(item.status),
        completed_at=item.completed_at,
        completed_comment=item.completed_comment,
        remind_minutes_before=int(remind) if remind is not None else None,
        phone=item.phone,
        sms_text=item.sms_text,
        meeting_url=item.meeting_url,
        sms_status=SmsState(item.sms_status) if item.sms_status else None,
        sms_error=item.sms_error,
        remind_at=item.remind_at,
        sms_at=item.sms_at,
        created_at=item.created_at,
        created_by=item.created_by,
        updated_at=item.updated_at,
        version=version,
        attribution=_attribution_of(item.attribution),
    )
