"""The Google Calendar sync worker (issue 19) with the real repositories (moto) and a fake Google:
a 410 converges in one run, deletions included; a revoked grant stops the user's sync with one
notification and no retries; a poison event is skipped and the rest goes on."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from chalicelib.bootstrap import services
from chalicelib.db.storage import DynamoStorage
from chalicelib.domain.calendar_connection import CalendarConnection, CalendarStatus, secret_name
from chalicelib.domain.calendar_sync import EventFields, read_event
from chalicelib.ports.calendar import AccessRevokedError, CalendarGoneError, Changes
from chalicelib.services.calendar_worker import CalendarSyncWorker
from tests.fakes.calendar import ZONE, FakeGoogle
from tests.harness import Api, CrmSession, LocalAws


class Google:
    """The fake Google of every connected user, counting the clients the worker builds; a
    video event asked for a Meet link gets one."""

    def __init__(self, aws: LocalAws) -> None:
        self.calendar = FakeGoogle(aws.clock)
        self.built = 0
        self.revoked = False
        self.gone = False

    def __call__(self, refresh_token: str, calendar_id: str) -> Any:
        self.built += 1
        return self

    def changes(self, sync_token: str | None, time_min: Any) -> Changes:
        if self.revoked:
            raise AccessRevokedError("invalid_grant")
        if self.gone:
            raise CalendarGoneError("notFound")
        return self.calendar.changes(sync_token, time_min)

    def get(self, event_id: str) -> dict[str, Any]:
        return self.calendar.get(event_id)

    def insert(self, event_id: str, body: dict[str, Any]) -> dict[str, Any]:
        if self.revoked:
            raise AccessRevokedError("invalid_grant")
        written = self.calendar.insert(event_id, body)
        if (body.get("conferenceData") or {}).get("createRequest"):
            link = f"https://meet.google.com/{event_id[:3]}-{event_id[3:7]}"
            self.calendar.events[event_id]["hangoutLink"] = link
            written["hangoutLink"] = link
        return written

    def update(self, event_id: str, body: dict[str, Any], etag: str | None) -> dict[str, Any]:
        return self.calendar.update(event_id, body, etag)

    def delete(self, event_id: str) -> None:
        self.calendar.delete(event_id)


def connect(crm: CrmSession, *, push: bool = True, pull: bool = True) -> None:
    user_id = crm.admin["id"]
    services().secrets.put(crm.id, secret_name(user_id), {"refresh_token": "rt"})
    now = services().clock()
    connection = CalendarConnection(user_id, "ada@gmail.com", "primary", push, pull, CalendarStatus.OK, now, now)
    DynamoStorage().calendars(crm.id).save(connection, expected_version=None)


def worker(google: Google) -> CalendarSyncWorker:
    s = services()
    return CalendarSyncWorker(DynamoStorage(), s.clock, s.secrets, google, s.tasks, s.notifier)


def task(api: Api, crm: CrmSession, title: str, hours: int, **fields: Any) -> dict[str, Any]:
    start = (services().clock() + timedelta(hours=hours)).replace(microsecond=0)
    body = {"title": title, "start": start.isoformat(), "end": (start + timedelta(hours=1)).isoformat(), **fields}
    reply = api.post("/v1/tasks", body, token=crm.token)
    assert reply.status == 201, reply.json
    return reply.json


def crm_titles(api: Api, crm: CrmSession) -> list[str]:
    reply = api.get("/v1/tasks?limit=100", token=crm.token)
    assert reply.status == 200, reply.json
    return sorted(t["title"] for t in reply.json["items"])


def google_titles(google: Google) -> list[str]:
    return sorted(e["summary"] for e in google.calendar.shown())


def settings(api: Api, crm: CrmSession) -> dict[str, Any]:
    reply = api.get("/v1/settings/calendar", token=crm.token)
    assert reply.status == 200, reply.json
    return reply.json


def due_later(aws: LocalAws) -> None:
    aws.clock.advance(minutes=6)


@pytest.fixture
def crm(api: Api, make_crm) -> CrmSession:
    return make_crm()


def test_a_410_converges_in_one_run_deletions_included(api: Api, aws: LocalAws, crm: CrmSession) -> None:
    connect(crm)
    google = Google(aws)
    run = worker(google)
    kept, dropped = task(api, crm, "Kept", 2), task(api, crm, "Deleted in Google", 3)
    soon = services().clock() + timedelta(hours=5)
    google.calendar.user_creates(EventFields("From Google", soon, soon + timedelta(hours=1)))
    gone = google.calendar.user_creates(EventFields("Gone from Google", soon, soon + timedelta(hours=2)))

    report = run.run()
    assert (report.synced, report.pushed, report.pulled, report.event_failures) == (1, 2, 2, 0)
    assert crm_titles(api, crm) == google_titles(google)
    assert crm_titles(api, crm) == ["Deleted in Google", "From Google", "Gone from Google", "Kept"]

    pushed = next(e for e in google.calendar.shown() if e["summary"] == "Deleted in Google")
    google.calendar.user_deletes(pushed["id"])
    google.calendar.user_deletes(gone)
    google.calendar.expire_tokens()  # 410 on the next listing; the deleted events are purged
    due_later(aws)

    report = run.run()
    assert report.synced == 1
    assert report.event_failures == 0
    assert crm_titles(api, crm) == google_titles(google) == ["From Google", "Kept"]
    assert api.get(f"/v1/tasks/{dropped['id']}", token=crm.token).status == 404
    assert api.get(f"/v1/tasks/{kept['id']}", token=crm.token).status == 200

    writes = google.calendar.writes
    due_later(aws)
    report = run.run()
    assert (report.synced, report.pushed, report.pulled) == (1, 0, 0)  # converged: nothing to write
    assert google.calendar.writes == writes
    assert settings(api, crm)["status"] == "ok"


def test_invalid_grant_needs_reauth_notifies_once_and_stops_retrying(api: Api, aws: LocalAws, crm: CrmSession) -> None:
    connect(crm)
    google = Google(aws)
    run = worker(google)
    task(api, crm, "Demo", 2)
    google.revoked = True

    report = run.run()
    assert (report.revoked, report.synced) == (1, 0)
    shown = settings(api, crm)
    assert (shown["connected"], shown["status"]) == (True, "needs_reauth")
    assert "access revoked" in shown["last_error"]

    for _ in range(3):  # later schedules: nothing due, Google never asked again
        due_later(aws)
        assert run.run().revoked == 0
    assert google.built == 1
    assert run.run_user(crm.id, crm.admin["id"]).skipped == 1  # a forced run does not ask Google either
    assert google.built == 1
    notes = api.get("/v1/notifications", token=crm.token).json["items"]
    assert [n["kind"] for n in notes].count("integration_error") == 1
    assert api.post("/v1/settings/calendar/sync", {}, token=crm.token).status == 202
    assert settings(api, crm)["status"] == "needs_reauth"  # sync now cannot fix a revoked grant


def test_a_poison_event_is_skipped_and_reported_the_rest_goes_on(api: Api, aws: LocalAws, crm: CrmSession) -> None:
    connect(crm)
    google = Google(aws)
    run = worker(google)
    soon = services().clock() + timedelta(hours=3)
    bad = google.calendar.user_creates(EventFields("Broken", soon, soon + timedelta(hours=1)))
    google.calendar.broken.add(bad)
    google.calendar.user_creates(EventFields("Fine", soon, soon + timedelta(hours=1)))
    # A task the CRM refuses (longer than a task may last) is one failure too, not the run's.
    google.calendar.user_creates(EventFields("Too long", soon, soon + timedelta(days=400)))
    task(api, crm, "Pushed", 4)

    report = run.run()
    assert report.synced == 1
    assert report.event_failures == 2
    assert crm_titles(api, crm) == ["Fine", "Pushed"]
    assert "Pushed" in google_titles(google)
    shown = settings(api, crm)
    assert shown["status"] == "ok"
    assert shown["last_error"].startswith("2 item(s) skipped")


def test_a_video_task_gets_a_meet_link(api: Api, aws: LocalAws, crm: CrmSession) -> None:
    connect(crm)
    google = Google(aws)
    video = task(api, crm, "Demo call", 2, type="video")
    worker(google).run()
    shown = api.get(f"/v1/tasks/{video['id']}", token=crm.token).json
    assert shown["meeting_url"].startswith("https://meet.google.com/")
    event = read_event(google.calendar.shown()[0], ZONE)
    assert event.task_id == video["id"]


def test_a_calendar_gone_is_an_error_until_the_user_acts(api: Api, aws: LocalAws, crm: CrmSession) -> None:
    connect(crm)
    google = Google(aws)
    run = worker(google)
    google.gone = True
    assert run.run().failed == 1
    shown = settings(api, crm)
    assert (shown["status"], shown["last_sync_at"]) == ("error", None)
    due_later(aws)
    assert run.run().failed == 0  # off the schedule: no retry storm
    google.gone = False
    assert api.post("/v1/settings/calendar/sync", {}, token=crm.token).status == 202
    assert run.run().synced == 1
    shown = settings(api, crm)
    assert (shown["status"], shown["last_error"]) == ("ok", None)
    assert shown["last_sync_at"] is not None


def test_reconnecting_the_same_account_duplicates_nothing(api: Api, aws: LocalAws, crm: CrmSession) -> None:
    connect(crm)
    google = Google(aws)
    run = worker(google)
    task(api, crm, "Ours", 2)
    soon = services().clock() + timedelta(hours=4)
    google.calendar.user_creates(EventFields("Theirs", soon, soon + timedelta(hours=1)))
    run.run()
    assert crm_titles(api, crm) == google_titles(google) == ["Ours", "Theirs"]

    assert api.request("DELETE", "/v1/settings/calendar", token=crm.token).status == 204
    connect(crm)  # the same account again: a full sync (no token) finds every event it knew
    DynamoStorage().calendars(crm.id).bind_account(crm.admin["id"], "ada@gmail.com")
    due_later(aws)
    assert run.run().synced == 1
    assert crm_titles(api, crm) == google_titles(google) == ["Ours", "Theirs"]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_random_interleavings_converge_through_the_real_repositories(
    api: Api, aws: LocalAws, crm: CrmSession, seed: int
) -> None:
    """Creates, edits and deletes on both sides between runs, in a seeded random order: the end
    has tasks and events equal, no duplicate, and a last run that writes nothing."""
    import random

    rnd = random.Random(seed)
    connect(crm)
    google = Google(aws)
    run = worker(google)
    names = iter(f"Item {n}" for n in range(1000))
    for _ in range(14):
        step = rnd.choice(["crm_create", "crm_edit", "crm_delete", "g_create", "g_edit", "g_delete", "sync"])
        tasks = api.get("/v1/tasks?limit=100", token=crm.token).json["items"]
        events = google.calendar.shown()
        if step == "crm_create":
            task(api, crm, next(names), rnd.randint(1, 48))
        elif step == "crm_edit" and tasks:
            chosen = rnd.choice(tasks)
            body = {"version": chosen["version"], "title": next(names)}
            assert api.request("PATCH", f"/v1/tasks/{chosen['id']}", body, token=crm.token).status == 200
        elif step == "crm_delete" and tasks:
            assert api.request("DELETE", f"/v1/tasks/{rnd.choice(tasks)['id']}", token=crm.token).status == 204
        elif step == "g_create":
            at = services().clock() + timedelta(hours=rnd.randint(1, 48))
            google.calendar.user_creates(EventFields(next(names), at, at + timedelta(hours=1)))
        elif step == "g_edit" and events:
            google.calendar.user_edits(rnd.choice(events)["id"], next(names))
        elif step == "g_delete" and events:
            google.calendar.user_deletes(rnd.choice(events)["id"])
        elif step == "sync":
            due_later(aws)
            assert run.run().event_failures == 0
        aws.clock.advance(seconds=1)  # edits on both sides: the later one wins
    for _ in range(2):
        due_later(aws)
        run.run()
    assert crm_titles(api, crm) == google_titles(google)
    assert len(set(crm_titles(api, crm))) == len(crm_titles(api, crm))
    writes = google.calendar.writes
    due_later(aws)
    report = run.run()
    assert (report.pushed, report.pulled) == (0, 0)
    assert google.calendar.writes == writes
