"""Cursor pagination: the API's opaque `cursor` is DynamoDB's LastEvaluatedKey, encoded.

A client could edit a cursor, so a decoded one is only accepted when each of its partition
keys lies in the caller's tenant; anything else is a 400 on `cursor`, never a cross-tenant read.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from chalicelib.db import keys
from chalicelib.domain.errors import ValidationError

T = TypeVar("T")

DEFAULT_LIMIT = 25
MAX_LIMIT = 100


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    items: Sequence[T]
    next_cursor: str | None


def encode_cursor(last_evaluated_key: dict[str, Any] | None) -> str | None:
    if not last_evaluated_key:
        return None
    raw = json.dumps(last_evaluated_key, separators=(",", ":"), sort_keys=True).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str | None, tenant_id: str) -> dict[str, Any] | None:
    """The LastEvaluatedKey in `cursor`, checked to belong to `tenant_id`."""
    if not cursor:
        return None
    invalid = ValidationError("cursor is not one returned by this list", field="cursor")
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        key = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise invalid from None
    if not isinstance(key, dict) or not key:
        raise invalid
    for name, value in key.items():
        if not (isinstance(value, dict) and set(value) == {"S"} and isinstance(value["S"], str)):
            raise invalid
        if name.endswith("pk") and not keys.belongs_to_tenant(value["S"], tenant_id):
            raise invalid
    return key
