"""In-memory Teamsale ids (`chalicelib.ports.storage.TeamsaleIds`): one sequence per CRM."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field


@dataclass
class FakeTeamsaleIds:
    last: int = 0
    by_ref: dict[str, int] = field(default_factory=dict)
    by_number: dict[int, str] = field(default_factory=dict)

    def numbers(self, refs: Collection[str]) -> dict[str, int]:
        return {r: self.by_ref[r] for r in refs if r in self.by_ref}

    def reserve(self, count: int) -> range:
        self.last += count
        return range(self.last - count + 1, self.last + 1)

    def assign(self, refs: Collection[str]) -> dict[str, int]:
        wanted = list(dict.fromkeys(refs))
        out: dict[str, int] = {}
        for ref, number in zip(wanted, self.reserve(len(wanted)), strict=True):
            if ref not in self.by_ref:
                self.by_ref[ref] = number
                self.by_number[number] = ref
            out[ref] = self.by_ref[ref]
        return out

    def ref(self, number: int) -> str | None:
        return self.by_number.get(number)
