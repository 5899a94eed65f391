"""Cursor pagination: the API's opaque `cursor` is DynamoDB's LastEvaluatedKey, encoded.

A client could edit a cursor, so a decoded one is only accepted when it has exactly the key
attributes of the index read, its partition is the one queried, each of its partition keys
lies in the caller's tenant and each key value is within DynamoDB's size limits; anything else
is a 400 on `cursor`, never a cross-tenant read or a refused query.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable
from typing import Any, TypeVar

from chalicelib.db import keys
from chalicelib.domain.errors import ValidationError
from chalicelib.domain.paging import Page

# `Page` lives in the domain (the API names it without importing storage); re-exported here.
__all__ = [
    "MAX_PARTITION_KEY_BYTES",
    "MAX_SORT_KEY_BYTES",
    "Page",
    "decode_cursor",
    "encode_cursor",
    "key_names",
    "prefix_page",
]

T = TypeVar("T")

# DynamoDB refuses a key value over these (a ValidationException): in a cursor, a 400.
MAX_PARTITION_KEY_BYTES = 2048
MAX_SORT_KEY_BYTES = 1024


def encode_cursor(last_evaluated_key: dict[str, Any] | None) -> str | None:
    if not last_evaluated_key:
        return None
    raw = json.dumps(last_evaluated_key, separators=(",", ":"), sort_keys=True).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(
    cursor: str | None,
    tenant_id: str,
    *,
    index: str | None = None,
    partition: str | None = None,
    sort_prefix: str | None = None,
) -> dict[str, Any] | None:
    """The LastEvaluatedKey in `cursor`, checked to be one of the list being read: its key
    names are those of `index` (None: the table), `partition` (when given) is the partition
    the query reads, its sort key starts with `sort_prefix` (when given: lists sharing one
    partition), and every partition key lies in `tenant_id`. A forged key or one of
    another list would make DynamoDB refuse the query (a 500) or read elsewhere: a 400."""
    if not cursor:
        return None
    invalid = ValidationError("cursor is not one returned by this list", field="cursor")
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        key = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (binascii.Error, ValueError, UnicodeDecodeError, RecursionError):
        raise invalid from None
    if not isinstance(key, dict) or set(key) != key_names(index):
        raise invalid
    for name, value in key.items():
        if not (isinstance(value, dict) and set(value) == {"S"} and isinstance(value["S"], str) and value["S"]):
            raise invalid
        limit = MAX_PARTITION_KEY_BYTES if name.endswith("pk") else MAX_SORT_KEY_BYTES
        if len(value["S"].encode("utf-8", "surrogatepass")) > limit:
            raise invalid
        if name.endswith("pk") and not keys.belongs_to_tenant(value["S"], tenant_id):
            raise invalid
    if partition is not None and key[f"{index or ''}pk"]["S"] != partition:
        raise invalid
    if sort_prefix is not None and not key[f"{index or ''}sk"]["S"].startswith(sort_prefix):
        raise invalid
    return key


def key_names(index: str | None) -> set[str]:
    """The attributes of a LastEvaluatedKey: the table's keys, plus the index's for a GSI."""
    return {"pk", "sk"} | ({f"{index}pk", f"{index}sk"} if index else set())


def prefix_page(
    model: Any, pk: str, prefix: str, tenant_id: str, *, limit: int, cursor: str | None, convert: Callable[[Any], T]
) -> Page[T]:
    """One page of the items of a partition whose sort key starts with `prefix` (lists kept in
    the tenant's own partition: groups, properties, source tags, SMS templates): one Query."""
    result = model.query(
        pk,
        model.sk.startswith(prefix),
        limit=limit,
        last_evaluated_key=decode_cursor(cursor, tenant_id, partition=pk, sort_prefix=prefix),
    )
    return Page([convert(item) for item in result], encode_cursor(result.last_evaluated_key))
