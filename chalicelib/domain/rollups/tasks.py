"""What tasks contribute to the rollups, and task attribution (`domain.rollups`,
docs/analytics.md)."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from typing import TYPE_CHECKING

from chalicelib.domain import metrics as m
from chalicelib.domain.rollups import Cell, day, nonzero, scopes
from chalicelib.domain.tasks import Task, TaskAttribution, TaskStatus, is_overdue, mark_overdue, task_attribution

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo


def contributions(task: Task | None, tz: ZoneInfo) -> Counter[Cell]:
    """The cells a task counts in, zero cells left out."""
    found: Counter[Cell] = Counter()
    if task is None:
        return found
    who = task_attribution(task)
    for scope in scopes(who.created_for):
        found[(scope, day(task.created_at, tz), m.TASKS_CREATED)] += 1
    if task.done and task.completed_at is not None:
        for scope in scopes(who.completed_by or task.responsible_user_id):
            found[(scope, day(task.completed_at, tz), m.TASKS_COMPLETED)] += 1
    for at, by in who.overdue_marks:
        for scope in scopes(by):
            found[(scope, day(at, tz), m.TASKS_WENT_OVERDUE)] += 1
    owner = task.responsible_user_id
    due = m.recent_period(task.end)
    found[(owner, due, m.TASKS_DUE)] += 1
    if task.done:
        found[(owner, due, m.TASKS_DUE_DONE)] += 1
        return nonzero(found)
    found[(owner, m.NOW, m.TASKS_OPEN)] += 1
    if task.status is TaskStatus.IN_PROGRESS:
        found[(owner, m.NOW, m.TASKS_IN_PROGRESS)] += 1
    if is_overdue(task):
        found[(owner, m.NOW, m.TASKS_OVERDUE)] += 1
    return nonzero(found)


def attribute_task(before: Task | None, after: Task) -> Task:
    """The responsible user at creation and at completion; completion or a new end clears the
    overdue state (the marks of past overdue transitions stay); a task not done written after
    its end is marked overdue at once (its OVERDUE due action only covers later ends)."""
    current = task_attribution(before) if before is not None else TaskAttribution(after.responsible_user_id)
    if after.attribution is not None and before is not None and after.attribution != before.attribution:
        current = after.attribution  # the due runner marking it overdue
    completed_by = current.completed_by
    if after.done and (before is None or not before.done):
        completed_by = after.responsible_user_id
    elif not after.done:
        completed_by = None
    task = replace(after, attribution=replace(current, completed_by=completed_by))
    if not task.done and task.end < task.updated_at:
        # Written after its end (created late, moved into the past, reopened, or edited before
        # the due runner got to it): it goes overdue with this write. Later ends: the runner.
        return mark_overdue(task) or task
    return task
