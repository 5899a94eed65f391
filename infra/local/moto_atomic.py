"""Give moto's DynamoDB the write atomicity of the real service.

DynamoDB applies each conditional write, and each transaction, atomically: of two racing
"take this lead" updates exactly one succeeds. moto checks the condition and writes in two steps
without a lock, so two threads can both pass. One re-entrant lock around its write paths makes
it behave like DynamoDB for the tests' races and for the local stack's concurrent requests
(an import's batches beside the API's requests, say).
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from typing import Any

from moto.dynamodb.models import DynamoDBBackend

from infra.local import moto_limits, moto_speed

# Also held by the local store's journal (journal.py) around the writes it records, and by a
# snapshot while it copies the state: one order of writes for moto, the journal and the file.
LOCK = threading.RLock()
# Reads too: moto's tables are defaultdicts that a read of a missing partition grows, which
# breaks a transaction deep-copying the table on another thread ("dictionary changed size").
_WRITES = ("put_item", "update_item", "delete_item", "transact_write_items", "get_item", "query", "scan")


def _atomic(method: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(method)
    def locked(*args: Any, **kwargs: Any) -> Any:
        with LOCK:
            return method(*args, **kwargs)

    locked.__crm_atomic__ = True  # type: ignore[attr-defined]
    return locked


def install() -> None:
    """Idempotent. Also makes moto's table Query and transactions cost what they touch (see
    moto_speed) and refuse keys over DynamoDB's size limits (see moto_limits), under the same lock."""
    moto_speed.install()
    moto_limits.install()
    for name in _WRITES:
        method = getattr(DynamoDBBackend, name)
        if not getattr(method, "__crm_atomic__", False):
            setattr(DynamoDBBackend, name, _atomic(method))
