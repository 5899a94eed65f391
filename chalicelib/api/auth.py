"""Bearer-token verification: Cognito access tokens checked with PyJWT against the pool's JWKS.

The same code runs in AWS and locally; only the JWKS location differs (settings). Signing keys
are fetched once per process and re-fetched when a token names an unknown key id.
"""

from __future__ import annotations

import functools

import jwt
from jwt import PyJWKClient

from chalicelib.config import Settings, get_settings
from chalicelib.domain.errors import UnauthorizedError, UnavailableError

# Tolerated clock difference between Cognito and this Lambda.
LEEWAY_SECONDS = 30


class TokenVerifier:
    def __init__(self, settings: Settings) -> None:
        self._issuer = settings.token_issuer
        self._client_id = settings.cognito_client_id
        self._jwks = PyJWKClient(settings.cognito_jwks_url, cache_keys=True, lifespan=24 * 3600, timeout=5)

    def principal(self, authorization: str | None) -> str:
        """The principal (Cognito username) of a valid `Authorization: Bearer` header."""
        if not authorization:
            raise UnauthorizedError("missing Authorization: Bearer <access token> header")
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise UnauthorizedError("the Authorization header must be 'Bearer <access token>'")
        try:
            key = self._jwks.get_signing_key_from_jwt(token.strip())
            claims = jwt.decode(
                token.strip(),
                key.key,
                algorithms=["RS256"],
                issuer=self._issuer,
                leeway=LEEWAY_SECONDS,
                options={"require": ["exp", "iss", "token_use", "client_id", "username"]},
            )
        except jwt.ExpiredSignatureError:
            raise UnauthorizedError("the access token has expired; refresh it") from None
        except jwt.PyJWKClientConnectionError:
            raise UnavailableError("the signing keys of the identity provider are unreachable") from None
        except jwt.PyJWTError:
            raise UnauthorizedError("the access token is invalid") from None
        # Access tokens carry the app client in `client_id` (ID tokens use `aud` instead).
        if claims.get("token_use") != "access" or claims.get("client_id") != self._client_id:
            raise UnauthorizedError("the token was not issued to this application")
        return str(claims["username"])


@functools.cache
def verifier() -> TokenVerifier:
    return TokenVerifier(get_settings())
