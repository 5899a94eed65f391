"""Give moto's DynamoDB the key size limits of the real service.

DynamoDB refuses a partition key value over 2048 bytes and a sort key value over 1024 bytes
(UTF-8 for a string, raw bytes for a binary) with a ValidationException, on every call that
carries a key: a write, a read, a Query's key condition and ExclusiveStartKey, and for an item
written, the key attributes of its secondary indexes too. moto checks none of it, so an input
that becomes part of a key unbounded passed the tests and failed in AWS with a 500. Here moto
refuses it like DynamoDB does, and a refused batch or update writes nothing.
`moto_atomic.install()` installs these, then serialises them under its lock.
"""

from __future__ import annotations

import base64
import binascii
import copy
import functools
from collections.abc import Callable, Iterable
from typing import Any

from moto.dynamodb.exceptions import MockValidationException
from moto.dynamodb.models import DynamoDBBackend
from moto.dynamodb.models.dynamo_type import DynamoType
from moto.dynamodb.models.table import Table
from moto.dynamodb.responses import DynamoHandler

from infra.local.moto_speed import _put_back, _stored

HASH_LIMIT = 2048
RANGE_LIMIT = 1024
_MARK = "__crm_limits__"
_HASH_MESSAGE = (
    "One or more parameter values were invalid: Size of hashkey has exceeded the maximum size limit of 2048 bytes"
)
_RANGE_MESSAGE = (
    "One or more parameter values were invalid: Aggregated size of all range keys has exceeded the size limit"
    " of 1024 bytes"
)


def _size(value: DynamoType | dict[str, Any] | None) -> int:
    """Bytes of a key value as DynamoDB counts them (0 for a number or anything else)."""
    if isinstance(value, DynamoType):
        kind, raw = value.type, value.value
    elif isinstance(value, dict) and len(value) == 1:
        kind, raw = next(iter(value.items()))
    else:
        return 0
    if kind == "S" and isinstance(raw, str):
        return len(raw.encode("utf-8", "surrogatepass"))
    if kind == "B":
        if isinstance(raw, bytes):
            return len(raw)
        if isinstance(raw, str):
            try:
                return len(base64.b64decode(raw, validate=True))
            except (binascii.Error, ValueError):
                return len(raw)
    return 0


def _check(value: Any, limit: int) -> None:
    if _size(value) > limit:
        raise MockValidationException(_HASH_MESSAGE if limit == HASH_LIMIT else _RANGE_MESSAGE)


def _schemas(table: Table, index_name: str | None = None) -> Iterable[tuple[str | None, str | None]]:
    """(hash attribute, range attribute) of the table and of its indexes (only `index_name`'s if
    given, with the table's own, which an index's ExclusiveStartKey also carries)."""
    yield table.hash_key_attr, table.range_key_attr
    for index in table.indexes + table.global_indexes:
        if index_name is not None and index.name != index_name:
            continue
        kinds = {k["KeyType"]: k["AttributeName"] for k in index.schema}
        yield kinds.get("HASH"), kinds.get("RANGE")


def _check_attributes(table: Table, attrs: dict[str, Any], index_name: str | None = None) -> None:
    """Each key attribute present in `attrs` (of the table, or of an index) within its limit."""
    for hash_attr, range_attr in _schemas(table, index_name):
        if hash_attr in attrs:
            _check(attrs[hash_attr], HASH_LIMIT)
        if range_attr and range_attr in attrs:
            _check(attrs[range_attr], RANGE_LIMIT)


def _check_key(table: Table, key: dict[str, Any]) -> None:
    if not isinstance(key, dict):
        return
    _check(key.get(table.hash_key_attr), HASH_LIMIT)
    if table.range_key_attr:
        _check(key.get(table.range_key_attr), RANGE_LIMIT)


def _table(backend: DynamoDBBackend, name: Any) -> Table | None:
    return backend.tables.get(name) if isinstance(name, str) else None


def _mark(wrapper: Callable[..., Any]) -> Callable[..., Any]:
    setattr(wrapper, _MARK, True)
    return wrapper


def _put(put_item: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(put_item)
    def checked(self: DynamoDBBackend, table_name: str, item_attrs: dict[str, Any], *args: Any, **kwargs: Any) -> Any:
        table = _table(self, table_name)
        if table is not None and isinstance(item_attrs, dict):
            _check_attributes(table, item_attrs)
        return put_item(self, table_name, item_attrs, *args, **kwargs)

    return _mark(checked)


def _keyed(method: Callable[..., Any]) -> Callable[..., Any]:
    """get_item / delete_item(table_name, key, ...): the key within its limits."""

    @functools.wraps(method)
    def checked(self: DynamoDBBackend, table_name: str, key: dict[str, Any], *args: Any, **kwargs: Any) -> Any:
        table = _table(self, table_name)
        if table is not None:
            _check_key(table, key)
        return method(self, table_name, key, *args, **kwargs)

    return _mark(checked)


def _update(update_item: Callable[..., Any]) -> Callable[..., Any]:
    """The key within its limits; the updated item's index keys too, else the item as it was."""

    @functools.wraps(update_item)
    def checked(self: DynamoDBBackend, table_name: str, key: dict[str, Any], *args: Any, **kwargs: Any) -> Any:
        table = _table(self, table_name)
        if table is None or not isinstance(key, dict) or table.hash_key_attr not in key:
            return update_item(self, table_name, key, *args, **kwargs)
        _check_key(table, key)
        hash_key = DynamoType(key[table.hash_key_attr])
        range_key = DynamoType(key[table.range_key_attr]) if table.range_key_attr in key else None
        before = copy.deepcopy(_stored(table, hash_key, range_key))
        item = update_item(self, table_name, key, *args, **kwargs)
        try:
            _check_attributes(table, item.attrs)
        except MockValidationException:
            _put_back({(table, hash_key, range_key): before})
            raise
        return item

    return _mark(checked)


def _query(query: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(query)
    def checked(
        self: DynamoDBBackend, table_name: str, hash_key_dict: dict[str, Any] | None, range_comparison: str | None,
        range_value_dicts: list[dict[str, Any]], limit: int, exclusive_start_key: dict[str, Any] | None,
        *args: Any, **kwargs: Any,
    ) -> Any:  # fmt: skip
        _check(hash_key_dict, HASH_LIMIT)
        for value in range_value_dicts or []:
            _check(value, RANGE_LIMIT)
        table = _table(self, table_name)
        if table is not None and isinstance(exclusive_start_key, dict):
            index_name = args[2] if len(args) > 2 else kwargs.get("index_name")
            _check_attributes(table, exclusive_start_key, index_name or "")
        return query(
            self, table_name, hash_key_dict, range_comparison, range_value_dicts, limit, exclusive_start_key,
            *args, **kwargs,
        )  # fmt: skip

    return _mark(checked)


def _scan(scan: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(scan)
    def checked(self: DynamoDBBackend, table_name: str, filters: Any, limit: Any, exclusive_start_key: Any,
                *args: Any, **kwargs: Any) -> Any:  # fmt: skip
        table = _table(self, table_name)
        if table is not None and isinstance(exclusive_start_key, dict):
            _check_attributes(table, exclusive_start_key, kwargs.get("index_name") or "")
        return scan(self, table_name, filters, limit, exclusive_start_key, *args, **kwargs)

    return _mark(checked)


def _whole_batch(batch_write_item: Callable[..., Any]) -> Callable[..., Any]:
    """Every request of a BatchWriteItem within the limits before any is written, as in DynamoDB
    (moto writes them one by one, so a refused one would leave the earlier ones written)."""

    @functools.wraps(batch_write_item)
    def checked(self: DynamoHandler) -> Any:
        requests = self.body.get("RequestItems") if isinstance(self.body, dict) else None
        for table_name, entries in (requests or {}).items() if isinstance(requests, dict) else ():
            table = _table(self.dynamodb_backend, table_name)
            if table is None or not isinstance(entries, list):
                continue
            for entry in entries:
                put = entry.get("PutRequest") if isinstance(entry, dict) else None
                delete = entry.get("DeleteRequest") if isinstance(entry, dict) else None
                if isinstance(put, dict) and isinstance(put.get("Item"), dict):
                    _check_attributes(table, put["Item"])
                if isinstance(delete, dict):
                    _check_key(table, delete.get("Key"))  # type: ignore[arg-type]
        return batch_write_item(self)

    return _mark(checked)


def install() -> None:
    """Idempotent. Wraps moto's backend (which the handler, batches and transactions all call) and
    its BatchWriteItem handler."""
    wrappers: dict[str, Callable[[Callable[..., Any]], Callable[..., Any]]] = {
        "put_item": _put,
        "get_item": _keyed,
        "delete_item": _keyed,
        "update_item": _update,
        "query": _query,
        "scan": _scan,
    }
    for name, wrap in wrappers.items():
        method = getattr(DynamoDBBackend, name)
        if getattr(method, _MARK, False):
            continue
        if getattr(method, "__crm_atomic__", False):
            raise RuntimeError("install moto_limits before moto_atomic locks the backend")
        setattr(DynamoDBBackend, name, wrap(method))
    if not getattr(DynamoHandler.batch_write_item, _MARK, False):
        DynamoHandler.batch_write_item = _whole_batch(DynamoHandler.batch_write_item)  # type: ignore[method-assign]
