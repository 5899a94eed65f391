"""Per-tenant secrets as SSM SecureString parameters (encrypted with KMS, free at rest)."""

from __future__ import annotations

import json
import secrets
from typing import Any

from botocore.exceptions import ClientError

from chalicelib.domain.errors import UnavailableError
from chalicelib.integrations.aws import client

# Not a tenant id (ids are ULIDs): the place of the deployment's own secrets.
DEPLOYMENT = "_deployment"


class SsmSecretStore:
    """Secrets under `<prefix>/tenants/<tenant_id>/<name>`; values are never logged."""

    def __init__(self, prefix: str, ssm: Any | None = None) -> None:
        self._prefix = prefix.rstrip("/")
        self._ssm_client = ssm

    @property
    def _ssm(self) -> Any:
        if self._ssm_client is None:
            self._ssm_client = client("ssm")
        return self._ssm_client

    def parameter_name(self, tenant_id: str, name: str) -> str:
        return f"{self._prefix}/tenants/{tenant_id}/{name}"

    def put(self, tenant_id: str, name: str, value: dict[str, str]) -> None:
        try:
            self._ssm.put_parameter(
                Name=self.parameter_name(tenant_id, name),
                Value=json.dumps(value),
                Type="SecureString",
                Overwrite=True,
            )
        except ClientError:
            # `from None`: the botocore error may quote the request, and so the secret.
            raise UnavailableError("the secret store refused the write") from None

    def get(self, tenant_id: str, name: str) -> dict[str, str] | None:
        try:
            result = self._ssm.get_parameter(Name=self.parameter_name(tenant_id, name), WithDecryption=True)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") == "ParameterNotFound":
                return None
            raise
        value: dict[str, str] = json.loads(result["Parameter"]["Value"])
        return value

    def shared_secret(self, name: str) -> bytes:
        """A deployment-wide random secret (`<prefix>/tenants/_deployment/<name>`, within the
        grant of tenant secrets), created on first use. Two containers creating it at once
        agree: the put does not overwrite, and the loser reads the winner's value."""
        current = self.get(DEPLOYMENT, name)
        if current is None:
            try:
                self._ssm.put_parameter(
                    Name=self.parameter_name(DEPLOYMENT, name),
                    Value=json.dumps({"value": secrets.token_hex(32)}),
                    Type="SecureString",
                    Overwrite=False,
                )
            except ClientError as exc:
                if exc.response.get("Error", {}).get("Code") != "ParameterAlreadyExists":
                    raise UnavailableError("the secret store refused the write") from None
            current = self.get(DEPLOYMENT, name)
        if current is None:
            raise UnavailableError("the secret store lost a secret it just stored")
        return bytes.fromhex(current["value"])

    def delete(self, tenant_id: str, name: str) -> None:
        try:
            self._ssm.delete_parameter(Name=self.parameter_name(tenant_id, name))
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") != "ParameterNotFound":
                raise
