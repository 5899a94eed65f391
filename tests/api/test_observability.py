"""Structured request logs: one line per request with its ids, never a secret."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator

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
