"""What the fake repositories share: transactions, pages, versions, unique values."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any, TypeVar

from chalicelib.domain.errors import ConflictError, NotFoundError, StaleVersionError
from chalicelib.domain.paging import Page

T = TypeVar("T")


@dataclass
class FakeWrite:
    """One change of a transaction: `check` raises if it cannot apply, `apply` changes state."""

    apply: Callable[[], None]
    check: Callable[[], None] = lambda: None


def page(items: Sequence[T], limit: int, cursor: str | None) -> Page[T]:
    """A page of already-ordered items; the cursor is the offset (opaque to services)."""
    start = int(cursor or 0)
    chunk = list(items[start : start + limit])
    more = start + limit < len(items)
    return Page(chunk, str(start + limit) if more else None)


def commit(writes: Iterable[Any]) -> None:
    """All checks first, then every change: a failed check leaves everything as it was."""
    writes = list(writes)
    for write in writes:
        write.check()
    for write in writes:
        write.apply()


def versioned_save(store: dict[str, Any], before: Any, after: Any, what: str) -> Any:
    """Replace a record if it is still at `before.version` (the table's condition)."""
    current = store.get(before.id)
    if current is None or current.version != before.version:
        raise StaleVersionError(what)
    saved = replace(after, version=before.version + 1)
    store[after.id] = saved
    return saved


def versioned_delete(store: dict[str, Any], record: Any, what: str) -> None:
    current = store.get(record.id)
    if current is None or current.version != record.version:
        raise StaleVersionError(what)
    del store[record.id]


def require(record: T | None, message: str) -> T:
    if record is None:
        raise NotFoundError(message)
    return record


def claim(guards: dict[str, str], value: str, owner: str, error: ConflictError) -> FakeWrite:
    """A unique value (email, extension, slug) taken for `owner`, or the conflict."""

    def check() -> None:
        if guards.get(value, owner) != owner:
            raise error

    return FakeWrite(lambda: guards.__setitem__(value, owner), check)
