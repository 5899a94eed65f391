"""Deals and the Kanban board (SPEC DE-1..5)."""

from __future__ import annotations

from chalicelib.db.repositories.deals import DealRepository
from chalicelib.db.writes import Put
from chalicelib.domain.clock import utcnow
from chalicelib.domain.deals import Deal, DealStatus, StatusChange
from chalicelib.domain.ids import new_id
from chalicelib.domain.rights import Permission
from tests.harness import Api, CrmSession, add_member, seeded
from tests.meter import dynamodb_calls


def setup_crm(api: Api, make_crm) -> tuple[CrmSession, str]:
    """A CRM with EUR as base, USD at 0.5 EUR, and one client."""
    crm: CrmSession = make_crm()
    settings = api.get("/v1/settings/company", token=crm.token).json
    api.request(
        "PUT",
        "/v1/settings/company",
        {**{k: settings[k] for k in ("name", "country", "timezone")}, "version": settings["version"],
         "base_currency": "EUR", "currencies": [{"code": "USD", "rate": "0.5"}]},
        token=crm.token,
    )  # fmt: skip
    client = api.post("/v1/clients", {"name": "Acme"}, token=crm.token).json
    return crm, client["id"]


def deal(api: Api, crm: CrmSession, client_id: str, title: str, amount: str, currency: str = "EUR", **extra):
    reply = api.post(
        "/v1/deals",
        {"title": title, "client_id": client_id, "value": {"amount": amount, "currency": currency}, **extra},
        token=crm.token,
    )
    assert reply.status == 201, reply.json
    return reply.json


def board(api: Api, token: str) -> dict[str, dict]:
    reply = api.get("/v1/deals/board", token=token)
    assert reply.status == 200, reply.json
    return {c["status"]: c for c in reply.json["columns"]}


def test_a_deal_belongs_to_a_client_and_shows_in_its_feed(api: Api, make_crm) -> None:
    crm, client_id = setup_crm(api, make_crm)
    created = deal(api, crm, client_id, "Website", "1234.5")

    assert created["value"] == {"amount": "1234.50", "currency": "EUR"}
    assert (created["status"], created["closed_at"]) == ("new", None)
    client_feed = api.get(f"/v1/clients/{client_id}/feed", token=crm.token).json["items"]
    assert client_feed[0]["kind"] == "deal"
    assert client_feed[0]["data"] == {"event": "created", "deal_id": created["id"], "title": "Website"}
    card = api.get(f"/v1/deals/{created['id']}", token=crm.token).json
    assert [e["data"]["event"] for e in card["feed"]["items"]] == ["created"]


def test_deal_input_is_checked(api: Api, make_crm) -> None:
    crm, client_id = setup_crm(api, make_crm)
    lead = api.post("/v1/leads", {"name": "Not a client"}, token=crm.token).json
    cases = [
        ({"client_id": lead["id"]}, "client_id"),
        ({"value": {"amount": "10", "currency": "GBP"}}, "value.currency"),
        ({"value": {"amount": "10.555"}}, "value.amount"),
        ({"value": {"amount": "ten"}}, "value.amount"),
    ]
    for change, field in cases:
        body = {"title": "X", "client_id": client_id, "value": {"amount": "10"}, **change}
        reply = api.post("/v1/deals", body, token=crm.token)
        assert (reply.status, reply.error["field"]) == (400, field), change


def test_the_board_counts_and_totals_in_the_base_currency_after_moves_edits_and_deletes(api: Api, make_crm) -> None:
    crm, client_id = setup_crm(api, make_crm)
    a = deal(api, crm, client_id, "A", "100")
    b = deal(api, crm, client_id, "B", "50", "USD")  # 25 EUR
    c = deal(api, crm, client_id, "C", "10")

    columns = board(api, crm.token)
    assert (columns["new"]["count"], columns["new"]["total"]) == (3, {"amount": "135.00", "currency": "EUR"})

    api.request("PATCH", f"/v1/deals/{b['id']}", {"version": 1, "status": "decision"}, token=crm.token)
    api.request(
        "PATCH", f"/v1/deals/{a['id']}", {"version": 1, "value": {"amount": "40", "currency": "USD"}}, token=crm.token
    )
    api.request("DELETE", f"/v1/deals/{c['id']}", token=crm.token)

    columns = board(api, crm.token)
    assert (columns["new"]["count"], columns["new"]["total"]["amount"]) == (1, "20.00")  # 40 USD
    assert (columns["decision"]["count"], columns["decision"]["total"]["amount"]) == (1, "25.00")
    assert [col["count"] for col in columns.values()] == [1, 0, 1, 0, 0, 0]


def test_cards_keep_their_order_and_a_move_writes_only_the_moved_card(api: Api, make_crm) -> None:
    crm, client_id = setup_crm(api, make_crm)
    for title in ("C", "B", "A"):  # each new deal goes on top
        deal(api, crm, client_id, title, "1")
    assert [d["title"] for d in board(api, crm.token)["new"]["items"]] == ["A", "B", "C"]
    a = board(api, crm.token)["new"]["items"][0]

    with dynamodb_calls() as calls:
        moved = api.request("PATCH", f"/v1/deals/{a['id']}", {"version": 1, "position": 2}, token=crm.token)

    assert moved.status == 200
    assert [d["title"] for d in board(api, crm.token)["new"]["items"]] == ["B", "C", "A"]
    # Auth (2 GetItem), read the deal, read the column for the neighbours, one transaction.
    assert calls == {"GetItem": 3, "Query": 1, "TransactWriteItems": 1}, str(calls)


def test_won_and_canceled_deals_are_closed_and_do_not_move(api: Api, make_crm) -> None:
    crm, client_id = setup_crm(api, make_crm)
    won = deal(api, crm, client_id, "Won", "10")
    closed = api.request("PATCH", f"/v1/deals/{won['id']}", {"version": 1, "status": "success"}, token=crm.token)
    assert closed.json["closed_at"] is not None
    assert set(closed.json["time_in_status"]) == {"new", "success"}
    reopen = api.request("PATCH", f"/v1/deals/{won['id']}", {"version": 2, "status": "new"}, token=crm.token)
    assert (reopen.status, reopen.error["field"]) == (409, "status")
    rename = api.request("PATCH", f"/v1/deals/{won['id']}", {"version": 2, "title": "Won big"}, token=crm.token)
    assert rename.status == 200


def ids(reply) -> list[str]:
    assert reply.status == 200, reply.json
    return [d["id"] for d in reply.json["items"]]


def test_the_deals_list_filters_by_client_status_and_responsible_user(api: Api, make_crm) -> None:
    crm, client_id = setup_crm(api, make_crm)
    seller = add_member(api, crm, {Permission.CUSTOMERS_CREATE, Permission.CUSTOMERS_EDIT})
    other = api.post("/v1/clients", {"name": "Other"}, token=crm.token).json["id"]
    first = deal(api, crm, client_id, "First", "10")
    won = deal(api, crm, client_id, "Won", "20")
    api.request("PATCH", f"/v1/deals/{won['id']}", {"version": won["version"], "status": "success"}, token=crm.token)
    theirs = deal(api, crm, client_id, "Seller's", "30", responsible_user_id=seller.id)
    deal(api, crm, other, "Elsewhere", "40")

    of_client = f"/v1/deals?client_id={client_id}"
    assert ids(api.get(of_client, token=crm.token)) == [theirs["id"], won["id"], first["id"]]  # newest first
    assert ids(api.get(f"{of_client}&status=success", token=crm.token)) == [won["id"]]
    assert ids(api.get(f"{of_client}&responsible_user_id={seller.id}", token=crm.token)) == [theirs["id"]]
    assert ids(api.get(f"/v1/deals?status=new&responsible_user_id={seller.id}", token=crm.token)) == [theirs["id"]]
    page = api.get(f"{of_client}&limit=2", token=crm.token).json
    rest = api.get(f"{of_client}&limit=2&cursor={page['next_cursor']}", token=crm.token)
    assert [d["id"] for d in page["items"]] + ids(rest) == [theirs["id"], won["id"], first["id"]]
    assert ids(api.get("/v1/deals", token=crm.token))[-1] == first["id"]  # no filter: every deal, newest first

    # Without customers_view_all: one's own deals only, and no one else's on request.
    api.request("PATCH", f"/v1/clients/{client_id}",
                {"version": api.get(f"/v1/clients/{client_id}", token=crm.token).json["version"],
                 "responsible_user_id": seller.id}, token=crm.token)  # fmt: skip
    assert ids(api.get(of_client, token=seller.token)) == [theirs["id"]]
    forbidden = api.get(f"/v1/deals?status=new&responsible_user_id={crm.admin['id']}", token=seller.token)
    assert forbidden.status == 403
    unknown = api.get("/v1/deals?client_id=missing", token=crm.token)
    assert (unknown.status, unknown.error["field"]) == (400, "client_id")
    assert api.get(f"/v1/deals?client_id={other}", token=seller.token).status == 400  # a client they cannot see


def test_the_deals_list_shows_every_status_newest_first_and_combines_its_filters(api: Api, make_crm) -> None:
    crm, client_id = setup_crm(api, make_crm)
    seller = add_member(api, crm, {Permission.CUSTOMERS_CREATE, Permission.CUSTOMERS_EDIT})
    other = api.post("/v1/clients", {"name": "Other"}, token=crm.token).json["id"]
    first = deal(api, crm, client_id, "First", "10")
    won = deal(api, crm, client_id, "Won", "20")
    api.request("PATCH", f"/v1/deals/{won['id']}", {"version": won["version"], "status": "success"}, token=crm.token)
    theirs = deal(api, crm, other, "Seller's", "30", responsible_user_id=seller.id)
    middle = api.get(f"/v1/deals/{theirs['id']}", token=crm.token).json["created_at"]
    last = deal(api, crm, other, "Last", "40", status="in_progress")

    everything = [last["id"], theirs["id"], won["id"], first["id"]]
    assert ids(api.get("/v1/deals", token=crm.token)) == everything
    assert ids(api.get("/v1/deals?sort=created_at", token=crm.token)) == everything[::-1]
    assert ids(api.get("/v1/deals?status=success", token=crm.token)) == [won["id"]]
    assert ids(api.get("/v1/deals?status=new", token=crm.token)) == [theirs["id"], first["id"]]
    assert ids(api.get(f"/v1/deals?responsible_user_id={seller.id}", token=crm.token)) == [theirs["id"]]
    assert ids(api.get(f"/v1/deals?responsible_user_id={crm.admin['id']}&status=new", token=crm.token)) == [first["id"]]
    since = f"created_from={middle.replace(':', '%3A')}"
    assert ids(api.get(f"/v1/deals?{since}", token=crm.token)) == [last["id"], theirs["id"]]
    assert ids(api.get(f"/v1/deals?created_to={middle.replace(':', '%3A')}", token=crm.token)) == [
        won["id"], first["id"]
    ]  # fmt: skip
    assert ids(api.get(f"/v1/deals?{since}&status=new", token=crm.token)) == [theirs["id"]]
    assert ids(api.get(f"/v1/deals?client_id={other}&{since}&status=in_progress", token=crm.token)) == [last["id"]]
    assert ids(api.get(f"/v1/deals?client_id={client_id}&{since}", token=crm.token)) == []

    # Pages follow with the cursor; a cursor of another list (or other filters) is a 400.
    page = api.get("/v1/deals?limit=3", token=crm.token).json
    rest = api.get(f"/v1/deals?limit=3&cursor={page['next_cursor']}", token=crm.token)
    assert [d["id"] for d in page["items"]] + ids(rest) == everything
    foreign = api.get(f"/v1/deals?status=new&cursor={page['next_cursor']}", token=crm.token)
    assert (foreign.status, foreign.error["field"]) == (400, "cursor")
    # A client's page is filtered from the deals read (in DynamoDB it may hold fewer than limit;
    # moto filters before limiting): following the cursor gives every match once.
    of_client, seen, cursor = f"/v1/deals?client_id={client_id}&status=new&limit=1", [], ""
    for _ in range(5):
        filtered = api.get(f"{of_client}{cursor}", token=crm.token).json
        seen += [d["id"] for d in filtered["items"]]
        if filtered["next_cursor"] is None:
            break
        cursor = f"&cursor={filtered['next_cursor']}"
    assert seen == [first["id"]]

    # The board's column, in board order, goes on with sort=board (the board's next_cursor).
    column = api.get("/v1/deals?status=new&sort=board&limit=1", token=crm.token).json
    assert [d["id"] for d in column["items"]] == [theirs["id"]]
    more = api.get(f"/v1/deals?status=new&sort=board&cursor={column['next_cursor']}", token=crm.token)
    assert ids(more) == [first["id"]]
    for bad in ("sort=board", f"sort=board&status=new&client_id={client_id}", "sort=name"):
        refused = api.get(f"/v1/deals?{bad}", token=crm.token)
        assert (refused.status, refused.error["field"]) == (400, "sort"), bad

    # Without customers_view_all: one's own deals, whatever the filters; others' are a 403.
    assert ids(api.get("/v1/deals", token=seller.token)) == [theirs["id"]]
    assert ids(api.get("/v1/deals?status=success", token=seller.token)) == []
    assert api.get(f"/v1/deals?responsible_user_id={crm.admin['id']}", token=seller.token).status == 403
    # Handing a deal over moves it between the users' lists.
    api.request("PATCH", f"/v1/deals/{first['id']}", {"version": first["version"],
                "responsible_user_id": seller.id}, token=crm.token)  # fmt: skip
    assert ids(api.get("/v1/deals", token=seller.token)) == [theirs["id"], first["id"]]
    assert ids(api.get(f"/v1/deals?responsible_user_id={crm.admin['id']}", token=crm.token)) == [
        last["id"], won["id"]
    ]  # fmt: skip
    api.request("DELETE", f"/v1/deals/{theirs['id']}", token=crm.token)
    assert ids(api.get("/v1/deals", token=seller.token)) == [first["id"]]


def test_deal_notes_and_feed(api: Api, make_crm) -> None:
    crm, client_id = setup_crm(api, make_crm)
    d = deal(api, crm, client_id, "D", "1")
    api.post(f"/v1/deals/{d['id']}/notes", {"text": "sent the quote"}, token=crm.token)
    feed = api.get(f"/v1/deals/{d['id']}/feed", token=crm.token).json["items"]
    assert [e["text"] or e["data"]["event"] for e in feed] == ["sent the quote", "created"]


def seed_deals(crm: CrmSession, client_id: str, count: int) -> None:
    """Deal records spread over the columns, seeded into moto's table (moto's transactions copy
    the whole table). Counters are left out: the board reads them in one Query whatever they hold."""
    repo = DealRepository(crm.id)
    now = utcnow()
    statuses = list(DealStatus)
    with seeded() as batch:
        for i in range(count):
            status = statuses[i % len(statuses)]
            deal = Deal(
                id=new_id(),
                title=f"D{i}",
                client_id=client_id,
                amount_minor=100,
                currency="EUR",
                status=status,
                responsible_user_id=crm.admin["id"],
                position=f"a{i:06d}",
                created_at=now,
                created_by=crm.admin["id"],
                updated_at=now,
                history=(StatusChange(status, now),),
            )
            for write in repo.creation_writes(deal, []):
                if isinstance(write, Put):
                    batch.save(write.item)


def test_reading_the_board_costs_the_same_with_10_or_3000_deals(api: Api, make_crm) -> None:
    costs = []
    for count in (10, 3000):
        crm, client_id = setup_crm(api, make_crm)
        seed_deals(crm, client_id, count)
        with dynamodb_calls() as calls:
            columns = board(api, crm.token)
        assert len(columns["new"]["items"]) == min(20, -(-count // 6))
        costs.append(calls)

    assert costs[0] == costs[1]
    # Auth (2), the rates (1 GetItem), the counters (1 Query), one Query per column (6).
    assert costs[0] == {"GetItem": 3, "Query": 7}, str(costs[0])
