"""Keep the local CRM's data across restarts: dump on shutdown (and periodically), restore on start.

moto keeps everything in memory, so the local stack saves what a user would miss to
`.local/state.json`: the table's items, the Cognito logins (moto holds passwords in clear, and
so does this file — it is a local development store, git-ignored) and the SSM parameters.
The format is plain JSON (DynamoDB's wire format for items), stable across moto versions.
Files of the bucket (avatars, recordings, imports and their undo logs, exports) are mirrored in
a `files/` directory beside it, one file per object key.
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
    def __init__(
        self, path: Path, *, region: str, table_name: str, pool_id: str, ssm_prefix: str, bucket: str | None = None
    ) -> None:
        self.path = path
        self.files_dir = path.parent / "files"
        self._bucket = bucket
        self._region = region
        self._table = table_name
        self._pool_id = pool_id
        self._ssm_prefix = ssm_prefix

    def save(self, dynamodb: Any, cognito: Any, ssm: Any, s3: Any = None) -> dict[str, int]:
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
        counts = {kind: len(state[kind]) for kind in ("dynamodb", "cognito", "ssm")}
        if s3 is not None and self._bucket:
            counts["files"] = self._save_files(s3)
        return counts

    def restore(self, dynamodb: Any, cognito: Any, ssm: Any, s3: Any = None) -> dict[str, int]:
        """Load a previous dump into freshly created resources; returns counts per kind."""
        files = self._restore_files(s3) if s3 is not None and self._bucket else 0
        if not self.path.exists():
            return {"files": files} if files else {}
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
        counts = {"dynamodb": len(items), "cognito": len(state.get("cognito", [])), "ssm": len(state.get("ssm", []))}
        return {**counts, "files": files} if files else counts

    def _save_files(self, s3: Any) -> int:
        """Mirror the bucket: new and changed objects written, deleted ones removed."""
        kept: set[Path] = set()
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=self._bucket):
            for entry in page.get("Contents", []):
                target = self.files_dir / entry["Key"]
                kept.add(target)
                unchanged = target.exists() and target.stat().st_size == entry["Size"]
                if unchanged and target.stat().st_mtime >= entry["LastModified"].timestamp():
                    continue  # saved every minute: only what changed is copied again
                target.parent.mkdir(parents=True, exist_ok=True)
                partial = target.with_name(target.name + ".tmp")
                partial.write_bytes(s3.get_object(Bucket=self._bucket, Key=entry["Key"])["Body"].read())
                os.replace(partial, target)
        if self.files_dir.exists():
            for stale in [p for p in self.files_dir.rglob("*") if p.is_file() and p not in kept]:
                stale.unlink()
        return len(kept)

    def _restore_files(self, s3: Any) -> int:
        if not self.files_dir.exists():
            return 0
        count = 0
        for source in self.files_dir.rglob("*"):
            if source.is_file() and not source.name.endswith(".tmp"):
                key = source.relative_to(self.files_dir).as_posix()
                s3.put_object(Bucket=self._bucket, Key=key, Body=source.read_bytes())
                count += 1
        return count

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
