"""Keep the local CRM's data across restarts, a `kill -9` included: a snapshot plus a journal.

moto keeps everything in memory, so the local stack saves what a user would miss to
`.local/state.json`: the table's items, the Cognito logins and live refresh tokens (moto holds
passwords in clear, and so does this file — it is a local development store, git-ignored) and
the SSM parameters. The format is plain JSON (DynamoDB's wire format for items), stable across
moto versions. Files of the bucket (avatars, recordings, imports and their undo logs, exports)
are written through to a `files/` directory beside it, one file per object key.

- Every acknowledged write is first appended to a journal beside the file (journal.py), so
  a process killed at any moment loses nothing that was answered.
- A snapshot (on exit, every minute if anything was written, and after a start that replayed
  a journal) switches the journal to a new segment while writes are paused
  (`moto_atomic.LOCK`), then copies the state a chunk at a time: a write racing the copy is in
  the new segment, and the snapshot is always read with the segments from its switch on, so the
  pair is exact. The file is written to a temp file, fsynced and renamed over the old one, and
  only then are the older segments deleted. A crash at any point leaves the previous file, or
  the new one, with every segment written after it.
- Restoring reads the snapshot, then replays the segments after it, into one final state
  (each line holds final images) that it loads into moto. If anything fails it raises a
  `RestoreError` naming the file and the item, and this process never saves: the file and
  the journal stay as they were, for the user to fix or move away.
"""

from __future__ import annotations

import contextlib
import json
import os
import threading
from pathlib import Path
from typing import Any

from moto.cognitoidp.models import CognitoIdpUserPool, cognitoidp_backends
from moto.dynamodb.models import dynamodb_backends
from moto.ssm.models import ssm_backends

from infra.local.journal import Journal, _fsync_dir, logins
from infra.local.moto_atomic import LOCK
from infra.local.moto_speed import _stored
from infra.local.resources import ACCOUNT_ID

FORMAT_VERSION = 2
_READABLE_VERSIONS = (1, 2)  # 1: no journal, no refresh tokens
_CHUNK = 500  # items copied per hold of the lock


class RestoreError(RuntimeError):
    """The saved state could not be loaded; the message names the file and the item."""


class _State:
    """The data a restart gives back, keyed so that later images replace earlier ones."""

    def __init__(self) -> None:
        self.items: dict[str, dict[str, Any]] = {}  # key (JSON) -> item image
        self.logins: list[dict[str, Any]] = []
        self.grants: dict[str, list[str]] = {}  # refresh token -> [client id, username, jti]
        self.parameters: dict[str, str] = {}
        self.origins: dict[str, str] = {}  # key (JSON) -> where its image was read (errors name it)

    def apply(self, line: dict[str, Any], key_attrs: tuple[str, ...], origin: str = "") -> None:
        """One journal line; KeyError/TypeError/AttributeError/ValueError when malformed."""
        for image in line.get("dynamodb", ()):
            self.put(image["key"], image["item"], key_attrs, origin)
        if "logins" in line:
            if not all(_is_login(login) for login in line["logins"]):
                raise ValueError("a login is not {username, attributes, ...}")
            self.logins = list(line["logins"])
        if "grant" in line:
            grant = line["to"]
            if not (isinstance(grant, list) and len(grant) == 3 and all(isinstance(g, str) for g in grant)):
                raise ValueError("a refresh token's grant is not [client id, username, jti]")
            self.grants[str(line["grant"])] = list(grant)
        if "sign_out" in line:
            self.grants = {t: g for t, g in self.grants.items() if g[1] != line["sign_out"]}
        if "ssm" in line:
            if not isinstance(line["ssm"], str):
                raise ValueError("an SSM parameter's name is not a string")
            if line["value"] is None:
                self.parameters.pop(line["ssm"], None)
            else:
                self.parameters[line["ssm"]] = str(line["value"])

    def put(
        self, key: dict[str, Any] | None, item: dict[str, Any] | None, key_attrs: tuple[str, ...], origin: str = ""
    ) -> None:
        if key is None:
            assert item is not None
            key = {name: item[name] for name in key_attrs}
        if item is not None:
            _check_item(item)
        index = json.dumps(key, sort_keys=True)
        if item is None:
            self.items.pop(index, None)
            self.origins.pop(index, None)
        else:
            self.items[index] = item
            self.origins[index] = origin


# DynamoDB's attribute value types (its wire format): anything else in a saved item is refused.
_SCALARS = {"S": str, "N": str, "B": str, "BOOL": bool, "NULL": bool}
_SETS = {"SS", "NS", "BS"}


def _check_item(item: Any) -> None:
    """ValueError naming the attribute when `item` is not an item in DynamoDB's wire format."""
    if not isinstance(item, dict) or not item:
        raise ValueError("an item is an object of attributes")
    for name, value in item.items():
        _check_value(value, str(name))


def _check_value(value: Any, path: str) -> None:
    if not isinstance(value, dict) or len(value) != 1:
        raise ValueError(f"attribute {path!r} is not one typed value such as {{'S': ...}}")
    [(kind, inner)] = value.items()
    if kind in _SCALARS:
        valid = isinstance(inner, _SCALARS[kind])
    elif kind in _SETS:
        valid = isinstance(inner, list) and all(isinstance(v, str) for v in inner)
    elif kind == "L":
        valid = isinstance(inner, list)
        for n, element in enumerate(inner if valid else ()):
            _check_value(element, f"{path}[{n}]")
    elif kind == "M":
        valid = isinstance(inner, dict)
        for key, element in (inner if valid else {}).items():
            _check_value(element, f"{path}.{key}")
    else:
        raise ValueError(f"attribute {path!r} has the unknown type {kind!r}")
    if not valid:
        raise ValueError(f"attribute {path!r} of type {kind!r} holds {inner!r:.50}")


def _section(saved: dict[str, Any], name: str, kind: type, path: Path) -> Any:
    """A section of the saved file, of the type it must have (absent: empty)."""
    value = saved.get(name, kind())
    if not isinstance(value, kind):
        raise RestoreError(f"{path}: the {name!r} section is not a {'list' if kind is list else 'object'}")
    return value


def _is_login(login: Any) -> bool:
    return (
        isinstance(login, dict)
        and isinstance(login.get("username"), str)
        and isinstance(login.get("attributes"), list)
        and all(isinstance(a, dict) and isinstance(a.get("Name"), str) for a in login["attributes"])
    )


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
        self.journal = Journal(
            path, table=table_name, pool_id=pool_id, ssm_prefix=ssm_prefix, bucket=bucket, files_dir=self.files_dir
        )
        self.restored = False  # only then may this process write the file
        self.replayed = 0  # journal lines replayed by restore()
        self._saving = threading.Lock()  # the autosave and the save on exit, one at a time

    # -- restore -------------------------------------------------------------------------

    def restore(self, cognito: Any, ssm: Any, s3: Any = None) -> dict[str, int]:
        """Load the last snapshot and the journal after it into freshly created resources, then
        journal every write; returns counts per kind. RestoreError names what failed."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        files = self._restore_files(s3) if s3 is not None and self._bucket else 0
        table = dynamodb_backends[ACCOUNT_ID][self._region].get_table(self._table)
        key_attrs = tuple(a for a in (table.hash_key_attr, table.range_key_attr) if a)
        state, first_segment = self._read(key_attrs)
        segments = [(n, p) for n, p in self.journal.segments() if n >= first_segment]
        for _, segment in segments:
            self.replayed += self._replay(segment, state, key_attrs)
        self._load(state, cognito, ssm)
        self.restored = True
        last = max([first_segment, *(n for n, _ in segments)])
        self.journal.open(last + 1 if segments else last, self._pool())
        counts = {
            "dynamodb": len(state.items),
            "cognito": len(state.logins),
            "ssm": len(state.parameters),
        }
        return {**counts, "files": files} if files else counts

    def _read(self, key_attrs: tuple[str, ...]) -> tuple[_State, int]:
        state = _State()
        if not self.path.exists():
            return state, 0
        try:
            saved = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise RestoreError(f"{self.path} cannot be read: {exc}") from exc
        if not isinstance(saved, dict) or saved.get("version") not in _READABLE_VERSIONS:
            raise RestoreError(f"{self.path} has an unknown format")
        items = _section(saved, "dynamodb", list, self.path)
        for number, item in enumerate(items, 1):
            try:
                state.put(None, item, key_attrs, f"{self.path}: DynamoDB item #{number}")
            except (KeyError, TypeError, AssertionError) as exc:
                raise RestoreError(f"{self.path}: DynamoDB item #{number} has no key ({exc}): {item!r:.200}") from exc
            except ValueError as exc:
                raise RestoreError(f"{self.path}: DynamoDB item #{number} is malformed ({exc}): {item!r:.200}") from exc
        self._read_small_kinds(saved, state)
        journal = saved.get("journal", 0)
        if not isinstance(journal, int) or isinstance(journal, bool) or journal < 0:
            raise RestoreError(f"{self.path}: journal is not a segment number: {journal!r:.50}")
        return state, journal

    def _read_small_kinds(self, saved: dict[str, Any], state: _State) -> None:
        """Logins, refresh tokens and SSM parameters of the snapshot, each checked for its shape."""
        state.logins = _section(saved, "cognito", list, self.path)
        for number, login in enumerate(state.logins, 1):
            if not _is_login(login):
                raise RestoreError(
                    f"{self.path}: cognito login #{number} is not {{username, attributes, ...}}: {login!r:.200}"
                )
        grants = _section(saved, "refresh_tokens", dict, self.path)
        for token, grant in grants.items():
            if not (isinstance(grant, list) and len(grant) == 3 and all(isinstance(g, str) for g in grant)):
                raise RestoreError(
                    f"{self.path}: refresh_tokens entry {token[:12]!r}... is not [client id, username, jti]: "
                    f"{grant!r:.200}"
                )
        state.grants = {token: list(grant) for token, grant in grants.items()}
        for number, parameter in enumerate(_section(saved, "ssm", list, self.path), 1):
            if not (
                isinstance(parameter, dict)
                and isinstance(parameter.get("name"), str)
                and isinstance(parameter.get("value"), str)
            ):
                raise RestoreError(f"{self.path}: ssm parameter #{number} is not {{name, value}}: {parameter!r:.200}")
            state.parameters[parameter["name"]] = parameter["value"]

    def _replay(self, segment: Path, state: _State, key_attrs: tuple[str, ...]) -> int:
        try:
            text = segment.read_text(encoding="utf-8")
        except (OSError, ValueError) as exc:
            raise RestoreError(f"{segment} cannot be read: {exc}") from exc
        lines = text.split("\n")
        count = 0
        for number, line in enumerate(lines, 1):
            if not line:
                continue
            try:
                record = json.loads(line)
            except ValueError as exc:
                # A last line without its newline is a write the process died in the middle of:
                # never acknowledged, in any segment (two crashes in a row leave one in an older
                # segment). A bad line followed by others is corruption: refused.
                if number == len(lines):
                    break
                raise RestoreError(f"{segment} line {number} is not JSON: {exc}") from exc
            try:
                if not isinstance(record, dict):
                    raise TypeError("a journal line is an object")
                state.apply(record, key_attrs, f"{segment} line {number}")
            except (KeyError, TypeError, AttributeError, IndexError, AssertionError, ValueError) as exc:
                raise RestoreError(f"{segment} line {number} is malformed ({exc!r}): {line:.200}") from exc
            count += 1
        return count

    def _load(self, state: _State, cognito: Any, ssm: Any) -> None:
        backend = dynamodb_backends[ACCOUNT_ID][self._region]
        for index, item in state.items.items():
            try:
                backend.put_item(self._table, item)
            except Exception as exc:  # named, and nothing is saved over the file
                where = state.origins.get(index) or str(self.path)
                raise RestoreError(f"{where}: DynamoDB item {item!r:.300} was refused: {exc}") from exc
        for login in state.logins:
            try:
                self._restore_login(cognito, login)
            except Exception as exc:
                raise RestoreError(f"{self.path}: login {login.get('username')!r} was refused: {exc}") from exc
        pool = self._pool()
        if pool is not None:
            pool.refresh_tokens.update({token: tuple(grant) for token, grant in state.grants.items()})  # type: ignore[misc]
        for name, value in state.parameters.items():
            try:
                ssm.put_parameter(Name=name, Value=value, Type="SecureString", Overwrite=True)
            except Exception as exc:
                raise RestoreError(f"{self.path}: SSM parameter {name!r} was refused: {exc}") from exc

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

    # -- save ----------------------------------------------------------------------------

    def save(self) -> dict[str, int]:
        """Snapshot the state atomically; returns counts per kind ({} if this process may not
        write the file: its restore failed or never ran)."""
        if not self.restored:
            return {}
        with self._saving:
            return self._save()

    def save_if_written(self) -> dict[str, int]:
        """The periodic snapshot: only when the journal has grown since the last one."""
        return self.save() if self.journal.lines else {}

    def _save(self) -> dict[str, int]:
        table = dynamodb_backends[ACCOUNT_ID][self._region].get_table(self._table)
        with LOCK:  # one instant: the journal's switch, the keys to copy, the small kinds
            segment = self.journal.rotate()
            keys = [
                (hash_key, range_key)
                for hash_key, partition in table.items.items()
                for range_key in (partition if table.range_key_attr else [None])
            ]
            pool = self._pool()
            state: dict[str, Any] = {
                "version": FORMAT_VERSION,
                "journal": segment,
                "cognito": logins(pool) if pool is not None else [],
                "refresh_tokens": self._grants(pool),
                "ssm": self._parameters(),
            }
        state["dynamodb"] = self._items(table, keys)
        partial = self.path.with_name(self.path.name + ".tmp")
        with partial.open("w", encoding="utf-8") as out:
            json.dump(state, out)
            out.flush()
            os.fsync(out.fileno())
        os.replace(partial, self.path)  # a crash mid-write never leaves a half file
        _fsync_dir(self.path.parent)
        self.journal.drop_before(state["journal"])
        files = sum(1 for p in self.files_dir.rglob("*") if p.is_file()) if self.files_dir.exists() else 0
        counts = {kind: len(state[kind]) for kind in ("dynamodb", "cognito", "ssm")}
        return {**counts, "files": files} if files else counts

    def close(self) -> None:
        self.journal.close()

    def _pool(self) -> CognitoIdpUserPool | None:
        return cognitoidp_backends[ACCOUNT_ID][self._region].user_pools.get(self._pool_id)

    @staticmethod
    def _items(table: Any, keys: list[tuple[Any, Any]]) -> list[dict[str, Any]]:
        """The items of `keys`, copied a chunk at a time under LOCK (a pause of a few ms, where
        copying 100,000 items at once would pause writes for seconds). An item written between
        two chunks may be copied before or after that write: its image is in the journal's new
        segment either way, which restore replays over this snapshot. Items created after the
        keys were listed are only in that segment."""
        items: list[dict[str, Any]] = []
        for start in range(0, len(keys), _CHUNK):
            with LOCK:
                for hash_key, range_key in keys[start : start + _CHUNK]:
                    item = _stored(table, hash_key, range_key)
                    if item is not None:
                        items.append(item.to_json()["Attributes"])
        return items

    @staticmethod
    def _grants(pool: CognitoIdpUserPool | None) -> dict[str, list[str]]:
        if pool is None:
            return {}
        return {token: list(grant) for token, grant in pool.refresh_tokens.items() if grant is not None}

    def _parameters(self) -> list[dict[str, str]]:
        parameters = ssm_backends[ACCOUNT_ID][self._region]._parameters
        prefix = self._ssm_prefix.rstrip("/") + "/"
        saved = []
        for name, versions in list(parameters.items()):
            if name.startswith(prefix) and versions:
                value = versions[-1].decrypt(versions[-1].value)
                if value is not None:
                    saved.append({"name": name, "value": value})
        return saved
