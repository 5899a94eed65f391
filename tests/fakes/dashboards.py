"""In-memory dashboard layouts (`chalicelib.ports.storage.DashboardLayouts`)."""

from __future__ import annotations

from collections.abc import Sequence

from chalicelib.domain.dashboard import Placement


class FakeDashboardLayouts:
    def __init__(self) -> None:
        self.layouts: dict[str, list[Placement]] = {}

    def get(self, user_id: str) -> list[Placement] | None:
        saved = self.layouts.get(user_id)
        return list(saved) if saved is not None else None

    def save(self, user_id: str, placements: Sequence[Placement]) -> None:
        self.layouts[user_id] = list(placements)
