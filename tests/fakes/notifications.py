"""In-memory notifications (`chalicelib.ports.storage.Notifications`), with the table's rules:
the per-day unread counts, the watermark, the unread list of items not marked read one by one,
and the conditions that make a racing read a conflict."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime

from chalicelib.domain.errors import ConflictError
from chalicelib.domain.notifications import Inbox, Notification
from chalicelib.domain.paging import Page
from tests.fakes.base import page


@dataclass
class _User:
    items: dict[str, Notification] = field(default_factory=dict)
    read_before: datetime | None = None
    counts: Counter[date] = field(default_factory=Counter)


class FakeNotifications:
    def __init__(self) -> None:
        self.users: dict[str, _User] = {}
        self.fail = False  # tests: make every write fail, as an outage would

    def _user(self, user_id: str) -> _User:
        return self.users.setdefault(user_id, _User())

    def all_of(self, user_id: str) -> list[Notification]:
        """Test helper: a user's notifications, newest first."""
        return sorted(self._user(user_id).items.values(), key=lambda n: n.id, reverse=True)

    def add(self, notification: Notification) -> bool:
        if self.fail:
            raise RuntimeError("the table is unavailable")
        user = self._user(notification.user_id)
        if notification.id in user.items:
            return False
        if user.read_before is not None and notification.time <= user.read_before:
            user.items[notification.id] = replace(notification, marked_read=True)
            return True
        user.items[notification.id] = notification
        user.counts[notification.time.date()] += 1
        return True

    def inbox(self, user_id: str) -> Inbox:
        user = self._user(user_id)
        return Inbox(user.read_before, dict(user.counts))

    def page(
        self, user_id: str, *, since: datetime, unread: bool, limit: int, cursor: str | None
    ) -> Page[Notification]:
        found = [n for n in self.all_of(user_id) if n.time >= since and not (unread and n.marked_read)]
        return page(found, limit, cursor)

    def get_many(self, user_id: str, ids: Sequence[str]) -> list[Notification]:
        items = self._user(user_id).items
        return [items[i] for i in dict.fromkeys(ids) if i in items]

    def mark_read(self, user_id: str, notifications: Sequence[Notification], seen: Inbox) -> None:
        user = self._user(user_id)
        if user.read_before != seen.read_before or any(user.items[n.id].marked_read for n in notifications):
            raise ConflictError("the notifications were read meanwhile")
        for n in notifications:
            user.items[n.id] = replace(user.items[n.id], marked_read=True)
            user.counts[n.time.date()] -= 1

    def mark_all_read(self, user_id: str, before: datetime) -> None:
        user = self._user(user_id)
        if user.read_before is None or user.read_before < before:
            user.read_before = before
            user.counts.clear()

    def forget_days(self, user_id: str, days: Sequence[date]) -> None:
        for day in days:
            self._user(user_id).counts.pop(day, None)
