"""All-or-nothing writes: several puts, updates and deletes in one TransactWriteItems call.

Repositories describe what to write as `Put`/`Update`/`Delete` values; `transact` runs them
together and, when a condition fails, raises the domain error attached to the write that
failed — so a duplicate email is reported on the email, and nothing at all is written.
"""

from __future__ import annotations

import functools
import random
import time
from collections.abc import Iterable, Sequence
from dataclasses import field
from typing import TYPE_CHECKING

from pynamodb.connection import Connection
from pynamodb.exceptions import TransactWriteError
from pynamodb.transactions import TransactWrite

from chalicelib.config import get_settings
from chalicelib.db.items import Item
from chalicelib.domain.errors import ConflictError, DomainError
from chalicelib.domain.records import record

# DynamoDB's limit of items in one transaction, as the storage port tells services.
from chalicelib.ports.writes import MAX_TRANSACTION_ITEMS as MAX_TRANSACTION_ITEMS

if TYPE_CHECKING:
    from pynamodb.expressions.condition import Condition
    from pynamodb.expressions.update import Action


@record(frozen=True, slots=True)
class Put:
    """An item written whole (optionally only if `condition` holds)."""

    item: Item
    condition: Condition | None = None
    # Raised when `condition` fails (e.g. the guard of a unique value already exists).
    on_conflict: DomainError | None = None


@record(frozen=True, slots=True)
class Update:
    """Changes to an item's attributes (optionally only if `condition` holds)."""

    # Keys set; for a versioned item also the expected `version`, which becomes a condition.
    item: Item
    actions: Sequence[Action] = field(default_factory=tuple)
    condition: Condition | None = None
    on_conflict: DomainError | None = None


@record(frozen=True, slots=True)
class Delete:
    """An item deleted (optionally only if `condition` holds)."""

    item: Item
    condition: Condition | None = None
    on_conflict: DomainError | None = None


@record(frozen=True, slots=True)
class Check:
    """A condition on an item the transaction does not write (e.g. "the list is still running")."""

    item: Item
    condition: Condition
    on_conflict: DomainError | None = None


Write = Put | Update | Delete | Check


def must_not_exist() -> Condition:
    """Condition for creating an item: no item has its key yet."""
    return Item.pk.does_not_exist()


def must_exist() -> Condition:
    return Item.pk.exists()


def transact_groups(groups: Iterable[Sequence[Write]]) -> int:
    """Write groups of writes in as few transactions as fit; a group is never split.

    Each transaction is all-or-nothing, the whole is not: callers undo earlier transactions
    themselves if a later one fails. Returns the number of transactions.
    """
    batch: list[Write] = []
    count = 0
    for group in groups:
        if len(batch) + len(group) > MAX_TRANSACTION_ITEMS and batch:
            transact(batch)
            count += 1
            batch = []
        batch.extend(group)
    if batch:
        transact(batch)
        count += 1
    return count


@functools.cache
def _connection(region: str) -> Connection:
    # One per process: each Connection creates its own botocore client, which is slow to build.
    return Connection(region=region)


def transact(writes: Sequence[Write], *, attempts: int = 3) -> None:
    """Write everything or nothing (one TransactWriteItems call).

    A transaction cancelled only because another one touched the same item at the same moment
    (a shared counter, say) is retried: nothing was written, and the conditions still decide.
    """
    if len(writes) > MAX_TRANSACTION_ITEMS:
        raise ValueError(f"a transaction holds at most {MAX_TRANSACTION_ITEMS} items, got {len(writes)}")
    # PynamoDB sends condition checks, deletes, puts, then updates; cancellation reasons follow
    # that order.
    ordered = [w for kind in (Check, Delete, Put, Update) for w in writes if isinstance(w, kind)]
    for attempt in range(1, attempts + 1):
        try:
            with TransactWrite(connection=_connection(get_settings().region)) as tx:
                for write in ordered:
                    if isinstance(write, Check):
                        tx.condition_check(type(write.item), write.item.pk, write.item.sk, condition=write.condition)
                    elif isinstance(write, Put):
                        tx.save(write.item, condition=write.condition)
                    elif isinstance(write, Update):
                        tx.update(write.item, actions=list(write.actions), condition=write.condition)
                    else:
                        tx.delete(write.item, condition=write.condition)
            return
        except TransactWriteError as exc:
            reasons = exc.cancellation_reasons or []
            for write, reason in zip(ordered, reasons, strict=False):
                if reason is not None and reason.code == "ConditionalCheckFailed":
                    raise (write.on_conflict or ConflictError("the record was changed by someone else")) from exc
            if attempt == attempts or not any(r is not None and r.code == "TransactionConflict" for r in reasons):
                raise
            time.sleep(random.uniform(0, 0.05 * attempt))


def transact_refusals(writes: Sequence[Write]) -> set[int]:
    """Write everything or nothing, like `transact`; when conditions fail, write nothing and
    return the positions (in `writes`) of every write whose condition failed, not just the first.

    Bulk work (an import claiming many guards at once) drops the refused ones and tries again.
    """
    if len(writes) > MAX_TRANSACTION_ITEMS:
        raise ValueError(f"a transaction holds at most {MAX_TRANSACTION_ITEMS} items, got {len(writes)}")
    order = [i for kind in (Check, Delete, Put, Update) for i, w in enumerate(writes) if isinstance(w, kind)]
    try:
        transact(writes)
    except ConflictError as exc:
        cause = exc.__cause__
        if not isinstance(cause, TransactWriteError):
            raise
        reasons = cause.cancellation_reasons or []
        return {
            order[position]
            for position, reason in enumerate(reasons)
            if reason is not None and reason.code == "ConditionalCheckFailed"
        }
    return set()
