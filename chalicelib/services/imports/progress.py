"""Counting a chunk as done, with the contact counters it moves, exactly once."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING

from chalicelib.ports.writes import MAX_TRANSACTION_ITEMS, Write

if TYPE_CHECKING:
    from chalicelib.domain.imports import Import

# Counter updates per transaction, next to the import record's own update.
COUNTERS_PER_COMMIT = MAX_TRANSACTION_ITEMS - 1


def commit_in_parts(
    record: Import,
    counters: list[Write],
    first_part: int,
    commit: Callable[[Import, int, list[Write], bool], bool],
) -> None:
    """Count a chunk with its counters, in parts of COUNTERS_PER_COMMIT (each part counted once:
    a run after a crash goes on from the part the record says)."""
    parts = [counters[i : i + COUNTERS_PER_COMMIT] for i in range(0, len(counters), COUNTERS_PER_COMMIT)] or [[]]
    current = record
    for part in range(first_part, len(parts)):
        if not commit(current, part, parts[part], part == len(parts) - 1):
            return  # another run counted it
        current = replace(current, version=current.version + 1)
