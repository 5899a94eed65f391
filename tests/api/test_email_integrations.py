"""Email integrations over HTTP (EM-1): the contract's shapes, rights, bad input, the limit."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.harness import Api, CrmSession, add_member

PATH = "/v1/email/integrations"


def body(name: str = "Sales", **overrides: Any) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "name": name,
        "email": "sales@example.com",
        "imap": {"host": "imap.example.com", "port": 993, "security": "ssl", "username": "sales", "password": "i-pw"},
        "smtp": {"host": "smtp.example.com", "port": 587, "security": "starttls", "username": "sales",
                 "password": "s-pw"},
        "shared_with": [],
        "create_leads": "received",
    }  # fmt: skip
    payload.update(overrides)
    return payload


def no_password(value: Any) -> None:
    """No answer carries a password, at any depth."""
    text = repr(value)
    assert "password" not in text
    assert "i-pw" not in text
    assert "s-pw" not in text


def test_create_read_list_patch_delete(api: Api, make_crm: Callable[..., CrmSession]) -> None:
    crm = make_crm()
    created = api.post(PATH, body(), token=crm.token)
    assert created.status == 201, created.json
    made = created.json
    no_password(made)
    assert made["imap"] == {"host": "imap.example.com", "port": 993, "security": "ssl", "username": "sales"}
    assert made["shared_with"] == []
    assert made["create_leads"] == "received"
    assert {"status", "last_sync_at", "last_error", "messages"} <= made.keys()
    assert made["status"] == "syncing"
    assert made["messages"] == 0

    listed = api.get(PATH, token=crm.token)
    assert [i["id"] for i in listed.json["items"]] == [made["id"]]
    no_password(listed.json)
    one = api.get(f"{PATH}/{made['id']}", token=crm.token)
    assert one.json == made

    patched = api.request(
        "PATCH", f"{PATH}/{made['id']}", {"version": 1, "name": "Renamed", "shared_with": "all"}, token=crm.token
    )
    assert (patched.status, patched.json["name"], patched.json["shared_with"], patched.json["version"]) == (
        200, "Renamed", "all", 2,
    )  # fmt: skip
    no_password(patched.json)
    stale = api.request("PATCH", f"{PATH}/{made['id']}", {"version": 1, "name": "Old"}, token=crm.token)
    assert stale.status == 409
    assert api.request("DELETE", f"{PATH}/{made['id']}", token=crm.token).status == 204
    assert api.get(f"{PATH}/{made['id']}", token=crm.token).status == 404


def test_bad_input_names_the_field(api: Api, make_crm: Callable[..., CrmSession]) -> None:
    crm = make_crm()
    imap = body()["imap"]
    cases = {
        "imap.port": body(imap={**imap, "port": 70000}),
        "imap.security": body(imap={**imap, "security": "tls"}),
        "shared_with[0]": body(shared_with=["nobody"]),
        "create_leads": body(create_leads="all"),
        "email": body(email="no address"),
    }
    for field, payload in cases.items():
        reply = api.post(PATH, payload, token=crm.token)
        assert reply.status == 400, (field, reply.json)
        assert reply.json["error"]["field"] == field, (field, reply.json)
    missing = body()
    del missing["smtp"]
    reply = api.post(PATH, missing, token=crm.token)
    assert (reply.status, reply.json["error"]["field"]) == (400, "smtp")


def test_a_failed_connection_test_is_a_400_naming_the_field(api: Api, make_crm: Callable[..., CrmSession]) -> None:
    from chalicelib.bootstrap import services

    crm = make_crm()
    services().mailbox_probe.failures["imap.example.com"] = ("auth", "535 invalid credentials")  # type: ignore[attr-defined]
    reply = api.post(PATH, body(), token=crm.token)
    assert reply.status == 400
    assert reply.json["error"]["field"] == "imap.password"
    assert "authentication failed" in reply.json["error"]["message"]
    assert api.get(PATH, token=crm.token).json["items"] == []


def test_the_21st_integration_is_a_409_naming_the_limit(api: Api, make_crm: Callable[..., CrmSession]) -> None:
    crm = make_crm()
    for n in range(20):
        assert api.post(PATH, body(f"M{n}"), token=crm.token).status == 201
    reply = api.post(PATH, body("one too many"), token=crm.token)
    assert reply.status == 409
    assert reply.json["error"]["field"] == "limit"


def test_personal_and_shared_integrations(api: Api, make_crm: Callable[..., CrmSession]) -> None:
    crm = make_crm()
    ann, bob = add_member(api, crm), add_member(api, crm)
    mine = api.post(PATH, body("Ann's"), token=ann.token)
    assert mine.status == 201
    assert api.post(PATH, body("Shared", shared_with="all"), token=ann.token).status == 403
    shared = api.post(PATH, body("For Bob", shared_with=[bob.id]), token=crm.token).json
    assert [i["name"] for i in api.get(PATH, token=bob.token).json["items"]] == ["For Bob"]
    assert api.get(f"{PATH}/{mine.json['id']}", token=bob.token).status == 404
    assert api.request("DELETE", f"{PATH}/{shared['id']}", token=bob.token).status == 403
    assert {i["name"] for i in api.get(PATH, token=crm.token).json["items"]} == {"Ann's", "For Bob"}


def test_presets(api: Api, make_crm: Callable[..., CrmSession]) -> None:
    crm = make_crm()
    presets = {p["id"]: p for p in api.get("/v1/email/presets", token=crm.token).json["items"]}
    assert presets["gmail"]["imap"] == {"host": "imap.gmail.com", "port": 993, "security": "ssl"}
    assert {"outlook", "yahoo", "icloud", "zoho", "ovh", "orange"} <= presets.keys()
