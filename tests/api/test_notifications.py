"""The notification center's HTTP contract (API.md "Notifications") and its DynamoDB costs."""

from __future__ import annotations

from typing import Any

from chalicelib.domain.rights import Permission
from tests.harness import Api, CrmSession, Member, add_member
from tests.meter import dynamodb_calls


def assign_leads(api: Api, crm: CrmSession, to: Member, count: int) -> list[str]:
    ids = []
    for n in range(count):
        reply = api.post("/v1/leads", {"name": f"Lead {n}", "responsible_user_id": to.id}, token=crm.token)
        assert reply.status == 201, reply.json
        ids.append(reply.json["id"])
    return ids


def listed(api: Api, token: str, query: str = "") -> dict[str, Any]:
    reply = api.get(f"/v1/notifications{query}", token=token)
    assert reply.status == 200, reply.json
    return reply.json


def test_a_lead_assigned_to_me_shows_with_its_shape_newest_first_by_pages(api: Api, make_crm) -> None:
    crm = make_crm()
    seller = add_member(api, crm, {Permission.CUSTOMERS_VIEW_ALL})
    leads = assign_leads(api, crm, seller, 3)

    first = listed(api, seller.token, "?limit=2")
    assert first["unread_count"] == 3
    item = first["items"][0]
    assert set(item) == {"id", "kind", "time", "read", "title", "link"}
    assert (item["kind"], item["read"], item["title"]) == ("lead_assigned", False, "Lead assigned to you: Lead 2")
    assert item["link"] == {"type": "lead", "id": leads[2]}
    assert item["time"].endswith("Z")
    rest = listed(api, seller.token, f"?limit=2&cursor={first['next_cursor']}")
    assert rest["next_cursor"] is None
    assert [i["link"]["id"] for i in first["items"] + rest["items"]] == list(reversed(leads))
    assert listed(api, crm.token)["items"] == []  # the admin assigned them: nothing for them
    assert api.get("/v1/notifications/unread-count", token=seller.token).json == {"unread": 3}


def test_read_ids_and_the_unread_filter(api: Api, make_crm) -> None:
    crm = make_crm()
    seller = add_member(api, crm, {Permission.CUSTOMERS_VIEW_ALL})
    other = add_member(api, crm, {Permission.CUSTOMERS_VIEW_ALL})
    assign_leads(api, crm, seller, 3)
    assign_leads(api, crm, other, 1)
    ids = [i["id"] for i in listed(api, seller.token)["items"]]
    theirs = listed(api, other.token)["items"][0]["id"]

    reply = api.post("/v1/notifications/read", {"ids": [ids[1], ids[1], theirs, "unknown"]}, token=seller.token)
    assert (reply.status, reply.json) == (200, {"unread": 2})
    assert api.post("/v1/notifications/read", {"ids": [ids[1]]}, token=seller.token).json == {"unread": 2}
    assert api.get("/v1/notifications/unread-count", token=other.token).json == {"unread": 1}  # untouched
    unread = listed(api, seller.token, "?unread=true")
    assert [i["id"] for i in unread["items"]] == [ids[0], ids[2]]
    assert unread["unread_count"] == 2
    everything = listed(api, seller.token, "?unread=false")
    assert [(i["id"], i["read"]) for i in everything["items"]] == [(ids[0], False), (ids[1], True), (ids[2], False)]


def test_mark_all_read_and_bad_bodies(api: Api, make_crm) -> None:
    crm = make_crm()
    seller = add_member(api, crm, {Permission.CUSTOMERS_VIEW_ALL})
    assign_leads(api, crm, seller, 2)
    assert api.post("/v1/notifications/read", {"all": True}, token=seller.token).json == {"unread": 0}
    assert listed(api, seller.token, "?unread=true")["items"] == []
    assert all(i["read"] for i in listed(api, seller.token)["items"])

    for body, field in (
        ({}, "ids"),
        ({"ids": ["a"], "all": True}, "all"),
        ({"all": False}, "all"),
        ({"ids": [f"id{n}" for n in range(101)]}, "ids"),
        ({"ids": "abc"}, "ids"),
        ({"everything": True}, "everything"),
    ):
        reply = api.post("/v1/notifications/read", body, token=seller.token)
        assert (reply.status, reply.error["code"], reply.error.get("field")) == (400, "validation_error", field), body
    bad = api.get("/v1/notifications?unread=maybe", token=seller.token)
    assert (bad.status, bad.error["field"]) == (400, "unread")
    assert api.get("/v1/notifications", token=None).status == 401


def test_unread_count_is_one_getitem_and_mark_all_read_a_constant_number_of_writes(api: Api, make_crm) -> None:
    crm = make_crm()

    def costs(count: int) -> tuple[dict[str, int], int, dict[str, int], dict[str, int]]:
        seller = add_member(api, crm, {Permission.CUSTOMERS_VIEW_ALL})
        assign_leads(api, crm, seller, count)
        with dynamodb_calls() as counted:
            assert api.get("/v1/notifications/unread-count", token=seller.token).json == {"unread": count}
        with dynamodb_calls() as marking:
            api.post("/v1/notifications/read", {"all": True}, token=seller.token)
        with dynamodb_calls() as listing:
            listed(api, seller.token, "?unread=true")
        return dict(counted), marking.items_written, dict(marking), dict(listing)

    few, many = costs(1), costs(30)
    assert few == many
    counted, written, marking, listing = few
    # Every authenticated request first pays 2 GetItem (user, group), + 1 UpdateItem (presence) on
    # the seller's first request only (then at most once a minute).
    assert counted == {"UpdateItem": 1, "GetItem": 3}
    assert marking == {"UpdateItem": 1, "GetItem": 2}
    assert written == 1  # the inbox, whatever the number of notifications
    assert listing == {"GetItem": 3, "Query": 1}
