"""DynamoDB call budgets (DESIGN.md): fixed per request, independent of how much data exists."""

from __future__ import annotations

from typing import Any

from chalicelib.db.repositories.users import UserRepository
from chalicelib.db.writes import transact_groups
from chalicelib.domain.clock import utcnow
from chalicelib.domain.ids import new_id
from chalicelib.domain.users import User, UserStatus
from tests.harness import PASSWORD, Api, CrmSession, add_member, crm_payload, seeded, sent_emails
from tests.meter import dynamodb_calls


def add_users(crm: CrmSession, count: int) -> None:
    """Bulk-add users straight through the repository (whole users per transaction)."""
    users = UserRepository(crm.id)
    now = utcnow()
    transact_groups(
        users.creation_writes(
            User(
                id=new_id(),
                name=f"User {i}",
                email=f"user{i}@example.com",
                extension=None,
                group_id=crm.admin["group_id"],
                status=UserStatus.INVITED,
                created_at=now,
                updated_at=now,
            )
        )
        for i in range(count)
    )


def test_get_me_costs_two_dynamodb_calls_whatever_the_crm_size(api: Api, make_crm) -> None:
    small, large = make_crm(), make_crm()
    add_users(large, 120)

    with dynamodb_calls() as small_calls:
        assert api.get("/v1/me", token=small.token).status == 200
    with dynamodb_calls() as large_calls:
        assert api.get("/v1/me", token=large.token).status == 200

    assert small_calls == large_calls
    # The user (a consistent GetItem) and their group; the first request after the login also
    # writes the user's presence (an UpdateItem at most once a minute).
    assert small_calls == {"UpdateItem": 1, "GetItem": 2}, str(small_calls)


def test_login_costs_three_dynamodb_calls(api: Api, make_crm) -> None:
    crm = make_crm()
    add_users(crm, 60)
    with dynamodb_calls() as calls:
        reply = api.post("/v1/auth/login", {"crm": crm.slug, "email": crm.admin["email"], "password": PASSWORD})
    assert reply.status == 200
    assert calls == {"GetItem": 3}, str(calls)


def test_create_crm_is_one_transaction_and_one_update(api: Api) -> None:
    with dynamodb_calls() as calls:
        assert api.post("/v1/crms", crm_payload()).status == 201
    assert calls == {"TransactWriteItems": 1, "UpdateItem": 1}, str(calls)


def test_the_wizards_users_are_written_and_invited_in_a_few_transactions_not_one_per_user(api: Api) -> None:
    users = [{"name": f"U{i}", "email": f"u{i}@example.com"} for i in range(25)]
    with dynamodb_calls() as calls:
        assert api.post("/v1/crms", crm_payload(users=users)).status == 201
    # The CRM with its admin (1), the 25 users in whole-user transactions of up to 100 items (1
    # here: 4 items each), their invitations (1): a handful of calls, not one per user.
    assert calls == {"TransactWriteItems": 3, "UpdateItem": 1}, str(calls)
    assert len(sent_emails()) == 25


def test_unauthenticated_requests_cost_no_dynamodb_call(api: Api) -> None:
    with dynamodb_calls() as calls:
        assert api.get("/v1/me").status == 401
        assert api.get("/v1/me", token="garbage").status == 401
    assert calls.total == 0


def test_users_list_and_availability_cost_the_same_with_10_or_150_users(api: Api, make_crm) -> None:
    small, large = make_crm(), make_crm()
    add_users(small, 9)
    add_users(large, 149)

    def costs(crm: CrmSession) -> tuple:
        with dynamodb_calls() as listing:
            listed = api.get("/v1/users?limit=25", token=crm.token).json["items"]
        assert len(listed) == (10 if crm is small else 25)
        with dynamodb_calls() as availability:
            reply = api.get(f"/v1/users/{crm.admin['id']}/availability?at=2026-11-26T10:00:00Z", token=crm.token)
            assert reply.status == 200
        return listing, availability

    small_costs, large_costs = costs(small), costs(large)

    assert small_costs == large_costs
    listing, availability = small_costs
    # Authentication (user, group; + presence on the first request) plus one read of the data.
    assert listing == {"UpdateItem": 1, "GetItem": 2, "Query": 1}, str(listing)
    assert availability == {"GetItem": 3}, str(availability)  # presence written a moment ago


def add_clients(crm: CrmSession, count: int, tags: tuple[str, ...] = ()) -> None:
    """Clients with a phone each: the items a creation writes, seeded into moto's table (moto's
    transactions copy the whole table, which would make seeding thousands quadratic)."""
    from chalicelib.db.repositories.contacts import ContactRepository
    from chalicelib.db.writes import Put
    from chalicelib.domain.contacts import Contact, ContactKind, Phone

    contacts = ContactRepository(crm.id)
    now = utcnow()
    with seeded() as batch:
        for i in range(count):
            writes = contacts.creation_writes(
                Contact(
                    id=new_id(),
                    kind=ContactKind.CLIENT,
                    name=f"Client {i}",
                    created_at=now,
                    created_by=crm.admin["id"],
                    updated_at=now,
                    responsible_user_id=crm.admin["id"],
                    phones=(Phone(f"+3361{i:07d}"),),
                    tags=tags,
                ),
                [],
            )
            for write in writes:
                if isinstance(write, Put):  # the tag counters are not what is measured here
                    batch.save(write.item)


def test_card_list_identify_and_search_cost_the_same_with_10_or_2000_clients(api: Api, make_crm) -> None:
    small, large = make_crm(), make_crm()
    add_clients(small, 10)
    add_clients(large, 2000)

    def costs(crm: CrmSession) -> tuple:
        acme = api.post(
            "/v1/clients", {"name": "Quentin Quasar", "phones": [{"phone": "+33699999999"}]}, token=crm.token
        ).json
        for i in range(30):
            api.post(f"/v1/clients/{acme['id']}/notes", {"text": f"note {i}"}, token=crm.token)
        with dynamodb_calls() as card:
            reply = api.get(f"/v1/clients/{acme['id']}", token=crm.token)
            assert len(reply.json["feed"]["items"]) == 20
        with dynamodb_calls() as listing:
            listed = api.get("/v1/clients?limit=50", token=crm.token).json["items"]
        assert len(listed) == (11 if crm is small else 50)
        with dynamodb_calls() as identify:
            assert api.get("/v1/contacts/identify?phone=%2B33699999999", token=crm.token).json["id"] == acme["id"]
        with dynamodb_calls() as search:
            assert [h["id"] for h in api.get("/v1/search?q=quas", token=crm.token).json["items"]] == [acme["id"]]
            assert [h["id"] for h in api.get("/v1/search?q=9999999", token=crm.token).json["items"]] == [acme["id"]]
        return card, listing, identify, search

    small_costs, large_costs = costs(small), costs(large)

    assert small_costs == large_costs
    card, listing, identify, search = small_costs
    auth = {"GetItem": 2}  # the user and the group (presence written within the minute: no write)
    assert card == {**auth, "Query": 1}, str(card)  # the record and the first feed page together
    assert listing == {**auth, "Query": 1}, str(listing)
    assert identify == {"GetItem": 4}, str(identify)  # phone guard, then the record
    # Per search: authentication, the index Query, the BatchGetItem of the hits (two searches).
    assert search == {"GetItem": 4, "Query": 2, "BatchGetItem": 2}, str(search)


def test_a_deals_list_page_costs_one_query_with_10_or_1000_deals_whatever_the_filters(api: Api, make_crm) -> None:
    from tests.api.test_deals import seed_deals, setup_crm

    costs = []
    for count in (10, 1000):
        crm, client_id = setup_crm(api, make_crm)
        seed_deals(crm, client_id, count)
        pages = []
        with dynamodb_calls() as calls:
            for query in ("", "?status=decision", f"?responsible_user_id={crm.admin['id']}&status=new",
                          "?created_from=2000-01-01T00:00:00Z&limit=50"):  # fmt: skip
                reply = api.get(f"/v1/deals{query}", token=crm.token)
                assert reply.status == 200, reply.json
                pages.append(len(reply.json["items"]))
        assert pages == ([10, 2, 2, 10] if count == 10 else [25, 25, 25, 50])
        costs.append(calls)

    assert costs[0] == costs[1]
    # Per page: authentication (2 GetItem) and one Query, nothing fetched after it.
    assert costs[0] == {"GetItem": 8, "Query": 4}, str(costs[0])


def test_a_page_of_combined_filters_costs_the_same_with_10_or_2000_clients(api: Api, make_crm) -> None:
    """The narrowest index (a property value's entries here) serves the page; the other filters
    are checked on at most READ_CAP records: one Query and one BatchGetItem, and the property
    definitions (one Query) to read the property's value."""
    small, large = make_crm(), make_crm()
    add_clients(small, 10, tags=("vip",))
    add_clients(large, 2000, tags=("vip",))

    def costs(crm: CrmSession) -> tuple:
        api.post("/v1/properties", {"key": "city", "title": "City", "kind": "text"}, token=crm.token)
        for i in range(3):
            api.post("/v1/clients", {"name": f"Quentin {i}", "tags": ["vip"], "type": "partner",
                                     "properties": {"city": "Lyon"}}, token=crm.token)  # fmt: skip
        wanted = "tag=vip&type=partner&property.city=lyon&updated_from=2000-01-01T00:00:00Z&scope=all&limit=2"
        with dynamodb_calls() as combined:
            page = api.get(f"/v1/clients?{wanted}", token=crm.token).json
        assert len(page["items"]) == 2
        with dynamodb_calls() as following:
            rest = api.get(f"/v1/clients?{wanted}&cursor={page['next_cursor']}", token=crm.token).json
        assert (len(rest["items"]), rest["next_cursor"]) == (1, None)
        with dynamodb_calls() as searched:
            found = api.get("/v1/clients?q=quentin&tag=vip&type=partner", token=crm.token).json["items"]
        assert len(found) == 3
        return combined, following, searched

    small_costs, large_costs = costs(small), costs(large)

    assert small_costs == large_costs
    combined, following, searched = small_costs
    auth = {"GetItem": 2}
    assert combined == {**auth, "Query": 2, "BatchGetItem": 1}, str(combined)
    assert following == combined, str(following)
    assert searched == {**auth, "Query": 1, "BatchGetItem": 1}, str(searched)


def test_the_team_calendar_costs_the_same_with_10_or_100_users(api: Api, make_crm) -> None:
    """`GET /v1/calendar?user_id=all`: one Query of the team calendar (AP106), not one per user."""
    from datetime import UTC, datetime, timedelta

    from chalicelib.db.repositories.tasks import TaskRepository
    from chalicelib.domain.tasks import Task, TaskType

    small, large = make_crm(), make_crm()
    add_users(small, 9)
    add_users(large, 99)
    start = datetime(2026, 12, 2, 9, tzinfo=UTC)  # a Wednesday: the week holds the whole day

    def costs(crm: CrmSession, tasks: int) -> Any:
        repo = TaskRepository(crm.id)
        for i in range(tasks):  # each user's task, as any write stores it
            at = start + timedelta(minutes=5 * i)
            end, admin = at + timedelta(minutes=5), crm.admin["id"]
            repo.create(Task(new_id(), TaskType.TASK, f"T{i}", at, end, new_id(), at, admin, at))
        day = start.date().isoformat()
        with dynamodb_calls() as calls:
            reply = api.get(f"/v1/calendar?view=week&date={day}&user_id=all", token=crm.token)
        assert reply.status == 200, reply.json
        assert len(reply.json["items"]) == tasks
        return calls

    small_calls, large_calls = costs(small, 10), costs(large, 100)
    assert small_calls == large_calls, (str(small_calls), str(large_calls))
    assert small_calls["Query"] == 1, str(small_calls)  # the team calendar; no list of users


def test_20_requests_of_one_user_within_a_minute_write_presence_at_most_once(api: Api, make_crm, clock) -> None:
    """The presence refresh is decided from the user item the request reads (its `last_seen_at`):
    within a minute of the last write, a request costs no write at all."""
    crm = make_crm()
    colleague = add_member(api, crm)
    with dynamodb_calls() as calls:
        for _ in range(20):
            assert api.get("/v1/me", token=crm.token).status == 200
            clock.advance(seconds=2)
    assert calls["UpdateItem"] <= 1, str(calls)
    assert calls == {"GetItem": 40, "UpdateItem": calls["UpdateItem"]}, str(calls)  # the user and group each time

    def admin_online() -> bool:
        listed = api.get("/v1/users", token=colleague.token).json["items"]
        return {u["id"]: u["online"] for u in listed}[crm.admin["id"]]

    assert admin_online()
    clock.advance(minutes=4)  # under 5 minutes since the last write: still online
    assert admin_online()
    with dynamodb_calls() as calls:
        assert api.get("/v1/me", token=crm.token).status == 200  # over a minute since: one write
    assert calls == {"GetItem": 2, "UpdateItem": 1}, str(calls)
    clock.advance(minutes=5, seconds=1)
    assert not admin_online()


def test_a_teamsale_list_page_numbers_its_ids_in_one_batch_whatever_its_size(api: Api, make_crm) -> None:
    """Teamsale ids (AP134-AP137): a page of 25 customers shown for the first time reserves its
    numbers in one counter update and writes them in batches plus a conditional put each; shown
    again, its ids (customers, responsible users, creators, labels) cost one BatchGetItem,
    whatever the page size."""
    from tests.api.test_zcrm_auth import teamsale_key

    crm = make_crm()
    add_clients(crm, 30, tags=("vip",))
    ts = teamsale_key(api, crm.token)

    def page(take: int) -> Any:
        with dynamodb_calls() as calls:
            reply = ts.call("GET", "/v1/zcrm/customers", {"take": take})
        assert reply.status == 200, reply.body
        assert len(reply.body["data"]["customers"]) == take
        return calls, reply.body["data"]["customers"]

    first, customers = page(25)
    # 25 customers, the admin (responsible and creator) and the label: 27 records numbered.
    assert first["BatchGetItem"] == 1, str(first)
    assert first["BatchWriteItem"] == 2, str(first)  # 27 number -> record items, 25 a batch
    assert first["PutItem"] == 27, str(first)  # record -> number, each claimed once
    numbers = {c["id"] for c in customers}
    assert len(numbers) == 25
    assert all(0 < n <= 27 for n in numbers)  # small, safe as JavaScript numbers

    again, same = page(25)
    small, _ = page(5)
    assert [c["id"] for c in same] == [c["id"] for c in customers]
    assert again == small, f"{again} != {small}"
    assert again["BatchGetItem"] == 1, str(again)
    assert not {"PutItem", "BatchWriteItem"} & set(again), str(again)
