"""Amazon Cognito user pool as the IdentityProvider."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from chalicelib.domain.errors import ConflictError, UnauthorizedError, UnavailableError, ValidationError
from chalicelib.integrations.aws import client
from chalicelib.ports.results import Tokens

# Cognito answers these when a login fails for a reason the user can fix.
_REFUSED = frozenset({"NotAuthorizedException", "UserNotFoundException", "UserNotConfirmedException"})


class CognitoIdentityProvider:
    def __init__(self, pool_id: str, client_id: str, cognito: Any | None = None) -> None:
        self._pool_id = pool_id
        self._client_id = client_id
        self._cognito = cognito

    @property
    def _idp(self) -> Any:
        if self._cognito is None:
            self._cognito = client("cognito-idp")
        return self._cognito

    def create_login(self, principal: str, email: str, password: str) -> None:
        """Create an enabled login; ConflictError if the principal already has one."""
        try:
            self._idp.admin_create_user(
                UserPoolId=self._pool_id,
                Username=principal,
                UserAttributes=[
                    {"Name": "email", "Value": email},
                    {"Name": "email_verified", "Value": "true"},
                ],
                MessageAction="SUPPRESS",  # the CRM sends its own emails
            )
            self._idp.admin_set_user_password(
                UserPoolId=self._pool_id, Username=principal, Password=password, Permanent=True
            )
        except ClientError as exc:
            if _code(exc) == "UsernameExistsException":
                raise ConflictError("this user already has a login") from exc
            if _code(exc) == "InvalidPasswordException":
                raise ValidationError("the password is too weak", field="password") from exc
            raise UnavailableError("the identity provider refused to create the login") from exc

    def delete_login(self, principal: str) -> None:
        try:
            self._idp.admin_delete_user(UserPoolId=self._pool_id, Username=principal)
        except ClientError as exc:
            if _code(exc) != "UserNotFoundException":
                raise

    def disable_login(self, principal: str) -> None:
        try:
            self._idp.admin_disable_user(UserPoolId=self._pool_id, Username=principal)
            # Refresh tokens stop working at once; access tokens are refused by the API itself.
            self._idp.admin_user_global_sign_out(UserPoolId=self._pool_id, Username=principal)
        except ClientError as exc:
            if _code(exc) != "UserNotFoundException":
                raise UnavailableError("the identity provider refused to disable the login") from exc

    def enable_login(self, principal: str) -> bool:
        try:
            self._idp.admin_enable_user(UserPoolId=self._pool_id, Username=principal)
        except ClientError as exc:
            if _code(exc) != "UserNotFoundException":
                raise UnavailableError("the identity provider refused to enable the login") from exc
            return False
        return True

    def authenticate(self, principal: str, password: str) -> Tokens:
        try:
            result = self._idp.initiate_auth(
                ClientId=self._client_id,
                AuthFlow="USER_PASSWORD_AUTH",
                AuthParameters={"USERNAME": principal, "PASSWORD": password},
            )
        except ClientError as exc:
            if _code(exc) in _REFUSED:
                raise UnauthorizedError("wrong CRM, email or password") from exc
            raise UnavailableError("the identity provider is unavailable, try again") from exc
        return _tokens(result)

    def refresh(self, refresh_token: str) -> Tokens:
        try:
            result = self._idp.initiate_auth(
                ClientId=self._client_id,
                AuthFlow="REFRESH_TOKEN_AUTH",
                AuthParameters={"REFRESH_TOKEN": refresh_token},
            )
        except ClientError as exc:
            if _code(exc) in _REFUSED:
                raise UnauthorizedError("the refresh token is invalid or expired") from exc
            raise UnavailableError("the identity provider is unavailable, try again") from exc
        return _tokens(result)


def _tokens(result: dict[str, Any]) -> Tokens:
    auth = result.get("AuthenticationResult")
    if not auth:
        # A challenge (e.g. a forced password change) that this API does not offer.
        raise UnauthorizedError("this login needs a step the CRM does not support")
    access_token = auth["AccessToken"]
    # The token comes straight from Cognito over TLS, so reading its username needs no
    # signature check here; every request still verifies it fully (api/auth.py). Imported here:
    # the workers that manage users (the provisioning sweeper) never load JWT or cryptography.
    import jwt

    claims = jwt.decode(access_token, options={"verify_signature": False})
    return Tokens(
        access_token=access_token,
        expires_in=int(auth.get("ExpiresIn", 3600)),
        principal=str(claims.get("username", "")),
        refresh_token=auth.get("RefreshToken"),
    )


def _code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))
