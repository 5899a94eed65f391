"""Dashboard layouts (AP72): GetItem / PutItem of one item per user."""

from __future__ import annotations

from collections.abc import Sequence

from chalicelib.db import keys
from chalicelib.db.models.dashboard import DashboardLayoutItem
from chalicelib.domain.dashboard import Placement, Widget


class DashboardLayoutRepository:
    def __init__(self, tenant_id: str) -> None:
        self._pk = keys.tenant_pk(tenant_id)

    def get(self, user_id: str) -> list[Placement] | None:
        """AP72: the user's saved layout (eventually consistent); entries naming a widget the
        product no longer has are dropped."""
        try:
            item = DashboardLayoutItem.get(self._pk, keys.dashboard_sk(user_id))
        except DashboardLayoutItem.DoesNotExist:
            return None
        known = {w.value for w in Widget}
        return [
            Placement(Widget(entry["id"]), bool(entry.get("visible", True)), int(entry.get("position", 0)))
            for entry in item.widgets or []
            if isinstance(entry, dict) and entry.get("id") in known
        ]

    def save(self, user_id: str, placements: Sequence[Placement]) -> None:
        """AP72: replace the user's layout (last writer wins: it is one person's preference)."""
        widgets = [{"id": p.id.value, "visible": p.visible, "position": p.position} for p in placements]
        DashboardLayoutItem(self._pk, keys.dashboard_sk(user_id), widgets=widgets).save()
