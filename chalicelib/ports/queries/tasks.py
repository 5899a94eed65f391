"""Task lists and due actions."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, NamedTuple

from chalicelib.domain.records import record

if TYPE_CHECKING:
    from chalicelib.domain.tasks import DueAction, TaskStatus, TaskType


class TaskListKind(StrEnum):
    """Which list of tasks to read (AP28): whose calendar, whose tasks, whose links."""

    PARTICIPANT = "participant"  # a user's tasks as responsible or member (their calendar)
    RESPONSIBLE = "responsible"  # a user's tasks as the responsible one
    CONTACT = "contact"  # the tasks linked to a contact
    DEAL = "deal"  # the tasks linked to a deal


# A NamedTuple, not a dataclass: defined at a Lambda's cold start, where a dataclass costs ~10x more.
class ListFilter(NamedTuple):
    """Which tasks of a list to read; the key conditions come first, the rest filters pages."""

    status: TaskStatus | None = None
    open_only: bool = False
    start_from: datetime | None = None
    start_to: datetime | None = None
    responsible_user_id: str | None = None
    task_type: TaskType | None = None
    descending: bool = False


@record(frozen=True, slots=True)
class DueRecord:
    """A due action waiting in the schedule, with its delivery attempts."""

    action: DueAction
    attempts: int
    claimed_until: datetime | None
    last_error: str | None = None
