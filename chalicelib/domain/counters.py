"""Names of the counter families the contact lists keep (contacts per tag, source, property)."""

from __future__ import annotations

# The responsible "user" of the contacts nobody is responsible for (the unsorted pool).
UNASSIGNED = "-"


def owner_counter(name: str, owner: str | None) -> str:
    """A counter family kept per responsible user (`-`: the unsorted pool), beside the CRM's."""
    return f"{name}@{owner or UNASSIGNED}"
