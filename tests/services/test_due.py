"""Reminders and scheduled SMS (TK-3, TK-4) on fakes: the worker fires each once, retries what
can wait, drops what the task no longer wants, and survives a missed hour."""

from __future__ import annotations

from datetime import timedelta

import pytest

from chalicelib.domain import metrics as m
from chalicelib.domain.dashboard import Widget
from chalicelib.domain.errors import UnavailableError
from chalicelib.domain.tasks import DueAction, DueKind, SmsState, TaskStatus, TaskType
from chalicelib.services.dashboard import DashboardService
from chalicelib.services.due import MAX_ATTEMPTS, DueWorker
from chalicelib.services.tasks import TaskService
from tests.fakes.outside import FakeMailer, FakeSmsSender
from tests.services.world import World

PHONE = "+33612345678"


class Flaky(FakeMailer):
    """A mail provider down for the first `down` sends."""

    def __init__(self, down: int) -> None:
        super().__init__()
        self.down = down

    def send(self, to: str, subject: str, text: str) -> None:
        if self.down:
            self.down -= 1
            raise UnavailableError("mail provider down")
        super().send(to, subject, text)


@pytest.fixture
def tasks(world: World) -> TaskService:
    return TaskService(world.storage, world.clock)


def _worker(world: World, mailer: FakeMailer | None = None, sms: FakeSmsSender | None = None) -> DueWorker:
    return DueWorker(world.storage, world.clock, mailer or FakeMailer(), sms or FakeSmsSender(), "https://crm.test")


def test_a_reminder_is_emailed_once_at_its_time(world: World, tasks: TaskService) -> None:
    mailer = FakeMailer()
    worker = _worker(world, mailer)
    task = tasks.create(world.admin, {"title": "Call Bob", "start": world.clock() + timedelta(hours=2),
                                      "remind_minutes_before": 30})  # fmt: skip
    assert worker.run().fired == 0
    world.clock.advance(hours=1, minutes=31)
    assert worker.run().fired == 1
    assert worker.run().fired == 0  # never twice
    ((to, subject, text),) = mailer.sent
    assert (to, subject.startswith("Reminder: Call Bob")) == ("ada@acme.test", True)
    assert f"https://crm.test/tasks/{task.id}" in text


def test_a_moved_or_completed_task_drops_its_old_reminder(world: World, tasks: TaskService) -> None:
    mailer = FakeMailer()
    task = tasks.create(world.admin, {"title": "Call Bob", "start": world.clock() + timedelta(hours=1),
                                      "remind_minutes_before": 30})  # fmt: skip
    tasks.complete(world.admin, task.id, None)
    world.clock.advance(hours=2)
    report = _worker(world, mailer).run()
    assert (report.fired, mailer.sent) == (0, [])


def test_an_unavailable_mailer_is_retried_with_backoff_then_given_up(world: World, tasks: TaskService) -> None:
    mailer = Flaky(down=1)
    worker = _worker(world, mailer)
    tasks.create(world.admin, {"title": "Call Bob", "start": world.clock() + timedelta(minutes=10),
                               "remind_minutes_before": 5})  # fmt: skip
    world.clock.advance(minutes=6)
    assert worker.run().retried == 1
    assert worker.run().busy == 1  # backing off
    world.clock.advance(minutes=2)
    assert worker.run().fired == 1
    assert len(mailer.sent) == 1

    always_down = Flaky(down=100)
    tasks.create(world.admin, {"title": "Call Eve", "start": world.clock() + timedelta(minutes=10),
                               "remind_minutes_before": 5})  # fmt: skip
    worker = _worker(world, always_down)
    failed = 0
    for _ in range(MAX_ATTEMPTS + 2):
        world.clock.advance(minutes=40)
        failed += worker.run().failed
    assert failed == 1
    assert world.storage.due_actions.records == {}


def test_an_sms_task_sends_once_completes_and_records_the_outcome(world: World, tasks: TaskService) -> None:
    sms = FakeSmsSender()
    client = world.client("Bob Buyer", world.admin, phone=PHONE)
    start = world.clock() + timedelta(hours=1)
    fields = {"title": "Confirm", "type": TaskType.SMS, "start": start, "sms_text": "See you at 10"}
    task = tasks.create(world.admin, {**fields, "contact_ids": [client.id]})
    assert task.phone == PHONE
    world.clock.advance(hours=1)
    worker = _worker(world, sms=sms)
    worker.run()
    worker.run()
    assert sms.sent == [(world.tenant_id, PHONE, "See you at 10")]
    done = world.storage.tasks(world.tenant_id).get(task.id)
    assert done is not None
    assert (done.status, done.sms_status) == (TaskStatus.DONE, SmsState.SENT)
    feed = world.storage.contacts(world.tenant_id).feeds[client.id]
    assert feed[-1].data["event"] == "sms_sent"


def test_a_refused_or_stale_sms_is_recorded_as_failed_not_sent(world: World, tasks: TaskService) -> None:
    sms = FakeSmsSender(refused={PHONE})
    task = tasks.create(world.admin, {"title": "Confirm", "type": TaskType.SMS, "phone": PHONE, "sms_text": "Hi",
                                      "start": world.clock() + timedelta(minutes=30)})  # fmt: skip
    world.clock.advance(minutes=30)
    _worker(world, sms=sms).run()
    refused = world.storage.tasks(world.tenant_id).get(task.id)
    assert refused is not None
    assert refused.sms_status is SmsState.FAILED
    assert "refused by the provider" in (refused.sms_error or "")

    late = tasks.create(world.admin, {"title": "Too late", "type": TaskType.SMS, "phone": "+33698765432",
                                      "sms_text": "Hi", "start": world.clock() + timedelta(minutes=5)})  # fmt: skip
    world.clock.advance(days=2)  # the worker was down for two days
    _worker(world, sms=FakeSmsSender()).run()
    stale = world.storage.tasks(world.tenant_id).get(late.id)
    assert stale is not None
    assert (stale.sms_status, (stale.sms_error or "").startswith("not sent:")) == (SmsState.FAILED, True)


def test_a_run_after_an_outage_catches_up_on_the_hours_it_missed(world: World, tasks: TaskService) -> None:
    mailer = FakeMailer()
    worker = _worker(world, mailer)
    worker.run()  # sets the watermark
    for hours in (1, 3, 5):
        tasks.create(world.admin, {"title": f"In {hours} h", "start": world.clock() + timedelta(hours=hours),
                                   "remind_minutes_before": 10})  # fmt: skip
    world.clock.advance(hours=6)
    assert worker.run().fired == 3
    assert len(mailer.sent) == 3


# --- overdue: a task not done at its end goes overdue (the rollups count it) -----------------


def _overdue(world: World, user_id: str) -> tuple[int, int]:
    """(NOW tasks_overdue of the user, tasks_went_overdue of the user over all days)."""
    cells = world.storage.rollups(world.tenant_id).cells
    went = sum(n for (s, p, metric), n in cells.items() if s == user_id and metric == m.TASKS_WENT_OVERDUE)
    return cells[(user_id, m.NOW, m.TASKS_OVERDUE)], went


def test_a_task_not_done_at_its_end_goes_overdue_once(world: World, tasks: TaskService) -> None:
    worker = _worker(world)
    worker.run()
    task = tasks.create(world.admin, {"title": "Call Bob", "start": world.clock() + timedelta(hours=1),
                                      "remind_minutes_before": None})  # fmt: skip
    world.clock.advance(minutes=59)
    assert (worker.run().overdue, _overdue(world, world.admin.user_id)) == (0, (0, 0))
    world.clock.advance(minutes=2)
    assert worker.run().overdue == 1
    assert _overdue(world, world.admin.user_id) == (1, 1)
    stored = world.storage.tasks(world.tenant_id).get(task.id)
    assert stored is not None
    assert stored.marked_overdue
    assert stored.updated_at == task.updated_at
    # Fired again (a repeated action): nothing more.
    world.storage.due_actions.put(DueAction(world.tenant_id, task.id, DueKind.OVERDUE, task.end))
    assert (worker.run().overdue, _overdue(world, world.admin.user_id)) == (0, (1, 1))
    # Completed: no longer overdue; the transition stays counted.
    tasks.complete(world.admin, task.id, None)
    assert _overdue(world, world.admin.user_id) == (0, 1)


def test_a_task_done_or_moved_before_its_end_is_left_alone(world: World, tasks: TaskService) -> None:
    worker = _worker(world)
    worker.run()
    done = tasks.create(world.admin, {"title": "Done in time", "start": world.clock() + timedelta(hours=1)})
    moved = tasks.create(world.admin, {"title": "Moved", "start": world.clock() + timedelta(hours=1)})
    tasks.complete(world.admin, done.id, None)
    later = world.clock() + timedelta(hours=3)
    tasks.update(world.admin, moved.id, None, {"start": later})
    world.clock.advance(hours=2)
    assert worker.run().overdue == 0
    assert _overdue(world, world.admin.user_id) == (0, 0)
    world.clock.advance(hours=2)
    assert worker.run().overdue == 1  # at its new end
    assert _overdue(world, world.admin.user_id) == (1, 1)
    # Moved again into the future: no longer overdue, and due again at the new end.
    tasks.update(world.admin, moved.id, None, {"start": world.clock() + timedelta(hours=1)})
    assert _overdue(world, world.admin.user_id) == (0, 1)
    world.clock.advance(hours=2)
    assert worker.run().overdue == 1
    assert _overdue(world, world.admin.user_id) == (1, 2)


def test_a_task_written_after_its_end_goes_overdue_with_that_write(world: World, tasks: TaskService) -> None:
    task = tasks.create(world.admin, {"title": "Yesterday's call", "start": world.clock() - timedelta(days=1)})
    assert _overdue(world, world.admin.user_id) == (1, 1)
    assert [a.kind for a in world.storage.due_actions.records] == []  # nothing left to fire
    tasks.update(world.admin, task.id, None, {"title": "Yesterday's call (again)"})
    assert _overdue(world, world.admin.user_id) == (1, 1)  # the same end: once
    tasks.delete(world.admin, task.id)
    assert _overdue(world, world.admin.user_id) == (0, 0)  # deletion removes what it counted


def test_the_dashboard_counts_overdue_tasks(world: World, tasks: TaskService) -> None:
    tasks.create(world.admin, {"title": "Late", "start": world.clock() + timedelta(minutes=30)})
    world.clock.advance(hours=1)
    _worker(world).run()
    figures = DashboardService(world.storage, world.clock).figures(world.admin)
    assert figures[Widget.TASKS_OVERDUE] == {"count": 1}
