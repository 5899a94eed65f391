"""Structured request logs: one line per request with its ids, never a secret."""

from __future__ import annotations

import io
import json
import threading
from collections.abc import Iterator
from typing import Any

import pytest

from chalicelib.observability import logger
from tests.harness import Api, CrmSession


@pytest.fixture
def logs() -> Iterator[io.StringIO]:
    """What the app logs at INFO, in its JSON form."""
    buffer = io.StringIO()
    level = logger.log_level
    previous = logger.registered_handler.setStream(buffer)
    logger.setLevel("INFO")
    yield buffer
    logger.setLevel(level)
    logger.registered_handler.setStream(previous)


def request_lines(buffer: io.StringIO) -> list[dict]:
    lines = [json.loads(line) for line in buffer.getvalue().splitlines()]
    buffer.seek(0)
    buffer.truncate()
    return [line for line in lines if line.get("message") == "request"]


def test_authenticated_request_log_names_tenant_user_route_and_request(api: Api, make_crm, logs: io.StringIO) -> None:
    crm: CrmSession = make_crm()
    request_lines(logs)

    reply = api.get("/v1/me", token=crm.token)

    [line] = request_lines(logs)
    assert line["tenant_id"] == crm.id
    assert line["user_id"] == crm.admin["id"]
    assert line["route"] == "/v1/me"
    assert line["status"] == 200
    assert line["request_id"] == reply.headers["X-Request-Id"]


def test_request_keys_do_not_leak_into_the_next_request(api: Api, make_crm, logs: io.StringIO) -> None:
    crm: CrmSession = make_crm()
    api.get("/v1/me", token=crm.token)
    request_lines(logs)

    api.get("/v1/health")

    [line] = request_lines(logs)
    assert "tenant_id" not in line
    assert "user_id" not in line


def test_concurrent_requests_of_two_tenants_log_their_own_tenant_only(
    api: Api, make_crm, logs: io.StringIO, monkeypatch: pytest.MonkeyPatch
) -> None:
    from chalicelib.api import routing

    first, second = make_crm(), make_crm()
    request_lines(logs)
    # Both requests are authenticated before either logs: with keys shared between threads,
    # the later tenant would show in the earlier request's line.
    both_in = threading.Barrier(2, timeout=10)
    authenticate = routing.authenticate

    def authenticate_then_wait(authorization: str | None) -> Any:
        actor = authenticate(authorization)
        both_in.wait()
        return actor

    monkeypatch.setattr(routing, "authenticate", authenticate_then_wait)
    replies: dict[str, Any] = {}
    threads = [
        threading.Thread(target=lambda c=crm: replies.__setitem__(c.id, api.get("/v1/me", token=c.token)))
        for crm in (first, second)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    lines = request_lines(logs)
    assert {replies[c.id].json["id"] for c in (first, second)} == {first.admin["id"], second.admin["id"]}
    assert sorted((line["request_id"], line["tenant_id"], line["user_id"]) for line in lines) == sorted(
        (replies[c.id].headers["X-Request-Id"], c.id, c.admin["id"]) for c in (first, second)
    )


def test_the_pbx_webhook_counts_its_events_and_failures(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    """PbxEventFailures / PbxEvents: the failure rate the stack alarms on (docs/operations.md)."""
    from chalicelib.observability import metrics
    from tests.pbx import call_id, fake_pbx, incoming

    counted: list[str] = []
    monkeypatch.setattr(metrics, "add_metric", lambda **metric: counted.append(metric["name"]))
    with fake_pbx(api) as pbx:
        pbx.new_crm()
        events = incoming(call_id())
        counted.clear()
        assert pbx.post(events["start"]).status == 200
        assert [name for name in counted if name.startswith("Pbx")] == ["PbxEvents"]
        counted.clear()
        assert pbx.post(events["start"], signature="").status == 401
        assert [name for name in counted if name.startswith("Pbx")] == ["PbxEvents", "PbxEventFailures"]
