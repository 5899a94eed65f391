"""The notification center on fakes (NT-1): each producer tells the right user once, never of
their own action nor an inactive user; read, unread and "mark all read" keep the count right."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from urllib.parse import urlencode

import pytest

from chalicelib.domain.actor import Actor
from chalicelib.domain.contacts import ContactKind
from chalicelib.domain.errors import ValidationError
from chalicelib.domain.imports import Import, ImportStatus
from chalicelib.domain.notifications import Link, LinkType, Notification, NotificationKind, plain_title
from chalicelib.domain.rights import GroupType
from chalicelib.services.contacts import ContactInput, ContactService
from chalicelib.services.due import DueWorker
from chalicelib.services.imports.importing import notify_finished
from chalicelib.services.notifications import NotificationService
from chalicelib.services.pbx_events import PbxEvents, RecordingTiming
from chalicelib.services.tasks import TaskService
from tests.fakes.notifications import FakeNotifications
from tests.fakes.outside import FakeMailer, FakeSmsSender, FakeWorkflows
from tests.fakes.telephony import FakePbx
from tests.services.world import World

CALLER = "+33612345678"


@pytest.fixture
def center(world: World) -> NotificationService:
    return NotificationService(world.storage, world.clock)


def inbox(world: World) -> FakeNotifications:
    return world.storage.notifications(world.tenant_id)


def told(world: World, actor: Actor) -> list[tuple[NotificationKind, str, Link | None]]:
    return [(n.kind, n.title, n.link) for n in inbox(world).all_of(actor.user_id)]


def say(center: NotificationService, world: World, to: Actor, title: str = "Hello") -> None:
    center.notify(world.tenant_id, to.user_id, NotificationKind.INTEGRATION_ERROR, plain_title(title), None)


# --- producers -------------------------------------------------------------------------------------


def test_a_title_is_written_in_the_language_of_the_user_told(world: World, center: NotificationService) -> None:
    contacts = ContactService(world.storage, world.clock, notifier=center)
    french, english = world.user("Francine Vendeuse"), world.user("Ed Seller")
    users = world.storage.users(world.tenant_id)
    users.records[french.user_id] = replace(users.records[french.user_id], language="fr")

    for owner in (french, english):
        contacts.create(world.admin, ContactKind.LEAD, ContactInput(name="Lea Lead"), responsible_user_id=owner.user_id)
    assert [title for _, title, _ in told(world, french)] == ["Prospect qui vous est attribué : Lea Lead"]
    assert [title for _, title, _ in told(world, english)] == ["Lead assigned to you: Lea Lead"]


def test_a_lead_assigned_by_someone_else_is_notified_not_ones_own(world: World, center: NotificationService) -> None:
    contacts = ContactService(world.storage, world.clock, notifier=center)
    seller, other = world.user("Sam Seller"), world.user("Olga Other")

    lead = contacts.create(world.admin, ContactKind.LEAD, ContactInput(name="Lea Lead"),
                           responsible_user_id=seller.user_id)  # fmt: skip
    assert told(world, seller) == [
        (NotificationKind.LEAD_ASSIGNED, "Lead assigned to you: Lea Lead", Link(LinkType.LEAD, lead.id))
    ]
    contacts.create(seller, ContactKind.LEAD, ContactInput(name="Own Lead"))  # for oneself
    assert len(told(world, seller)) == 1

    contacts.update(world.admin, ContactKind.LEAD, lead.id, None, ContactInput(), responsible_user_id=other.user_id,
                    reassign=True)  # fmt: skip
    assert [t[0] for t in told(world, other)] == [NotificationKind.LEAD_ASSIGNED]
    contacts.update(world.admin, ContactKind.LEAD, lead.id, None, ContactInput(comment="same responsible"))
    assert len(told(world, other)) == 1

    results = contacts.bulk(world.admin, ContactKind.LEAD, [lead.id], "assign", tag=None, user_id=seller.user_id)
    assert [r.status for r in results] == ["ok"]
    assert len(told(world, seller)) == 2

    pooled = contacts.create(world.admin, ContactKind.LEAD, ContactInput(name="Pool Lead"), unsorted=True)
    contacts.take(other, pooled.id)  # a lead one takes oneself
    assert len(told(world, other)) == 1
    client = contacts.create(world.admin, ContactKind.CLIENT, ContactInput(name="Cli Ent"),
                             responsible_user_id=other.user_id)  # fmt: skip
    assert client.responsible_user_id == other.user_id
    assert len(told(world, other)) == 1  # clients are not leads


def test_an_inactive_user_is_not_notified(world: World, center: NotificationService) -> None:
    seller = world.user("Sam Seller")
    world.deactivate(seller)
    say(center, world, seller)
    assert told(world, seller) == []


def test_a_task_assigned_to_me_by_someone_else(world: World, center: NotificationService) -> None:
    tasks = TaskService(world.storage, world.clock, notifier=center)
    seller, member, late = world.user("Sam Seller"), world.user("Max Member"), world.user("Liz Late")
    start = world.clock() + timedelta(days=1)

    task = tasks.create(world.admin, {"title": "Demo", "start": start, "responsible_user_id": seller.user_id,
                                      "member_ids": [member.user_id]})  # fmt: skip
    expected = (NotificationKind.TASK_ASSIGNED, "Task assigned to you: Demo", Link(LinkType.TASK, task.id))
    assert told(world, seller) == [expected]
    assert told(world, member) == [expected]
    assert told(world, world.admin) == []

    task = tasks.update(world.admin, task.id, None, {"member_ids": [member.user_id, late.user_id]})
    assert len(told(world, late)) == 1
    assert (len(told(world, seller)), len(told(world, member))) == (1, 1)  # already on it

    tasks.update(world.admin, task.id, None, {"title": "Demo, longer"})
    assert len(told(world, late)) == 1
    tasks.create(seller, {"title": "Mine", "start": start})
    assert len(told(world, seller)) == 1


def test_the_due_reminder_notifies_once_even_when_the_email_is_retried(
    world: World, center: NotificationService
) -> None:
    class DownOnce(FakeMailer):
        def __init__(self) -> None:
            super().__init__()
            self.down = True

        def send(self, to: str, subject: str, text: str) -> None:
            if self.down:
                self.down = False
                from chalicelib.domain.errors import UnavailableError

                raise UnavailableError("mail down")
            super().send(to, subject, text)

    tasks = TaskService(world.storage, world.clock)
    worker = DueWorker(world.storage, world.clock, DownOnce(), FakeSmsSender(), "https://crm.test", notifier=center)
    task = tasks.create(world.admin, {"title": "Call Bob", "start": world.clock() + timedelta(minutes=40),
                                      "remind_minutes_before": 30})  # fmt: skip
    world.clock.advance(minutes=11)
    assert worker.run().retried == 1
    world.clock.advance(minutes=3)
    assert worker.run().fired == 1
    assert told(world, world.admin) == [(NotificationKind.TASK_DUE, "Due soon: Call Bob", Link(LinkType.TASK, task.id))]


class _Phone:
    def __init__(self, world: World, center: NotificationService) -> None:
        self.world = world
        pbx = FakePbx()
        pbx.store(world.tenant_id, "key", "s3cret")
        self.events = PbxEvents(world.storage, world.clock, pbx, FakeWorkflows(), RecordingTiming(40, 30),
                                notifier=center)  # fmt: skip

    def send(self, event: str, **fields: str) -> None:
        start = (self.world.clock() + timedelta(hours=1)).strftime("%Y-%m-%d %H:%M:%S")
        fields = {"event": event, "call_start": start, "caller_id": CALLER, **fields}
        body = urlencode(fields).encode()
        reply = self.events.handle("acme", "application/x-www-form-urlencoded", body, {}, "sig:s3cret")
        assert reply.status == 200


def with_extension(world: World, actor: Actor, extension: str) -> None:
    users = world.storage.users(world.tenant_id)
    users.records[actor.user_id] = replace(actor.user, extension=extension)
    users.extensions[extension] = actor.user_id


def test_a_missed_call_tells_the_extension_it_rang_or_the_callers_manager(
    world: World, center: NotificationService
) -> None:
    seller, operator = world.user("Sam Seller"), world.user("Otto Operator")
    with_extension(world, operator, "102")
    world.client("Bob Buyer", seller, phone=CALLER)
    phone = _Phone(world, center)

    phone.send("NOTIFY_START", pbx_call_id="in_1", called_did="+33170000000")
    phone.send("NOTIFY_END", pbx_call_id="in_1", internal="102", disposition="no answer", duration="0")
    phone.send("NOTIFY_END", pbx_call_id="in_1", internal="102", disposition="no answer", duration="0")  # again
    assert told(world, operator) == [
        (NotificationKind.MISSED_CALL, "Missed call from Bob Buyer", Link(LinkType.CALL, "in_1"))
    ]
    assert told(world, seller) == []

    phone.send("NOTIFY_START", pbx_call_id="in_2", called_did="+33170000000")
    phone.send("NOTIFY_END", pbx_call_id="in_2", disposition="busy", duration="0")  # no extension rang
    assert [t[2] for t in told(world, seller)] == [Link(LinkType.CALL, "in_2")]

    phone.send("NOTIFY_START", pbx_call_id="in_3", called_did="+33170000000")
    phone.send("NOTIFY_END", pbx_call_id="in_3", internal="102", disposition="answered", duration="30")
    assert len(told(world, operator)) == 1  # answered: nothing missed


def test_an_import_finished_or_failed_tells_who_started_it(world: World, center: NotificationService) -> None:
    seller = world.user("Sam Seller")
    record = Import("imp-1", ContactKind.CLIENT, "clients.csv", "text/csv", ImportStatus.COMPLETED, seller.user_id,
                    world.clock(), "key", finished_at=world.clock())  # fmt: skip
    notify_finished(center, world.tenant_id, record)
    notify_finished(center, world.tenant_id, record)  # a retried step
    notify_finished(center, world.tenant_id, replace(record, status=ImportStatus.FAILED, version=2))
    assert sorted(told(world, seller), key=lambda t: t[1]) == [
        (NotificationKind.IMPORT_FINISHED, "Import of clients.csv failed", Link(LinkType.IMPORT, "imp-1")),
        (NotificationKind.IMPORT_FINISHED, "Import of clients.csv finished", Link(LinkType.IMPORT, "imp-1")),
    ]


def test_a_failed_notification_never_fails_the_business_write(world: World, center: NotificationService) -> None:
    contacts = ContactService(world.storage, world.clock, notifier=center)
    seller = world.user("Sam Seller")
    inbox(world).fail = True
    lead = contacts.create(world.admin, ContactKind.LEAD, ContactInput(name="Lea Lead"),
                           responsible_user_id=seller.user_id)  # fmt: skip
    assert world.storage.contacts(world.tenant_id).get(lead.id) is not None


# --- reading ---------------------------------------------------------------------------------------


def test_list_unread_filter_and_counts(world: World, center: NotificationService) -> None:
    seller = world.user("Sam Seller")
    for n in range(3):
        say(center, world, seller, f"N{n}")
        world.clock.advance(seconds=1)
    listing = center.page(seller, unread=False, limit=2, cursor=None)
    assert [s.notification.title for s in listing.page.items] == ["N2", "N1"]
    assert listing.unread_count == 3
    assert center.unread_count(seller) == 3

    n1 = listing.page.items[1].notification
    assert center.read(seller, [n1.id, n1.id, "unknown"]) == 2
    assert center.read(seller, [n1.id]) == 2  # already read: no second decrement
    unread = center.page(seller, unread=True, limit=10, cursor=None)
    assert [s.notification.title for s in unread.page.items] == ["N2", "N0"]
    shown = {s.notification.title: s.read for s in center.page(seller, unread=False, limit=10, cursor=None).page.items}
    assert shown == {"N2": False, "N1": True, "N0": False}


def test_another_users_notification_ids_change_nothing(world: World, center: NotificationService) -> None:
    seller, other = world.user("Sam Seller", GroupType.ADMIN), world.user("Olga Other")
    say(center, world, other)
    (theirs,) = inbox(world).all_of(other.user_id)
    assert center.read(seller, [theirs.id]) == 0
    assert center.unread_count(other) == 1
    assert not inbox(world).all_of(other.user_id)[0].marked_read


def test_mark_all_read_then_new_ones_count_again(world: World, center: NotificationService) -> None:
    seller = world.user("Sam Seller")
    for _ in range(5):
        say(center, world, seller)
    assert center.read_all(seller) == 0
    assert center.unread_count(seller) == 0
    assert center.page(seller, unread=True, limit=10, cursor=None).page.items == []
    assert all(s.read for s in center.page(seller, unread=False, limit=10, cursor=None).page.items)
    older = inbox(world).all_of(seller.user_id)[0]
    assert center.read(seller, [older.id]) == 0  # already read by the watermark: nothing taken off

    world.clock.advance(seconds=1)
    say(center, world, seller, "After")
    assert center.unread_count(seller) == 1
    assert [s.notification.title for s in center.page(seller, unread=True, limit=10, cursor=None).page.items] == [
        "After"
    ]


def test_read_takes_at_most_100_ids(world: World, center: NotificationService) -> None:
    seller = world.user("Sam Seller")
    with pytest.raises(ValidationError) as raised:
        center.read(seller, [f"id{n}" for n in range(101)])
    assert raised.value.field == "ids"


def test_notifications_leave_the_count_with_the_retention_window(world: World, center: NotificationService) -> None:
    seller = world.user("Sam Seller")
    say(center, world, seller, "Old")
    world.clock.advance(days=92)
    say(center, world, seller, "New")
    listing = center.page(seller, unread=False, limit=10, cursor=None)
    assert [s.notification.title for s in listing.page.items] == ["New"]
    assert listing.unread_count == 1
    assert list(inbox(world).inbox(seller.user_id).unread_by_day) == [world.clock().date()]  # the old day dropped


def test_the_notification_record_is_the_domains(world: World) -> None:
    assert {k.value for k in NotificationKind} == {
        "lead_assigned", "task_assigned", "task_due", "missed_call", "email_received", "import_finished",
        "integration_error",
    }  # fmt: skip
    assert {t.value for t in LinkType} == {"client", "lead", "deal", "task", "call", "import"}
    assert Notification.__dataclass_fields__.keys() >= {"id", "kind", "time", "title", "link"}
