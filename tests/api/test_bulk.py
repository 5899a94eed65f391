"""Bulk actions on clients (SPEC CL-5): each id checked against rights, results per id."""

from __future__ import annotations

from chalicelib.domain.rights import Permission
from tests.harness import Api, CrmSession, add_member


def make_clients(api: Api, crm: CrmSession, count: int, token: str | None = None) -> list[str]:
    return [api.post("/v1/clients", {"name": f"Client {i}"}, token=token or crm.token).json["id"] for i in range(count)]


def test_tag_and_untag_many_clients_with_their_feed_filters_and_counters(api: Api, make_crm) -> None:
    crm: CrmSession = make_crm()
    ids = make_clients(api, crm, 3)

    tagged = api.post("/v1/clients/bulk", {"ids": ids, "action": "tag", "tag": "summer"}, token=crm.token)

    assert tagged.json["done"] == 3
    assert {c["id"] for c in api.get("/v1/clients?tag=summer", token=crm.token).json["items"]} == set(ids)
    assert api.get("/v1/tags", token=crm.token).json["items"] == [{"tag": "summer", "clients": 3, "leads": 0}]
    feed = api.get(f"/v1/clients/{ids[0]}/feed", token=crm.token).json["items"]
    assert feed[0]["data"]["changes"] == [{"field": "tags", "old": [], "new": ["summer"]}]
    api.post("/v1/clients/bulk", {"ids": ids[:2], "action": "untag", "tag": "summer"}, token=crm.token)
    assert [c["id"] for c in api.get("/v1/clients?tag=summer", token=crm.token).json["items"]] == [ids[2]]


def test_partial_failures_are_reported_per_id(api: Api, make_crm) -> None:
    crm: CrmSession = make_crm()
    other_crm = make_crm()
    seller = add_member(api, crm, {Permission.CUSTOMERS_CREATE, Permission.CUSTOMERS_EDIT})
    own = make_clients(api, crm, 1, token=seller.token)
    admins = make_clients(api, crm, 1)
    foreign = make_clients(api, other_crm, 1)

    reply = api.post(
        "/v1/clients/bulk", {"ids": own + admins + foreign + ["missing"], "action": "delete"}, token=seller.token
    )

    assert reply.status == 200
    assert [(r["id"], r["status"]) for r in reply.json["results"]] == [
        (own[0], "forbidden"),  # deleting needs customers_delete
        (admins[0], "not_found"),  # not visible without customers_view_all
        (foreign[0], "not_found"),  # another CRM's
        ("missing", "not_found"),
    ]
    assert (reply.json["done"], reply.json["failed"]) == (0, 4)


def test_assign_and_delete_in_bulk(api: Api, make_crm) -> None:
    crm: CrmSession = make_crm()
    seller = add_member(api, crm)
    ids = make_clients(api, crm, 3)

    assigned = api.post("/v1/clients/bulk", {"ids": ids, "action": "assign", "user_id": seller.id}, token=crm.token)
    mine = api.get(f"/v1/clients?responsible_user_id={seller.id}", token=crm.token).json["items"]
    deleted = api.post("/v1/clients/bulk", {"ids": ids[:2], "action": "delete"}, token=crm.token)

    assert assigned.json["done"] == 3
    assert {c["id"] for c in mine} == set(ids)
    assert deleted.json["done"] == 2
    assert [c["id"] for c in api.get("/v1/clients", token=crm.token).json["items"]] == [ids[2]]


def test_bulk_input_is_validated(api: Api, make_crm) -> None:
    crm: CrmSession = make_crm()
    assert api.post("/v1/clients/bulk", {"ids": ["a"], "action": "tag"}, token=crm.token).error["field"] == "tag"
    assert api.post("/v1/clients/bulk", {"ids": [], "action": "delete"}, token=crm.token).error["field"] == "ids"
    too_many = api.post("/v1/clients/bulk", {"ids": [str(i) for i in range(501)], "action": "delete"}, token=crm.token)
    assert (too_many.status, too_many.error["field"]) == (400, "ids")
    nobody = api.post("/v1/clients/bulk", {"ids": ["a"], "action": "assign", "user_id": "x"}, token=crm.token)
    assert nobody.error["field"] == "user_id"
