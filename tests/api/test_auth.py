"""Auth (API.md "Public"): login, refresh, and bearer-token verification on every private route."""

from __future__ import annotations

import time
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from chalicelib.db.repositories.users import UserRepository
from chalicelib.domain.users import UserStatus
from tests.harness import PASSWORD, Api, CrmSession, LocalAws, moto_private_jwk


def mint(aws: LocalAws, crm: CrmSession, *, key: Any = None, **overrides: Any) -> str:
    """An access token like Cognito's for the CRM's admin, signed by moto's key unless `key` is given."""
    now = int(time.time())
    claims = {
        "iss": f"https://cognito-idp.eu-west-1.amazonaws.com/{aws.pool_id}",
        "sub": "00000000-0000-0000-0000-000000000000",
        "client_id": aws.client_id,
        "token_use": "access",
        "username": f"{crm.id}.{crm.admin['id']}",
        "iat": now,
        "exp": now + 600,
    }
    claims.update(overrides)
    signing_key = key or jwt.PyJWK(moto_private_jwk()).key
    return jwt.encode(claims, signing_key, algorithm="RS256", headers={"kid": "dummy"})


def test_login_returns_tokens_and_the_user(api: Api, make_crm) -> None:
    crm = make_crm()
    reply = api.post("/v1/auth/login", {"crm": crm.slug, "email": crm.admin["email"], "password": PASSWORD})
    assert reply.status == 200
    assert reply.json["token_type"] == "Bearer"
    assert reply.json["expires_in"] == 3600
    assert reply.json["refresh_token"]
    assert reply.json["user"]["id"] == crm.admin["id"]


@pytest.mark.parametrize(
    "change",
    [{"password": "wrong-password"}, {"crm": "no-such-crm"}, {"email": "nobody@example.com"}],
    ids=["wrong password", "unknown crm", "unknown email"],
)
def test_bad_credentials_get_the_same_401(api: Api, make_crm, change: dict[str, str]) -> None:
    crm = make_crm()
    body = {"crm": crm.slug, "email": crm.admin["email"], "password": PASSWORD, **change}
    reply = api.post("/v1/auth/login", body)
    assert reply.status == 401
    assert reply.error == {"code": "unauthorized", "message": "wrong CRM, email or password"}


def test_login_ignores_case_of_email_and_slug(api: Api, make_crm) -> None:
    crm = make_crm()
    body = {"crm": crm.slug.upper(), "email": crm.admin["email"].upper(), "password": PASSWORD}
    assert api.post("/v1/auth/login", body).status == 200


def test_valid_token_opens_private_routes(api: Api, make_crm) -> None:
    crm = make_crm()
    assert api.get("/v1/me", token=crm.token).status == 200


def test_missing_token_is_401(api: Api) -> None:
    reply = api.get("/v1/me")
    assert reply.status == 401
    assert reply.error["code"] == "unauthorized"
    assert reply.headers["WWW-Authenticate"] == "Bearer"


@pytest.mark.parametrize("header", ["Basic abc", "Bearer", "Bearer    ", "token-without-scheme"])
def test_malformed_authorization_header_is_401(api: Api, header: str) -> None:
    assert api.get("/v1/me", headers={"Authorization": header}).status == 401


def test_token_signed_by_another_key_is_401(api: Api, aws: LocalAws, make_crm) -> None:
    crm = make_crm()
    attacker_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    reply = api.get("/v1/me", token=mint(aws, crm, key=attacker_key))
    assert reply.status == 401
    assert reply.error["message"] == "the access token is invalid"


def test_token_with_tampered_payload_is_401(api: Api, make_crm) -> None:
    crm = make_crm()
    header, payload, signature = crm.token.split(".")
    forged = jwt.utils.base64url_encode(
        jwt.utils.base64url_decode(payload).replace(crm.admin["id"].encode(), b"01AAAAAAAAAAAAAAAAAAAAAAAA")
    ).decode()
    assert api.get("/v1/me", token=f"{header}.{forged}.{signature}").status == 401


def test_expired_token_is_401(api: Api, aws: LocalAws, make_crm) -> None:
    crm = make_crm()
    past = int(time.time()) - 3600
    reply = api.get("/v1/me", token=mint(aws, crm, iat=past - 3600, exp=past))
    assert reply.status == 401
    assert reply.error["message"] == "the access token has expired; refresh it"


def test_token_of_another_app_client_is_401(api: Api, aws: LocalAws, make_crm) -> None:
    crm = make_crm()
    reply = api.get("/v1/me", token=mint(aws, crm, client_id="some-other-client"))
    assert reply.status == 401
    assert reply.error["message"] == "the token was not issued to this application"


def test_token_of_another_user_pool_is_401(api: Api, aws: LocalAws, make_crm) -> None:
    crm = make_crm()
    other_pool = "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_another"
    assert api.get("/v1/me", token=mint(aws, crm, iss=other_pool)).status == 401


def test_id_token_is_not_accepted_as_access_token(api: Api, aws: LocalAws, make_crm) -> None:
    crm = make_crm()
    assert api.get("/v1/me", token=mint(aws, crm, token_use="id")).status == 401


def test_token_for_a_user_outside_any_crm_is_401(api: Api, aws: LocalAws, make_crm) -> None:
    crm = make_crm()
    assert api.get("/v1/me", token=mint(aws, crm, username="just-a-cognito-user")).status == 401


def test_deactivated_user_is_refused_with_a_still_valid_token(api: Api, make_crm) -> None:
    crm = make_crm()
    UserRepository(crm.id).set_status(crm.admin["id"], UserStatus.DEACTIVATED)

    reply = api.get("/v1/me", token=crm.token)

    assert reply.status == 401
    assert reply.error["message"] == "this user is deactivated"


def test_deactivated_user_cannot_log_in_or_refresh(api: Api, make_crm) -> None:
    crm = make_crm()
    UserRepository(crm.id).set_status(crm.admin["id"], UserStatus.DEACTIVATED)

    login = api.post("/v1/auth/login", {"crm": crm.slug, "email": crm.admin["email"], "password": PASSWORD})
    refresh = api.post("/v1/auth/refresh", {"refresh_token": crm.refresh_token})

    assert (login.status, refresh.status) == (401, 401)


def test_refresh_gives_a_working_access_token(api: Api, make_crm) -> None:
    crm = make_crm()
    reply = api.post("/v1/auth/refresh", {"refresh_token": crm.refresh_token})
    assert reply.status == 200
    assert api.get("/v1/me", token=reply.json["access_token"]).status == 200


def test_unknown_refresh_token_is_401(api: Api) -> None:
    reply = api.post("/v1/auth/refresh", {"refresh_token": "not-a-refresh-token"})
    assert reply.status == 401


def test_invited_user_cannot_log_in_before_accepting(api: Api, make_crm) -> None:
    crm = make_crm(users=[{"name": "Ivy Invited", "email": "ivy@example.com", "extension": "101"}])
    reply = api.post("/v1/auth/login", {"crm": crm.slug, "email": "ivy@example.com", "password": PASSWORD})
    assert reply.status == 401


def test_a_token_only_ever_reaches_its_own_crm(api: Api, make_crm) -> None:
    first, second = make_crm(), make_crm()
    me_first = api.get("/v1/me", token=first.token).json
    me_second = api.get("/v1/me", token=second.token).json
    assert (me_first["crm_id"], me_second["crm_id"]) == (first.id, second.id)
