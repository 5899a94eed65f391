"""The notification center (NT-1): the one producer entry point, and each user's inbox.

Every producer calls `NotificationService.notify` (through the `Notifier` port) after its own
write has committed; a failure to notify is logged and never reaches the business operation.
The rules of what is read (a flag, a watermark, the retention window) are in
`domain/notifications.py`; the storage of the counts in docs/data-model.md ("Notifications").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from chalicelib.domain.errors import ConflictError, ValidationError
from chalicelib.domain.ids import new_id
from chalicelib.domain.notifications import (
    MAX_READ_IDS,
    Link,
    Notification,
    NotificationKind,
    Title,
    notification_id,
    to_millis,
    window_start,
)
from chalicelib.domain.paging import Page
from chalicelib.observability import logger
from chalicelib.ports.writes import MAX_TRANSACTION_ITEMS

if TYPE_CHECKING:
    from chalicelib.domain.actor import Actor
    from chalicelib.ports.outside import Clock
    from chalicelib.ports.storage import Storage

# A read of ids that races another read or "mark all read" is done again on fresh state.
READ_ATTEMPTS = 3


@dataclass(frozen=True, slots=True)
class Shown:
    """A notification as its user sees it now."""

    notification: Notification
    read: bool


@dataclass(frozen=True, slots=True)
class Listing:
    page: Page[Shown]
    unread_count: int


class NotificationService:
    def __init__(self, storage: Storage, clock: Clock) -> None:
        self._storage = storage
        self._clock = clock

    # --- the producers' entry point (ports/notifications.Notifier) -------------------------------

    def notify(
        self,
        tenant_id: str,
        user_id: str,
        kind: NotificationKind,
        title: Title,
        link: Link | None,
        *,
        by: str | None = None,
        at: datetime | None = None,
        once: str | None = None,
    ) -> None:
        """Tell `user_id`, unless they did it (`by`) or are not an active user. With `once`
        (and `at`, the event's own time), a repeated event makes no second notification."""
        if not user_id or user_id == by:
            return
        try:
            user = self._storage.users(tenant_id).get(user_id)
            if user is None or not user.active:
                return
            moment = to_millis(at or self._clock())
            notification = Notification(
                id=notification_id(moment, f"{kind}:{user_id}:{once}" if once else new_id()),
                user_id=user_id,
                kind=kind,
                time=moment,
                title=title.in_language(user.language),
                link=link,
            )
            self._storage.notifications(tenant_id).add(notification)
        except Exception:  # noqa: BLE001 - a notification never fails the operation that made it
            logger.exception(
                "notification not written", extra={"tenant_id": tenant_id, "user_id": user_id, "kind": str(kind)}
            )

    # --- the API ---------------------------------------------------------------------------------

    def page(self, actor: Actor, *, unread: bool, limit: int, cursor: str | None) -> Listing:
        """The caller's notifications, newest first (only the unread ones with `unread`), and
        the unread count: one GetItem and one Query."""
        repo = self._storage.notifications(actor.tenant_id)
        now = self._clock()
        inbox = repo.inbox(actor.user_id)
        since = inbox.unread_since(now) if unread else window_start(now)
        found = repo.page(actor.user_id, since=since, unread=unread, limit=limit, cursor=cursor)
        stale = inbox.stale_days(now)
        if stale:  # counts of days whose notifications are gone: at most one write a day
            try:
                repo.forget_days(actor.user_id, stale)
            except Exception:  # noqa: BLE001 - housekeeping: the next list tries again
                logger.exception("old unread counts not dropped", extra={"tenant_id": actor.tenant_id})
        shown = [Shown(n, inbox.is_read(n, now)) for n in found.items]
        return Listing(Page(shown, found.next_cursor), inbox.unread(now))

    def unread_count(self, actor: Actor) -> int:
        """One GetItem."""
        return self._storage.notifications(actor.tenant_id).inbox(actor.user_id).unread(self._clock())

    def read(self, actor: Actor, ids: Sequence[str]) -> int:
        """Mark the caller's notifications of these ids read; ids of no notification of theirs
        (unknown, another user's, already read) change nothing. Returns the unread count."""
        if len(ids) > MAX_READ_IDS:
            raise ValidationError(f"give at most {MAX_READ_IDS} ids", field="ids")
        repo = self._storage.notifications(actor.tenant_id)
        for attempt in range(1, READ_ATTEMPTS + 1):
            now = self._clock()
            inbox = repo.inbox(actor.user_id)
            unread = [n for n in repo.get_many(actor.user_id, ids) if not inbox.is_read(n, now)]
            size = MAX_TRANSACTION_ITEMS - 1  # and the inbox item
            try:
                for start in range(0, len(unread), size):
                    repo.mark_read(actor.user_id, unread[start : start + size], inbox)
            except ConflictError:
                if attempt == READ_ATTEMPTS:
                    raise
                continue
            return max(0, inbox.unread(now) - len(unread))
        raise AssertionError("unreachable")

    def read_all(self, actor: Actor) -> int:
        """Everything up to now is read: one write, whatever the number of notifications."""
        self._storage.notifications(actor.tenant_id).mark_all_read(actor.user_id, to_millis(self._clock()))
        return 0
