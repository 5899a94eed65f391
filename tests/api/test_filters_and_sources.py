"""List filters (CL-1), the tags catalogue (CL-4) and source tags (SO-2), with their counts."""

from __future__ import annotations

from chalicelib.domain.rights import Permission
from tests.harness import Api, CrmSession, add_member


def names(api: Api, token: str, path: str) -> list[str]:
    reply = api.get(path, token=token)
    assert reply.status == 200, reply.json
    return [c["name"] for c in reply.json["items"]]


def test_lists_filter_by_tag_type_and_status_alone_or_together(api: Api, make_crm) -> None:
    crm: CrmSession = make_crm()
    api.post("/v1/clients", {"name": "A", "tags": ["vip"], "type": "partner"}, token=crm.token)
    api.post("/v1/clients", {"name": "B", "tags": ["vip", "north"], "status": "company"}, token=crm.token)
    api.post("/v1/clients", {"name": "C"}, token=crm.token)

    assert names(api, crm.token, "/v1/clients?tag=vip&sort=created_at") == ["A", "B"]
    assert names(api, crm.token, "/v1/clients?tag=north") == ["B"]
    assert names(api, crm.token, "/v1/clients?type=partner") == ["A"]
    assert names(api, crm.token, "/v1/clients?status=company") == ["B"]
    assert names(api, crm.token, "/v1/clients?status=individual&sort=created_at") == ["A", "C"]
    assert names(api, crm.token, "/v1/clients?tag=vip&type=partner") == ["A"]


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

    assert api.get("/v1/tags", token=crm.token).json == {
        "items": [{"tag": "north", "clients": 1, "leads": 0}, {"tag": "vip", "clients": 2, "leads": 1}],
        "next_cursor": None,
    }
    api.post(f"/v1/leads/{prospect['id']}/close", {"outcome": "client"}, token=crm.token)
    assert api.get("/v1/tags", token=crm.token).json["items"][1] == {"tag": "vip", "clients": 3, "leads": 0}


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


def test_utm_values_on_create_become_source_tags_found_or_created(api: Api, make_crm) -> None:
    crm: CrmSession = make_crm()
    winter = api.post("/v1/source-tags", {"param": "utm_campaign", "value": "winter"}, token=crm.token).json
    utm = {"utm_source": "facebook", "utm_campaign": "winter"}
    lead = api.post("/v1/leads", {"name": "Ad lead", "utm": utm, "lead_source": "zapier"}, token=crm.token)
    client = api.post("/v1/clients", {"name": "Ad client", "utm": {"utm_source": "facebook"}}, token=crm.token)

    assert (lead.status, client.status) == (201, 201)
    tags = {(t["param"], t["value"]): t for t in api.get("/v1/source-tags", token=crm.token).json["items"]}
    assert set(tags) == {("utm_campaign", "winter"), ("utm_source", "facebook")}
    facebook = tags[("utm_source", "facebook")]
    assert set(lead.json["source_tag_ids"]) == {winter["id"], facebook["id"]}
    assert client.json["source_tag_ids"] == [facebook["id"]]
    assert (facebook["leads"], facebook["clients"]) == (1, 1)
    assert lead.json["lead_source"] == "zapier"
    too_long = api.post("/v1/leads", {"name": "X", "utm": {"utm_term": "t" * 201}}, token=crm.token)
    assert (too_long.status, too_long.error["field"]) == (400, "utm.utm_term")
    blank = api.post("/v1/leads", {"name": "Blank", "utm": {"utm_source": "  ", "utm_term": ""}}, token=crm.token)
    assert (blank.status, blank.json["source_tag_ids"]) == (201, [])


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
    assert names(api, crm.token, "/v1/clients?q=dup&tag=vip") == []


def test_filters_combine_tag_responsible_created_range_type_status_and_a_property(api: Api, make_crm) -> None:
    crm: CrmSession = make_crm()
    seller = add_member(api, crm, {Permission.CUSTOMERS_CREATE})
    api.post("/v1/properties", {"key": "city", "title": "City", "kind": "text"}, token=crm.token)
    base = {"tags": ["vip"], "type": "partner", "status": "company", "properties": {"city": "Lyon"}}
    api.post("/v1/clients", {"name": "Too early", **base}, token=seller.token)
    middle = api.post("/v1/clients", {"name": "Fits", **base}, token=seller.token).json
    for name, change in (
        ("Paris", {"properties": {"city": "Paris"}}),
        ("Not vip", {"tags": ["north"]}),
        ("Reseller", {"type": "reseller"}),
        ("Individual", {"status": "individual"}),
    ):
        api.post("/v1/clients", {"name": name, **base, **change}, token=seller.token)
    api.post("/v1/clients", {"name": "Admin's", **base}, token=crm.token)
    start = middle["created_at"]

    wanted = (
        f"tag=vip&type=partner&status=company&property.city=LYON&created_from={start}"
        "&created_to=2100-01-01T00:00:00Z&sort=created_at"
    )
    assert names(api, crm.token, f"/v1/clients?{wanted}&responsible_user_id={seller.id}") == ["Fits"]
    assert names(api, seller.token, f"/v1/clients?{wanted}") == ["Fits"]  # mine, without view-all
    assert names(api, crm.token, f"/v1/clients?{wanted}") == ["Fits", "Admin's"]
    assert names(api, crm.token, f"/v1/clients?{wanted}&scope=mine") == ["Admin's"]
    refused = api.get(f"/v1/clients?{wanted}&scope=all", token=seller.token)
    assert (refused.status, refused.error["code"]) == (403, "forbidden")
    other = api.get(f"/v1/clients?{wanted}&responsible_user_id={crm.admin['id']}", token=seller.token)
    assert other.status == 403
    backwards = api.get(
        "/v1/clients?created_from=2026-02-01T00:00:00Z&created_to=2026-01-01T00:00:00Z", token=crm.token
    )
    assert (backwards.status, backwards.error["field"]) == (400, "created_to")


def test_the_updated_range_keeps_the_contacts_last_changed_in_it(api: Api, make_crm) -> None:
    crm: CrmSession = make_crm()
    for name in ("Old", "Edited", "Untouched"):
        api.post("/v1/clients", {"name": name}, token=crm.token)
    listed = api.get("/v1/clients", token=crm.token).json["items"]
    edited = next(c for c in listed if c["name"] == "Edited")
    after = api.request("PATCH", f"/v1/clients/{edited['id']}", {"version": 1, "comment": "called"}, token=crm.token)
    changed_at = after.json["updated_at"]

    assert names(api, crm.token, f"/v1/clients?updated_from={changed_at}") == ["Edited"]
    before = max(c["updated_at"] for c in listed)
    assert names(api, crm.token, f"/v1/clients?updated_to={before}&sort=created_at") == ["Old", "Untouched"]
    lead = api.post("/v1/leads", {"name": "Lead"}, token=crm.token).json
    assert names(api, crm.token, f"/v1/leads?updated_from={lead['updated_at']}&updated_to={lead['updated_at']}") == [
        "Lead"
    ]
    backwards = api.get(f"/v1/clients?updated_from={changed_at}&updated_to={before}", token=crm.token)
    assert (backwards.status, backwards.error["field"]) == (400, "updated_to")


def test_q_pages_with_a_cursor_and_combines_with_the_other_filters(api: Api, make_crm) -> None:
    crm: CrmSession = make_crm()
    for i in range(7):
        api.post("/v1/clients", {"name": f"Martin {i}", "tags": ["vip"] if i % 2 else []}, token=crm.token)
    api.post("/v1/clients", {"name": "Martine Martinez"}, token=crm.token)  # two words match: listed once
    api.post("/v1/leads", {"name": "Martin Lead"}, token=crm.token)

    def every(path: str) -> tuple[list[str], int]:
        shown, pages, cursor = [], 0, ""
        while True:
            reply = api.get(f"{path}&limit=2{cursor}", token=crm.token)
            assert reply.status == 200, reply.json
            shown += [c["name"] for c in reply.json["items"]]
            pages += 1
            if reply.json["next_cursor"] is None:
                return shown, pages
            cursor = f"&cursor={reply.json['next_cursor']}"

    shown, pages = every("/v1/clients?q=mart")
    assert sorted(shown) == sorted([f"Martin {i}" for i in range(7)] + ["Martine Martinez"])
    assert pages >= 4
    vip, _ = every("/v1/clients?q=martin&tag=vip")
    assert sorted(vip) == ["Martin 1", "Martin 3", "Martin 5"]
    assert every("/v1/leads?q=martin")[0] == ["Martin Lead"]


def test_a_page_may_hold_fewer_than_limit_and_its_cursor_goes_on(api: Api, make_crm, monkeypatch) -> None:
    from chalicelib.db.repositories import contacts

    monkeypatch.setattr(contacts, "READ_CAP", 3)  # each page reads 3 index entries at most
    crm: CrmSession = make_crm()
    for i in range(8):
        api.post("/v1/clients", {"name": f"C{i}", "tags": ["vip"], "type": "partner" if i in (0, 6) else "client"},
                 token=crm.token)  # fmt: skip

    first = api.get("/v1/clients?tag=vip&type=partner&sort=created_at&limit=5", token=crm.token).json
    assert [c["name"] for c in first["items"]] == ["C0"]
    assert first["next_cursor"]
    second = api.get(f"/v1/clients?tag=vip&type=partner&sort=created_at&limit=5&cursor={first['next_cursor']}",
                     token=crm.token).json  # fmt: skip
    assert second["items"] == [], "C3..C5 read, none kept"
    assert second["next_cursor"], "the cursor goes on"
    third = api.get(f"/v1/clients?tag=vip&type=partner&sort=created_at&limit=5&cursor={second['next_cursor']}",
                    token=crm.token).json  # fmt: skip
    assert ([c["name"] for c in third["items"]], third["next_cursor"]) == (["C6"], None)
    other = api.get(f"/v1/clients?type=partner&cursor={first['next_cursor']}", token=crm.token)  # another index
    assert (other.status, other.error["field"]) == (400, "cursor")


def test_tags_page_with_a_cursor(api: Api, make_crm) -> None:
    crm: CrmSession = make_crm()
    for i in range(5):
        api.post("/v1/clients", {"name": f"C{i}", "tags": [f"t{i}", "shared"]}, token=crm.token)
    api.post("/v1/leads", {"name": "L", "tags": ["t2", "z-lead"]}, token=crm.token)

    seen, cursor = [], ""
    while True:
        reply = api.get(f"/v1/tags?limit=2{cursor}", token=crm.token)
        assert reply.status == 200
        assert len(reply.json["items"]) <= 2
        seen += reply.json["items"]
        if reply.json["next_cursor"] is None:
            break
        cursor = f"&cursor={reply.json['next_cursor']}"
    assert seen == [
        {"tag": "shared", "clients": 5, "leads": 0},
        *({"tag": f"t{i}", "clients": 1, "leads": int(i == 2)} for i in range(5)),
        {"tag": "z-lead", "clients": 0, "leads": 1},
    ]
    forged = api.get("/v1/tags?cursor=eyJwayI6eyJTIjoiVCMxIn19", token=crm.token)
    assert (forged.status, forged.error["field"]) == (400, "cursor")


def test_a_user_without_view_all_sees_the_tags_of_their_own_clients_only(api: Api, make_crm) -> None:
    crm: CrmSession = make_crm()
    seller = add_member(api, crm, {Permission.CUSTOMERS_CREATE, Permission.CUSTOMERS_EDIT})
    viewer = add_member(api, crm, {Permission.CUSTOMERS_VIEW_ALL, Permission.LEADS_VIEW})
    api.post("/v1/clients", {"name": "Mine", "tags": ["vip", "mine"]}, token=seller.token)
    theirs = api.post("/v1/clients", {"name": "Admin's", "tags": ["vip", "secret"]}, token=crm.token).json
    api.post("/v1/leads", {"name": "Admin's lead", "tags": ["hidden-lead"]}, token=crm.token)
    api.post("/v1/leads", {"name": "Pool", "tags": ["pool"], "unsorted": True}, token=crm.token)

    def tags(token: str) -> list[dict]:
        return api.get("/v1/tags", token=token).json["items"]

    assert tags(seller.token) == [
        {"tag": "mine", "clients": 1, "leads": 0},
        {"tag": "pool", "clients": 0, "leads": 1},
        {"tag": "vip", "clients": 1, "leads": 0},
    ]
    assert [t["tag"] for t in tags(viewer.token)] == ["hidden-lead", "mine", "pool", "secret", "vip"]
    # Given to the seller, the admin's client brings its tags along (same transaction).
    api.request("PATCH", f"/v1/clients/{theirs['id']}", {"version": 1, "responsible_user_id": seller.id},
                token=crm.token)  # fmt: skip
    assert {t["tag"]: t["clients"] for t in tags(seller.token)} == {"mine": 1, "pool": 0, "secret": 1, "vip": 2}
