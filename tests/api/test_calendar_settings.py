"""Google Calendar settings (API.md "Google Calendar") and what the sync adds to task writes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from chalicelib.bootstrap import services
from chalicelib.db.storage import DynamoStorage
from chalicelib.domain.calendar_connection import CalendarConnection, CalendarStatus
from tests.harness import Api, CrmSession
from tests.meter import dynamodb_calls


def connect(crm: CrmSession, user_id: str, *, push: bool = True) -> None:
    now = services().clock()
    connection = CalendarConnection(user_id, "x@gmail.example", "primary", push, True, CalendarStatus.OK, now, now)
    DynamoStorage().calendars(crm.id).save(connection, expected_version=None)


def new_task(api: Api, crm: CrmSession, **fields: object) -> dict:
    start = (datetime.now(UTC) + timedelta(days=1)).replace(microsecond=0).isoformat()
    reply = api.post("/v1/tasks", {"title": "Demo", "start": start, **fields}, token=crm.token)
    assert reply.status == 201, reply.json
    return reply.json


def test_settings_are_the_callers_own_and_checked(api: Api, make_crm) -> None:
    crm: CrmSession = make_crm()
    shown = api.get("/v1/settings/calendar", token=crm.token).json
    assert shown == {
        "connected": False, "google_email": None, "calendar_id": None, "push_crm_to_google": True,
        "pull_google_to_crm": True, "status": None, "last_sync_at": None, "last_error": None,
    }  # fmt: skip
    assert api.request("DELETE", "/v1/settings/calendar", token=crm.token).status == 404
    assert api.post("/v1/settings/calendar/sync", {}, token=crm.token).status == 404
    connect(crm, crm.admin["id"])
    changed = api.request("PUT", "/v1/settings/calendar", {"pull_google_to_crm": False}, token=crm.token)
    assert changed.status == 200, changed.json
    assert (changed.json["push_crm_to_google"], changed.json["pull_google_to_crm"]) == (True, False)
    refused = api.request("PUT", "/v1/settings/calendar", {"push_crm_to_google": "yes"}, token=crm.token)
    assert (refused.status, refused.error["field"]) == (400, "push_crm_to_google")
    unknown = api.request("PUT", "/v1/settings/calendar", {"token": "x"}, token=crm.token)
    assert unknown.status == 400
    assert api.get("/v1/google/connect", token=crm.token).status == 503  # no OAuth client configured here


def test_a_task_write_reads_the_pushers_once_and_marks_in_its_own_transaction(api: Api, make_crm) -> None:
    crm: CrmSession = make_crm()
    new_task(api, crm)  # warm: the caller's group is cached
    with dynamodb_calls() as nobody:
        new_task(api, crm)
    connect(crm, crm.admin["id"])
    with dynamodb_calls() as pushing:
        task = new_task(api, crm)
    # Auth (the user's and the group's GetItem), the pushers (AP122: the one GetItem the sync adds
    # to every task write), then one transaction with the task, its copies and the marks.
    assert nobody == pushing == {"GetItem": 3, "TransactWriteItems": 1}, (nobody, pushing)
    state = DynamoStorage().calendars(crm.id).state()
    assert state.pending(crm.admin["id"]) == [task["id"]]

    connect(crm, crm.admin["id"], push=False)
    with dynamodb_calls() as edit:
        reply = api.request("PATCH", f"/v1/tasks/{task['id']}", {"version": task["version"], "title": "New"},
                            token=crm.token)  # fmt: skip
    assert reply.status == 200, reply.json
    assert edit["TransactWriteItems"] == 1
