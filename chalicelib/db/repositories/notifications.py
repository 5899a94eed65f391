"""The notification center's items (AP83-86; docs/data-model.md, "Notifications").

Per user, one partition `T#<tid>#NT#<uid>` holds the notifications (`N#<ulid>`, newest last)
and the inbox item (`INBOX`): the "read up to" watermark and one unread count per UTC day.
A notification not marked read on its own is also in gsi1 (`...#UNREAD`), which serves the
unread list; "mark all read" only moves the watermark, and reads of that index start after it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from pynamodb.attributes import NumberAttribute
from pynamodb.exceptions import UpdateError
from pynamodb.expressions.operand import Path

from chalicelib.db import keys
from chalicelib.db.items import narrow
from chalicelib.db.models.notifications import NotificationInboxItem, NotificationItem
from chalicelib.db.pagination import Page, decode_cursor, encode_cursor
from chalicelib.db.writes import Put, Update, must_not_exist, transact
from chalicelib.domain.errors import ConflictError
from chalicelib.domain.notifications import (
    Inbox,
    Link,
    LinkType,
    Notification,
    NotificationKind,
    expires_at,
    first_day,
    id_bound,
    time_of,
)
from chalicelib.ports.writes import MAX_TRANSACTION_ITEMS

if TYPE_CHECKING:
    from pynamodb.expressions.update import Action

# "Mark all read" drops the counts of the window's days, of tomorrow (a clock a little ahead)
# and of a week before the window, so that days which left it lately go too (`forget_days`
# drops older ones).
_CLEARED_BEFORE = 7


class _DuplicateError(ConflictError):
    """An item of this notification id exists: the event was already notified."""


class _CoveredError(ConflictError):
    """The watermark is at or after the notification's time: "mark all read" covers it."""


def _day(day: date) -> Path:
    return Path(NumberAttribute(attr_name=keys.notification_day_attribute(day)))


class NotificationRepository:
    def __init__(self, tenant_id: str) -> None:
        self._tenant_id = tenant_id

    def _pk(self, user_id: str) -> str:
        return keys.notifications_pk(self._tenant_id, user_id)

    def _inbox_key(self, user_id: str) -> NotificationInboxItem:
        return NotificationInboxItem(self._pk(user_id), keys.NOTIFICATION_INBOX)

    # --- writes ----------------------------------------------------------------------------------

    def add(self, notification: Notification) -> bool:
        """AP83."""
        user_id = notification.user_id
        unread = self._item(notification, read=False)
        counted = Update(
            self._inbox_key(user_id),
            [_day(notification.time.date()).add(1)],
            condition=NotificationInboxItem.read_before.does_not_exist()
            | (NotificationInboxItem.read_before < notification.time),
            on_conflict=_CoveredError("covered by mark all read"),
        )
        try:
            transact([Put(unread, condition=must_not_exist(), on_conflict=_DuplicateError("notified")), counted])
            return True
        except _DuplicateError:
            return False
        except _CoveredError:
            pass
        try:
            read = self._item(notification, read=True)
            transact([Put(read, condition=must_not_exist(), on_conflict=_DuplicateError("notified"))])
        except _DuplicateError:
            return False
        return True

    def _item(self, notification: Notification, *, read: bool) -> NotificationItem:
        item = NotificationItem(
            self._pk(notification.user_id),
            keys.notification_sk(notification.id),
            kind_name=notification.kind.value,
            time=notification.time,
            title=notification.title,
            link_type=notification.link.type.value if notification.link else None,
            link_id=notification.link.id if notification.link else None,
            read=read,
            ttl=expires_at(notification.time),
        )
        if not read:
            item.gsi1pk = keys.notifications_unread_pk(self._tenant_id, notification.user_id)
            item.gsi1sk = notification.id
        return item

    def mark_read(self, user_id: str, notifications: Sequence[Notification], seen: Inbox) -> None:
        """AP83 + AP86 in one transaction."""
        if not notifications:
            return
        if len(notifications) >= MAX_TRANSACTION_ITEMS:
            raise ValueError(f"at most {MAX_TRANSACTION_ITEMS - 1} notifications a transaction")
        stale = ConflictError("the notifications were read meanwhile")
        writes: list[Put | Update] = [
            Update(
                NotificationItem(self._pk(user_id), keys.notification_sk(n.id)),
                [NotificationItem.read.set(True), NotificationItem.gsi1pk.remove(), NotificationItem.gsi1sk.remove()],
                condition=NotificationItem.gsi1pk.exists(),
                on_conflict=stale,
            )
            for n in notifications
        ]
        per_day = Counter(n.time.date() for n in notifications)
        watermark = (
            NotificationInboxItem.read_before.does_not_exist()
            if seen.read_before is None
            else NotificationInboxItem.read_before == seen.read_before
        )
        actions: list[Action] = [_day(day).add(-count) for day, count in sorted(per_day.items())]
        writes.append(Update(self._inbox_key(user_id), actions, condition=watermark, on_conflict=stale))
        transact(writes)

    def mark_all_read(self, user_id: str, before: datetime) -> None:
        """AP86: one UpdateItem, whatever the number of notifications."""
        first, last = first_day(before).toordinal() - _CLEARED_BEFORE, before.date().toordinal() + 1
        days = [date.fromordinal(n) for n in range(first, last + 1)]
        actions: list[Action] = [NotificationInboxItem.read_before.set(before)]
        actions += [_day(day).remove() for day in days]
        # A watermark only moves forward (a late request with an older clock changes nothing).
        newer = NotificationInboxItem.read_before.does_not_exist() | (NotificationInboxItem.read_before < before)
        inbox = self._inbox_key(user_id)
        try:
            inbox.update(actions=actions, condition=newer)
        except UpdateError as exc:
            if exc.cause_response_code != "ConditionalCheckFailedException":
                raise

    def forget_days(self, user_id: str, days: Sequence[date]) -> None:
        if days:
            self._inbox_key(user_id).update(actions=[_day(d).remove() for d in days])

    # --- reads -----------------------------------------------------------------------------------

    def inbox(self, user_id: str) -> Inbox:
        """AP86: one GetItem (its day attributes are read by name, so the raw item)."""
        raw: dict[str, Any] = (
            NotificationInboxItem._get_connection()
            .get_item(self._pk(user_id), range_key=keys.NOTIFICATION_INBOX)
            .get("Item", {})
        )
        counts: dict[date, int] = {}
        for name, value in raw.items():
            day = keys.notification_day_of(name)
            if day is not None and "N" in value:
                counts[day] = int(value["N"])
        read_before = None
        if "read_before" in raw:
            read_before = NotificationInboxItem.read_before.deserialize(raw["read_before"]["S"])
        return Inbox(read_before=read_before, unread_by_day=counts)

    def page(
        self, user_id: str, *, since: datetime, unread: bool, limit: int, cursor: str | None
    ) -> Page[Notification]:
        """AP84 (the partition, newest first) or AP85 (gsi1: not marked read one by one); both
        from the newest down to `since` (a key condition)."""
        lowest = id_bound(since, high=False)
        if unread:
            hash_key = keys.notifications_unread_pk(self._tenant_id, user_id)
            unread_items = NotificationItem.gsi1.query(
                hash_key,
                NotificationItem.gsi1sk >= lowest,
                scan_index_forward=False,
                limit=limit,
                last_evaluated_key=decode_cursor(cursor, self._tenant_id, index="gsi1", partition=hash_key),
            )
            found = [_to_notification(user_id, narrow(i, NotificationItem)) for i in unread_items]
            return Page(found, encode_cursor(unread_items.last_evaluated_key))
        pk = self._pk(user_id)
        result = NotificationItem.query(
            pk,
            NotificationItem.sk.between(keys.notification_sk(lowest), keys.notification_sk("~")),
            scan_index_forward=False,
            limit=limit,
            last_evaluated_key=decode_cursor(cursor, self._tenant_id, partition=pk, sort_prefix=keys.NOTIFICATION),
        )
        return Page([_to_notification(user_id, i) for i in result], encode_cursor(result.last_evaluated_key))

    def get_many(self, user_id: str, ids: Sequence[str]) -> list[Notification]:
        """AP83 (BatchGetItem): ids that are not notification ids are not looked up."""
        wanted = [i for i in dict.fromkeys(ids) if time_of(i) is not None]
        if not wanted:
            return []
        pairs = [(self._pk(user_id), keys.notification_sk(i.upper())) for i in wanted]
        return [_to_notification(user_id, i) for i in NotificationItem.batch_get(pairs)]


def _to_notification(user_id: str, item: NotificationItem) -> Notification:
    link = Link(LinkType(item.link_type), item.link_id) if item.link_type and item.link_id else None
    return Notification(
        id=item.sk.removeprefix(keys.NOTIFICATION),
        user_id=user_id,
        kind=NotificationKind(item.kind_name),
        time=item.time,
        title=item.title,
        link=link,
        marked_read=bool(item.read),
    )
