"""The local store's journal: every acknowledged write is on disk before moto answers it.

moto keeps its state in memory, and `persistence.StateFile` snapshots it from time to time.
Between two snapshots each write is appended here as one JSON line, by hooks around moto's
own write methods:

- DynamoDB: the item images a PutItem, UpdateItem or DeleteItem left behind (also each
  request of a BatchWriteItem), `{"dynamodb": [{"key": {...}, "item": {...} | null}]}`;
  a TransactWriteItems is one line holding all of its images, written only if it applied;
- Cognito: the logins after a change of one (`{"logins": [...]}`, a user per CRM member),
  each refresh token granted (`{"grant": token, "to": [client id, username, jti]}`) and
  each sign-out (`{"sign_out": username}`), so a refresh token outlives a restart;
- SSM: `{"ssm": name, "value": value | null}`.

Files of the bucket are not journaled: they are written through to `files/` (temp file,
fsync, rename) before moto answers the upload.

Every hook holds `moto_atomic.LOCK` around moto's write and the append, so lines are in the
order the writes applied: an index item (a phone's uniqueness guard, say) written with or after
its record is never on disk without it. Lines are flushed to the OS at once, so a `kill -9`
loses none, and fsynced once a second, so a power cut loses at most the last second. Each line
holds final images, so replaying lines that a snapshot already holds changes nothing.

A snapshot rotates the journal, under the same lock, to a new segment `<state>.journal.<n>`;
the snapshot names the first segment to replay after it, and older ones are deleted once the
snapshot file is in place.
"""

from __future__ import annotations

import functools
import inspect
import json
import os
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from moto.cognitoidp.models import CognitoIdpBackend, CognitoIdpUserPool
from moto.dynamodb.models import DynamoDBBackend
from moto.s3.models import S3Backend
from moto.ssm.models import SimpleSystemManagerBackend

from infra.local.moto_atomic import LOCK
from infra.local.moto_speed import _stored

SYNC_SECONDS = 1.0
_MARK = "__crm_journal__"

# moto's Cognito methods that may change a login or grant/revoke refresh tokens.
_COGNITO_WRITES = (
    "admin_create_user", "admin_set_user_password", "admin_delete_user", "admin_disable_user",
    "admin_enable_user", "admin_update_user_attributes", "admin_delete_user_attributes",
    "admin_confirm_sign_up", "admin_reset_user_password", "admin_user_global_sign_out",
    "global_sign_out", "change_password", "confirm_forgot_password", "sign_up", "confirm_sign_up",
    "update_user_attributes", "initiate_auth", "admin_initiate_auth", "respond_to_auth_challenge",
    "admin_respond_to_auth_challenge",
)  # fmt: skip


def logins(pool: CognitoIdpUserPool) -> list[dict[str, Any]]:
    """What a restart must give back of the pool's users (moto holds passwords in clear)."""
    return [
        {
            "username": user.username,
            "password": user.password,
            "enabled": user.enabled,
            "attributes": [a for a in user.attributes if a["Name"] != "sub"],
        }
        for user in pool.users.values()
    ]


class Journal:
    """Segments `<state>.journal.<n>` beside the state file; one is open for appending."""

    def __init__(
        self, state_path: Path, *, table: str, pool_id: str, ssm_prefix: str, bucket: str | None, files_dir: Path
    ) -> None:
        self.state_path = state_path
        self.table = table
        self.pool_id = pool_id
        self.ssm_prefix = ssm_prefix.rstrip("/") + "/"
        self.bucket = bucket
        self.files_dir = files_dir
        self.segment = 0
        self.lines = 0  # appended since the last rotation
        self._file: Any = None
        self._dirty = False
        self._lock = threading.Lock()  # the open file: appends, fsync, rotation
        self._closed = threading.Event()
        self._last_logins: list[dict[str, Any]] | None = None

    def segments(self) -> list[tuple[int, Path]]:
        """Existing segments, oldest first."""
        found = []
        for path in self.state_path.parent.glob(self.state_path.name + ".journal.*"):
            number = path.name.rsplit(".", 1)[1]
            if number.isdigit():
                found.append((int(number), path))
        return sorted(found)

    def _path(self, segment: int) -> Path:
        return self.state_path.with_name(f"{self.state_path.name}.journal.{segment}")

    def open(self, segment: int, pool: CognitoIdpUserPool | None) -> None:
        """Start appending to `segment` and journal every write from now on."""
        self.segment = segment
        self._file = self._path(segment).open("a", encoding="utf-8")
        self._last_logins = logins(pool) if pool is not None else None
        global _active
        _active = self
        threading.Thread(target=self._sync_every_second, name="journal-fsync", daemon=True).start()

    def rotate(self) -> int:
        """Continue in a new segment; returns its number. Called under LOCK by a snapshot."""
        with self._lock:
            self._close_file()
            self.segment += 1
            self.lines = 0
            self._file = self._path(self.segment).open("a", encoding="utf-8")
            _fsync_dir(self.state_path.parent)
            return self.segment

    def drop_before(self, segment: int) -> None:
        """Delete the segments a snapshot now holds."""
        for number, path in self.segments():
            if number < segment:
                path.unlink(missing_ok=True)

    def close(self) -> None:
        global _active
        with LOCK:
            if _active is self:
                _active = None
        self._closed.set()
        with self._lock:
            self._close_file()

    def append(self, record: dict[str, Any]) -> None:
        line = json.dumps(record, separators=(",", ":")) + "\n"
        with self._lock:
            if self._file is None:
                return
            self._file.write(line)
            self._file.flush()  # in the OS's hands: a killed process loses nothing
            self._dirty = True
            self.lines += 1

    def logins_changed(self, pool: CognitoIdpUserPool) -> None:
        current = logins(pool)
        if current != self._last_logins:
            self._last_logins = current
            self.append({"logins": current})

    def write_file(self, key: str, body: bytes) -> None:
        target = self._file_path(key)
        if target is None:
            return
        target.parent.mkdir(parents=True, exist_ok=True)
        descriptor, partial = tempfile.mkstemp(dir=target.parent, prefix=".", suffix=".tmp")
        with os.fdopen(descriptor, "wb") as out:
            out.write(body)
            out.flush()
            os.fsync(out.fileno())
        os.replace(partial, target)

    def delete_file(self, key: str) -> None:
        target = self._file_path(key)
        if target is not None:
            target.unlink(missing_ok=True)

    def _file_path(self, key: str) -> Path | None:
        target = (self.files_dir / key).resolve()
        return target if target.is_relative_to(self.files_dir.resolve()) and key else None

    def sync(self) -> None:
        with self._lock:
            if self._file is not None and self._dirty:
                os.fsync(self._file.fileno())
                self._dirty = False

    def _sync_every_second(self) -> None:
        while not self._closed.wait(SYNC_SECONDS):
            self.sync()

    def _close_file(self) -> None:
        if self._file is not None:
            self._file.flush()
            os.fsync(self._file.fileno())
            self._file.close()
            self._file = None
            self._dirty = False


def _fsync_dir(directory: Path) -> None:
    """Make a rename or a new file in `directory` durable."""
    descriptor = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


_active: Journal | None = None
# The images of the transaction being applied (only ever touched under LOCK).
_transaction: list[dict[str, Any]] | None = None


# Files have their own lock: an upload never waits for DynamoDB, nor holds it while written.
_FILES_LOCK = threading.Lock()


def _hook(
    method: Callable[..., Any], after: Callable[[Journal, Any, dict[str, Any], Any], None], lock: Any = LOCK
) -> Callable[..., Any]:
    """Run `method` under `lock`, then `after(journal, self, its arguments, result)` if journaling."""
    signature = inspect.signature(method)

    @functools.wraps(method)
    def journaled(self: Any, *args: Any, **kwargs: Any) -> Any:
        with lock:
            result = method(self, *args, **kwargs)
            if _active is not None:
                arguments = signature.bind(self, *args, **kwargs).arguments
                after(_active, self, arguments, result)
            return result

    setattr(journaled, _MARK, True)
    return journaled


def _item_written(journal: Journal, backend: DynamoDBBackend, arguments: dict[str, Any], _: Any) -> None:
    if arguments["table_name"] != journal.table:
        return
    table = backend.get_table(journal.table)
    attrs = arguments.get("item_attrs") or arguments["key"]
    key = {table.hash_key_attr: attrs[table.hash_key_attr]}
    if table.range_key_attr:
        key[table.range_key_attr] = attrs[table.range_key_attr]
    hash_key, range_key = backend.get_keys_value(table, key)
    stored = _stored(table, hash_key, range_key)
    image = {"key": key, "item": stored.to_json()["Attributes"] if stored is not None else None}
    if _transaction is not None:
        _transaction.append(image)  # written with the rest of the transaction, if it applies
    else:
        journal.append({"dynamodb": [image]})


def _transacted(method: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(method)
    def journaled(self: DynamoDBBackend, *args: Any, **kwargs: Any) -> Any:
        global _transaction
        with LOCK:
            outer, _transaction = _transaction, []
            try:
                result = method(self, *args, **kwargs)
                images = _transaction
            finally:
                _transaction = outer
            if _active is not None and images:
                _active.append({"dynamodb": images})
            return result

    setattr(journaled, _MARK, True)
    return journaled


def _login_changed(journal: Journal, backend: CognitoIdpBackend, _: dict[str, Any], __: Any) -> None:
    pool = backend.user_pools.get(journal.pool_id)
    if pool is not None:
        journal.logins_changed(pool)


def _granted(journal: Journal, pool: CognitoIdpUserPool, arguments: dict[str, Any], result: Any) -> None:
    if pool.id == journal.pool_id:
        token, jti = result
        journal.append({"grant": token, "to": [arguments["client_id"], arguments["username"], jti]})


def _signed_out(journal: Journal, pool: CognitoIdpUserPool, arguments: dict[str, Any], _: Any) -> None:
    if pool.id == journal.pool_id:
        journal.append({"sign_out": arguments["username"]})


def _parameter_put(journal: Journal, _: Any, arguments: dict[str, Any], __: Any) -> None:
    if arguments["name"].startswith(journal.ssm_prefix):
        journal.append({"ssm": arguments["name"], "value": arguments["value"]})


def _parameters_deleted(journal: Journal, _: Any, arguments: dict[str, Any], result: Any) -> None:
    names = result if "names" in arguments else [arguments["name"]]
    for name in names:
        if name.startswith(journal.ssm_prefix):
            journal.append({"ssm": name, "value": None})


def _object_put(journal: Journal, _: Any, arguments: dict[str, Any], __: Any) -> None:
    if arguments["bucket_name"] == journal.bucket:
        journal.write_file(arguments["key_name"], bytes(arguments["value"]))


def _object_deleted(journal: Journal, _: Any, arguments: dict[str, Any], __: Any) -> None:
    if arguments["bucket_name"] == journal.bucket:
        journal.delete_file(arguments["key_name"])


def install() -> None:
    """Idempotent. Journals nothing until `Journal.open`."""
    hooks: list[tuple[type, str, Callable[..., None]]] = [
        (DynamoDBBackend, "put_item", _item_written),
        (DynamoDBBackend, "update_item", _item_written),
        (DynamoDBBackend, "delete_item", _item_written),
        (CognitoIdpUserPool, "create_refresh_token", _granted),
        (CognitoIdpUserPool, "sign_out", _signed_out),
        (SimpleSystemManagerBackend, "put_parameter", _parameter_put),
        (SimpleSystemManagerBackend, "delete_parameter", _parameters_deleted),
        (SimpleSystemManagerBackend, "delete_parameters", _parameters_deleted),
    ]
    hooks += [(CognitoIdpBackend, name, _login_changed) for name in _COGNITO_WRITES if hasattr(CognitoIdpBackend, name)]
    for cls, name, after in hooks:
        method = getattr(cls, name)
        if not getattr(method, _MARK, False):
            setattr(cls, name, _hook(method, after))
    for name, after in (("put_object", _object_put), ("delete_object", _object_deleted)):
        method = getattr(S3Backend, name)
        if not getattr(method, _MARK, False):
            setattr(S3Backend, name, _hook(method, after, _FILES_LOCK))
    transact = DynamoDBBackend.transact_write_items
    if not getattr(transact, _MARK, False):
        DynamoDBBackend.transact_write_items = _transacted(transact)  # type: ignore[method-assign]
