"""Logging in and refreshing tokens (public)."""

from __future__ import annotations

from typing import Literal

from pydantic import EmailStr, Field, SecretStr

from chalicelib.api.routing import Router
from chalicelib.api.schemas import Input, Output, UserOut
from chalicelib.bootstrap import services
from chalicelib.domain.rights import Access

router = Router(__name__, tag="Auth")


class LoginIn(Input):
    crm: str = Field(min_length=1, max_length=80, description="The CRM's slug", examples=["acme-sales"])
    email: EmailStr
    password: SecretStr = Field(min_length=1, max_length=256)


class SessionOut(Output):
    access_token: str
    refresh_token: str
    expires_in: int = Field(description="Seconds the access token stays valid")
    token_type: Literal["Bearer"] = "Bearer"
    user: UserOut


class RefreshIn(Input):
    refresh_token: SecretStr = Field(min_length=1)


class RefreshOut(Output):
    access_token: str
    expires_in: int
    token_type: Literal["Bearer"] = "Bearer"


@router.route(
    "/auth/login",
    "POST",
    right=Access.PUBLIC,
    body=LoginIn,
    response=SessionOut,
    responses={401: "Bad credentials (or an inactive user)"},
)
def login(body: LoginIn) -> SessionOut:
    """Exchange a CRM slug, email and password for tokens."""
    session = services().auth.login(body.crm, body.email, body.password.get_secret_value())
    return SessionOut(
        access_token=session.tokens.access_token,
        refresh_token=session.tokens.refresh_token or "",
        expires_in=session.tokens.expires_in,
        user=UserOut.of(session.user),
    )


@router.route(
    "/auth/refresh",
    "POST",
    right=Access.PUBLIC,
    body=RefreshIn,
    response=RefreshOut,
    responses={401: "The refresh token is invalid, expired or revoked"},
)
def refresh(body: RefreshIn) -> RefreshOut:
    """Exchange a refresh token for a new access token."""
    tokens = services().auth.refresh(body.refresh_token.get_secret_value())
    return RefreshOut(access_token=tokens.access_token, expires_in=tokens.expires_in)
