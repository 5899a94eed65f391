"""List filters (CL-1), the tags catalogue (CL-4) and source tags (SO-2), with their counts."""

from __future__ import annotations

from chalicelib.domain.rights import Permission
from tests.harness import Api, CrmSession, add_member


def names(api: Api, token: str, path: str) -> list[str]:
    reply = api.get(path, token=token)
    assert reply.status == 200, reply.json
    return [c["name"] for c in reply.json["items"]]


def test_lists_filter_by_tag_type_and_status_through_their_own_index(api: Api, make_crm) -> None:
    crm: CrmSession = make_crm()
    api.post("/v1/clients", {"name": "A", "tags": ["vip"], "type": "partner"}, token=crm.token)
    api.post("/v1/clients", {"name": "B", "tags": ["vip", "north"], "status": "company"}, token=crm.token)
    api.post("/v1/clients", {"name": "C"}, token=crm.token)

    assert names(api, crm.token, "/v1/clients?tag=vip&sort=created_at") == ["A", "B"]
    assert names(api, crm.token, "/v1/clients?tag=north") == ["B"]
    assert names(api, crm.token, "/v1/clients?type=partner") == ["A"]
    assert names(api, crm.token, "/v1/clients?status=company") == ["B"]
    assert names(api, crm.token, "/v1/clients?status=individual&sort=created_at") == ["A", "C"]
    both = api.get("/v1/clients?tag=vip&type=partner", token=crm.token)
    assert (both.status, both.error["field"]) == (400, "tag")


def test_filters_follow_edits_reassignment_and_deletion(api: Api, make_crm) -> None:
    crm: CrmSession = make_crm()
    seller = add_member(api, crm)
    acme = api.post("/v1/clients", {"name": "Acme", "tags": ["vip"]}, token=crm.token).json
    api.request(
        "PATCH",
        f"/v1/clients/{acme['id']}",
        {"version": 1, "tags": ["gold"], "responsible_user_id": seller.id},
        token=crm.token,
    )
    assert names(api, crm.token, "/v1/clients?tag=vip") == []
    assert names(api, crm.token, "/v1/clients?tag=gold") == ["Acme"]
    assert names(api, crm.token, f"/v1/clients?tag=gold&responsible_user_id={seller.id}") == ["Acme"]
    assert names(api, crm.token, "/v1/clients?tag=gold&scope=mine") == []
    api.request("DELETE", f"/v1/clients/{acme['id']}", token=crm.token)
    assert names(api, crm.token, "/v1/clients?tag=gold") == []


def test_a_user_without_view_all_filters_only_their_own_clients(api: Api, make_crm) -> None:
    crm: CrmSession = make_crm()
    seller = add_member(api, crm, {Permission.CUSTOMERS_CREATE})
    api.post("/v1/clients", {"name": "Mine", "tags": ["vip"]}, token=seller.token)
    api.post("/v1/clients", {"name": "Admin's", "tags": ["vip"]}, token=crm.token)
    assert names(api, seller.token, "/v1/clients?tag=vip") == ["Mine"]


def test_the_tags_catalogue_counts_clients_and_leads(api: Api, make_crm) -> None:
    crm: CrmSession = make_crm()
    api.post("/v1/clients", {"name": "A", "tags": ["vip", "north"]}, token=crm.token)
    api.post("/v1/clients", {"name": "B", "tags": ["vip"]}, token=crm.token)
    prospect = api.post("/v1/leads", {"name": "L", "tags": ["vip"]}, token=crm.token).json

    assert api.get("/v1/tags", token=crm.token).json["items"] == [
        {"tag": "vip", "clients": 2, "leads": 1},
        {"tag": "north", "clients": 1, "leads": 0},
    ]
    api.post(f"/v1/leads/{prospect['id']}/close", {"outcome": "client"}, token=crm.token)
    assert api.get("/v1/tags", token=crm.token).json["items"][0] == {"tag": "vip", "clients": 3, "leads": 0}


def test_source_tags_are_unique_attached_counted_and_filterable(api: Api, make_crm) -> None:
    crm: CrmSession = make_crm()
    did = api.post("/v1/source-tags", {"param": "phone", "value": "+33180000000"}, token=crm.token)
    assert did.status == 201
    again = api.post("/v1/source-tags", {"param": "phone", "value": "+33180000000"}, token=crm.token)
    assert (again.status, again.error["field"]) == (409, "value")
    campaign = api.post(
        "/v1/source-tags", {"param": "utm_campaign", "value": "winter", "display_value": "Winter sale"}, token=crm.token
    ).json

    api.post("/v1/leads", {"name": "Caller", "source_tag_ids": [did.json["id"]]}, token=crm.token)
    api.post("/v1/clients", {"name": "Buyer", "source_tag_ids": [did.json["id"], campaign["id"]]}, token=crm.token)
    unknown = api.post("/v1/clients", {"name": "X", "source_tag_ids": ["nope"]}, token=crm.token)

    assert (unknown.status, unknown.error["field"]) == (400, "source_tag_ids[0]")
    listed = {
        t["value"]: (t["clients"], t["leads"], t["display_value"])
        for t in api.get("/v1/source-tags", token=crm.token).json["items"]
    }
    assert listed == {"+33180000000": (1, 1, "+33180000000"), "winter": (1, 0, "Winter sale")}
    assert names(api, crm.token, f"/v1/clients?source_tag_id={campaign['id']}") == ["Buyer"]
    assert names(api, crm.token, f"/v1/leads?source_tag_id={did.json['id']}") == ["Caller"]
    in_use = api.request("DELETE", f"/v1/source-tags/{campaign['id']}", token=crm.token)
    assert in_use.status == 409
    renamed = api.request(
        "PATCH", f"/v1/source-tags/{campaign['id']}", {"version": 1, "display_value": "Winter 2026"}, token=crm.token
    )
    assert renamed.json["display_value"] == "Winter 2026"


def test_an_unused_source_tag_can_be_deleted_and_recreated(api: Api, make_crm) -> None:
    crm: CrmSession = make_crm()
    tag = api.post("/v1/source-tags", {"param": "custom", "value": "fair"}, token=crm.token).json
    assert api.request("DELETE", f"/v1/source-tags/{tag['id']}", token=crm.token).status == 204
    assert api.post("/v1/source-tags", {"param": "custom", "value": "fair"}, token=crm.token).status == 201


def test_q_in_a_list_searches_that_list_only(api: Api, make_crm) -> None:
    crm: CrmSession = make_crm()
    seller = add_member(api, crm, {Permission.CUSTOMERS_CREATE, Permission.CUSTOMERS_VIEW_ALL})
    api.post("/v1/clients", {"name": "Dupont Mine"}, token=seller.token)
    api.post("/v1/clients", {"name": "Dupont Theirs"}, token=crm.token)
    api.post("/v1/leads", {"name": "Dupont Lead"}, token=crm.token)

    assert sorted(names(api, seller.token, "/v1/clients?q=dup")) == ["Dupont Mine", "Dupont Theirs"]
    assert names(api, seller.token, "/v1/clients?q=dup&scope=mine") == ["Dupont Mine"]
    assert names(api, crm.token, "/v1/leads?q=dupont") == ["Dupont Lead"]
    combined = api.get("/v1/clients?q=dup&tag=vip", token=crm.token)
    assert (combined.status, combined.error["field"]) == (400, "q")
