"""`version` on every PUT/PATCH (API.md, Settings): given and stale, 409 `conflict`; absent, the
write applies; another CRM's id is a 404 either way."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import pytest

from chalicelib.api.routing import all_routes
from tests.harness import Api, CrmSession

ROUTES = all_routes()
PARAM = re.compile(r"{\w+}")
Made = tuple[str | None, int]  # (the record's id, or None for a singleton; its version)


def created(path: str, body: dict[str, Any]) -> Callable[[Api, CrmSession], Made]:
    def make(api: Api, crm: CrmSession) -> Made:
        reply = api.post(path, body, token=crm.token)
        assert reply.status == 201, reply.json
        return reply.json["id"], reply.json["version"]

    return make


def read(path: str) -> Callable[[Api, CrmSession], Made]:
    def make(api: Api, crm: CrmSession) -> Made:
        reply = api.get(path, token=crm.token)
        assert reply.status == 200, reply.json
        return None, reply.json["version"]

    return make


def deal(api: Api, crm: CrmSession) -> Made:
    client = api.post("/v1/clients", {"name": "Acme Dental"}, token=crm.token).json
    body = {"title": "Chairs", "client_id": client["id"], "value": {"amount": "1200.00", "currency": "EUR"}}
    return created("/v1/deals", body)(api, crm)


@dataclass(frozen=True)
class Case:
    method: str
    path: str  # as declared; its path parameter stands for the record made by `make`
    make: Callable[[Api, CrmSession], Made]
    change: dict[str, Any]
    shown: tuple[str, Any]  # a field of the reply that shows the change applied

    def url(self, record_id: str | None) -> str:
        return PARAM.sub(record_id or "", self.path)


WORKING_HOURS = {
    "timezone": "Europe/Paris",
    "period_days": 4,
    "start_date": "2026-10-23",
    "shifts": [{"day": 0, "start": "08:00", "end": "20:00"}, {"day": 1, "start": "20:00", "end": "08:00"}],
}
COMPANY = {"name": "Renamed Co", "country": "DE", "timezone": "Europe/Berlin", "base_currency": "EUR"}

CASES = [
    Case("PUT", "/v1/settings/company", read("/v1/settings/company"), COMPANY, ("country", "DE")),
    Case(
        "PUT",
        "/v1/settings/telephony",
        read("/v1/settings/telephony"),
        {"sms_all_numbers": True},
        ("sms_all_numbers", True),
    ),
    Case("PATCH", "/v1/me", read("/v1/me"), {"name": "Ada Renamed"}, ("name", "Ada Renamed")),
    Case("PUT", "/v1/me/working-hours", read("/v1/me"), WORKING_HOURS, ("period_days", 4)),
    Case(
        "PATCH",
        "/v1/users/{user_id}",
        created("/v1/users", {"name": "Bea", "email": "bea@example.com"}),
        {"name": "Bea Renamed"},
        ("name", "Bea Renamed"),
    ),
    Case(
        "PATCH",
        "/v1/groups/{group_id}",
        created("/v1/groups", {"title": "Callers"}),
        {"title": "Closers"},
        ("title", "Closers"),
    ),
    Case(
        "PATCH",
        "/v1/properties/{property_id}",
        created("/v1/properties", {"key": "industry", "title": "Industry", "kind": "text"}),
        {"title": "Sector"},
        ("title", "Sector"),
    ),
    Case(
        "PATCH",
        "/v1/source-tags/{source_tag_id}",
        created("/v1/source-tags", {"param": "utm_source", "value": "news"}),
        {"display_value": "Newsletter"},
        ("display_value", "Newsletter"),
    ),
    Case(
        "PATCH",
        "/v1/sms-templates/{template_id}",
        created("/v1/sms-templates", {"title": "Hello", "text": "Hi {name}"}),
        {"title": "Welcome"},
        ("title", "Welcome"),
    ),
    Case(
        "PATCH",
        "/v1/email/integrations/{integration_id}",
        created(
            "/v1/email/integrations",
            {
                "name": "Sales",
                "email": "sales@example.com",
                "imap": {"host": "imap.example.com", "port": 993, "security": "ssl", "username": "u", "password": "p"},
                "smtp": {"host": "smtp.example.com", "port": 465, "security": "ssl", "username": "u", "password": "p"},
            },
        ),
        {"name": "Support"},
        ("name", "Support"),
    ),
    Case(
        "PATCH",
        "/v1/email/signatures/{signature_id}",
        created("/v1/email/signatures", {"name": "Short", "html": "<p>Ada, Acme</p>"}),
        {"name": "Formal"},
        ("name", "Formal"),
    ),
    Case(
        "PUT",
        "/v1/settings/email",
        read("/v1/settings/email"),
        {"own_domains": ["acme.example"]},
        ("own_domains", ["acme.example"]),
    ),
    Case(
        "PATCH",
        "/v1/clients/{client_id}",
        created("/v1/clients", {"name": "Acme"}),
        {"name": "Acme Dental"},
        ("name", "Acme Dental"),
    ),
    Case(
        "PATCH",
        "/v1/leads/{lead_id}",
        created("/v1/leads", {"name": "Bob"}),
        {"name": "Bob Builder"},
        ("name", "Bob Builder"),
    ),
    Case("PATCH", "/v1/deals/{deal_id}", deal, {"title": "More chairs"}, ("title", "More chairs")),
    # Moving a card on the board is a PATCH too: scripts and the board move it without a version.
    Case("PATCH", "/v1/deals/{deal_id}", deal, {"status": "in_progress", "position": 0}, ("status", "in_progress")),
    Case(
        "PATCH",
        "/v1/tasks/{task_id}",
        created("/v1/tasks", {"title": "Call back", "start": "2030-01-07T09:00:00Z"}),
        {"title": "Call again"},
        ("title", "Call again"),
    ),
]
IDS = [f"{c.method} {c.path} {sorted(c.change)}" for c in CASES]


def send(api: Api, crm: CrmSession, case: Case, record_id: str | None, body: dict[str, Any]) -> Any:
    return api.request(case.method, case.url(record_id), body, token=crm.token)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_absent_version_applies_and_a_stale_one_is_a_conflict(api: Api, make_crm, case: Case) -> None:
    crm: CrmSession = make_crm()
    record_id, version = case.make(api, crm)

    applied = send(api, crm, case, record_id, case.change)
    assert applied.status == 200, applied.json
    field, value = case.shown
    assert applied.json[field] == value
    assert applied.json["version"] == version + 1

    stale = send(api, crm, case, record_id, {**case.change, "version": version})
    assert (stale.status, stale.error["code"], stale.error["field"]) == (409, "conflict", "version")
    # The refused write wrote nothing: the version read after the first write is still current.
    current = send(api, crm, case, record_id, {**case.change, "version": version + 1})
    assert current.status == 200, current.json


@pytest.mark.parametrize("case", [c for c in CASES if PARAM.search(c.path)], ids=[i for i in IDS if "{" in i])
def test_another_crms_id_is_not_found_with_or_without_version(api: Api, make_crm, case: Case) -> None:
    crm: CrmSession = make_crm()
    other: CrmSession = make_crm()
    record_id, version = case.make(api, other)
    for body in (case.change, {**case.change, "version": version}):
        reply = send(api, crm, case, record_id, body)
        assert (reply.status, reply.error["code"]) == (404, "not_found"), reply.json


def test_every_put_and_patch_with_a_version_is_covered_and_the_version_is_optional() -> None:
    versioned = {
        (s.method, s.path): s.body
        for s in ROUTES
        if s.method in ("PUT", "PATCH") and s.body is not None and "version" in s.body.model_fields
    }
    assert set(versioned) == {(c.method, c.path) for c in CASES}
    for route, body in versioned.items():
        assert "version" not in body.model_json_schema().get("required", []), route


def test_without_a_version_a_change_between_the_read_and_the_write_is_still_a_conflict(
    api: Api, make_crm, monkeypatch: pytest.MonkeyPatch
) -> None:
    from chalicelib.bootstrap import services

    crm: CrmSession = make_crm()
    crms = services().storage.crms
    real_get = crms.get

    def read_then_someone_else_writes(tenant_id: str) -> Any:
        read = real_get(tenant_id)
        monkeypatch.setattr(crms, "get", real_get)  # once
        crms.save_company(read, replace(read, name="Concurrent Co"))
        return read

    monkeypatch.setattr(crms, "get", read_then_someone_else_writes)
    reply = api.request("PUT", "/v1/settings/company", COMPANY, token=crm.token)

    assert (reply.status, reply.error["code"], reply.error["field"]) == (409, "conflict", "version")
    assert api.get("/v1/settings/company", token=crm.token).json["name"] == "Concurrent Co"
