"""What the webhook service needs (docs/webhooks.md): its records and outbox, and the HTTP
sender. For the type checker only (services import it under TYPE_CHECKING)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol

if TYPE_CHECKING:
    from chalicelib.domain.hooks import Attempt, Emitted, Hook, HookEvent, HookStatus, Message


class Queued(NamedTuple):
    """An item of the outbox: an event to fan out (`emitted`) or a message to retry (`message`)."""

    handle: Any  # the stored item, handed back to claim and finish
    emitted: Emitted | None = None
    message: Message | None = None


class Answer(NamedTuple):
    status: int | None  # None: no answer (timeout, connection refused, address refused)
    error: str | None = None
    refused: bool = False  # the target's address is not allowed (SSRF): never retried


# The ports below are for the type checker only (their users import them under TYPE_CHECKING):
# no Lambda pays for creating them at its cold start.
if TYPE_CHECKING:

    class Hooks(Protocol):
        """One CRM's hooks and their delivery log (AP140-AP144)."""

        def get(self, hook_id: str) -> Hook | None: ...
        def list_all(self) -> list[Hook]: ...
        def find(self, owner_id: str, event: HookEvent, url: str) -> Hook | None: ...
        def create(self, hook: Hook) -> Hook:
            """The hook, or the owner's existing one of this event and URL."""

        def delete(self, hook: Hook) -> bool: ...
        def set_state(self, hook: Hook, status: HookStatus, failing_since: datetime | None) -> None: ...
        def log(self, hook_id: str, attempt: Attempt) -> None: ...
        def attempts(self, hook_id: str, limit: int) -> list[Attempt]: ...

    class HookQueue(Protocol):
        """The outbox of every CRM by hour (AP145, AP146)."""

        def due(self, hour: datetime, until: datetime) -> Iterator[Queued]: ...
        def claim(self, queued: Queued, now: datetime, lease: timedelta) -> bool: ...
        def finish(self, queued: Queued, retries: Sequence[tuple[Message, datetime]] = ()) -> None: ...
        def watermark(self) -> datetime | None: ...
        def set_watermark(self, hour: datetime) -> None: ...
        def start_watermark(self, hour: datetime) -> None: ...

    class HookStore(Protocol):
        def hooks(self, tenant_id: str) -> Hooks: ...

        @property
        def queue(self) -> HookQueue: ...

    class WebhookSender(Protocol):
        def check(self, url: str) -> None:
            """Raise ValidationError (field target_url) unless the URL may be delivered to."""

        def send(self, url: str, secret: str, webhook_id: str, body: str) -> Answer:
            """POST the body signed per Standard Webhooks, the address checked after DNS."""
