"""A small per-container cache of what rarely changes (a CRM's slug, its record, a user), each
value kept `ttl` after it was read, at most `size` values (the oldest read goes first)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Generic, TypeVar

K = TypeVar("K")
V = TypeVar("V")


class TtlCache(Generic[K, V]):
    def __init__(self, clock: Callable[[], datetime], ttl: timedelta, size: int = 256) -> None:
        self._clock, self._ttl, self._size = clock, ttl, size
        self._values: dict[K, tuple[datetime, V]] = {}

    def get(self, key: K, load: Callable[[K], V | None]) -> V | None:
        """The kept value, or `load(key)` kept for `ttl` (None is not kept: it is read again)."""
        now = self._clock()
        kept = self._values.get(key)
        if kept is not None and now - kept[0] < self._ttl:
            return kept[1]
        value = load(key)
        self._values.pop(key, None)
        if value is not None:
            while len(self._values) >= self._size:
                del self._values[next(iter(self._values))]
            self._values[key] = (now, value)
        return value

    def forget(self, key: K) -> None:
        self._values.pop(key, None)
