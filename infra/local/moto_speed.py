"""Keep moto's DynamoDB fast as the table grows, for the local stack, the tests and the benchmarks.

Three of moto's paths cost time in proportion to the whole table, where DynamoDB's cost depends
only on what they touch, and a fourth in proportion to the square of an item's attributes:

- a Query on the table (not an index) sorts every item of the table to find one partition, and
  a partition to find the few items its sort key condition keeps;
- a Query on an index compares every item of the table with the partition key through
  DynamoType's casting equality (here: plain strings first, moto then sees that partition only);
- TransactWriteItems deep-copies the whole table first, to roll back if the transaction fails;
- building an Item (every put, copy and answer) checks the 400 KB limit after each attribute by
  sizing all the attributes so far: a 30-attribute record sized 465 values (a tenth of the API
  tests' time, measured). Here the item is sized once, and refused when that total passes the same limit
  (sizes are never negative, so the last check was the one that could fail); later sets, by an
  update, check as moto does.

With a few hundred thousand items (a 100,000-row import, or a laptop CRM used for a year) a
single transaction took seconds. Here a Query reads its own partition only, and a transaction
keeps copies of the items it names only, putting them back if it fails. Answers are unchanged:
the same items in the same order, the same errors, nothing of a failed transaction left behind.
`moto_atomic.install()` installs these first, then serialises them under its lock.
"""

from __future__ import annotations

import copy
import functools
from collections.abc import Callable
from typing import Any, cast

from moto.dynamodb.comparisons import get_comparison_func
from moto.dynamodb.exceptions import ItemSizeTooLarge
from moto.dynamodb.models import DynamoDBBackend
from moto.dynamodb.models.dynamo_type import DynamoType, Item, LimitedSizeDict
from moto.dynamodb.models.table import Table
from moto.dynamodb.models.utilities import bytesize

from infra.local import moto_serialize

_MARK = "__crm_speed__"
_COUNTED = "__crm_counted__"
_INDEX_CACHE = "_crm_index_partitions"
# Every call of the backend that may change an item (or a table's indexes); batches and
# restores go through put_item. Each one counts in _writes (see _counted).
_WRITE_METHODS = (
    "put_item", "update_item", "delete_item", "transact_write_items", "update_table",
    "update_table_global_indexes", "delete_table", "execute_statement", "execute_transaction",
    "batch_execute_statement",
)  # fmt: skip
# The number of writes so far: one cell, bumped under moto_atomic's lock, as all reads are.
_writes = [0]

# (table, hash key, range key or None) -> the item before the transaction, or None if absent
Journal = dict[tuple[Table, DynamoType, DynamoType | None], Item | None]


def _partition_query(query: Callable[..., Any]) -> Callable[..., Any]:
    """A Query on the table's own key reads one partition, and sorts only the items its sort key
    condition keeps (moto sorts the partition, then applies the condition to every item)."""

    @functools.wraps(query)
    def fast(
        self: Table, hash_key: DynamoType | None, range_comparison: str | None, range_objs: list[DynamoType],
        *args: Any, **kwargs: Any,
    ) -> Any:  # fmt: skip
        index_name = args[4] if len(args) > 4 else kwargs.get("index_name")
        if index_name and hash_key is not None and hash_key.type == "S":
            found = _index_partition(self, index_name, hash_key)
            if found is None:  # moto's own answer (an unknown index, a composite key)
                return query(self, hash_key, range_comparison, range_objs, *args, **kwargs)
            in_partition: list[Item] = found
            self.all_items = lambda: in_partition  # type: ignore[method-assign]
            try:
                return query(self, hash_key, range_comparison, range_objs, *args, **kwargs)
            finally:
                del self.all_items
        if index_name or hash_key is None or not self.range_key_attr:
            return query(self, hash_key, range_comparison, range_objs, *args, **kwargs)
        partition = self.items.get(hash_key)  # .get: never grow the defaultdict on a read
        items = _matching(partition, range_comparison, range_objs) if partition else []
        # moto filters all_items() by hash key, sorts, then applies the condition: give it these.
        self.all_items = lambda: items  # type: ignore[method-assign]
        try:
            return query(self, hash_key, range_comparison, range_objs, *args, **kwargs)
        finally:
            del self.all_items

    setattr(fast, _MARK, True)
    return fast


def _index_partition(table: Table, index_name: str, hash_key: DynamoType) -> list[Item] | None:
    """The items of one partition of an index, found by comparing plain strings: moto sorts the
    whole table and compares every item through DynamoType's casting equality (seconds with a
    few thousand deals on a board), then keeps the same items. The index's partitions are grouped
    in one pass and kept until the next write, so the six columns of a board cost one pass, not
    six. None when the index is not a one-attribute one."""
    index = next((i for i in table.all_indexes() if i.name == index_name), None)
    if index is None:
        return None
    hash_attrs = [k["AttributeName"] for k in index.schema if k["KeyType"] == "HASH"]
    if len(hash_attrs) != 1:
        return None
    cache: tuple[int, dict[str, dict[str, list[Item]]]] | None = getattr(table, _INDEX_CACHE, None)
    if cache is None or cache[0] != _writes[0]:
        cache = (_writes[0], {})
        setattr(table, _INDEX_CACHE, cache)
    groups = cache[1].get(index_name)
    if groups is None:
        groups = cache[1][index_name] = _group(table, hash_attrs[0])
    return list(groups.get(hash_key.value, ()))


def _group(table: Table, attr: str) -> dict[str, list[Item]]:
    """Every item of the table by its string value of `attr` (an index's partition key)."""
    # Not `all_items()`, which sorts the whole table; moto orders a partition by the index's keys.
    stored = (item for part in table.items.values() for item in (part.values() if table.range_key_attr else [part]))
    groups: dict[str, list[Item]] = {}
    for item in stored:
        if not isinstance(item, Item):
            continue
        value = item.attrs.get(attr)
        if value is not None and value.type == "S":
            groups.setdefault(value.value, []).append(item)
    return groups


def _counted(write: Callable[..., Any]) -> Callable[..., Any]:
    """A write method that makes the grouped index partitions stale, before and after it runs
    (a write that fails half way may have changed items, then put them back)."""

    @functools.wraps(write)
    def counted(*args: Any, **kwargs: Any) -> Any:
        _writes[0] += 1
        try:
            return write(*args, **kwargs)
        finally:
            _writes[0] += 1

    setattr(counted, _COUNTED, True)
    return counted


def _matching(partition: dict[DynamoType, Item], comparison: str | None, bounds: list[DynamoType]) -> list[Item]:
    """The partition's items whose sort key meets the condition (by moto's own comparison), and
    the nearest item on each side of that range: moto returns a LastEvaluatedKey when an item,
    matching or not, follows the Limit-th match, and must still see that it does."""
    if not comparison:
        return list(partition.values())
    test = get_comparison_func(comparison)
    if test is None:
        return list(partition.values())  # moto raises its own error for it
    values = [_plain(b) for b in bounds]
    keyed = [(_plain(key), item) for key, item in partition.items()]
    try:
        inside = [(k, item) for k, item in keyed if test(k, *values)]
        if not inside:
            return []
        low, high = min(k for k, _ in inside), max(k for k, _ in inside)
        below = max(((k, i) for k, i in keyed if k < low), key=lambda pair: pair[0], default=None)
        above = min(((k, i) for k, i in keyed if k > high), key=lambda pair: pair[0], default=None)
    except TypeError:  # keys of mixed types: let moto compare them its own way
        return list(partition.values())
    return [item for _, item in inside] + [pair[1] for pair in (below, above) if pair is not None]


def _plain(value: DynamoType) -> Any:
    # A string's cast_value is the string: skip that property's chain of type checks (the hot path).
    return value.value if value.type == "S" else value.cast_value


def _key_of(table: Table, op_type: str, op: dict[str, Any]) -> tuple[DynamoType, DynamoType | None]:
    key = op["Item"] if op_type == "Put" else op["Key"]
    hash_key = DynamoType(key[table.hash_key_attr])
    range_key = DynamoType(key[table.range_key_attr]) if table.range_key_attr else None
    return hash_key, range_key


def _stored(table: Table, hash_key: DynamoType, range_key: DynamoType | None) -> Item | None:
    partition = table.items.get(hash_key)
    if partition is None:
        return None
    if range_key is None:
        return partition  # type: ignore[return-value]  # a hash-only table stores the item itself
    return partition.get(range_key)


def _put_back(journal: Journal) -> None:
    for (table, hash_key, range_key), before in journal.items():
        if range_key is None:
            if before is None:
                table.items.pop(hash_key, None)
            else:
                table.items[hash_key] = before  # type: ignore[assignment]
        elif before is None:
            table.items.get(hash_key, {}).pop(range_key, None)
        else:
            table.items[hash_key][range_key] = before


def _journaled_transaction(transact: Callable[..., Any]) -> Callable[..., Any]:
    """Roll a failed transaction back from copies of the items it names, not of the table."""

    @functools.wraps(transact)
    def fast(self: DynamoDBBackend, transact_items: list[dict[str, Any]]) -> Any:
        journal: Journal = {}
        try:
            for entry in transact_items[:100]:  # moto refuses more itself
                op_type, op = next(iter(entry.items()))
                table = self.tables.get(op.get("TableName"))
                if table is None or op_type not in ("Put", "Update", "Delete", "ConditionCheck"):
                    continue
                hash_key, range_key = _key_of(table, op_type, op)
                journal.setdefault((table, hash_key, range_key), copy.deepcopy(_stored(table, hash_key, range_key)))
        except (KeyError, TypeError, ValueError, StopIteration):
            return transact(self, transact_items)  # malformed: let moto answer it the slow way
        # moto's own backup is `copy.deepcopy(table)` and its rollback puts that copy in place:
        # while this call runs, the "copy" is the table itself and the journal does the rollback.
        Table.__deepcopy__ = lambda table, memo: table  # type: ignore[attr-defined]
        try:
            return transact(self, transact_items)
        except Exception:
            _put_back(journal)
            raise
        finally:
            del Table.__deepcopy__  # type: ignore[attr-defined]

    setattr(fast, _MARK, True)
    return fast


def install() -> None:
    """Idempotent (also serialises answers faster: moto_serialize). Called by `moto_atomic.install`
    before it adds its lock around these methods, so that the table state patched during a call is
    never seen by another thread."""
    if "__deepcopy__" in vars(Table):
        raise RuntimeError("moto's Table copies itself differently now: review moto_speed")
    moto_serialize.install()
    if not getattr(Table.query, _MARK, False):
        Table.query = _partition_query(Table.query)  # type: ignore[method-assign]
    if not getattr(Item.__init__, _MARK, False):
        Item.__init__ = _same_fields(Item.__init__, _sized_once(Item.__init__))  # type: ignore[method-assign]
    # functools.wraps copies these marks onto each wrapper, moto_atomic's lock included.
    if not getattr(DynamoDBBackend.transact_write_items, _MARK, False):
        _refuse_if_locked(DynamoDBBackend.transact_write_items)
        DynamoDBBackend.transact_write_items = _journaled_transaction(  # type: ignore[method-assign]
            DynamoDBBackend.transact_write_items
        )
    for name in _WRITE_METHODS:
        method = getattr(DynamoDBBackend, name)
        if not getattr(method, _COUNTED, False):
            _refuse_if_locked(method)
            setattr(DynamoDBBackend, name, _counted(method))


# moto's own limit (LimitedSizeDict.__setitem__): between DynamoDB's measured 409 and 410 KB.
_ITEM_LIMIT = 405_000


def _sized_once(init: Callable[..., None]) -> Callable[..., None]:
    """`Item.__init__` sizing the whole item once instead of once per attribute."""

    @functools.wraps(init)
    def fast(self: Item, hash_key: DynamoType, range_key: DynamoType | None, attrs: dict[str, Any]) -> None:
        self.hash_key = hash_key
        self.range_key = range_key
        values = {key: DynamoType(value) for key, value in attrs.items()}
        if sum(bytesize(key) + value.size() for key, value in values.items()) > _ITEM_LIMIT:
            raise ItemSizeTooLarge
        self.attrs = LimitedSizeDict()
        dict.update(self.attrs, values)  # past LimitedSizeDict.__setitem__: checked above

    setattr(fast, _MARK, True)
    return fast


def _same_fields(init: Callable[..., None], fast: Callable[..., None]) -> Callable[..., None]:
    """`fast`, once it builds an Item with the fields moto's own `init` gives it."""
    key, attrs = DynamoType({"S": "k"}), {"pk": {"S": "k"}, "n": {"N": "1"}}
    theirs, ours = cast("Item", Item.__new__(Item)), cast("Item", Item.__new__(Item))
    init(theirs, key, None, attrs)
    fast(ours, key, None, attrs)
    if vars(theirs).keys() != vars(ours).keys() or dict(theirs.attrs) != dict(ours.attrs):
        raise RuntimeError("moto's Item builds itself differently now: review moto_speed")
    return fast


def _refuse_if_locked(method: Callable[..., Any]) -> None:
    if getattr(method, "__crm_atomic__", False):
        raise RuntimeError("install moto_speed before moto_atomic locks the backend")
