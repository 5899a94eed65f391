"""DynamoDB call meter: counts the calls made through botocore, the funnel of PynamoDB and boto3.

    with dynamodb_calls() as calls:
        api.get("/v1/me", token=token)
    assert calls.total <= 2

Meters nest and are per thread, so a test only counts the calls of its own request.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from botocore.client import BaseClient

_local = threading.local()
_original = BaseClient._make_api_call


_WRITES = {"PutItem": 1, "UpdateItem": 1, "DeleteItem": 1}


class CallCount(Counter[str]):
    """Operation name -> number of DynamoDB calls; `items_written` counts the items the write
    requests carried (a batch or transaction counts each of its items)."""

    items_written = 0

    @property
    def total(self) -> int:
        return sum(self.values())

    def __str__(self) -> str:
        return ", ".join(f"{op}={n}" for op, n in sorted(self.items())) or "no calls"


def _metered(self: BaseClient, operation_name: str, api_params: dict[str, Any]) -> Any:
    if self.meta.service_model.service_name == "dynamodb":
        items = _items(operation_name, api_params)
        for counter in getattr(_local, "stack", ()):
            counter[operation_name] += 1
            counter.items_written += items
    return _original(self, operation_name, api_params)


def _items(operation_name: str, api_params: dict[str, Any]) -> int:
    if operation_name == "BatchWriteItem":
        return sum(len(requests) for requests in api_params["RequestItems"].values())
    if operation_name == "TransactWriteItems":
        return len(api_params["TransactItems"])
    return _WRITES.get(operation_name, 0)


BaseClient._make_api_call = _metered  # type: ignore[method-assign]


@contextmanager
def dynamodb_calls() -> Iterator[CallCount]:
    counter = CallCount()
    stack = _local.__dict__.setdefault("stack", [])
    stack.append(counter)
    try:
        yield counter
    finally:
        stack.remove(counter)
