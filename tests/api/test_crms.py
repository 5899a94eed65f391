"""Creating a CRM (SPEC ON-1..3): validation, unique slug, users, PBX secrets, all-or-nothing."""

from __future__ import annotations

import json
import logging
import threading
from typing import Any

import pytest

from chalicelib.bootstrap import services
from chalicelib.db.repositories.crms import CrmRepository
from chalicelib.db.repositories.groups import GroupRepository
from chalicelib.db.repositories.users import UserRepository
from chalicelib.domain.errors import UnavailableError
from tests.harness import PASSWORD, Api, LocalAws, crm_payload


def test_created_crm_has_a_slug_an_admin_and_the_standard_groups(api: Api) -> None:
    reply = api.post("/v1/crms", crm_payload("Acme Sales"))

    assert reply.status == 201
    crm, admin = reply.json["crm"], reply.json["admin"]
    assert (crm["slug"], crm["name"], crm["country"], crm["timezone"]) == (
        "acme-sales",
        "Acme Sales",
        "FR",
        "Europe/Paris",
    )
    assert (admin["extension"], admin["status"], admin["active"]) == ("100", "active", True)
    groups = {g.type.value: g for g in GroupRepository(crm["id"]).list_all()}
    assert set(groups) == {"admin", "manager", "chat_operator", "trainee"}
    assert admin["group_id"] == groups["admin"].id


def test_name_is_normalised_into_a_lowercase_hyphenated_slug(api: Api) -> None:
    reply = api.post("/v1/crms", crm_payload("  Big   Deal - Paris 2 "))
    assert reply.json["crm"]["slug"] == "big-deal-paris-2"
    assert reply.json["crm"]["name"] == "Big Deal - Paris 2"


def test_a_taken_slug_is_a_409_and_writes_nothing(api: Api, aws: LocalAws) -> None:
    assert api.post("/v1/crms", crm_payload("Acme Sales")).status == 201
    users_before = aws.cognito.list_users(UserPoolId=aws.pool_id)["Users"]

    reply = api.post("/v1/crms", crm_payload("ACME sales"))

    assert reply.status == 409
    assert reply.error["code"] == "conflict"
    assert reply.error["field"] == "name"
    assert aws.cognito.list_users(UserPoolId=aws.pool_id)["Users"] == users_before


def test_two_simultaneous_creations_of_one_slug_yield_exactly_one_crm(api: Api) -> None:
    statuses: list[int] = []
    barrier = threading.Barrier(2)

    def create() -> None:
        barrier.wait()
        statuses.append(api.post("/v1/crms", crm_payload("Race Corp")).status)

    threads = [threading.Thread(target=create) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(statuses) == [201, 409]


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("Société Générale", "non-Latin letter"),
        ("Acme!", "punctuation"),
        ("ab", "too short for a slug"),
        ("-- --", "no letters"),
        ("x" * 61, "too long"),
        ("www", "reserved"),
        ("", "empty"),
    ],
)
def test_invalid_crm_names_are_400_on_name(api: Api, name: str, reason: str) -> None:
    payload = crm_payload()
    payload["name"] = name
    reply = api.post("/v1/crms", payload)
    assert reply.status == 400, reason
    assert reply.error["code"] == "validation_error"
    assert reply.error["field"] == "name"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"admin": {"name": "A", "email": "not-an-email", "password": PASSWORD, "extension": "100"}}, "admin.email"),
        ({"admin": {"name": "A", "email": "a@example.com", "password": "short", "extension": "100"}}, "admin.password"),
        (
            {"admin": {"name": "A", "email": "a@example.com", "password": PASSWORD, "extension": "1a"}},
            "admin.extension",
        ),
        ({"admin": {"name": "A", "email": "a@example.com", "password": PASSWORD}}, "admin.extension"),
        ({"country": "XX"}, "country"),
        ({"timezone": "Mars/Olympus"}, "timezone"),
        ({"users": [{"name": "B", "email": "b@example.com", "extension": "1"}]}, "users[0].extension"),
        ({"users": [{"name": "B"}]}, "users[0].email"),
        ({"pbx": {"api_key": "k"}}, "pbx.api_secret"),
        ({"colour": "blue"}, "colour"),
    ],
)
def test_bad_fields_are_400_naming_the_field(api: Api, change: dict[str, Any], field: str) -> None:
    reply = api.post("/v1/crms", crm_payload(**change))
    assert reply.status == 400
    assert reply.error["field"] == field
    assert reply.error["code"] == "validation_error"


def test_duplicate_emails_and_extensions_in_the_request_are_400(api: Api) -> None:
    admin_email = crm_payload()["admin"]["email"]
    same_email = crm_payload(admin={"name": "A", "email": admin_email, "password": PASSWORD, "extension": "100"})
    same_email["users"] = [{"name": "B", "email": "b@example.com"}, {"name": "C", "email": admin_email.upper()}]
    same_extension = crm_payload(users=[{"name": "B", "email": "b@example.com", "extension": "100"}])

    by_email = api.post("/v1/crms", same_email)
    by_extension = api.post("/v1/crms", same_extension)

    assert (by_email.status, by_email.error["field"]) == (400, "users[1].email")
    assert (by_extension.status, by_extension.error["field"]) == (400, "users[0].extension")


def test_too_many_users_at_once_is_400(api: Api) -> None:
    users = [{"name": f"U{i}", "email": f"u{i}@example.com"} for i in range(26)]
    reply = api.post("/v1/crms", crm_payload(users=users))
    assert (reply.status, reply.error["field"]) == (400, "users")


def test_extra_users_are_created_invited_in_the_manager_group(api: Api) -> None:
    users = [
        {"name": "Manon", "email": "Manon@Example.com", "extension": "101"},
        {"name": "Theo", "email": "theo@example.com"},
    ]
    reply = api.post("/v1/crms", crm_payload(users=users))

    assert reply.status == 201
    created = reply.json["users"]
    assert [(u["email"], u["extension"], u["status"]) for u in created] == [
        ("manon@example.com", "101", "invited"),
        ("theo@example.com", None, "invited"),
    ]
    groups = {g.id: g.type.value for g in GroupRepository(reply.json["crm"]["id"]).list_all()}
    assert {groups[u["group_id"]] for u in created} == {"manager"}


def test_pbx_credentials_are_stored_encrypted_and_never_returned_or_logged(
    api: Api, aws: LocalAws, caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str]
) -> None:
    secret = "zd-secret-5f2b9c"
    # Everything the app logs, at its most verbose (botocore's own DEBUG dumps of request
    # bodies stay off, as in Lambda).
    caplog.set_level(logging.INFO)
    caplog.set_level(logging.DEBUG, logger="crm-test")

    reply = api.post("/v1/crms", crm_payload(pbx={"api_key": "zd-key-1", "api_secret": secret}))

    captured = capsys.readouterr()
    assert secret not in caplog.text + captured.out + captured.err
    assert reply.status == 201
    assert reply.json["crm"]["has_pbx_credentials"] is True
    assert secret.encode() not in reply.body
    crm_id = reply.json["crm"]["id"]
    parameter = aws.ssm.get_parameter(Name=f"/crm/test/tenants/{crm_id}/pbx", WithDecryption=True)["Parameter"]
    assert parameter["Type"] == "SecureString"
    assert json.loads(parameter["Value"]) == {"api_key": "zd-key-1", "api_secret": secret}


def test_a_failure_after_the_first_write_undoes_everything(api: Api, aws: LocalAws, monkeypatch) -> None:
    def broken_store(*args: Any, **kwargs: Any) -> None:
        raise UnavailableError("the secret store refused the write")

    monkeypatch.setattr(services().secrets, "put", broken_store)
    payload = crm_payload("Doomed Inc", pbx={"api_key": "k", "api_secret": "s"})

    reply = api.post("/v1/crms", payload)

    assert reply.status == 503
    assert reply.error["code"] == "unavailable"
    assert CrmRepository().resolve_slug("doomed-inc") is None
    assert aws.cognito.list_users(UserPoolId=aws.pool_id)["Users"] == []
    monkeypatch.undo()
    assert api.post("/v1/crms", payload).status == 201, "the name is free again"


def test_admin_can_log_in_right_after_creation(api: Api) -> None:
    payload = crm_payload()
    crm = api.post("/v1/crms", payload).json["crm"]
    login = api.post("/v1/auth/login", {"crm": crm["slug"], "email": payload["admin"]["email"], "password": PASSWORD})
    assert login.status == 200


def test_users_are_findable_by_email_and_extension(api: Api) -> None:
    reply = api.post("/v1/crms", crm_payload(users=[{"name": "B", "email": "b@example.com", "extension": "105"}]))
    users = UserRepository(reply.json["crm"]["id"])
    invited = reply.json["users"][0]["id"]
    assert users.find_id_by_email("b@example.com") == invited
    assert users.find_id_by_extension("105") == invited
    assert users.find_id_by_extension("100") == reply.json["admin"]["id"]
