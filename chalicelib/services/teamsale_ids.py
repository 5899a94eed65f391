"""Teamsale-compatible ids (issue 22): the small integer each record shows through /v1/zcrm.

Teamsale's clients (JavaScript, PHP) read ids as JSON numbers, doubles: our ULIDs (128 bits)
do not fit. Each CRM numbers its records 1, 2, 3... the first time the Teamsale API shows or
is given one (one sequence per CRM for every kind of record; ports.storage.TeamsaleIds).
"""

from __future__ import annotations

from collections.abc import Collection
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from chalicelib.domain.actor import Actor
    from chalicelib.ports.storage import Storage

# The largest integer a double holds exactly (JavaScript's Number.MAX_SAFE_INTEGER).
MAX_SAFE = (1 << 53) - 1


class TeamsaleIdService:
    def __init__(self, storage: Storage) -> None:
        self._storage = storage

    def numbers(self, actor: Actor, refs: Collection[str]) -> dict[str, int]:
        """The number of every record (ULID, or `label:<tag>`), handing out the missing ones:
        one BatchGetItem, and for records never shown, one counter update and their writes."""
        repo = self._storage.teamsale_ids(actor.tenant_id)
        wanted = list(dict.fromkeys(r for r in refs if r))
        if not wanted:
            return {}
        found = repo.numbers(wanted)
        missing = [r for r in wanted if r not in found]
        if missing:
            found.update(repo.assign(missing))
        return found

    def ref(self, actor: Actor, number: int) -> str | None:
        """The record a number names in the caller's CRM, None if none (one GetItem)."""
        if not 0 < number <= MAX_SAFE:
            return None
        return self._storage.teamsale_ids(actor.tenant_id).ref(number)
