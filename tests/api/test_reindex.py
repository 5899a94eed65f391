"""The reindex (services/maintenance.py): data stored before the per-user tag counters, the deals
list (AP60/AP61) and deal search existed gets them, idempotently, a bounded page a call."""

from __future__ import annotations

from typing import Any

import pytest

from chalicelib.bootstrap import services
from chalicelib.db import keys
from chalicelib.db.items import Item
from chalicelib.db.models.crm import CrmItem
from chalicelib.db.models.deals import DealEntryItem
from chalicelib.db.models.shared import CounterItem, SearchItem
from chalicelib.domain.rights import Permission
from chalicelib.services import maintenance
from tests.harness import Api, CrmSession, add_member


@pytest.fixture(autouse=True)
def small_pages(monkeypatch: pytest.MonkeyPatch) -> None:
    """Pages of 2 contacts and 1 deal: a few records span several calls."""
    monkeypatch.setattr(maintenance, "CONTACT_PAGE", 2)
    monkeypatch.setattr(maintenance, "DEAL_PAGE", 1)


def _age(tenant_id: str) -> None:
    """Make the CRM's data look as it was stored before: no per-user tag counters, no deal list
    copies, no deal search terms."""
    pk = keys.tenant_pk(tenant_id)
    with Item.batch_write() as batch:
        for counter in CounterItem.query(pk, CounterItem.sk.startswith("COUNT#tag@")):
            batch.delete(counter)
        for item in DealEntryItem.scan(DealEntryItem.pk.startswith(keys.deal_list_pk(tenant_id))):
            batch.delete(item)
        for item in SearchItem.scan(SearchItem.entity_type == "deal"):
            batch.delete(item)


def _indexes(tenant_id: str) -> list[dict[str, Any]]:
    """Every per-user tag counter and deal list copy of the CRM, as stored."""
    counters = CounterItem.query(keys.tenant_pk(tenant_id), CounterItem.sk.startswith("COUNT#tag@"))
    copies = DealEntryItem.scan(DealEntryItem.pk.startswith(keys.deal_list_pk(tenant_id)))
    return sorted((i.to_simple_dict() for i in [*counters, *copies]), key=lambda d: (d["pk"], d["sk"]))


def _run(tenant_id: str) -> int:
    """The reindex to its end, one step a call (the cursor carries it); the calls it took."""
    cursor, calls = None, 0
    while True:
        progress = services().maintenance.reindex(tenant_id, cursor, steps=1)
        calls += 1
        if progress.done:
            assert progress.cursor is None
            return calls
        cursor = progress.cursor


def test_reindex_fills_per_user_tags_and_deal_lists_of_old_data_twice_the_same(api: Api, make_crm) -> None:
    crm: CrmSession = make_crm()
    seller = add_member(api, crm, {Permission.CUSTOMERS_CREATE, Permission.CUSTOMERS_EDIT})
    mine = [
        api.post("/v1/clients", {"name": f"Mine {i}", "tags": ["vip", f"t{i}"]}, token=seller.token).json
        for i in range(3)
    ]
    api.post("/v1/clients", {"name": "Admin's", "tags": ["vip", "secret"]}, token=crm.token)
    api.post("/v1/leads", {"name": "Pool", "tags": ["pool"], "unsorted": True}, token=crm.token)
    deal = api.post("/v1/deals", {"title": "Legacy Website", "client_id": mine[0]["id"], "value": {"amount": "10"}},
                    token=crm.token).json  # fmt: skip

    def tags() -> list[dict]:
        return api.get("/v1/tags", token=seller.token).json["items"]

    expected = tags()
    assert {t["tag"] for t in expected} == {"pool", "t0", "t1", "t2", "vip"}
    _age(crm.id)
    # Old data: the seller's tags are gone, and an edit drives a counter below zero.
    reply = api.request("PATCH", f"/v1/clients/{mine[2]['id']}", {"tags": ["vip"]}, token=seller.token)
    assert reply.status == 200, reply.json
    expected = [t for t in expected if t["tag"] != "t2"]
    assert tags() == []
    negative = CounterItem.get(keys.tenant_pk(crm.id), keys.counter_sk(keys.owner_counter("tag", seller.id),
                                                                      "client", "t2"))  # fmt: skip
    assert negative.count == -1
    assert api.get("/v1/deals", token=crm.token).json["items"] == []
    assert api.get("/v1/search?q=legacy", token=crm.token).json["items"] == []

    assert _run(crm.id) > 5  # bounded: many small calls

    assert tags() == expected
    assert [d["id"] for d in api.get("/v1/deals", token=crm.token).json["items"]] == [deal["id"]]
    found = api.get("/v1/search?q=legacy", token=crm.token).json["items"]
    assert [(f["type"], f["id"]) for f in found] == [("deal", deal["id"])]
    stored = _indexes(crm.id)
    assert any(i["sk"].endswith("#client#t2") and i["count"] == 0 for i in stored)  # -1 fixed

    _run(crm.id)  # again: nothing changes
    assert _indexes(crm.id) == stored
    assert tags() == expected


def test_reindex_all_enrols_crms_older_than_the_crm_list_and_reindexes_each(api: Api, make_crm) -> None:
    crms = [make_crm(), make_crm()]
    for crm in crms:
        api.post("/v1/clients", {"name": "Tagged", "tags": ["vip"]}, token=crm.token)
    old = CrmItem.get(keys.tenant_pk(crms[0].id), keys.crm_sk())
    old.update(actions=[CrmItem.gsi2pk.remove(), CrmItem.gsi2sk.remove()], add_version_condition=False)
    for crm in crms:
        _age(crm.id)
    assert crms[0].id not in services().storage.crms.page(limit=100)[0]

    cursor, finished = None, 0
    while True:
        progress = services().maintenance.reindex_all(cursor, steps=3)
        finished += progress.crms
        if progress.done:
            break
        cursor = progress.cursor
    assert finished == len(crms)
    assert set(services().storage.crms.page(limit=100)[0]) == {c.id for c in crms}
    for crm in crms:
        counters = _indexes(crm.id)
        admin = keys.owner_counter("tag", crm.admin["id"])
        assert [(c["sk"], c["count"]) for c in counters] == [(keys.counter_sk(admin, "client", "vip"), 1)]


def test_a_forged_maintenance_cursor_is_refused(aws) -> None:
    from chalicelib.domain.errors import ValidationError

    with pytest.raises(ValidationError):
        services().maintenance.reindex("t", "not-base64!")


def test_ap62_lists_every_crm_oldest_first_a_page_at_a_time(api: Api, make_crm) -> None:
    from chalicelib.db.repositories.crms import CrmRepository

    created = [make_crm().id for _ in range(3)]
    first, after = CrmRepository().page(limit=2)
    rest, end = CrmRepository().page(limit=2, after=after)
    assert (first + rest, end) == (created, None)


def test_the_local_stack_start_reindexes_every_restored_crm(api: Api, make_crm) -> None:
    from infra.local.stack import reindex_every_crm

    crm = make_crm()
    api.post("/v1/clients", {"name": "Tagged", "tags": ["vip"]}, token=crm.token)
    before = _indexes(crm.id)
    _age(crm.id)
    assert _indexes(crm.id) == []

    assert reindex_every_crm() == 1
    assert _indexes(crm.id) == before


def test_reindex_puts_tasks_stored_before_the_team_calendar_in_it(api: Api, make_crm) -> None:
    """AP106's backfill: task records without the team calendar's keys get them."""
    crm: CrmSession = make_crm()
    seller = add_member(api, crm, set())
    for title, token in (("Admin's", crm.token), ("Seller's", seller.token)):
        reply = api.post("/v1/tasks", {"title": title, "start": "2026-12-02T09:00:00Z"}, token=token)
        assert reply.status == 201, reply.json
        Item._get_connection().connection.client.update_item(  # as stored before AP106
            TableName=Item.Meta.table_name,
            Key={"pk": {"S": keys.task_pk(crm.id, reply.json["id"])}, "sk": {"S": keys.TASK_RECORD}},
            UpdateExpression="REMOVE gsi3pk, gsi3sk",
        )
    week = "/v1/calendar?view=week&date=2026-12-02&user_id=all"
    assert api.get(week, token=crm.token).json["items"] == []

    _run(crm.id)

    assert [t["title"] for t in api.get(week, token=crm.token).json["items"]] == ["Admin's", "Seller's"]
