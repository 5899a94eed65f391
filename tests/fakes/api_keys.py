"""API keys in memory (`chalicelib.ports.storage.ApiKeys`), with their minute counters."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from datetime import datetime

from chalicelib.domain.api_keys import ApiKey
from chalicelib.domain.errors import ConflictError
from chalicelib.domain.paging import Page


class FakeApiKeys:
    def __init__(self) -> None:
        self.records: dict[str, ApiKey] = {}
        self.requests: Counter[tuple[str, str]] = Counter()
        self.marked = 0  # how many times last_used_at was written

    def get(self, key_id: str) -> ApiKey | None:
        return self.records.get(key_id)

    def page(self, tenant_id: str, *, user_id: str | None, limit: int, cursor: str | None) -> Page[ApiKey]:
        found = sorted(
            (k for k in self.records.values() if k.tenant_id == tenant_id and user_id in (None, k.user_id)),
            key=lambda k: (k.created_at, k.id),
            reverse=True,
        )
        start = int(cursor or 0)
        rest = found[start : start + limit]
        return Page(rest, str(start + limit) if start + limit < len(found) else None)

    def create(self, key: ApiKey) -> None:
        if key.id in self.records:
            raise ConflictError("this key exists")
        self.records[key.id] = key

    def delete(self, key_id: str) -> None:
        self.records.pop(key_id, None)

    def mark_used(self, key_id: str, at: datetime) -> None:
        if key_id in self.records:
            self.marked += 1
            self.records[key_id] = replace(self.records[key_id], last_used_at=at)

    def count_request(self, key_id: str, window: str, now: datetime) -> int:
        self.requests[(key_id, window)] += 1
        return self.requests[(key_id, window)]
