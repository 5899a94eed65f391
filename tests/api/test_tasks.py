"""Tasks of four types, their board and list, the linked feeds, and the calendar (TK, CA, SM-4)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from chalicelib.domain.rights import Permission
from tests.harness import Api, CrmSession, add_member
from tests.meter import dynamodb_calls


def at(hours: float = 24, base: datetime | None = None) -> str:
    """An instant `hours` from now (whole minutes), as an ISO string with an offset."""
    moment = (base or datetime.now(UTC)).replace(second=0, microsecond=0) + timedelta(hours=hours)
    return moment.isoformat()


def z(iso: str) -> str:
    """The API's rendering of an instant: UTC, milliseconds, Z."""
    return datetime.fromisoformat(iso).astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def task(api: Api, token: str, title: str = "Call back", **fields: Any) -> dict[str, Any]:
    reply = api.post("/v1/tasks", {"title": title, "start": at(), **fields}, token=token)
    assert reply.status == 201, reply.json
    return reply.json


def patch(api: Api, token: str, item: dict[str, Any], **changes: Any) -> Any:
    return api.request("PATCH", f"/v1/tasks/{item['id']}", {"version": item["version"], **changes}, token=token)


def titles(reply: Any) -> list[str]:
    assert reply.status == 200, reply.json
    return [t["title"] for t in reply.json["items"]]


def feed_events(api: Api, token: str, path: str) -> list[tuple[str, str]]:
    items = api.get(f"{path}/feed", token=token).json["items"]
    return [(e["kind"], e["data"].get("event")) for e in reversed(items)]


def test_the_four_types_keep_their_own_fields(api: Api, make_crm) -> None:
    crm: CrmSession = make_crm()
    body = {"name": "Dentist patient", "phones": [{"phone": "+33612345678"}]}
    client = api.post("/v1/clients", body, token=crm.token)
    client_id = client.json["id"]

    plain = task(api, crm.token, "Prepare offer", description="Two options")
    call = task(api, crm.token, "Call Acme", type="call", phone="06 11 22 33 44")
    video = task(api, crm.token, "Demo", type="video", meeting_url="https://meet.example.com/abc", end=at(25))
    sms = task(api, crm.token, "Appointment reminder", type="sms", sms_text="Your appointment is at 11:00",
               contact_ids=[client_id])  # fmt: skip

    assert (plain["type"], plain["status"], plain["remind_minutes_before"]) == ("task", "open", 15)
    assert call["phone"] == "+33611223344"  # read in the CRM's country (FR)
    assert video["meeting_url"] == "https://meet.example.com/abc"
    assert (sms["phone"], sms["sms_status"]) == ("+33612345678", "scheduled")  # the linked client's number
    assert plain["end"] == plain["start"]
    assert plain["reminder_at"] is not None


def test_task_input_is_checked_field_by_field(api: Api, make_crm) -> None:
    crm: CrmSession = make_crm()
    lead = api.post("/v1/leads", {"name": "No phone"}, token=crm.token).json
    cases = [
        ({"start": None}, "start"),
        ({"start": "2026-12-01T10:00:00"}, "start"),  # no offset
        ({"end": at(23)}, "end"),  # before the start
        ({"end": at(24 * 20)}, "end"),  # longer than 14 days
        ({"type": "sms"}, "sms_text"),
        ({"type": "sms", "sms_text": "Hi", "contact_ids": [lead["id"]]}, "phone"),  # no number anywhere
        ({"type": "task", "meeting_url": "https://x.example"}, "meeting_url"),
        ({"type": "video", "meeting_url": "ftp://x.example"}, "meeting_url"),
        ({"type": "call", "phone": "call me maybe"}, "phone"),
        ({"member_ids": ["nobody"]}, "member_ids[0]"),
        ({"contact_ids": [lead["id"], "missing"]}, "contact_ids[1]"),
        ({"deal_id": "missing"}, "deal_id"),
        ({"responsible_user_id": "missing"}, "responsible_user_id"),
        ({"remind_minutes_before": -5}, "remind_minutes_before"),
        ({"status": "done"}, "status"),
        ({"colour": "red"}, "colour"),
    ]
    for change, field in cases:
        body = {"title": "X", "start": at(), **change}
        reply = api.post("/v1/tasks", body, token=crm.token)
        assert (reply.status, reply.error.get("field")) == (400, field), (change, reply.json)
    assert titles(api.get("/v1/tasks", token=crm.token)) == []  # nothing half-written


def test_an_sms_task_number_follows_the_dialling_rules(api: Api, make_crm) -> None:
    """TE-8: a number without its country code is completed only where the settings allow it."""
    crm: CrmSession = make_crm()
    body = {"title": "X", "start": at(), "type": "sms", "sms_text": "Hi"}
    assert api.post("/v1/tasks", {**body, "phone": "06 11 22 33 44"}, token=crm.token).json["phone"] == "+33611223344"
    settings = api.get("/v1/settings/telephony", token=crm.token).json
    api.request("PUT", "/v1/settings/telephony", {"version": settings["version"], "dial_without_country_code": False},
                token=crm.token)  # fmt: skip

    refused = api.post("/v1/tasks", {**body, "phone": "06 11 22 33 44"}, token=crm.token)
    assert (refused.status, refused.error["field"]) == (400, "phone")
    assert "country code" in refused.error["message"]
    assert api.post("/v1/tasks", {**body, "phone": "+33 6 11 22 33 44"}, token=crm.token).status == 201


def test_creating_completing_and_rescheduling_write_to_the_linked_feeds(api: Api, make_crm) -> None:
    crm: CrmSession = make_crm()
    client_id = api.post("/v1/clients", {"name": "Acme"}, token=crm.token).json["id"]
    deal = api.post("/v1/deals", {"title": "Website", "client_id": client_id, "value": {"amount": "10"}},
                    token=crm.token).json  # fmt: skip
    created = task(api, crm.token, "Follow up", contact_ids=[client_id], deal_id=deal["id"])

    moved = patch(api, crm.token, created, start=at(48))
    assert moved.status == 200, moved.json
    assert moved.json["end"] == moved.json["start"]  # the duration is kept
    retitled = patch(api, crm.token, moved.json, title="Follow up (2)")  # not a feed event
    done = api.post(f"/v1/tasks/{created['id']}/complete", {"comment": "Signed!"}, token=crm.token)
    assert done.status == 200, done.json
    assert (done.json["status"], done.json["completed_comment"]) == ("done", "Signed!")
    assert done.json["completed_at"] is not None
    assert done.json["version"] == retitled.json["version"] + 1

    events = [e for e in feed_events(api, crm.token, f"/v1/clients/{client_id}") if e[0] == "task"]
    assert events == [("task", "created"), ("task", "rescheduled"), ("task", "completed")]
    assert [e for e in feed_events(api, crm.token, f"/v1/deals/{deal['id']}") if e[0] == "task"] == events
    last = api.get(f"/v1/clients/{client_id}/feed", token=crm.token).json["items"][0]
    assert last["data"]["comment"] == "Signed!"
    assert last["data"]["task_id"] == created["id"]
    again = api.post(f"/v1/tasks/{created['id']}/complete", {}, token=crm.token)
    assert (again.status, again.error["code"]) == (409, "conflict")


def test_a_stale_version_is_refused(api: Api, make_crm) -> None:
    crm: CrmSession = make_crm()
    created = task(api, crm.token)
    assert patch(api, crm.token, created, title="First").status == 200
    stale = patch(api, crm.token, created, title="Second")
    assert (stale.status, stale.error["code"]) == (409, "conflict")
    assert api.get(f"/v1/tasks/{created['id']}", token=crm.token).json["title"] == "First"


def test_the_list_hides_completed_tasks_unless_asked_and_filters(api: Api, make_crm) -> None:
    crm: CrmSession = make_crm()
    client_id = api.post("/v1/clients", {"name": "Acme"}, token=crm.token).json["id"]
    first = task(api, crm.token, "First", start=at(1))
    task(api, crm.token, "Second", start=at(2), type="call", contact_ids=[client_id])
    task(api, crm.token, "Third", start=at(3))
    api.post(f"/v1/tasks/{first['id']}/complete", {}, token=crm.token)

    assert titles(api.get("/v1/tasks", token=crm.token)) == ["Second", "Third"]
    assert titles(api.get("/v1/tasks?include_completed=true", token=crm.token)) == ["First", "Second", "Third"]
    assert titles(api.get("/v1/tasks?include_completed=true&order=desc", token=crm.token)) == [
        "Third", "Second", "First"
    ]  # fmt: skip
    assert titles(api.get("/v1/tasks?status=done", token=crm.token)) == ["First"]
    assert titles(api.get("/v1/tasks?type=call", token=crm.token)) == ["Second"]
    assert titles(api.get(f"/v1/tasks?contact_id={client_id}", token=crm.token)) == ["Second"]
    window = urlencode({"from": at(1.5), "to": at(2.5)})
    assert titles(api.get(f"/v1/tasks?{window}", token=crm.token)) == ["Second"]
    page = api.get("/v1/tasks?limit=1", token=crm.token).json
    rest = api.get(f"/v1/tasks?limit=1&cursor={page['next_cursor']}", token=crm.token)
    assert [page["items"][0]["title"], *titles(rest)] == ["Second", "Third"]


def test_tasks_for_others_and_who_sees_them(api: Api, make_crm) -> None:
    crm: CrmSession = make_crm()
    manager = add_member(api, crm, {Permission.CUSTOMERS_CREATE})
    colleague = add_member(api, crm, set())
    assigned = task(api, crm.token, "For the manager", responsible_user_id=manager.id, member_ids=[colleague.id])
    private = task(api, crm.token, "Admin only")

    assert titles(api.get("/v1/tasks", token=manager.token)) == ["For the manager"]
    assert titles(api.get("/v1/tasks", token=colleague.token)) == ["For the manager"]  # as a member
    assert api.get(f"/v1/tasks/{private['id']}", token=manager.token).status == 404
    assert patch(api, manager.token, assigned, status="in_progress").status == 200
    others = api.get(f"/v1/tasks?responsible_user_id={crm.admin['id']}", token=manager.token)
    assert (others.status, others.error["code"]) == (403, "forbidden")
    # The admin holds calendar_other_users_access: every list is open to them.
    assert titles(api.get(f"/v1/tasks?responsible_user_id={manager.id}", token=crm.token)) == ["For the manager"]
    assert api.request("DELETE", f"/v1/tasks/{assigned['id']}", token=colleague.token).status == 403
    assert api.request("DELETE", f"/v1/tasks/{assigned['id']}", token=manager.token).status == 204
    assert titles(api.get("/v1/tasks", token=colleague.token)) == []
    assert api.get(f"/v1/tasks/{assigned['id']}", token=crm.token).status == 404


def test_reassigning_moves_the_task_between_lists_and_calendars(api: Api, make_crm) -> None:
    crm: CrmSession = make_crm()
    manager = add_member(api, crm, set())
    created = task(api, crm.token, "Hand over")
    moved = patch(api, crm.token, created, responsible_user_id=manager.id)
    assert moved.status == 200, moved.json

    assert titles(api.get("/v1/tasks", token=crm.token)) == []
    assert titles(api.get("/v1/tasks", token=manager.token)) == ["Hand over"]
    assert titles(api.get(f"/v1/tasks?responsible_user_id={manager.id}", token=crm.token)) == ["Hand over"]


def test_the_board_has_one_column_per_status(api: Api, make_crm) -> None:
    crm: CrmSession = make_crm()
    _a, b, c = (task(api, crm.token, name, start=at(i + 1)) for i, name in enumerate("ABC"))
    patch(api, crm.token, b, status="in_progress")
    api.post(f"/v1/tasks/{c['id']}/complete", {}, token=crm.token)
    task(api, crm.token, "D", start=at(5))

    with dynamodb_calls() as calls:
        reply = api.get("/v1/tasks/board?limit=1", token=crm.token)
    assert reply.status == 200, reply.json
    columns = {col["status"]: col for col in reply.json["columns"]}
    assert list(columns) == ["open", "in_progress", "done"]
    assert [t["title"] for t in columns["open"]["items"]] == ["A"]
    assert [t["title"] for t in columns["in_progress"]["items"]] == ["B"]
    assert [t["title"] for t in columns["done"]["items"]] == ["C"]
    more = api.get(f"/v1/tasks?status=open&limit=1&cursor={columns['open']['next_cursor']}", token=crm.token)
    assert titles(more) == ["D"]
    assert calls == {"GetItem": 2, "Query": 3}  # auth, then one Query per column


def test_type_change_drops_the_old_types_fields(api: Api, make_crm) -> None:
    crm: CrmSession = make_crm()
    video = task(api, crm.token, "Demo", type="video", meeting_url="https://meet.example.com/x")
    reply = patch(api, crm.token, video, type="call", phone="+33611223344")
    assert reply.status == 200, reply.json
    assert (reply.json["type"], reply.json["meeting_url"], reply.json["phone"]) == ("call", None, "+33611223344")


def test_calendar_shows_a_week_of_the_users_time_zone(api: Api, make_crm) -> None:
    crm: CrmSession = make_crm()
    me = api.get("/v1/me", token=crm.token).json
    api.request("PATCH", "/v1/me", {"version": me["version"], "timezone": "America/New_York"}, token=crm.token)
    # Week of Monday 2026-11-30 in New York: 05:00Z Monday to 05:00Z the next Monday.
    task(api, crm.token, "Sunday night before", start="2026-11-30T04:30:00Z")  # Sunday 23:30 in NY
    task(api, crm.token, "Monday morning", start="2026-11-30T14:00:00Z")
    task(api, crm.token, "Running into the week", start="2026-11-29T12:00:00Z", end="2026-11-30T06:00:00Z")
    task(api, crm.token, "Sunday evening", start="2026-12-06T23:00:00Z")  # 18:00 in NY, still the week
    task(api, crm.token, "Next Monday", start="2026-12-07T05:00:00Z")

    reply = api.get("/v1/calendar?view=week&date=2026-12-02", token=crm.token)
    assert reply.status == 200, reply.json
    assert (reply.json["from"], reply.json["to"]) == ("2026-11-30T05:00:00.000Z", "2026-12-07T05:00:00.000Z")
    assert reply.json["timezone"] == "America/New_York"
    assert titles(reply) == ["Running into the week", "Monday morning", "Sunday evening"]
    day = api.get("/v1/calendar?view=day&date=2026-11-29", token=crm.token)
    assert titles(day) == ["Running into the week", "Sunday night before"]
    december = api.get("/v1/calendar?view=month&date=2026-12-15", token=crm.token)
    assert titles(december) == ["Sunday evening", "Next Monday"]
    # November starts in summer time (EDT, -4) and ends in winter time (EST, -5).
    november = api.get("/v1/calendar?view=month&date=2026-11-10", token=crm.token).json
    assert (november["from"], november["to"]) == ("2026-11-01T04:00:00.000Z", "2026-12-01T05:00:00.000Z")
    assert [t["title"] for t in november["items"]] == ["Running into the week", "Sunday night before", "Monday morning"]
    span = urlencode({"from": "2026-11-30T00:00:00+00:00", "to": "2026-11-30T10:00:00+00:00"})
    assert titles(api.get(f"/v1/calendar?{span}", token=crm.token)) == ["Running into the week", "Sunday night before"]


def test_calendar_of_other_users_needs_the_right_and_costs_one_query_per_user(api: Api, make_crm) -> None:
    crm: CrmSession = make_crm()
    manager = add_member(api, crm, set())
    task(api, crm.token, "Admin's", start="2026-12-01T09:00:00Z")
    task(api, crm.token, "Manager's", start="2026-12-01T10:00:00Z", responsible_user_id=manager.id)
    task(api, crm.token, "Shared", start="2026-12-01T11:00:00Z", member_ids=[manager.id])
    week = "view=week&date=2026-12-01"

    assert titles(api.get(f"/v1/calendar?{week}", token=manager.token)) == ["Manager's", "Shared"]
    refused = api.get(f"/v1/calendar?{week}&user_id={crm.admin['id']}", token=manager.token)
    assert (refused.status, refused.error["code"]) == (403, "forbidden")
    with dynamodb_calls() as calls:
        both = api.get(f"/v1/calendar?{week}&user_id={crm.admin['id']},{manager.id}", token=crm.token)
    assert titles(both) == ["Admin's", "Manager's", "Shared"]  # the shared task once
    assert calls["Query"] == 2  # one per user
    assert titles(api.get(f"/v1/calendar?{week}&user_id=all", token=crm.token)) == ["Admin's", "Manager's", "Shared"]


def test_calendar_ranges_are_checked(api: Api, make_crm) -> None:
    crm: CrmSession = make_crm()
    cases = [
        ("", "from"),
        ("from=2026-12-01T00:00:00Z", "to"),
        ("from=2026-12-02T00:00:00Z&to=2026-12-01T00:00:00Z", "to"),
        ("from=2026-01-01T00:00:00Z&to=2026-06-01T00:00:00Z", "to"),
        ("view=year", "view"),
        ("view=week&from=2026-12-01T00:00:00Z", "view"),
    ]
    for query, field in cases:
        reply = api.get(f"/v1/calendar?{query}", token=crm.token)
        assert (reply.status, reply.error.get("field")) == (400, field), (query, reply.json)


def test_lists_board_and_calendar_show_the_current_version_after_edits(api: Api, make_crm) -> None:
    crm: CrmSession = make_crm()
    created = task(api, crm.token, "Drag me", start="2026-12-01T09:00:00Z")
    edited = patch(api, crm.token, created, title="Dragged")
    assert edited.json["version"] == 2
    listed = api.get("/v1/tasks", token=crm.token).json["items"][0]
    board = api.get("/v1/tasks/board", token=crm.token).json["columns"][0]["items"][0]
    calendar = api.get("/v1/calendar?view=week&date=2026-12-01", token=crm.token).json["items"][0]
    assert listed["version"] == board["version"] == calendar["version"] == 2
    moved = patch(api, crm.token, board, status="in_progress")  # a card dragged from the board
    assert moved.status == 200, moved.json
