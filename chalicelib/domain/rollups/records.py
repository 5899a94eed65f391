"""Every record family's contributions at once: what reconciliation recomputes the cells from
(services/rollups.py) and the test fakes count with. Repositories import their own family's
module instead (`domain.rollups`)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import TYPE_CHECKING

from chalicelib.domain.contacts import Contact
from chalicelib.domain.deals import Deal
from chalicelib.domain.rollups import Cell, calls, contacts, deals, tasks
from chalicelib.domain.rollups.contacts import ClosedLead
from chalicelib.domain.tasks import Task
from chalicelib.domain.telephony import Call

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo

Record = Contact | Deal | Task | Call | ClosedLead


def contributions(record: Record | None, tz: ZoneInfo) -> Counter[Cell]:
    """The cells `record` counts in, and by how much (zero cells left out), by its family."""
    if isinstance(record, Deal):
        return deals.contributions(record, tz)
    if isinstance(record, Task):
        return tasks.contributions(record, tz)
    if isinstance(record, Call):
        return calls.contributions(record, tz)
    return contacts.contributions(record, tz)


def total(records: Iterable[Record], tz: ZoneInfo) -> Counter[Cell]:
    """Every cell as the records say (what reconciliation compares the stored cells with)."""
    found: Counter[Cell] = Counter()
    for record in records:
        found.update(contributions(record, tz))
    return found
