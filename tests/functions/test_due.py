"""Reminders and deferred SMS (TK-4, SM-4): fired on time, exactly once, caught up after downtime."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from chalicelib.db.repositories.tasks import DueRepository
from chalicelib.db.storage import DynamoStorage
from chalicelib.domain.errors import UnavailableError
from chalicelib.domain.tasks import DueAction, DueKind, due_hour
from chalicelib.integrations.mail import SesMailer
from chalicelib.ports.outside import SmsReceipt, SmsRejectedError
from chalicelib.services.due import DueWorker
from tests.harness import Api, CrmSession, sent_emails
from tests.meter import dynamodb_calls


@pytest.fixture
def now() -> datetime:
    """This test's "now" (whole seconds): tasks are created relative to the real clock."""
    return datetime.now(UTC).replace(microsecond=0)


@dataclass
class Clock:
    now: datetime

    def __call__(self) -> datetime:
        return self.now


class RecordingSms:
    """An SmsSender whose answers a test scripts: 'ok', 'down' (transient) or 'refused'."""

    def __init__(self, *answers: str) -> None:
        self.answers = list(answers)
        self.sent: list[tuple[str, str]] = []

    def send(self, tenant_id: str, to: str, text: str) -> SmsReceipt:
        answer = self.answers.pop(0) if self.answers else "ok"
        if answer == "down":
            raise UnavailableError("provider timeout")
        if answer == "refused":
            raise SmsRejectedError("invalid destination number")
        self.sent.append((to, text))
        return SmsReceipt(f"msg-{len(self.sent)}")


def worker(clock: Clock, sms: Any = None) -> DueWorker:
    return DueWorker(
        DynamoStorage(), clock, SesMailer("CRM <no-reply@example.com>"), sms or RecordingSms(), "http://app"
    )


def task(api: Api, crm: CrmSession, start: datetime, **fields: Any) -> dict[str, Any]:
    reply = api.post("/v1/tasks", {"title": "Call Acme", "start": start.isoformat(), **fields}, token=crm.token)
    assert reply.status == 201, reply.json
    return reply.json


def reminders() -> list[str]:
    return [e["subject"] for e in sent_emails() if e["subject"].startswith(("Reminder", "Overdue"))]


def test_a_reminder_fires_exactly_once_when_the_schedule_runs_twice(api: Api, make_crm, now: datetime) -> None:
    crm = make_crm()
    created = task(api, crm, now + timedelta(minutes=30), remind_minutes_before=15)
    assert datetime.fromisoformat(created["reminder_at"]) == now + timedelta(minutes=15)
    clock = Clock(now + timedelta(minutes=10))

    assert worker(clock).run().fired == 0  # not yet
    clock.now = now + timedelta(minutes=16)
    first, second = worker(clock).run(), worker(clock).run()

    assert (first.fired, second.fired) == (1, 0)
    assert len(reminders()) == 1
    email = sent_emails()[-1]
    assert email["to"] == [crm.admin["email"]]
    assert email["subject"].startswith("Reminder: Call Acme at ")
    assert f"http://app/tasks/{created['id']}" in email["body"]


def test_two_runs_at_the_same_moment_fire_a_reminder_once(api: Api, make_crm, now: datetime) -> None:
    crm = make_crm()
    for i in range(5):
        task(api, crm, now + timedelta(minutes=20 + i), remind_minutes_before=15)
    clock = Clock(now + timedelta(minutes=30))
    reports = []
    runs = [threading.Thread(target=lambda: reports.append(worker(clock).run())) for _ in range(3)]
    for run in runs:
        run.start()
    for run in runs:
        run.join()

    assert sum(r.fired for r in reports) == 5
    assert len(reminders()) == 5


def test_a_missed_window_is_caught_up_after_downtime(api: Api, make_crm, now: datetime) -> None:
    crm = make_crm()
    client = api.post("/v1/clients", {"name": "Bob", "phones": [{"phone": "+33612345678"}]}, token=crm.token).json
    task(api, crm, now + timedelta(hours=3), remind_minutes_before=60)
    sms_task = task(api, crm, now + timedelta(hours=2), type="sms", sms_text="See you at 3", contact_ids=[client["id"]],
                    remind_minutes_before=None)  # fmt: skip
    clock = Clock(now)
    worker(clock).run()  # the last run before the outage
    # The watermark stays a few minutes behind now (writes racing the run), in this hour or the last.
    assert DueRepository().watermark() == due_hour(now - timedelta(minutes=5))

    clock.now = now + timedelta(hours=5)  # back after five hours down: both windows were missed
    sms = RecordingSms()
    report = worker(clock, sms).run()

    assert report.fired == 2
    assert report.hours == (6 if due_hour(now - timedelta(minutes=5)) == due_hour(now) else 7)
    assert [s.split(":")[0] for s in reminders()] == ["Overdue"]  # sent late, and says so
    assert sms.sent == [("+33612345678", "See you at 3")]  # 3 hours late: still worth sending
    assert DueRepository().watermark() == due_hour(clock.now - timedelta(minutes=5))
    assert worker(clock, sms).run().fired == 0
    done = api.get(f"/v1/tasks/{sms_task['id']}", token=crm.token).json
    assert (done["status"], done["sms_status"]) == ("done", "sent")


def test_a_first_run_just_after_the_hour_keeps_its_place_for_the_catch_up(api: Api, make_crm, now: datetime) -> None:
    # The first run ever, 30 s into an hour, reads the last hour and must still write the watermark
    # (it equals where the run started), or a run after an outage starts from its own lookback.
    crm = make_crm()
    sms_task = task(api, crm, now + timedelta(hours=2), type="sms", sms_text="See you", phone="+33611111111",
                    remind_minutes_before=None)  # fmt: skip
    sms_at = datetime.fromisoformat(sms_task["start"])  # an SMS task sends at its start
    first_run = sms_at.replace(minute=0, second=30) - timedelta(hours=1)
    assert worker(Clock(first_run)).run().fired == 0
    assert DueRepository().watermark() == due_hour(first_run - timedelta(hours=1))

    sms = RecordingSms()
    assert worker(Clock(sms_at + timedelta(hours=4)), sms).run().fired == 1
    assert sms.sent == [("+33611111111", "See you")]


def test_an_sms_too_late_after_a_long_outage_is_not_sent_and_the_feed_says_so(
    api: Api, make_crm, now: datetime
) -> None:
    crm = make_crm()
    client = api.post("/v1/clients", {"name": "Bob", "phones": [{"phone": "+33612345678"}]}, token=crm.token).json
    sms_task = task(api, crm, now + timedelta(minutes=5), type="sms", sms_text="Your appointment is at 11:00",
                    contact_ids=[client["id"]], remind_minutes_before=None)  # fmt: skip
    worker(Clock(now)).run()
    sms = RecordingSms()
    report = worker(Clock(now + timedelta(hours=8)), sms).run()

    assert (report.fired, sms.sent) == (1, [])
    failed = api.get(f"/v1/tasks/{sms_task['id']}", token=crm.token).json
    assert (failed["status"], failed["sms_status"]) == ("open", "failed")
    assert failed["sms_error"].startswith("not sent: 4")  # minutes late
    entry = api.get(f"/v1/clients/{client['id']}/feed", token=crm.token).json["items"][0]
    assert (entry["kind"], entry["data"]["event"], entry["data"]["reason"]) == (
        "sms",
        "sms_failed",
        failed["sms_error"],
    )


def test_a_deferred_sms_is_sent_at_its_time_once_and_lands_in_the_feed(api: Api, make_crm, now: datetime) -> None:
    crm = make_crm()
    client = api.post("/v1/clients", {"name": "Bob", "phones": [{"phone": "+33612345678"}]}, token=crm.token).json
    sms_task = task(api, crm, now + timedelta(minutes=10), type="sms", sms_text="Your appointment is at 11:00",
                    contact_ids=[client["id"]], remind_minutes_before=None)  # fmt: skip
    sms = RecordingSms()

    assert worker(Clock(now + timedelta(minutes=9)), sms).run().fired == 0
    clock = Clock(now + timedelta(minutes=10, seconds=30))
    assert (worker(clock, sms).run().fired, worker(clock, sms).run().fired) == (1, 0)

    assert sms.sent == [("+33612345678", "Your appointment is at 11:00")]
    sent = api.get(f"/v1/tasks/{sms_task['id']}", token=crm.token).json
    assert (sent["status"], sent["sms_status"], sent["sms_error"]) == ("done", "sent", None)
    entry = api.get(f"/v1/clients/{client['id']}/feed", token=crm.token).json["items"][0]
    assert entry["kind"] == "sms"
    assert {k: entry["data"][k] for k in ("event", "direction", "phone", "message_id", "task_id")} == {
        "event": "sms_sent", "direction": "outgoing", "phone": "+33612345678", "message_id": "msg-1",
        "task_id": sms_task["id"],
    }  # fmt: skip
    edit = api.request("PATCH", f"/v1/tasks/{sms_task['id']}", {"version": sent["version"], "sms_text": "Again"},
                       token=crm.token)  # fmt: skip
    assert (edit.status, edit.error["code"]) == (409, "conflict")


def test_provider_outages_are_retried_with_backoff_and_refusals_are_recorded(api: Api, make_crm, now: datetime) -> None:
    crm = make_crm()
    flaky = task(api, crm, now + timedelta(minutes=1), type="sms", sms_text="Hi", phone="+33611111111",
                 remind_minutes_before=None)  # fmt: skip
    refused = task(api, crm, now + timedelta(minutes=2), type="sms", sms_text="Hi", phone="+33622222222",
                   remind_minutes_before=None)  # fmt: skip
    sms = RecordingSms("down", "refused")
    clock = Clock(now + timedelta(minutes=3))

    first = worker(clock, sms).run()
    assert (first.fired, first.retried) == (1, 1)  # the refusal is an outcome; the outage is retried
    clock.now += timedelta(seconds=30)
    assert worker(clock, sms).run().busy == 1  # backing off
    clock.now += timedelta(minutes=1)
    assert worker(clock, sms).run().fired == 1

    assert sms.sent == [("+33611111111", "Hi")]
    assert api.get(f"/v1/tasks/{flaky['id']}", token=crm.token).json["sms_status"] == "sent"
    refusal = api.get(f"/v1/tasks/{refused['id']}", token=crm.token).json
    assert (refusal["sms_status"], refusal["sms_error"]) == (
        "failed",
        "refused by the provider: invalid destination number",
    )


def test_a_provider_down_for_good_ends_in_a_visible_failure(api: Api, make_crm, now: datetime) -> None:
    crm = make_crm()
    down = task(api, crm, now, type="sms", sms_text="Hi", phone="+33611111111", remind_minutes_before=None)
    sms = RecordingSms(*["down"] * 10)
    clock = Clock(now + timedelta(minutes=1))
    reports = []
    for _ in range(5):
        reports.append(worker(clock, sms).run())
        clock.now += timedelta(minutes=20)

    assert [r.retried for r in reports] == [1, 1, 1, 1, 0]
    assert reports[-1].failed == 1
    failed = api.get(f"/v1/tasks/{down['id']}", token=crm.token).json
    assert failed["sms_status"] == "failed"
    assert failed["sms_error"].startswith("not sent after 5 attempts")
    assert worker(clock, sms).run().fired == 0


def test_moved_completed_or_deleted_tasks_send_nothing_stale(api: Api, make_crm, now: datetime) -> None:
    crm = make_crm()
    moved = task(api, crm, now + timedelta(minutes=30), remind_minutes_before=15)
    done = task(api, crm, now + timedelta(minutes=30), remind_minutes_before=15)
    deleted = task(api, crm, now + timedelta(minutes=30), remind_minutes_before=15)
    later = (now + timedelta(hours=3)).isoformat()
    api.request("PATCH", f"/v1/tasks/{moved['id']}", {"version": 1, "start": later}, token=crm.token)
    api.post(f"/v1/tasks/{done['id']}/complete", {}, token=crm.token)
    api.request("DELETE", f"/v1/tasks/{deleted['id']}", token=crm.token)
    # A due action left behind by a crash between writes: the worker checks it against the task.
    DueRepository().put(DueAction(crm.id, moved["id"], DueKind.REMIND, now + timedelta(minutes=16)))

    report = worker(Clock(now + timedelta(minutes=20))).run()
    assert (report.fired, report.dropped) == (0, 1)
    assert worker(Clock(now + timedelta(hours=2, minutes=50))).run().fired == 1  # the moved one, on its new time
    assert len(reminders()) == 1


def test_a_reminder_is_not_scheduled_for_a_task_already_due_but_is_sent_at_once_when_its_time_passed(
    api: Api, make_crm, now: datetime
) -> None:
    crm = make_crm()
    past = task(api, crm, now - timedelta(hours=1))
    soon = task(api, crm, now + timedelta(minutes=5), remind_minutes_before=60)

    assert past["reminder_at"] is None
    assert soon["reminder_at"] is not None  # clamped to now: it goes with the next run
    assert worker(Clock(datetime.now(UTC) + timedelta(seconds=1))).run().fired == 1


def test_an_idle_run_costs_two_dynamodb_calls(api: Api, make_crm) -> None:
    make_crm()
    clock = Clock(datetime(2026, 12, 1, 10, 30, tzinfo=UTC))  # no hour boundary in the way
    worker(clock).run()
    clock.now += timedelta(minutes=1)
    with dynamodb_calls() as calls:
        worker(clock).run()
    assert calls == {"GetItem": 1, "Query": 1}  # the watermark, then the current hour


def test_the_scheduled_function_fires_due_reminders(api: Api, make_crm, now: datetime) -> None:
    from functions.due import handler

    crm = make_crm()
    task(api, crm, datetime.now(UTC) + timedelta(minutes=5), remind_minutes_before=15)
    result = handler({"detail-type": "Scheduled Event"}, None)
    assert result["fired"] == 1
    assert len(reminders()) == 1


def test_a_deployment_without_an_sms_provider_fails_deferred_sms_visibly(api: Api, make_crm, now: datetime) -> None:
    from chalicelib.bootstrap import sms_sender

    crm = make_crm()
    sms_task = task(api, crm, now, type="sms", sms_text="Hi", phone="+33611111111", remind_minutes_before=None)
    worker(Clock(now + timedelta(minutes=1)), sms_sender("none")).run()
    failed = api.get(f"/v1/tasks/{sms_task['id']}", token=crm.token).json
    assert (failed["sms_status"], failed["sms_error"]) == (
        "failed",
        "refused by the provider: SMS sending is not configured in this deployment",
    )


def test_a_run_out_of_time_leaves_the_rest_to_the_next_run(api: Api, make_crm, now: datetime) -> None:
    crm = make_crm()
    for i in range(3):
        task(api, crm, now + timedelta(minutes=20 + i), remind_minutes_before=15)
    clock = Clock(now + timedelta(minutes=30))

    stopped = worker(clock).run(time_budget=0)
    assert (stopped.fired, stopped.out_of_time) == (0, True)
    assert worker(clock).run().fired == 3
    assert len(reminders()) == 3


def test_a_deferred_sms_whose_answer_never_came_is_not_sent_again(api: Api, make_crm, now: datetime) -> None:
    from chalicelib.ports.outside import SmsOutcomeUnknownError

    class Unsure(RecordingSms):
        def send(self, tenant_id: str, to: str, text: str) -> SmsReceipt:
            self.sent.append((to, text))
            raise SmsOutcomeUnknownError("read timed out")

    crm = make_crm()
    sms_task = task(api, crm, now, type="sms", sms_text="Hi", phone="+33611111111", remind_minutes_before=None)
    sms = Unsure()
    clock = Clock(now + timedelta(minutes=1))
    assert worker(clock, sms).run().fired == 1
    clock.now += timedelta(minutes=30)
    assert worker(clock, sms).run().fired == 0
    assert len(sms.sent) == 1
    shown = api.get(f"/v1/tasks/{sms_task['id']}", token=crm.token).json
    assert (shown["sms_status"], shown["sms_error"]) == ("failed", "outcome unknown, not sent again: read timed out")


def test_a_task_not_done_at_its_end_goes_overdue_on_the_dashboard(api: Api, make_crm, now: datetime) -> None:
    crm = make_crm()
    created = task(api, crm, now + timedelta(minutes=30), remind_minutes_before=None)
    (action,) = [r.action for r in DueRepository().due(now + timedelta(minutes=30), now + timedelta(minutes=30))
                 if r.action.task_id == created["id"]]  # fmt: skip
    assert action.kind is DueKind.OVERDUE
    clock = Clock(now + timedelta(minutes=31))
    first, second = worker(clock).run(), worker(clock).run()
    assert (first.overdue, second.overdue) == (1, 0)

    def overdue() -> int:
        reply = api.get("/v1/dashboard", token=crm.token)
        return next(w["data"]["count"] for w in reply.json["widgets"] if w["id"] == "tasks_overdue")

    assert overdue() == 1
    reply = api.get(f"/v1/tasks/{created['id']}", token=crm.token)
    assert reply.json["updated_at"] == created["updated_at"]  # bookkeeping, not an edit
    done = api.post(f"/v1/tasks/{created['id']}/complete", {}, token=crm.token)
    assert done.status == 200, done.json
    assert overdue() == 0
