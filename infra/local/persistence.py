"""Keep the local CRM's data across restarts: dump on shutdown (and periodically), restore on start.

moto keeps everything in memory, so the local stack saves what a user would miss to
`.local/state.json`: the table's items, the Cognito logins (moto holds passwords in clear, and
so does this file — it is a local development store, git-ignored) and the SSM parameters.
The format is plain JSON (DynamoDB's wire format for items), stable across moto versions.
"""

from __future__ import annotations

import contextlib
import json
import os
from pathlib import Path
from typing import Any

from moto.cognitoidp.models import cognitoidp_backends

from infra.local.resources import ACCOUNT_ID

FORMAT_VERSION = 1
_BATCH = 25


class StateFile:
    def __init__(self, path: Path, *, region: str, table_name: str, pool_id: str, ssm_prefix: str) -> None:
        self.path = path
        self._region = region
        self._table = table_name
        self._pool_id = pool_id
        self._ssm_prefix = ssm_prefix

    def save(self, dynamodb: Any, cognito: Any, ssm: Any) -> dict[str, int]:
        """Write the current state atomically; returns counts per kind."""
        state = {
            "version": FORMAT_VERSION,
            "dynamodb": self._items(dynamodb),
            "cognito": self._logins(),
            "ssm": self._parameters(ssm),
        }
        self.path.parent.mkdir(parents=True, exist_ok=True)
        partial = self.path.with_suffix(".tmp")
        partial.write_text(json.dumps(state))
        os.replace(partial, self.path)  # a crash mid-write never leaves a half file
        return {kind: len(state[kind]) for kind in ("dynamodb", "cognito", "ssm")}

    def restore(self, dynamodb: Any, cognito: Any, ssm: Any) -> dict[str, int]:
        """Load a previous dump into freshly created resources; returns counts per kind."""
        if not self.path.exists():
            return {}
        state = json.loads(self.path.read_text())
        if state.get("version") != FORMAT_VERSION:
            raise RuntimeError(f"{self.path} has an unknown format; move it away to start empty")
        items = state.get("dynamodb", [])
        for start in range(0, len(items), _BATCH):
            requests = [{"PutRequest": {"Item": item}} for item in items[start : start + _BATCH]]
            pending: dict[str, Any] = {self._table: requests}
            while pending:
                pending = dynamodb.batch_write_item(RequestItems=pending).get("UnprocessedItems") or {}
        for login in state.get("cognito", []):
            self._restore_login(cognito, login)
        for parameter in state.get("ssm", []):
            ssm.put_parameter(Name=parameter["name"], Value=parameter["value"], Type="SecureString", Overwrite=True)
        return {"dynamodb": len(items), "cognito": len(state.get("cognito", [])), "ssm": len(state.get("ssm", []))}

    def _items(self, dynamodb: Any) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        for page in dynamodb.get_paginator("scan").paginate(TableName=self._table):
            items.extend(page["Items"])
        return items

    def _logins(self) -> list[dict[str, Any]]:
        # Passwords are not readable through the Cognito API; moto runs in this process.
        pool = cognitoidp_backends[ACCOUNT_ID][self._region].user_pools[self._pool_id]
        return [
            {
                "username": user.username,
                "password": user.password,
                "enabled": user.enabled,
                "attributes": [a for a in user.attributes if a["Name"] != "sub"],
            }
            for user in pool.users.values()
        ]

    def _restore_login(self, cognito: Any, login: dict[str, Any]) -> None:
        with contextlib.suppress(cognito.exceptions.UsernameExistsException):
            cognito.admin_create_user(
                UserPoolId=self._pool_id,
                Username=login["username"],
                UserAttributes=login["attributes"],
                MessageAction="SUPPRESS",
            )
        if login.get("password"):
            cognito.admin_set_user_password(
                UserPoolId=self._pool_id, Username=login["username"], Password=login["password"], Permanent=True
            )
        if not login.get("enabled", True):
            cognito.admin_disable_user(UserPoolId=self._pool_id, Username=login["username"])

    def _parameters(self, ssm: Any) -> list[dict[str, str]]:
        parameters: list[dict[str, str]] = []
        paginator = ssm.get_paginator("get_parameters_by_path")
        for page in paginator.paginate(Path=self._ssm_prefix, Recursive=True, WithDecryption=True):
            parameters.extend({"name": p["Name"], "value": p["Value"]} for p in page["Parameters"])
        return parameters
