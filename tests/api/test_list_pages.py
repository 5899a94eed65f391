"""Lists that grow with use page with cursors like the others (API.md Conventions): groups,
properties, source tags and SMS templates; `{"items", "next_cursor"}`, `?limit=` 1..100
(default 25), `?cursor=`; in creation order; a page costs the same whatever the list's length."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from chalicelib.db.repositories.sources import SourceTagRepository
from chalicelib.domain.clock import utcnow
from chalicelib.domain.ids import new_id
from chalicelib.domain.sources import SourceParam, SourceTag
from tests.harness import Api, CrmSession
from tests.meter import dynamodb_calls

# path, and the body of the n-th new item
LISTS: dict[str, Callable[[int], dict[str, Any]]] = {
    "/v1/groups": lambda n: {"title": f"Team {n}"},
    "/v1/properties": lambda n: {"key": f"field{n}", "title": f"Field {n}", "kind": "text"},
    "/v1/source-tags": lambda n: {"param": "utm_campaign", "value": f"campaign-{n}"},
    "/v1/sms-templates": lambda n: {"title": f"Template {n}", "text": f"Hello {n}"},
}


def walk(api: Api, crm: CrmSession, path: str, limit: int) -> list[list[dict[str, Any]]]:
    """Every page of a list, following next_cursor to the end."""
    pages: list[list[dict[str, Any]]] = []
    cursor: str | None = None
    while True:
        query = f"?limit={limit}" + (f"&cursor={cursor}" if cursor else "")
        reply = api.get(path + query, token=crm.token)
        assert reply.status == 200, reply.json
        assert set(reply.json) == {"items", "next_cursor"}
        pages.append(reply.json["items"])
        cursor = reply.json["next_cursor"]
        if cursor is None:
            return pages
        assert len(pages) < 20, "the cursor never ends"


@pytest.mark.parametrize("path", list(LISTS))
def test_a_list_pages_through_every_item_once_in_creation_order(api: Api, make_crm, path: str) -> None:
    crm: CrmSession = make_crm()
    made = [api.post(path, LISTS[path](n), token=crm.token).json["id"] for n in range(5)]

    everything = api.get(path, token=crm.token).json
    assert everything["next_cursor"] is None
    pages = walk(api, crm, path, limit=2)

    assert all(1 <= len(page) <= 2 for page in pages[:-1])
    ids = [item["id"] for page in pages for item in page]
    assert ids == [item["id"] for item in everything["items"]]
    assert ids == sorted(ids)  # creation order: ids are time-ordered
    assert [i for i in ids if i in made] == made


@pytest.mark.parametrize("path", list(LISTS))
@pytest.mark.parametrize("limit", ["0", "101", "ten"])
def test_a_limit_out_of_1_to_100_is_400_on_limit(api: Api, make_crm, path: str, limit: str) -> None:
    crm: CrmSession = make_crm()
    reply = api.get(f"{path}?limit={limit}", token=crm.token)
    assert (reply.status, reply.error["field"]) == (400, "limit")


@pytest.mark.parametrize("path", list(LISTS))
def test_another_crms_cursor_is_refused(api: Api, make_crm, path: str) -> None:
    crm: CrmSession = make_crm()
    other: CrmSession = make_crm()
    for n in range(3):
        api.post(path, LISTS[path](n), token=other.token)
    cursor = api.get(f"{path}?limit=1", token=other.token).json["next_cursor"]
    assert cursor is not None
    reply = api.get(f"{path}?cursor={cursor}", token=crm.token)
    assert (reply.status, reply.error["field"]) == (400, "cursor")


def add_source_tags(crm: CrmSession, count: int) -> None:
    repo = SourceTagRepository(crm.id)
    for n in range(count):
        repo.create(SourceTag(new_id(), SourceParam.UTM_SOURCE, f"source-{n}", f"Source {n}", utcnow()))


def test_source_tags_page_by_25_with_their_counts_at_one_query_and_one_batch_read(api: Api, make_crm) -> None:
    small, large = make_crm(), make_crm()
    add_source_tags(small, 2)
    add_source_tags(large, 60)
    for crm in (small, large):
        first = api.get("/v1/source-tags?limit=1", token=crm.token).json["items"][0]
        api.post("/v1/clients", {"name": "Buyer", "source_tag_ids": [first["id"]]}, token=crm.token)
        api.post("/v1/leads", {"name": "Caller", "source_tag_ids": [first["id"]]}, token=crm.token)

    with dynamodb_calls() as small_calls:
        small_page = api.get("/v1/source-tags", token=small.token).json
    with dynamodb_calls() as large_calls:
        large_page = api.get("/v1/source-tags", token=large.token).json

    assert (len(small_page["items"]), small_page["next_cursor"]) == (2, None)
    assert len(large_page["items"]) == 25  # the default limit
    assert large_page["next_cursor"]
    for page in (small_page, large_page):
        counts = [(t["clients"], t["leads"]) for t in page["items"]]
        assert counts == [(1, 1)] + [(0, 0)] * (len(counts) - 1)
    # Authentication (the user, their group), the page, the page's counters.
    expected = {"GetItem": 2, "Query": 1, "BatchGetItem": 1}
    assert small_calls == large_calls == expected, f"{small_calls} / {large_calls}"


@pytest.mark.parametrize("path", ["/v1/groups", "/v1/properties", "/v1/sms-templates"])
def test_a_page_is_one_query(api: Api, make_crm, path: str) -> None:
    crm: CrmSession = make_crm()
    for n in range(3):
        api.post(path, LISTS[path](n), token=crm.token)
    with dynamodb_calls() as calls:
        assert api.get(f"{path}?limit=2", token=crm.token).status == 200
    assert calls == {"GetItem": 2, "Query": 1}, str(calls)
