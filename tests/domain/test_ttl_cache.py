"""The per-container cache of what rarely changes (PBX webhooks: slug, CRM, routing target)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from chalicelib.domain.ttl_cache import TtlCache
from tests.fakes.clock import ManualClock


def test_values_are_kept_for_the_ttl_bounded_in_number_and_none_is_read_again() -> None:
    clock = ManualClock(datetime(2026, 12, 1, tzinfo=UTC))
    reads: list[str] = []

    def load(key: str) -> str | None:
        reads.append(key)
        return None if key == "missing" else key.upper()

    cache: TtlCache[str, str] = TtlCache(clock, timedelta(seconds=60), size=2)
    assert [cache.get("a", load), cache.get("a", load)] == ["A", "A"]
    assert reads == ["a"]
    clock.advance(seconds=60)
    assert cache.get("a", load) == "A"
    assert reads == ["a", "a"]
    assert cache.get("missing", load) is None
    assert cache.get("missing", load) is None
    assert reads.count("missing") == 2  # a CRM created a moment later is found
    cache.get("b", load), cache.get("c", load)  # at most 2 kept: "a", the oldest, goes
    cache.get("a", load)
    assert reads[-3:] == ["b", "c", "a"]
    cache.forget("a")
    cache.get("a", load)
    assert reads[-1] == "a"
