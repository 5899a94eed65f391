"""The dashboard layout item (moto)."""

from __future__ import annotations

from chalicelib.db.repositories.dashboards import DashboardLayoutRepository
from chalicelib.domain.dashboard import Placement, Widget
from tests.meter import dynamodb_calls


def test_ap72_a_users_layout_is_one_item_read_and_written_whole(aws) -> None:
    repo = DashboardLayoutRepository("tenant-1")
    assert repo.get("user-1") is None
    layout = [Placement(Widget.MY_CALLS, False, 0), Placement(Widget.CLIENTS, True, 1)]
    with dynamodb_calls() as writes:
        repo.save("user-1", layout)
    assert writes == {"PutItem": 1}
    with dynamodb_calls() as reads:
        assert repo.get("user-1") == layout
    assert reads == {"GetItem": 1}
    assert repo.get("user-2") is None
    assert DashboardLayoutRepository("tenant-2").get("user-1") is None
    repo.save("user-1", layout[:1])
    assert repo.get("user-1") == layout[:1]
