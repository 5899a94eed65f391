"""No 500 for any input: each bad input is a 400 `validation_error` naming the field, nothing written."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

import pytest

from tests.harness import Api, CrmSession
from tests.pbx import Pbx, call_id, fake_pbx, incoming

HUGE_NUMBERS = [
    "1e999999999", "1e100000", "Infinity", "NaN", "-inf", "1" * 39, "1e126", "1e-131", "9" * 5000, "1e-999999999",
]  # fmt: skip


def assert_400(reply: Any, field: str) -> None:
    assert reply.status == 400, (reply.status, reply.body[:300])
    assert (reply.error["code"], reply.error["field"]) == ("validation_error", field), reply.error


def cursor_of(key: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(key).encode()).decode().rstrip("=")


def clients(api: Api, crm: CrmSession) -> list[dict[str, Any]]:
    return list(api.get("/v1/clients?scope=all&limit=100", token=crm.token).json["items"])


def number_property(api: Api, crm: CrmSession) -> None:
    reply = api.post("/v1/properties", {"key": "employees", "title": "Employees", "kind": "number"}, token=crm.token)
    assert reply.status == 201, reply.json


# --- deeply nested JSON ------------------------------------------------------------------------


def test_deeply_nested_json_is_a_400_on_the_body_with_or_without_a_token(api: Api, make_crm) -> None:
    crm: CrmSession = make_crm()
    too_deep = "[" * 100_000 + "]" * 100_000  # json.loads itself recurses past Python's limit
    nested: Any = "x"
    for _ in range(200):  # parses, but no body nests like this
        nested = {"a": nested}

    assert_400(api.post("/v1/crms", too_deep), "body")  # public: parsed with no token at all
    assert_400(api.post("/v1/auth/login", too_deep), "body")
    assert_400(api.post("/v1/crms", {"name": "Deep", "admin": nested}), "body")
    assert_400(api.post("/v1/clients", too_deep, token=crm.token), "body")
    assert_400(api.post("/v1/clients", {"name": "Deep", "properties": nested}, token=crm.token), "body")
    assert api.post("/v1/clients", too_deep).status == 401  # no token: refused before the body is read
    assert clients(api, crm) == []


def test_a_deeply_nested_cursor_is_a_400_on_the_cursor(api: Api, make_crm) -> None:
    crm: CrmSession = make_crm()
    cursor = base64.urlsafe_b64encode(b"[" * 100_000).decode()

    assert_400(api.get(f"/v1/clients?cursor={cursor}", token=crm.token), "cursor")


# --- numbers -----------------------------------------------------------------------------------


@pytest.mark.parametrize("number", HUGE_NUMBERS)
def test_a_number_property_out_of_dynamodbs_range_is_refused_on_create_and_filter(
    api: Api, make_crm, number: str
) -> None:
    crm: CrmSession = make_crm()
    number_property(api, crm)

    as_string = api.post("/v1/clients", {"name": "Acme", "properties": {"employees": number}}, token=crm.token)
    raw = '{"name": "Acme", "properties": {"employees": ' + number + "}}"  # a JSON number (or Python's NaN)
    as_number = api.post("/v1/clients", raw, token=crm.token)
    listed = api.get(f"/v1/clients?{urlencode({'property.employees': number})}", token=crm.token)

    assert_400(as_string, "properties.employees")
    assert as_number.status == 400, as_number.json
    assert_400(listed, "property.employees")
    assert clients(api, crm) == []


def test_a_number_property_keeps_38_digits_and_dynamodbs_exponents(api: Api, make_crm) -> None:
    crm: CrmSession = make_crm()
    number_property(api, crm)
    largest = "9." + "9" * 37 + "e125"  # DynamoDB's largest number
    for given, stored in [
        ("1" * 38, "1" * 38), ("-1e125", "-1" + "0" * 125), ("0.000", "0"), (12.5, "12.5"),
        (largest, "9" * 38 + "0" * 88), ("1e-130", "0." + "0" * 129 + "1"), ("0e-999999", "0"),
    ]:  # fmt: skip
        reply = api.post("/v1/clients", {"name": "Acme", "properties": {"employees": given}}, token=crm.token)
        assert (reply.status, reply.json["properties"]) == (201, {"employees": stored}), given
        api.request("DELETE", f"/v1/clients/{reply.json['id']}", token=crm.token)


@pytest.mark.parametrize("number", ["1_000", "\u0661\u0662\u0663", "\uff11\uff12", "12 ", "+.5e-3x", "0x10"])
def test_a_number_property_is_written_with_ascii_digits(api: Api, make_crm, number: str) -> None:
    crm: CrmSession = make_crm()
    number_property(api, crm)
    if number.strip() != number:  # surrounding spaces are stripped, as everywhere
        reply = api.post("/v1/clients", {"name": "Acme", "properties": {"employees": number}}, token=crm.token)
        assert (reply.status, reply.json["properties"]) == (201, {"employees": "12"})
        return
    reply = api.post("/v1/clients", {"name": "Acme", "properties": {"employees": number}}, token=crm.token)
    assert_400(reply, "properties.employees")
    assert_400(
        api.get(f"/v1/clients?{urlencode({'property.employees': number})}", token=crm.token), "property.employees"
    )
    assert clients(api, crm) == []


def test_a_text_property_is_bounded_in_bytes_as_it_becomes_a_key(api: Api, make_crm) -> None:
    crm: CrmSession = make_crm()
    api.post("/v1/properties", {"key": "motto", "title": "Motto", "kind": "text"}, token=crm.token)
    emoji = "\U0001f600" * 500  # 500 characters, 2000 bytes: over DynamoDB's 1024-byte sort key
    assert_400(api.post("/v1/clients", {"name": "Acme", "properties": {"motto": emoji}}, token=crm.token),
               "properties.motto")  # fmt: skip
    assert_400(api.get(f"/v1/clients?{urlencode({'property.motto': emoji})}", token=crm.token), "property.motto")
    assert clients(api, crm) == []
    fits = "\U0001f600" * 200
    reply = api.post("/v1/clients", {"name": "Acme", "properties": {"motto": fits}}, token=crm.token)
    assert reply.status == 201, reply.json
    listed = api.get(f"/v1/clients?scope=all&{urlencode({'property.motto': fits})}", token=crm.token)
    assert [c["id"] for c in listed.json["items"]] == [reply.json["id"]]


def test_an_export_filtering_on_a_huge_number_is_a_400(api: Api, make_crm) -> None:
    crm: CrmSession = make_crm()
    number_property(api, crm)

    reply = api.post(
        "/v1/exports", {"entity": "clients", "filters": {"property.employees": "1e999999999"}}, token=crm.token
    )

    assert reply.status == 400, reply.json
    assert "employees" in reply.error["field"]


@pytest.mark.parametrize("value", [None, 5, ["a", "b"], {"a": "b"}, True])
def test_an_export_filter_is_a_string_as_in_the_query_string(api: Api, make_crm, value: Any) -> None:
    crm: CrmSession = make_crm()
    number_property(api, crm)
    for name in ("tag", "property.employees"):
        reply = api.post("/v1/exports", {"entity": "clients", "filters": {name: value}}, token=crm.token)
        assert_400(reply, f"filters.{name}")


# --- dates ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "moment",
    [
        "0001-01-01T00:00:00+05:00", "9999-12-31T23:59:59-05:00", "1899-12-31T23:00:00Z",
        "1900-01-01T00:00:00+01:00", "2200-12-31T23:00:00-02:00",  # within the bounds locally, not in UTC
    ],
)  # fmt: skip
def test_tasks_and_calendar_refuse_dates_near_year_1_or_9999(api: Api, make_crm, moment: str) -> None:
    crm: CrmSession = make_crm()
    good = api.post("/v1/tasks", {"title": "Call", "start": "2026-12-01T10:00:00Z"}, token=crm.token).json

    assert_400(api.post("/v1/tasks", {"title": "Call", "start": moment}, token=crm.token), "start")
    assert_400(
        api.post("/v1/tasks", {"title": "Call", "start": "2026-12-01T10:00:00Z", "end": moment}, token=crm.token),
        "end",
    )
    patch = {"version": 1, "start": moment}
    assert_400(api.request("PATCH", f"/v1/tasks/{good['id']}", patch, token=crm.token), "start")
    assert_400(api.get(f"/v1/tasks?{urlencode({'from': moment})}", token=crm.token), "from")
    assert_400(api.get(f"/v1/calendar?{urlencode({'from': moment, 'to': moment})}", token=crm.token), "from")
    assert [t["id"] for t in api.get("/v1/tasks", token=crm.token).json["items"]] == [good["id"]]


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
def test_a_calendar_view_of_a_day_near_year_1_or_9999_is_a_400(api: Api, make_crm, day: str) -> None:
    crm: CrmSession = make_crm()

    for view in ("day", "week", "month"):
        assert_400(api.get(f"/v1/calendar?view={view}&date={day}", token=crm.token), "date")


# --- cursors -------------------------------------------------------------------------------------


def test_a_forged_cursor_or_one_of_another_list_is_a_400_on_the_cursor(api: Api, make_crm) -> None:
    crm: CrmSession = make_crm()
    for name in ("A", "B"):
        api.post("/v1/clients", {"name": name}, token=crm.token)
        api.post("/v1/leads", {"name": name}, token=crm.token)
    client_cursor = api.get("/v1/clients?scope=all&limit=1", token=crm.token).json["next_cursor"]
    lead_cursor = api.get("/v1/leads?scope=all&limit=1", token=crm.token).json["next_cursor"]
    key = json.loads(base64.urlsafe_b64decode(client_cursor + "=" * (-len(client_cursor) % 4)))
    no_sort_key = {name: value for name, value in key.items() if not name.endswith("sk")}
    table_key = {"pk": key["pk"], "sk": key["sk"]}

    assert api.get(f"/v1/clients?scope=all&limit=1&cursor={client_cursor}", token=crm.token).status == 200
    too_long = {**key, "gsi1sk": {"S": key["gsi1sk"]["S"] + "x" * 1024}}  # DynamoDB refuses it: not a 500
    forged = (no_sort_key, table_key, {**key, "sk": {"N": "1"}}, too_long)
    for cursor in (*map(cursor_of, forged), lead_cursor):
        assert_400(api.get(f"/v1/clients?scope=all&limit=1&cursor={cursor}", token=crm.token), "cursor")
    assert_400(api.get(f"/v1/leads?scope=all&limit=1&cursor={client_cursor}", token=crm.token), "cursor")
    assert_400(api.get(f"/v1/tasks?cursor={client_cursor}", token=crm.token), "cursor")
    assert_400(api.get(f"/v1/users?cursor={client_cursor}", token=crm.token), "cursor")


def test_a_repeated_query_parameter_is_a_400_naming_it(api: Api, make_crm) -> None:
    crm: CrmSession = make_crm()
    assert_400(api.get("/v1/clients?tag=vip&tag=cold", token=crm.token), "tag")
    assert_400(api.get("/v1/clients?scope=all&scope=mine", token=crm.token), "scope")
    assert api.get("/v1/clients?tag=vip&scope=all", token=crm.token).status == 200


def test_the_invitation_list_is_one_page_and_refuses_a_cursor(api: Api, make_crm) -> None:
    crm: CrmSession = make_crm()
    api.post("/v1/clients", {"name": "A"}, token=crm.token)
    api.post("/v1/clients", {"name": "B"}, token=crm.token)
    other = api.get("/v1/clients?scope=all&limit=1", token=crm.token).json["next_cursor"]
    assert api.get("/v1/invitations", token=crm.token).json["next_cursor"] is None
    assert_400(api.get(f"/v1/invitations?cursor={other}", token=crm.token), "cursor")


# --- strings, booleans, bodies -----------------------------------------------------------------


def test_strings_are_measured_as_stored_after_stripping(api: Api, make_crm) -> None:
    crm: CrmSession = make_crm()
    acme = api.post("/v1/clients", {"name": "Acme"}, token=crm.token).json
    notes = f"/v1/clients/{acme['id']}/notes"

    assert api.post(notes, {"text": "  " + "a" * 10_000 + "\x1f "}, token=crm.token).status == 201
    assert_400(api.post(notes, {"text": "a" * 10_001}, token=crm.token), "text")
    # \x1f is whitespace to Python (which the services strip) though not to pydantic: an empty title.
    assert_400(api.post("/v1/tasks", {"title": "\x1f", "start": "2026-12-01T10:00:00Z"}, token=crm.token), "title")
    assert_400(api.post("/v1/clients", {"name": " \x1c\u3000 "}, token=crm.token), "name")


@pytest.mark.parametrize("value", [0.0, 1, "yes", "true", None])
def test_booleans_are_json_true_or_false(api: Api, make_crm, value: Any) -> None:
    crm: CrmSession = make_crm()
    body = {"title": "Call", "start": "2026-12-01T10:00:00Z", "all_day": value}

    assert_400(api.post("/v1/tasks", body, token=crm.token), "all_day")
    assert api.get("/v1/tasks", token=crm.token).json["items"] == []


def test_query_string_booleans_are_true_or_false(api: Api, make_crm) -> None:
    crm: CrmSession = make_crm()

    assert api.get("/v1/tasks?include_completed=true", token=crm.token).status == 200
    assert api.get("/v1/tasks?include_completed=false", token=crm.token).status == 200
    for value in ("1", "yes", "on", "True"):
        assert_400(api.get(f"/v1/tasks?include_completed={value}", token=crm.token), "include_completed")


def test_a_required_body_is_required(api: Api, make_crm) -> None:
    crm: CrmSession = make_crm()

    for body in (None, "", "  "):
        assert_400(api.post("/v1/clients", body, token=crm.token), "body")
        assert_400(api.post("/v1/crms", body), "body")
    assert_400(api.post("/v1/clients", "[]", token=crm.token), "body")
    assert clients(api, crm) == []
    # A body whose fields are all optional may be left out.
    task = api.post("/v1/tasks", {"title": "Call", "start": "2026-12-01T10:00:00Z"}, token=crm.token).json
    assert api.post(f"/v1/tasks/{task['id']}/complete", token=crm.token).status == 200


# --- PBX events ----------------------------------------------------------------------------------


@pytest.fixture
def pbx(api: Api) -> Any:
    with fake_pbx(api) as kit:
        kit.new_crm()
        yield kit


def pbx_calls(pbx: Pbx) -> list[dict[str, Any]]:
    assert pbx.crm is not None
    return list(pbx.api.get("/v1/calls", token=pbx.crm.token).json["items"])


def pbx_leads(pbx: Pbx) -> list[dict[str, Any]]:
    assert pbx.crm is not None
    return list(pbx.api.get("/v1/leads?scope=all", token=pbx.crm.token).json["items"])


@pytest.mark.parametrize("duration", ["9" * 40, "1" * 5000, "604801", "-5", "1e5", "\uff14\uff12"])  # fullwidth 42
def test_a_pbx_duration_out_of_range_is_stored_as_unknown(pbx: Pbx, duration: str) -> None:
    events = incoming(call_id(), caller="+33612000001")
    events["end"]["duration"] = duration

    assert [pbx.post(events[name]).status for name in ("start", "end")] == [200, 200]

    [call] = pbx_calls(pbx)
    assert (call["status"], call["duration_s"]) == ("answer", None)


@pytest.mark.parametrize(
    "start",
    ["0001-01-01 00:00:00", "9999-12-31 23:59:59", "0000-00-00 00:00:00", "2026-02-30 10:00:00", "garbage", ""],
)
def test_a_pbx_call_start_near_year_1_or_9999_is_ignored(pbx: Pbx, start: str) -> None:
    """An unreadable or out-of-range start: the call is logged (at the time it was received,
    listed like any other) but mints no lead, as its time is unknown."""
    cid = call_id()
    events = incoming(cid, caller="+33612000002")
    for event in events.values():
        if "call_start" in event:  # signed: an event names it even when empty
            event["call_start"] = start

    assert [pbx.post(events[name]).status for name in ("start", "end")] == [200, 200]

    assert pbx.crm is not None
    call = pbx.api.get(f"/v1/calls/{cid}", token=pbx.crm.token).json
    assert (call["status"], call["contact"]) == ("answer", None)
    assert abs(datetime.fromisoformat(call["started_at"]) - datetime.now(UTC)) < timedelta(minutes=5)
    assert pbx_leads(pbx) == []
    assert [c["id"] for c in pbx_calls(pbx)] == [cid]  # listed as it shows, and found by its number
    found = pbx.api.get("/v1/calls?q=612000002", token=pbx.crm.token).json["items"]
    assert [c["id"] for c in found] == [cid]
    assert pbx_calls(pbx)[0]["started_at"] == call["started_at"]


@pytest.mark.parametrize("days", [-3, 2])
def test_a_replayed_call_far_from_now_updates_its_call_but_mints_no_lead(pbx: Pbx, days: int) -> None:
    start = (datetime.now(UTC) + timedelta(days=days)).strftime("%Y-%m-%d %H:%M:%S")
    events = incoming(call_id(), caller="+33612000003", start=start)

    assert [pbx.post(events[name]).status for name in ("start", "end")] == [200, 200]

    [call] = pbx_calls(pbx)
    assert (call["phone"], call["contact"]) == ("+33612000003", None)
    assert pbx_leads(pbx) == []
    # The same call today makes its lead.
    fresh = incoming(call_id(), caller="+33612000003")
    assert pbx.post(fresh["start"]).status == 200
    assert [lead["phones"][0]["phone"] for lead in pbx_leads(pbx)] == ["+33612000003"]


# --- inputs that become DynamoDB keys ----------------------------------------------------------


def test_ids_tags_and_filters_too_long_for_a_dynamodb_key_are_a_400_or_404(api: Api, make_crm) -> None:
    crm: CrmSession = make_crm()
    long_id = "x" * 3000  # DynamoDB refuses a key over 1024/2048 bytes: that must never be a 500
    acme = api.post("/v1/clients", {"name": "Acme"}, token=crm.token).json

    for path in (f"/v1/clients/{long_id}", f"/v1/leads/{long_id}/feed", f"/v1/deals/{long_id}",
                 f"/v1/tasks/{long_id}", f"/v1/calls/{long_id}", f"/v1/users/{long_id}"):  # fmt: skip
        reply = api.get(path, token=crm.token)
        assert (reply.status, reply.error["code"]) == (404, "not_found"), (path, reply.body[:200])
    patched = api.request("PATCH", f"/v1/clients/{long_id}", {"name": "B"}, token=crm.token)
    assert patched.status == 404

    for query, field in [("responsible_user_id", "responsible_user_id"), ("source_tag_id", "source_tag_id"),
                         ("tag", "tag"), ("q", "q")]:  # fmt: skip
        assert_400(api.get(f"/v1/clients?{urlencode({query: long_id})}", token=crm.token), field)
    assert_400(api.get(f"/v1/deals?{urlencode({'client_id': long_id})}", token=crm.token), "client_id")
    assert_400(api.get(f"/v1/tasks?{urlencode({'contact_id': long_id})}", token=crm.token), "contact_id")
    assert_400(api.get(f"/v1/calls?{urlencode({'user_id': long_id})}", token=crm.token), "user_id")

    assert_400(api.post("/v1/clients", {"name": "B", "tags": ["t" * 3000]}, token=crm.token), "tags[0]")
    assert_400(api.post("/v1/clients", {"name": "B", "source_tag_ids": [long_id]}, token=crm.token),
               "source_tag_ids[0]")  # fmt: skip
    assert_400(api.post("/v1/clients", {"name": "B", "responsible_user_id": long_id}, token=crm.token),
               "responsible_user_id")  # fmt: skip
    assert_400(api.post("/v1/deals", {"title": "D", "client_id": long_id, "value": {"amount": "1"}}, token=crm.token),
               "client_id")  # fmt: skip
    assert_400(api.post("/v1/clients/bulk", {"ids": [acme["id"], long_id], "action": "delete"}, token=crm.token),
               "ids[1]")  # fmt: skip
    assert_400(api.request("PATCH", f"/v1/clients/{acme['id']}", {"tags": ["é" * 3000]}, token=crm.token), "tags[0]")
    assert [c["id"] for c in clients(api, crm)] == [acme["id"]]
    assert api.get(f"/v1/clients/{acme['id']}", token=crm.token).json["tags"] == []
