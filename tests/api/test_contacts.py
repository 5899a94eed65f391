"""Clients and leads (SPEC CL, LD): cards, guards, feed, pool, conversion, rights."""

from __future__ import annotations

import re
import threading

import pytest

from chalicelib.api.routing import all_routes
from chalicelib.domain.rights import Permission
from tests.harness import Api, CrmSession, add_member


def client(api: Api, crm: CrmSession, name: str = "Acme Corp", token: str | None = None, **fields: object) -> dict:
    reply = api.post("/v1/clients", {"name": name, **fields}, token=token or crm.token)
    assert reply.status == 201, reply.json
    return reply.json


def lead(api: Api, crm: CrmSession, name: str = "Lena Lead", token: str | None = None, **fields: object) -> dict:
    reply = api.post("/v1/leads", {"name": name, **fields}, token=token or crm.token)
    assert reply.status == 201, reply.json
    return reply.json


def test_a_client_is_created_with_normalised_phones_and_emails(api: Api, make_crm) -> None:
    crm: CrmSession = make_crm()  # country FR
    created = client(
        api,
        crm,
        phones=[{"phone": "06 12 34 56 78", "type": "mobile"}, {"phone": "+1 212 555 0123"}],
        emails=[{"email": "Boss@Acme.example.com"}],
        status="company",
        type="partner",
        tags=["vip", " vip ", "2026"],
    )
    assert created["phones"] == [{"phone": "+33612345678", "type": "mobile"}, {"phone": "+12125550123", "type": "work"}]
    assert created["emails"] == [{"email": "boss@acme.example.com", "type": "work"}]
    assert (created["status"], created["type"], created["tags"]) == ("company", "partner", ["vip", "2026"])
    assert created["responsible_user_id"] == crm.admin["id"]


def test_an_unreadable_phone_is_400_naming_its_position(api: Api, make_crm) -> None:
    crm: CrmSession = make_crm()
    reply = api.post(
        "/v1/clients", {"name": "X", "phones": [{"phone": "+33612345678"}, {"phone": "abc"}]}, token=crm.token
    )
    assert (reply.status, reply.error["field"]) == (400, "phones[1].phone")


def test_a_phone_of_a_lead_cannot_be_given_to_a_client(api: Api, make_crm) -> None:
    crm: CrmSession = make_crm()
    existing = lead(api, crm, phones=[{"phone": "+33612345678"}])

    reply = api.post("/v1/clients", {"name": "Other", "phones": [{"phone": "06 12 34 56 78"}]}, token=crm.token)

    assert reply.status == 409
    assert reply.error["code"] == "duplicate"
    assert reply.error["field"] == "phones[0].phone"
    assert reply.error["existing"] == {"type": "lead", "id": existing["id"]}


def test_a_duplicate_email_is_refused_and_nothing_is_written(api: Api, make_crm) -> None:
    crm: CrmSession = make_crm()
    first = client(api, crm, emails=[{"email": "a@example.com"}])
    reply = api.post(
        "/v1/clients",
        {"name": "B", "phones": [{"phone": "+33699999999"}], "emails": [{"email": "A@example.com"}]},
        token=crm.token,
    )
    assert (reply.status, reply.error["existing"]["id"]) == (409, first["id"])
    assert client(api, crm, "C", phones=[{"phone": "+33699999999"}])["phones"][0]["phone"] == "+33699999999"


def test_editing_phones_moves_the_guards_at_once(api: Api, make_crm) -> None:
    crm: CrmSession = make_crm()
    acme = client(api, crm, phones=[{"phone": "+33611111111"}])
    other = client(api, crm, "Other", phones=[{"phone": "+33622222222"}])

    taken = api.request(
        "PATCH", f"/v1/clients/{acme['id']}", {"version": 1, "phones": [{"phone": "+33622222222"}]}, token=crm.token
    )
    moved = api.request(
        "PATCH", f"/v1/clients/{acme['id']}", {"version": 1, "phones": [{"phone": "+33633333333"}]}, token=crm.token
    )

    assert (taken.status, taken.error["existing"]["id"]) == (409, other["id"])
    assert moved.json["phones"] == [{"phone": "+33633333333", "type": "work"}]
    assert client(api, crm, "Reuses the old number", phones=[{"phone": "+33611111111"}])
    found = api.get("/v1/contacts/identify?phone=%2B33633333333", token=crm.token).json
    assert found == {"type": "client", "id": acme["id"], "name": "Acme Corp", "responsible_user_id": crm.admin["id"]}


def test_the_card_shows_the_feed_with_creation_changes_and_notes_newest_first(api: Api, make_crm) -> None:
    crm: CrmSession = make_crm()
    acme = client(api, crm)
    api.request("PATCH", f"/v1/clients/{acme['id']}", {"version": 1, "name": "Acme SA"}, token=crm.token)
    note = api.post(f"/v1/clients/{acme['id']}/notes", {"text": "Called, wants a quote"}, token=crm.token).json

    card = api.get(f"/v1/clients/{acme['id']}", token=crm.token).json

    assert (card["name"], card["version"]) == ("Acme SA", 2)
    kinds = [(e["kind"], e["data"].get("event")) for e in card["feed"]["items"]]
    assert kinds == [("note", None), ("event", "updated"), ("event", "created")]
    assert card["feed"]["items"][0]["id"] == note["id"]
    assert card["feed"]["items"][1]["data"]["changes"] == [{"field": "name", "old": "Acme Corp", "new": "Acme SA"}]
    assert card["feed"]["items"][1]["user_id"] == crm.admin["id"]


def test_the_feed_pages_newest_first(api: Api, make_crm) -> None:
    crm: CrmSession = make_crm()
    acme = client(api, crm)
    for i in range(5):
        api.post(f"/v1/clients/{acme['id']}/notes", {"text": f"note {i}"}, token=crm.token)
    first = api.get(f"/v1/clients/{acme['id']}/feed?limit=3", token=crm.token).json
    rest = api.get(f"/v1/clients/{acme['id']}/feed?limit=3&cursor={first['next_cursor']}", token=crm.token).json
    texts = [e["text"] for e in first["items"] + rest["items"]]
    assert texts == ["note 4", "note 3", "note 2", "note 1", "note 0", None]


def test_a_stale_version_is_409_and_changes_nothing(api: Api, make_crm) -> None:
    crm: CrmSession = make_crm()
    acme = client(api, crm)
    api.request("PATCH", f"/v1/clients/{acme['id']}", {"version": 1, "comment": "first"}, token=crm.token)
    stale = api.request("PATCH", f"/v1/clients/{acme['id']}", {"version": 1, "comment": "lost"}, token=crm.token)
    assert (stale.status, stale.error["field"]) == (409, "version")
    assert api.get(f"/v1/clients/{acme['id']}", token=crm.token).json["comment"] == "first"


def test_leads_follow_the_creation_rules_of_the_pool(api: Api, make_crm) -> None:
    crm: CrmSession = make_crm()
    mine = lead(api, crm)
    pooled = lead(api, crm, "Pool Lead", unsorted=True)

    assert (mine["responsible_user_id"], mine["lead_status"], mine["lead_source"]) == (
        crm.admin["id"],
        "not_processed",
        "manual",
    )
    assert (pooled["responsible_user_id"], pooled["lead_status"]) == (None, "not_processed")
    assert [x["id"] for x in api.get("/v1/leads?scope=unsorted", token=crm.token).json["items"]] == [pooled["id"]]
    assert [x["id"] for x in api.get("/v1/leads?scope=mine", token=crm.token).json["items"]] == [mine["id"]]
    everything = api.get("/v1/leads?scope=all&sort=created_at", token=crm.token).json["items"]
    assert [x["id"] for x in everything] == [mine["id"], pooled["id"]]


def test_two_users_taking_the_same_lead_at_once_exactly_one_wins(api: Api, make_crm) -> None:
    crm: CrmSession = make_crm()
    takers = [add_member(api, crm), add_member(api, crm)]
    pooled = lead(api, crm, unsorted=True)
    barrier = threading.Barrier(2)
    statuses: dict[str, int] = {}

    def take(member) -> None:
        barrier.wait()
        statuses[member.id] = api.post(f"/v1/leads/{pooled['id']}/take", token=member.token).status

    threads = [threading.Thread(target=take, args=(m,)) for m in takers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(statuses.values()) == [200, 409]
    winner = next(m for m in takers if statuses[m.id] == 200)
    card = api.get(f"/v1/leads/{pooled['id']}", token=winner.token).json
    assert (card["responsible_user_id"], card["lead_status"]) == (winner.id, "in_progress")
    assert [e["data"]["event"] for e in card["feed"]["items"]] == ["taken", "created"]


def test_closing_a_lead_as_client_keeps_its_id_and_feed(api: Api, make_crm) -> None:
    crm: CrmSession = make_crm()
    prospect = lead(api, crm, phones=[{"phone": "+33612345678"}])
    api.post(f"/v1/leads/{prospect['id']}/notes", {"text": "very interested"}, token=crm.token)

    closed = api.post(f"/v1/leads/{prospect['id']}/close", {"outcome": "client"}, token=crm.token)

    assert closed.status == 200
    assert (closed.json["id"], closed.json["type"], closed.json["converted_at"] is not None) == (
        prospect["id"],
        "client",
        True,
    )
    card = api.get(f"/v1/clients/{prospect['id']}", token=crm.token).json
    assert [e["text"] or e["data"]["event"] for e in card["feed"]["items"]] == [
        "converted",
        "very interested",
        "created",
    ]
    assert api.get(f"/v1/leads/{prospect['id']}", token=crm.token).status == 404
    assert api.get("/v1/contacts/identify?phone=%2B33612345678", token=crm.token).json["type"] == "client"
    assert [c["id"] for c in api.get("/v1/clients", token=crm.token).json["items"]] == [prospect["id"]]
    assert api.get("/v1/leads", token=crm.token).json["items"] == []


def test_without_view_all_a_user_sees_only_their_own_clients(api: Api, make_crm) -> None:
    crm: CrmSession = make_crm()
    seller = add_member(api, crm, {Permission.CUSTOMERS_CREATE, Permission.CUSTOMERS_EDIT})
    theirs = client(api, crm, "Theirs", token=seller.token, phones=[{"phone": "+33611111111"}])
    others = client(api, crm, "Admin's", phones=[{"phone": "+33622222222"}])

    listed = api.get("/v1/clients", token=seller.token).json["items"]

    assert [c["id"] for c in listed] == [theirs["id"]]
    assert api.get("/v1/clients?scope=all", token=seller.token).status == 403
    assert api.get(f"/v1/clients/{others['id']}", token=seller.token).status == 404
    assert api.get(f"/v1/clients/{others['id']}/feed", token=seller.token).status == 404
    assert api.get("/v1/contacts/identify?phone=%2B33622222222", token=seller.token).status == 404
    assert api.get("/v1/contacts/identify?phone=%2B33611111111", token=seller.token).status == 200
    edit = api.request("PATCH", f"/v1/clients/{others['id']}", {"version": 1, "name": "x"}, token=seller.token)
    assert edit.status == 404


def test_others_leads_need_the_lead_rights_while_the_pool_is_open_to_all(api: Api, make_crm) -> None:
    crm: CrmSession = make_crm()
    member = add_member(api, crm)
    admins = lead(api, crm)
    pooled = lead(api, crm, unsorted=True)

    assert api.get(f"/v1/leads/{admins['id']}", token=member.token).status == 404
    assert api.get(f"/v1/leads/{pooled['id']}", token=member.token).status == 200
    assert api.get("/v1/leads?scope=all", token=member.token).status == 403
    viewer = add_member(api, crm, {Permission.LEADS_VIEW})
    assert api.get(f"/v1/leads/{admins['id']}", token=viewer.token).status == 200
    edit = api.request("PATCH", f"/v1/leads/{admins['id']}", {"version": 1, "name": "x"}, token=viewer.token)
    assert edit.status == 403


def test_reassigning_a_client_is_recorded_in_the_feed(api: Api, make_crm) -> None:
    crm: CrmSession = make_crm()
    seller = add_member(api, crm)
    acme = client(api, crm)
    moved = api.request(
        "PATCH", f"/v1/clients/{acme['id']}", {"version": 1, "responsible_user_id": seller.id}, token=crm.token
    )
    assert moved.json["responsible_user_id"] == seller.id
    feed = api.get(f"/v1/clients/{acme['id']}/feed", token=crm.token).json["items"]
    assert feed[0]["data"] == {"event": "assigned", "from": crm.admin["id"], "to": seller.id}
    nobody = api.request(
        "PATCH", f"/v1/clients/{acme['id']}", {"version": 2, "responsible_user_id": "nobody"}, token=crm.token
    )
    assert (nobody.status, nobody.error["field"]) == (400, "responsible_user_id")


def test_lists_filter_by_creation_time(api: Api, make_crm) -> None:
    crm: CrmSession = make_crm()
    first = client(api, crm, "First")
    second = client(api, crm, "Second")
    since = second["created_at"].replace("Z", "%2B00:00")
    reply = api.get(f"/v1/clients?created_from={since}", token=crm.token).json["items"]
    assert [c["id"] for c in reply] == [second["id"]]
    assert first["id"] in {c["id"] for c in api.get("/v1/clients?limit=5", token=crm.token).json["items"]}


def test_identify_finds_a_colleague_by_extension(api: Api, make_crm) -> None:
    crm: CrmSession = make_crm()
    found = api.get("/v1/contacts/identify?phone=100", token=crm.token).json
    assert (found["type"], found["id"]) == ("user", crm.admin["id"])
    assert api.get("/v1/contacts/identify?phone=%2B33700000000", token=crm.token).status == 404


# Routes addressing one contact (bulk has its own cross-tenant test).
CONTACT_ROUTES = [s for s in all_routes() if re.search(r"/v1/(clients|leads)/{", s.path)]


@pytest.mark.parametrize("spec", CONTACT_ROUTES, ids=lambda s: f"{s.method} {s.path}")
def test_another_crms_contact_is_not_found_on_every_contact_route(api: Api, make_crm, spec) -> None:
    owner, stranger = make_crm(), make_crm()
    theirs = client(api, owner) if spec.path.startswith("/v1/clients/") else lead(api, owner)
    note = api.post(
        f"/v1/{'clients' if spec.path.startswith('/v1/clients/') else 'leads'}/{theirs['id']}/notes",
        {"text": "private"},
        token=owner.token,
    ).json
    path = re.sub(r"{note_id}", note["id"], re.sub(r"{(client|lead)_id}", theirs["id"], spec.path))
    valid_bodies = {"notes": {"text": "x"}, "close": {"outcome": "client"}}
    body = next((b for part, b in valid_bodies.items() if part in spec.path), {"version": 1}) if spec.body else None

    reply = api.request(spec.method, path, body, token=stranger.token)

    assert reply.status == 404, (spec.path, reply.json)
