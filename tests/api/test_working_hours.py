"""Working hours through the API (SPEC ST-3), including the seed's day-night-48 cycle over DST."""

from __future__ import annotations

import pytest

from tests.harness import Api, CrmSession

# The seed's example: day one 08:00-20:00, night two 20:00-08:00, then two days off.
DAY_NIGHT_48 = {
    "timezone": "Europe/Paris",
    "period_days": 4,
    # Day 1 of the cycle is 2026-10-24: its night shift spans the end of summer time (25 Oct, 03:00 -> 02:00).
    "start_date": "2026-10-23",
    "shifts": [{"day": 0, "start": "08:00", "end": "20:00"}, {"day": 1, "start": "20:00", "end": "08:00"}],
}


def working(api: Api, crm: CrmSession, at: str, user_id: str | None = None) -> bool:
    reply = api.get(f"/v1/users/{user_id or crm.admin['id']}/availability?at={at.replace('+', '%2B')}", token=crm.token)
    assert reply.status == 200, reply.json
    return reply.json["working"]


@pytest.mark.parametrize(
    ("at", "expected"),
    [
        ("2026-10-23T05:59:00Z", False),  # 07:59 CEST, before the day shift
        ("2026-10-23T06:00:00Z", True),  # 08:00 CEST
        ("2026-10-23T17:59:00Z", True),  # 19:59 CEST
        ("2026-10-23T18:00:00Z", False),  # 20:00 CEST: the day shift is over
        ("2026-10-24T17:59:00Z", False),  # 19:59 CEST, before the night shift
        ("2026-10-24T18:00:00Z", True),  # 20:00 CEST: the night starts
        ("2026-10-25T00:30:00Z", True),  # 02:30 CEST, before the clocks go back
        ("2026-10-25T01:30:00Z", True),  # 02:30 CET, the same wall time an hour later
        ("2026-10-25T06:59:00Z", True),  # 07:59 CET: the night lasted 13 real hours
        ("2026-10-25T07:00:00Z", False),  # 08:00 CET: over
        ("2026-10-26T12:00:00+01:00", False),  # day 3: off
        ("2026-10-27T08:00:00+01:00", True),  # day 0 again, now in winter time
        ("2026-10-27T07:00:00Z", True),
        ("2026-10-27T06:59:00Z", False),
    ],
)
def test_day_night_48_is_answered_across_the_autumn_dst_change(api: Api, make_crm, at: str, expected: bool) -> None:
    crm: CrmSession = make_crm()
    assert api.request("PUT", "/v1/me/working-hours", DAY_NIGHT_48, token=crm.token).status == 200
    assert working(api, crm, at) is expected


def test_day_night_48_night_over_the_spring_change_lasts_eleven_hours(api: Api, make_crm) -> None:
    crm: CrmSession = make_crm()
    spring = {**DAY_NIGHT_48, "start_date": "2027-03-26"}  # night of day 1: 27 -> 28 March (02:00 -> 03:00)
    api.request("PUT", "/v1/me/working-hours", spring, token=crm.token)

    assert working(api, crm, "2027-03-27T18:59:00Z") is False  # 19:59 CET
    assert working(api, crm, "2027-03-27T19:00:00Z") is True  # 20:00 CET
    assert working(api, crm, "2027-03-28T05:59:00Z") is True  # 07:59 CEST
    assert working(api, crm, "2027-03-28T06:00:00Z") is False  # 08:00 CEST: 11 real hours


def test_weekly_schedule_with_a_holiday_exception(api: Api, make_crm) -> None:
    crm: CrmSession = make_crm()
    weekly = {
        "timezone": "America/New_York",
        "period_days": 7,
        "start_date": "2026-11-23",  # a Monday
        "shifts": [{"day": d, "start": "09:00", "end": "17:00"} for d in range(5)],
        "exceptions": [{"date": "2026-11-26", "shifts": []}],  # Thanksgiving
    }
    api.request("PUT", "/v1/me/working-hours", weekly, token=crm.token)

    assert working(api, crm, "2026-11-25T14:00:00Z") is True  # Wednesday 09:00 EST
    assert working(api, crm, "2026-11-26T15:00:00Z") is False  # the holiday
    assert working(api, crm, "2026-11-27T15:00:00Z") is True
    assert working(api, crm, "2026-11-28T15:00:00Z") is False  # Saturday


def test_working_hours_are_the_document_itself_and_visible_to_colleagues(api: Api, make_crm) -> None:
    crm: CrmSession = make_crm()
    put = api.request("PUT", "/v1/me/working-hours", DAY_NIGHT_48, token=crm.token)
    assert put.status == 200, put.json
    assert put.json == {**DAY_NIGHT_48, "exceptions": [], "version": put.json["version"]}
    assert api.get("/v1/me/working-hours", token=crm.token).json == put.json
    assert api.get(f"/v1/users/{crm.admin['id']}/working-hours", token=crm.token).json == put.json
    listed = api.get("/v1/users", token=crm.token).json["items"][0]
    assert listed["working_hours"] == {**DAY_NIGHT_48, "exceptions": []}
    assert listed["version"] == put.json["version"]


def test_the_wrapped_form_is_refused_and_nothing_is_written(api: Api, make_crm) -> None:
    crm: CrmSession = make_crm()
    reply = api.request("PUT", "/v1/me/working-hours", {"working_hours": DAY_NIGHT_48}, token=crm.token)
    assert (reply.status, reply.error["code"]) == (400, "validation_error")
    assert reply.error["field"] in {"timezone", "working_hours"}  # a missing field or the unknown one
    assert api.get("/v1/me/working-hours", token=crm.token).status == 404


def test_stale_version_is_a_conflict_but_absent_version_applies(api: Api, make_crm) -> None:
    crm: CrmSession = make_crm()
    first = api.request("PUT", "/v1/me/working-hours", DAY_NIGHT_48, token=crm.token).json
    weekly = {**DAY_NIGHT_48, "period_days": 7}
    stale = api.request("PUT", "/v1/me/working-hours", {**weekly, "version": first["version"] - 1}, token=crm.token)
    assert (stale.status, stale.error["code"], stale.error["field"]) == (409, "conflict", "version")
    fresh = api.request("PUT", "/v1/me/working-hours", {**weekly, "version": first["version"]}, token=crm.token)
    assert (fresh.status, fresh.json["period_days"], fresh.json["version"]) == (200, 7, first["version"] + 1)
    assert api.get("/v1/me/working-hours", token=crm.token).json["period_days"] == 7


def test_without_working_hours_a_user_is_always_available(api: Api, make_crm) -> None:
    crm: CrmSession = make_crm()
    reply = api.get(f"/v1/users/{crm.admin['id']}/availability", token=crm.token)
    assert reply.json == {"working": True, "has_schedule": False}
    none = api.get("/v1/me/working-hours", token=crm.token)
    assert (none.status, none.error["code"], none.error["field"]) == (404, "not_found", "working_hours")
    api.request("PUT", "/v1/me/working-hours", DAY_NIGHT_48, token=crm.token)
    assert api.get(f"/v1/users/{crm.admin['id']}/availability", token=crm.token).json["has_schedule"] is True


def test_deleting_working_hours_removes_the_schedule(api: Api, make_crm) -> None:
    crm: CrmSession = make_crm()
    api.request("PUT", "/v1/me/working-hours", DAY_NIGHT_48, token=crm.token)
    deleted = api.request("DELETE", "/v1/me/working-hours", token=crm.token)
    assert (deleted.status, deleted.body) == (204, b"")
    for path in ("/v1/me/working-hours", f"/v1/users/{crm.admin['id']}/working-hours"):
        reply = api.get(path, token=crm.token)
        assert (reply.status, reply.error["field"]) == (404, "working_hours")
    assert api.get(f"/v1/users/{crm.admin['id']}/availability", token=crm.token).json == {
        "working": True,
        "has_schedule": False,
    }
    assert api.get("/v1/me", token=crm.token).json["working_hours"] is None
    assert api.request("DELETE", "/v1/me/working-hours", token=crm.token).status == 204  # nothing left: still 204


def test_another_crms_user_has_no_working_hours_here(api: Api, make_crm) -> None:
    crm: CrmSession = make_crm()
    other: CrmSession = make_crm()
    api.request("PUT", "/v1/me/working-hours", DAY_NIGHT_48, token=other.token)
    reply = api.get(f"/v1/users/{other.admin['id']}/working-hours", token=crm.token)
    assert (reply.status, reply.error["code"]) == (404, "not_found")


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"timezone": "Mars/Base"}, "timezone"),
        ({"shifts": [{"day": 4, "start": "08:00", "end": "20:00"}]}, "shifts[0].day"),
        ({"shifts": [{"day": 0, "start": "8am", "end": "20:00"}]}, "shifts[0].start"),
        ({"exceptions": [{"date": "2026-02-30", "shifts": []}]}, "exceptions[0].date"),
    ],
)
def test_invalid_working_hours_are_400_naming_the_field(api: Api, make_crm, change: dict, field: str) -> None:
    crm: CrmSession = make_crm()
    reply = api.request("PUT", "/v1/me/working-hours", {**DAY_NIGHT_48, **change}, token=crm.token)
    assert reply.status == 400
    assert reply.error["field"] == field
    assert api.get("/v1/me/working-hours", token=crm.token).status == 404  # nothing written


def test_availability_needs_an_offset_on_the_time(api: Api, make_crm) -> None:
    crm: CrmSession = make_crm()
    reply = api.get(f"/v1/users/{crm.admin['id']}/availability?at=2026-10-25T06:30:00", token=crm.token)
    assert (reply.status, reply.error["field"]) == (400, "at")
