"""The calendar sync's rules (GC-2..4), against a Google Calendar that behaves like the real one
(etags, sync tokens, 409/410/412) and the tasks, all in memory."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chalicelib.domain.calendar_sync import (
    TASK_KEY,
    TENANT_KEY,
    EventFields,
    event_body,
    event_id_for,
    read_event,
    same_content,
)
from chalicelib.ports.calendar import AccessRevokedError, Changes
from chalicelib.services.calendar_sync import CalendarSync, Options, RunReport
from tests.fakes.calendar import ZONE, FakeGoogle, FakeState, FakeTasks
from tests.fakes.clock import ManualClock

START = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
BOTH = Options(push=True, pull=True)
TENANT = "tenant-1"


@dataclass
class Desk:
    """One CRM and the Google calendars of its users."""

    clock: ManualClock = field(default_factory=lambda: ManualClock(START))
    state: FakeState = field(default_factory=FakeState)
    calendars: dict[str, FakeGoogle] = field(default_factory=dict)
    tasks: FakeTasks = field(init=False)

    def __post_init__(self) -> None:
        self.tasks = FakeTasks(self.clock, self.state)

    def google(self, user_id: str) -> FakeGoogle:
        return self.calendars.setdefault(user_id, FakeGoogle(self.clock))

    def sync(self, user_id: str = "ann", options: Options = BOTH) -> RunReport:
        engine = CalendarSync(TENANT, ZONE, self.google(user_id), self.tasks, self.state, self.clock)
        return engine.run(user_id, options)


def meeting(title: str = "Demo", day: int = 1, hour: int = 10) -> EventFields:
    start = START + timedelta(days=day, hours=hour - START.hour)
    return EventFields(title, start, start + timedelta(hours=1))


def contents(desk: Desk, user_id: str = "ann") -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    mine = [t for t in desk.tasks.tasks.values() if user_id in t.participants]
    tasks = sorted((t.fields.title, t.fields.start, t.fields.end) for t in mine)
    events = []
    for resource in desk.google(user_id).shown():
        fields = read_event(resource, ZONE).fields
        assert fields is not None
        events.append((fields.title, fields.start, fields.end))
    return tasks, sorted(events)


def test_a_new_task_becomes_one_event_marked_with_its_id_and_the_next_run_writes_nothing() -> None:
    desk = Desk()
    task_id = desk.tasks.crm_creates(meeting(), ("ann",))
    report = desk.sync()
    assert (report.pushed, report.echoes) == (1, 1)  # the pull after the push listed our own insert
    event = desk.google("ann").events[event_id_for(task_id)]
    assert event["extendedProperties"]["private"] == {TASK_KEY: task_id, TENANT_KEY: TENANT}
    google_writes, task_writes = desk.google("ann").writes, desk.tasks.writes
    again = desk.sync()
    assert (again.pushed, again.pulled, again.failures) == (0, 0, [])
    assert (desk.google("ann").writes, desk.tasks.writes) == (google_writes, task_writes)


def test_an_insert_retried_after_a_lost_answer_updates_the_same_event() -> None:
    desk = Desk()
    task_id = desk.tasks.crm_creates(meeting(), ("ann",))
    google = desk.google("ann")
    google.insert(event_id_for(task_id), {"summary": "half-done", **_times(meeting())})  # the answer was lost
    desk.sync()
    assert len(google.shown()) == 1
    assert google.shown()[0]["summary"] == "Demo"


def _times(fields: EventFields) -> dict[str, Any]:
    body = event_body(fields, task_id="x", tenant_id=TENANT, zone=ZONE)
    return {"start": body["start"], "end": body["end"]}


def test_an_edit_in_google_changes_the_task_and_is_not_written_back() -> None:
    desk = Desk()
    task_id = desk.tasks.crm_creates(meeting(), ("ann",))
    desk.sync()
    writes = desk.google("ann").writes
    desk.google("ann").user_edits(event_id_for(task_id), "Demo with the CFO")
    report = desk.sync()
    assert desk.tasks.tasks[task_id].fields.title == "Demo with the CFO"
    assert report.pulled == 1
    desk.sync()
    assert desk.google("ann").writes == writes  # the inbound change caused no outbound write


def test_an_edit_in_the_crm_reaches_google_and_is_not_read_back() -> None:
    desk = Desk()
    task_id = desk.tasks.crm_creates(meeting(), ("ann",))
    desk.sync()
    desk.tasks.crm_edits(task_id, "Moved demo")
    desk.sync()
    assert desk.google("ann").events[event_id_for(task_id)]["summary"] == "Moved demo"
    assert desk.tasks.writes == 0


def test_an_event_created_in_google_becomes_a_task_once() -> None:
    desk = Desk()
    desk.google("ann").user_creates(meeting("Dentist"))
    desk.sync()
    desk.sync()
    assert [t.fields.title for t in desk.tasks.tasks.values()] == ["Dentist"]
    assert desk.google("ann").writes == 0  # the task made from it is not pushed back


def test_past_events_are_not_imported_and_pull_off_imports_nothing() -> None:
    desk = Desk()
    desk.google("ann").user_creates(meeting("Last week", day=-7))
    desk.google("bob").user_creates(meeting("Future"))
    desk.sync("ann")
    desk.sync("bob", Options(push=True, pull=False))
    assert desk.tasks.tasks == {}


def test_push_off_keeps_tasks_out_of_google() -> None:
    desk = Desk()
    desk.tasks.crm_creates(meeting(), ("ann",))
    desk.sync(options=Options(push=False, pull=True))
    assert desk.google("ann").events == {}


def test_deleting_on_either_side_deletes_on_the_other() -> None:
    desk = Desk()
    kept = desk.tasks.crm_creates(meeting("Kept"), ("ann",))
    crm_side = desk.tasks.crm_creates(meeting("Deleted in the CRM"), ("ann",))
    google_side = desk.tasks.crm_creates(meeting("Deleted in Google"), ("ann",))
    desk.sync()
    desk.tasks.crm_deletes(crm_side)
    desk.google("ann").user_deletes(event_id_for(google_side))
    desk.sync()
    assert list(desk.tasks.tasks) == [kept]
    assert [e["summary"] for e in desk.google("ann").shown()] == ["Kept"]


def test_a_410_converges_in_one_run_including_deletions() -> None:
    desk = Desk()
    gone = desk.tasks.crm_creates(meeting("Gone"), ("ann",))
    desk.tasks.crm_creates(meeting("Stays"), ("ann",))
    imported = desk.google("ann").user_creates(meeting("From Google"))
    desk.sync()
    desk.google("ann").user_deletes(event_id_for(gone))
    desk.google("ann").user_edits(imported, "From Google, renamed")
    desk.google("ann").expire_tokens()  # 410 next time; the deleted event is purged, never listed
    report = desk.sync()
    assert report.full_sync
    tasks, events = contents(desk)
    assert tasks == events
    assert sorted(t[0] for t in tasks) == ["From Google, renamed", "Stays"]
    assert not desk.sync().pulled


def test_a_revoked_grant_stops_the_run_and_says_so() -> None:
    desk = Desk()
    desk.tasks.crm_creates(meeting(), ("ann",))

    class Revoked(FakeGoogle):
        calls = 0

        def insert(self, event_id: str, body: dict[str, Any]) -> dict[str, Any]:
            self.calls += 1
            raise AccessRevokedError("invalid_grant")

        def changes(self, sync_token: str | None, time_min: datetime) -> Changes:
            self.calls += 1
            raise AccessRevokedError("invalid_grant")

    desk.tasks.crm_creates(meeting("Second"), ("ann",))
    revoked = desk.calendars["ann"] = Revoked(desk.clock)
    report = desk.sync()
    assert report.revoked
    assert revoked.calls == 1  # no retry storm: the first refusal ends the run
    assert len(desk.state.pending("ann")) == 2  # nothing lost: pushed once the user reconnects


def test_one_unreadable_event_is_reported_and_the_rest_go_on() -> None:
    desk = Desk()
    google = desk.google("ann")
    poison = google.user_creates(meeting("Broken"))
    google.user_creates(meeting("Fine", day=2))
    google.broken.add(poison)
    report = desk.sync()
    assert [t.fields.title for t in desk.tasks.tasks.values()] == ["Fine"]
    assert [key for key, _ in report.failures] == [poison]


def test_recurring_events_come_in_as_their_instances() -> None:
    desk = Desk()
    for week in range(3):
        desk.google("ann").user_creates(meeting("Weekly", day=1 + 7 * week), recurring_id="weekly")
    desk.sync()
    assert sorted(t.fields.start.day for t in desk.tasks.tasks.values()) == [3, 10, 17]


def test_when_both_sides_changed_the_later_change_wins() -> None:
    desk = Desk()
    crm_later = desk.tasks.crm_creates(meeting("A"), ("ann",))
    google_later = desk.tasks.crm_creates(meeting("B"), ("ann",))
    desk.sync()
    google = desk.google("ann")
    google.user_edits(event_id_for(crm_later), "A in Google")
    desk.clock.advance(minutes=1)
    desk.tasks.crm_edits(crm_later, "A in the CRM")
    desk.tasks.crm_edits(google_later, "B in the CRM")
    desk.clock.advance(minutes=1)
    google.user_edits(event_id_for(google_later), "B in Google")
    desk.sync()
    assert desk.tasks.tasks[crm_later].fields.title == "A in the CRM"
    assert desk.tasks.tasks[google_later].fields.title == "B in Google"
    tasks, events = contents(desk)
    assert tasks == events


def test_a_shared_task_reaches_every_participant_and_one_deleting_it_only_leaves_it() -> None:
    desk = Desk()
    task_id = desk.tasks.crm_creates(meeting(), ("ann", "bob"))
    desk.sync("ann")
    desk.sync("bob")
    desk.google("bob").user_deletes(event_id_for(task_id))
    desk.sync("bob")
    assert desk.tasks.tasks[task_id].participants == ("ann",)
    desk.sync("ann")
    assert len(desk.google("ann").shown()) == 1


def test_reconnecting_finds_the_events_it_wrote_instead_of_duplicating_them() -> None:
    desk = Desk()
    desk.tasks.crm_creates(meeting("Ours"), ("ann",))
    desk.sync()
    desk.state.by_task.clear()  # links lost (a reconnection from scratch)
    desk.state.tokens.clear()
    desk.sync()
    desk.sync()
    assert [e["summary"] for e in desk.google("ann").shown()] == ["Ours"]
    assert len(desk.tasks.tasks) == 1


def test_an_event_of_another_crm_is_left_alone() -> None:
    desk = Desk()
    body = event_body(meeting("Theirs"), task_id="t1", tenant_id="another", zone=ZONE)
    desk.google("ann").insert("crmother", body)
    writes = desk.google("ann").writes
    desk.sync()
    assert desk.tasks.tasks == {}
    assert desk.google("ann").writes == writes


@pytest.mark.parametrize(
    ("start", "end", "dates"),
    [
        # The CRM's all-day task ends at midnight after its day (domain.tasks.check_span).
        (datetime(2026, 3, 2, 23, tzinfo=UTC), datetime(2026, 3, 3, 23, tzinfo=UTC), ("2026-03-03", "2026-03-04")),
        (datetime(2026, 3, 2, 23, tzinfo=UTC), datetime(2026, 3, 5, 23, tzinfo=UTC), ("2026-03-03", "2026-03-06")),
    ],
)
def test_all_day_tasks_are_dates_in_the_company_zone_with_googles_exclusive_end(
    start: datetime, end: datetime, dates: tuple[str, str]
) -> None:
    fields = EventFields("Offsite", start, end, all_day=True)
    body = event_body(fields, task_id="t", tenant_id=TENANT, zone=ZONE)
    assert (body["start"], body["end"]) == ({"date": dates[0]}, {"date": dates[1]})
    back = read_event({**body, "id": "e", "etag": "1"}, ZONE).fields
    assert back is not None
    assert same_content(back, fields, ZONE)
    assert (back.start, back.end) == (start, end)


# --- random histories -----------------------------------------------------------------------

OPERATIONS = st.lists(
    st.one_of(
        st.tuples(st.just("crm_create"), st.integers(0, 5)),
        st.tuples(st.just("crm_edit"), st.integers(0, 20)),
        st.tuples(st.just("crm_delete"), st.integers(0, 20)),
        st.tuples(st.just("google_create"), st.integers(0, 5)),
        st.tuples(st.just("google_edit"), st.integers(0, 20)),
        st.tuples(st.just("google_delete"), st.integers(0, 20)),
        st.tuples(st.just("sync"), st.just(0)),
        st.tuples(st.just("expire"), st.just(0)),
    ),
    max_size=40,
)


def _pick(items: list[str], index: int) -> str | None:
    return items[index % len(items)] if items else None


def _act(desk: Desk, name: str, arg: int, title: str) -> bool:
    """One user action of a random history; False when it had nothing to act on."""
    google = desk.google("ann")
    task = _pick(sorted(desk.tasks.tasks), arg)
    event = _pick(sorted(e["id"] for e in google.shown()), arg)
    if name == "crm_create":
        desk.tasks.crm_creates(meeting(title, day=1 + arg), ("ann",))
    elif name == "google_create":
        google.user_creates(meeting(title, day=1 + arg))
    elif name == "expire":
        google.expire_tokens()
    elif name.startswith("crm_") and task is not None:
        (desk.tasks.crm_deletes(task) if name == "crm_delete" else desk.tasks.crm_edits(task, title))
    elif name.startswith("google_") and event is not None:
        (google.user_deletes(event) if name == "google_delete" else google.user_edits(event, title))
    else:
        return False
    return True


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(OPERATIONS)
def test_any_history_ends_equal_without_duplicates_or_echo_writes(operations: list[tuple[str, int]]) -> None:
    desk = Desk()
    google = desk.google("ann")
    crm_changed = google_changed = False
    for step, (name, arg) in enumerate(operations):
        desk.clock.advance(minutes=1)
        if name != "sync":
            acted = _act(desk, name, arg, f"item {step}")
            crm_changed = crm_changed or (acted and name.startswith("crm_"))
            google_changed = google_changed or (acted and name.startswith("google_"))
            continue
        before = (google.writes, desk.tasks.writes)
        desk.sync()
        if not crm_changed:  # an inbound change makes no outbound write
            assert google.writes == before[0]
        if not google_changed:  # and the reverse
            assert desk.tasks.writes == before[1]
        crm_changed = google_changed = False
    desk.sync()
    tasks, events = contents(desk)
    assert tasks == events  # equal, so no duplicates on either side
    settled = (google.writes, desk.tasks.writes)
    report = desk.sync()
    assert (google.writes, desk.tasks.writes) == settled
    assert report.failures == []
