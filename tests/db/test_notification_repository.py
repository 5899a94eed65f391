"""The notification center's access patterns (AP83-86) against moto."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from chalicelib.db import keys
from chalicelib.db.models.notifications import NotificationItem
from chalicelib.db.repositories.notifications import NotificationRepository
from chalicelib.domain.errors import ConflictError, ValidationError
from chalicelib.domain.notifications import (
    Inbox,
    Link,
    LinkType,
    Notification,
    NotificationKind,
    notification_id,
    window_start,
)
from tests.harness import LocalAws
from tests.meter import dynamodb_calls

TENANT = "tenant-1"
USER = "user-1"
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def note(at: datetime, n: int = 0, *, user: str = USER) -> Notification:
    return Notification(
        id=notification_id(at, f"key-{n}-{user}"),
        user_id=user,
        kind=NotificationKind.LEAD_ASSIGNED,
        time=at,
        title=f"Lead assigned to you: Lead {n}",
        link=Link(LinkType.LEAD, f"lead-{n}"),
    )


def everything(repo: NotificationRepository, *, unread: bool, since: datetime, limit: int = 2) -> list[str]:
    seen: list[str] = []
    cursor: str | None = None
    while True:
        page = repo.page(USER, since=since, unread=unread, limit=limit, cursor=cursor)
        seen += [n.id for n in page.items]
        if (cursor := page.next_cursor) is None:
            return seen


def test_ap83_ap86_a_notification_is_stored_with_its_days_unread_count(aws: LocalAws) -> None:
    """AP83: the item and its day's count in one transaction; a repeated id adds nothing."""
    repo = NotificationRepository(TENANT)
    first, second = note(NOW, 1), note(NOW + timedelta(days=1), 2)
    with dynamodb_calls() as calls:
        assert repo.add(first) is True
    assert dict(calls) == {"TransactWriteItems": 1}
    assert repo.add(first) is False  # the same event again
    repo.add(second)

    inbox = repo.inbox(USER)
    assert inbox == Inbox(None, {NOW.date(): 1, (NOW + timedelta(days=1)).date(): 1})
    assert inbox.unread(NOW + timedelta(days=1)) == 2
    item = NotificationItem.get(keys.notifications_pk(TENANT, USER), keys.notification_sk(first.id))
    assert item.ttl is not None
    assert item.ttl > NOW + timedelta(days=90)
    found = repo.get_many(USER, [first.id, "not-an-id", second.id, note(NOW, 3).id])
    assert sorted(found, key=lambda n: n.id) == [first, second]
    assert NotificationRepository(TENANT).get_many("someone-else", [first.id]) == []


def test_ap84_a_users_notifications_newest_first_by_pages(aws: LocalAws) -> None:
    """AP84: one Query a page, newest first, from the window's start; other users' apart."""
    repo = NotificationRepository(TENANT)
    made = [note(NOW + timedelta(minutes=n), n) for n in range(5)]
    for n in made:
        repo.add(n)
    repo.add(note(NOW, 9, user="someone-else"))
    repo.add(note(NOW - timedelta(days=120), 8))  # out of the window (TTL not yet run)

    assert everything(repo, unread=False, since=window_start(NOW)) == [n.id for n in reversed(made)]
    with dynamodb_calls() as calls:
        repo.page(USER, since=window_start(NOW), unread=False, limit=2, cursor=None)
    assert dict(calls) == {"Query": 1}
    cursor = repo.page(USER, since=window_start(NOW), unread=False, limit=1, cursor=None).next_cursor
    with pytest.raises(ValidationError):
        NotificationRepository("tenant-2").page(USER, since=window_start(NOW), unread=False, limit=1, cursor=cursor)


def test_ap85_unread_ones_from_the_index_after_the_watermark(aws: LocalAws) -> None:
    """AP85: the sparse unread index, newest first, from after the watermark; marking read
    takes an item out of it and its count off its day, at once."""
    repo = NotificationRepository(TENANT)
    made = [note(NOW + timedelta(minutes=n), n) for n in range(5)]
    for n in made:
        repo.add(n)
    repo.mark_read(USER, [made[1], made[3]], repo.inbox(USER))
    assert everything(repo, unread=True, since=window_start(NOW)) == [made[4].id, made[2].id, made[0].id]
    assert repo.inbox(USER).unread(NOW) == 3
    with pytest.raises(ConflictError):  # already read: nothing is written
        repo.mark_read(USER, [made[1], made[2]], repo.inbox(USER))
    assert repo.inbox(USER).unread(NOW) == 3

    inbox = repo.inbox(USER)
    assert everything(repo, unread=True, since=Inbox(made[2].time).unread_since(NOW)) == [made[4].id]
    assert inbox.unread_since(NOW) == window_start(NOW)


def test_ap86_mark_all_read_is_one_write_and_the_count_is_one_read(aws: LocalAws) -> None:
    """AP86: the inbox item: one GetItem for the count, one UpdateItem for "mark all read"
    (whatever the number of notifications); a later notification counts again, one already
    covered by the watermark is stored read; a read of ids racing it is a conflict."""
    repo = NotificationRepository(TENANT)
    made = [note(NOW + timedelta(seconds=n), n) for n in range(30)]
    for n in made:
        repo.add(n)
    seen = repo.inbox(USER)
    with dynamodb_calls() as calls:
        repo.mark_all_read(USER, made[-1].time)
    assert dict(calls) == {"UpdateItem": 1}
    with dynamodb_calls() as calls:
        inbox = repo.inbox(USER)
    assert dict(calls) == {"GetItem": 1}
    assert inbox.read_before == made[-1].time
    assert inbox.unread(NOW) == 0
    assert all(inbox.is_read(n, NOW) for n in made)
    assert everything(repo, unread=True, since=inbox.unread_since(NOW)) == []
    with pytest.raises(ConflictError):
        repo.mark_read(USER, [made[0]], seen)

    late = note(made[-1].time, 99)  # made before the watermark, stored after it
    assert repo.add(late) is True
    assert repo.inbox(USER).unread(NOW) == 0
    fresh = note(made[-1].time + timedelta(seconds=5), 100)
    repo.add(fresh)
    inbox = repo.inbox(USER)
    assert inbox.unread(NOW) == 1
    assert everything(repo, unread=True, since=inbox.unread_since(NOW)) == [fresh.id]

    repo.mark_all_read(USER, made[0].time)  # an older watermark changes nothing
    assert repo.inbox(USER).read_before == made[-1].time


def test_ap86_counts_of_days_out_of_the_window_are_not_counted_and_can_be_dropped(aws: LocalAws) -> None:
    """AP86: the TTL deletes old unread notifications; their days' counts leave the sum."""
    repo = NotificationRepository(TENANT)
    old = note(NOW - timedelta(days=100), 1)
    repo.add(old)
    repo.add(note(NOW, 2))
    inbox = repo.inbox(USER)
    assert inbox.unread(NOW) == 1
    assert inbox.stale_days(NOW) == [old.time.date()]
    repo.forget_days(USER, inbox.stale_days(NOW))
    assert repo.inbox(USER).unread_by_day == {NOW.date(): 1}
