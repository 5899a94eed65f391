"""The dashboard (SPEC DB-1..7): its seven widgets and each user's layout of them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from chalicelib.domain.errors import ValidationError

MAX_POSITION = 1000


class Widget(StrEnum):
    """The widgets, in the default layout's order (API.md)."""

    CLIENTS = "clients"
    MY_LEADS = "my_leads"
    TASKS_COMPLETED = "tasks_completed"
    TASKS_OVERDUE = "tasks_overdue"
    TASKS_IN_PROGRESS = "tasks_in_progress"
    MY_CALLS = "my_calls"
    NEW_LEADS = "new_leads"


@dataclass(frozen=True, slots=True)
class Placement:
    """Where a widget sits on one user's dashboard, and whether it shows."""

    id: Widget
    visible: bool
    position: int


DEFAULT_LAYOUT: tuple[Placement, ...] = tuple(Placement(w, True, i) for i, w in enumerate(Widget))


def check_layout(widgets: Sequence[tuple[str, bool, int]]) -> tuple[Placement, ...]:
    """A layout as sent (id, visible, position): every id known and given once, positions unique
    and 0..MAX_POSITION; a 400 names the entry (`widgets[2].id`). Widgets left out follow the
    ones given, visible, in the default order. The result is in position order, renumbered
    0..6 (only the order of positions matters)."""
    seen_ids: set[str] = set()
    seen_positions: set[int] = set()
    given: list[Placement] = []
    known = {w.value for w in Widget}
    for i, (widget_id, visible, position) in enumerate(widgets):
        if widget_id not in known:
            raise ValidationError(
                f"unknown widget {widget_id!r}: one of {', '.join(sorted(known))}", field=f"widgets[{i}].id"
            )
        if widget_id in seen_ids:
            raise ValidationError(f"widget {widget_id!r} is given twice", field=f"widgets[{i}].id")
        if not 0 <= position <= MAX_POSITION:
            raise ValidationError(f"a position is 0..{MAX_POSITION}", field=f"widgets[{i}].position")
        if position in seen_positions:
            raise ValidationError(f"two widgets at position {position}", field=f"widgets[{i}].position")
        seen_ids.add(widget_id)
        seen_positions.add(position)
        given.append(Placement(Widget(widget_id), visible, position))
    ordered = sorted(given, key=lambda p: p.position)
    ordered += [p for p in DEFAULT_LAYOUT if p.id.value not in seen_ids]
    return tuple(Placement(p.id, p.visible, i) for i, p in enumerate(ordered))


def normalise(placements: Sequence[Placement]) -> tuple[Placement, ...]:
    """In position order, positions 0..n-1; a widget missing from a stored layout (one added to
    the product later) is appended, visible."""
    ordered = sorted(placements, key=lambda p: p.position)
    present = {p.id for p in ordered}
    ordered += [p for p in DEFAULT_LAYOUT if p.id not in present]
    return tuple(Placement(p.id, p.visible, i) for i, p in enumerate(ordered))
