"""Maintenance runs: fill indexes for data stored before they existed ("reindex", README Upgrading).

A reindex of one CRM recomputes the per-responsible-user tag counters (`COUNT#tag@<uid>`, GET
/v1/tags without customers_view_all) from its contacts and gives old deals their list copies
(AP60, AP61) and title search terms, and old tasks their place in the team calendar (AP106).
It is idempotent: counters are written as absolute values
counted from the contacts (a counter that went negative is simply overwritten), deal copies are
the same items written again. Work is bounded a call (`steps` pages): the returned cursor goes on.

Counting goes owner by owner through each one's contact list (AP17, paged Queries, never a
Scan), so the tally carried in the cursor is one user's tags of one kind. Writes made while a
user's contacts are being counted may be overwritten by the count; run it again (or when quiet)
and it converges.
"""

from __future__ import annotations

import base64
import json
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from chalicelib.domain.contact_kinds import ContactKind
from chalicelib.domain.counters import owner_counter
from chalicelib.domain.deals import DealStatus
from chalicelib.domain.errors import ValidationError
from chalicelib.ports.queries.contacts import Criteria
from chalicelib.ports.queries.tasks import ListFilter, TaskListKind

if TYPE_CHECKING:
    from chalicelib.ports.storage import Storage

CONTACT_PAGE = 200
DEAL_PAGE = 100
TASK_PAGE = 100
USER_PAGE = 100
CRM_PAGE = 25
SCAN_PAGE = 200
KINDS = tuple(ContactKind)
STATUSES = tuple(DealStatus)


@dataclass(frozen=True, slots=True)
class Progress:
    """Where a run got to: `cursor` continues it (None once `done`)."""

    done: bool
    cursor: str | None
    counters: int = 0  # per-user tag counters written
    deals: int = 0  # deals given their list copies and search terms
    crms: int = 0  # CRMs finished (reindex_all)
    tasks: int = 0  # task records given the team calendar's keys (AP106)


class MaintenanceService:
    def __init__(self, storage: Storage) -> None:
        self._storage = storage

    def reindex(self, tenant_id: str, cursor: str | None = None, *, steps: int = 20) -> Progress:
        """At most `steps` pages of one CRM's reindex, from `cursor` on."""
        state = _decode(cursor) or {"phase": "users"}
        counters = deals = tasks = 0
        for _ in range(steps):
            phase = state["phase"]
            if phase == "users":
                self._owners_step(tenant_id, state)
            elif phase == "tags":
                counters += self._tags_step(tenant_id, state)
            elif phase == "deals":
                deals += self._deals_step(tenant_id, state)
            elif phase == "tasks":
                tasks += self._tasks_step(tenant_id, state)
            if state["phase"] == "done":
                return Progress(True, None, counters, deals, tasks=tasks)
        return Progress(False, _encode(state), counters, deals, tasks=tasks)

    def reindex_all(self, cursor: str | None = None, *, steps: int = 20) -> Progress:
        """At most `steps` pages of the reindex of every CRM (AP62; CRMs older than AP62 are
        enrolled first by a paged Scan, the only one: an upgrade step, never a request)."""
        state = _decode(cursor) or {"phase": "enrol", "after": None}
        counters = deals = crms = tasks = 0
        for _ in range(steps):
            if state["phase"] == "enrol":
                _, after = self._storage.crms.enrol_existing(limit=SCAN_PAGE, after=state["after"])
                state = {"phase": "enrol", "after": after} if after else {"phase": "crms", "after": None, "queue": []}
                continue
            if not state["queue"]:
                if state.get("listed"):
                    return Progress(True, None, counters, deals, crms, tasks)
                tenants, after = self._storage.crms.page(limit=CRM_PAGE, after=state["after"])
                state.update(queue=[[t, None] for t in tenants], after=after, listed=after is None)
                continue
            tenant_id, inner = state["queue"][0]
            progress = self.reindex(tenant_id, inner, steps=1)
            counters, deals = counters + progress.counters, deals + progress.deals
            tasks += progress.tasks
            if progress.done:
                state["queue"].pop(0)
                crms += 1
            else:
                state["queue"][0][1] = progress.cursor
        return Progress(False, _encode(state), counters, deals, crms, tasks)

    # --- steps (each one page) ------------------------------------------------------------------

    def _owners_step(self, tenant_id: str, state: dict[str, Any]) -> None:
        """One page of the CRM's users: whose contacts are counted (the pool's too: None)."""
        page = self._storage.users(tenant_id).list_by_name(limit=USER_PAGE, cursor=state.get("after"))
        state.setdefault("owners", [None]).extend(u.id for u in page.items)
        state["after"] = page.next_cursor
        if page.next_cursor is None:
            state.update(phase="tags", owner=0, kind=0, after=None, tally={})

    def _tags_step(self, tenant_id: str, state: dict[str, Any]) -> int:
        """One page of one owner's contacts of one kind (AP17); at the list's end, that owner's
        tag counters of that kind are written as counted (those no contact has any more: 0)."""
        owner, kind = state["owners"][state["owner"]], KINDS[state["kind"]]
        contacts = self._storage.contacts(tenant_id)
        criteria = Criteria(responsible=owner, any_responsible=False, newest_first=False)
        page = contacts.page(kind, criteria, limit=CONTACT_PAGE, cursor=state["after"])
        tally = Counter(state["tally"])
        tally.update(tag for contact in page.items for tag in contact.tags)
        state.update(after=page.next_cursor, tally=dict(tally))
        if page.next_cursor is not None:
            return 0
        name = owner_counter("tag", owner)
        stored = {value for k, value, _ in contacts.counts(name) if k is kind}  # nonzero ones
        counts = dict.fromkeys(stored, 0) | dict(tally)
        contacts.set_counts(name, kind, counts)
        state.update(tally={}, after=None)
        if state["kind"] + 1 < len(KINDS):
            state["kind"] += 1
        elif state["owner"] + 1 < len(state["owners"]):
            state.update(owner=state["owner"] + 1, kind=0)
        else:
            state.update(phase="deals", status=0, after=None)
            state["users"] = [o for o in state.pop("owners") if o is not None]  # the tasks' phase
            state.pop("owner"), state.pop("kind"), state.pop("tally")
        return len(counts)

    def _deals_step(self, tenant_id: str, state: dict[str, Any]) -> int:
        """One page of one board column: its deals' list copies and search terms."""
        indexed, after = self._storage.deals(tenant_id).index_page(
            STATUSES[state["status"]], limit=DEAL_PAGE, cursor=state["after"]
        )
        state["after"] = after
        if after is None:
            if state["status"] + 1 < len(STATUSES):
                state["status"] += 1
            else:
                state.update(phase="tasks", user=0, after=None)
                state.pop("status")
        return indexed

    def _tasks_step(self, tenant_id: str, state: dict[str, Any]) -> int:
        """One page of one user's tasks as responsible (AP30: every task has one responsible
        user): their records get the team calendar's keys (AP106)."""
        users = state.get("users") or []
        if state["user"] >= len(users):
            state["phase"] = "done"
            return 0
        repo = self._storage.tasks(tenant_id)
        page = repo.page(
            TaskListKind.RESPONSIBLE, users[state["user"]], ListFilter(), limit=TASK_PAGE, cursor=state["after"]
        )
        indexed = repo.index_team_calendar(page.items)
        state["after"] = page.next_cursor
        if page.next_cursor is None:
            state["user"] += 1
            if state["user"] >= len(users):
                state["phase"] = "done"
        return indexed


def _encode(state: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(state, separators=(",", ":")).encode()).decode()


def _decode(cursor: str | None) -> dict[str, Any] | None:
    if not cursor:
        return None
    try:
        state = json.loads(base64.urlsafe_b64decode(cursor.encode()))
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise ValidationError("cursor is not one returned by a maintenance run", field="cursor") from None
    if not isinstance(state, dict) or "phase" not in state:
        raise ValidationError("cursor is not one returned by a maintenance run", field="cursor")
    return state
