"""In-memory webhook storage and a scripted sender, for service tests of `HookService`."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from chalicelib.domain.hooks import Attempt, Emitted, Hook, HookEvent, HookStatus, Message, check_url
from chalicelib.ports.hooks import Answer, Queued


def _hour(at: datetime) -> datetime:
    return at.replace(minute=0, second=0, microsecond=0)


class FakeHooks:
    def __init__(self) -> None:
        self.records: dict[str, Hook] = {}
        self.log_lines: dict[str, list[Attempt]] = {}

    def get(self, hook_id: str) -> Hook | None:
        return self.records.get(hook_id)

    def list_all(self) -> list[Hook]:
        return list(self.records.values())

    def find(self, owner_id: str, event: HookEvent, url: str) -> Hook | None:
        found = [h for h in self.records.values() if (h.owner_id, h.event, h.target_url) == (owner_id, event, url)]
        return found[0] if found else None

    def create(self, hook: Hook) -> Hook:
        existing = self.find(hook.owner_id, hook.event, hook.target_url)
        if existing is not None:
            return existing
        self.records[hook.id] = hook
        return hook

    def delete(self, hook: Hook) -> bool:
        return self.records.pop(hook.id, None) is not None

    def set_state(self, hook: Hook, status: HookStatus, failing_since: datetime | None) -> None:
        if hook.id in self.records:
            self.records[hook.id] = replace(self.records[hook.id], status=status, failing_since=failing_since)

    def log(self, hook_id: str, attempt: Attempt) -> None:
        self.log_lines.setdefault(hook_id, []).append(attempt)

    def attempts(self, hook_id: str, limit: int) -> list[Attempt]:
        return list(reversed(self.log_lines.get(hook_id, [])))[:limit]


@dataclass
class _Item:
    at: datetime
    emitted: Emitted | None = None
    message: Message | None = None
    claimed_until: datetime | None = None


class FakeQueue:
    def __init__(self) -> None:
        self.items: list[_Item] = []
        self.mark: datetime | None = None
        self.watermark_writes = 0

    def emit(self, emitted: Emitted) -> None:
        self.items.append(_Item(emitted.at, emitted=emitted))

    def due(self, hour: datetime, until: datetime) -> Iterator[Queued]:
        found = sorted((i for i in self.items if _hour(i.at) == _hour(hour) and i.at <= until), key=lambda i: i.at)
        for item in found:
            yield Queued(item, emitted=item.emitted, message=item.message)

    def claim(self, queued: Queued, now: datetime, lease: timedelta) -> bool:
        item: _Item = queued.handle
        if item not in self.items or (item.claimed_until is not None and item.claimed_until >= now):
            return False
        item.claimed_until = now + lease
        return True

    def finish(self, queued: Queued, retries: Sequence[tuple[Message, datetime]] = ()) -> None:
        self.items.remove(queued.handle)
        self.items += [_Item(at, message=m) for m, at in retries]

    def watermark(self) -> datetime | None:
        return self.mark

    def set_watermark(self, hour: datetime) -> None:
        self.mark = _hour(hour)
        self.watermark_writes += 1

    def start_watermark(self, hour: datetime) -> None:
        self.mark = self.mark or _hour(hour)


@dataclass
class FakeHookStore:
    tenants: dict[str, FakeHooks] = field(default_factory=dict)
    queue: FakeQueue = field(default_factory=FakeQueue)

    def hooks(self, tenant_id: str) -> FakeHooks:
        return self.tenants.setdefault(tenant_id, FakeHooks())


class ScriptedSender:
    """Answers with the scripted statuses (None: a timeout; then 200) and records what it sent."""

    def __init__(self, *answers: int | None, refused: bool = False) -> None:
        self.answers = list(answers)
        self.refused = refused
        self.sent: list[tuple[str, str, str]] = []  # (url, webhook-id, body)

    def check(self, url: str) -> None:
        check_url(url, allow_loopback_http=False)

    def send(self, url: str, secret: str, webhook_id: str, body: str) -> Answer:
        if self.refused:
            return Answer(None, "address refused", refused=True)
        self.sent.append((url, webhook_id, body))
        status = self.answers.pop(0) if self.answers else 200
        return Answer(status, None if status else "timeout")
