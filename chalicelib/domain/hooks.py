"""Outgoing webhooks (Zapier REST hooks, ZA-1): subscriptions, the events a record write emits,
the retry schedule, and the SSRF rule on target URLs.

An event is decided from a record before and after a write (`events_of`), like the rollups'
contributions: the repositories call it in the write's own transaction, so an event exists only
for a write that committed. docs/webhooks.md describes the whole flow.
"""

from __future__ import annotations

import dataclasses
import ipaddress
import types
import typing
from collections.abc import Callable, Iterable
from datetime import date, datetime, timedelta
from enum import Enum, StrEnum
from typing import Any, NamedTuple
from urllib.parse import urlsplit

from chalicelib.domain.errors import ValidationError
from chalicelib.domain.records import record

MAX_HOOKS = 100  # per CRM: the list is one Query
MAX_URL_LENGTH = 2000
# A message is tried at these delays after its first attempt failed (Standard Webhooks' advice,
# rounded to the worker's minute): then it is given up and logged `failed`.
RETRY_DELAYS = (
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=5),
    timedelta(hours=10),
    timedelta(hours=24),
    timedelta(hours=24),
)
# A hook whose deliveries have failed (and none succeeded) for this long is disabled.
DISABLE_AFTER = timedelta(days=3)
# Delivery log entries and queued messages are kept this long (DynamoDB's TTL).
LOG_KEEP = timedelta(days=30)
LOG_PAGE = 50
SAMPLES = 3


class HookEvent(StrEnum):
    LEAD_CREATED = "lead.created"
    CLIENT_CREATED = "client.created"
    DEAL_CREATED = "deal.created"
    DEAL_STATUS_CHANGED = "deal.status_changed"
    TASK_CREATED = "task.created"
    TASK_COMPLETED = "task.completed"
    CALL_COMPLETED = "call.completed"


class HookStatus(StrEnum):
    ACTIVE = "active"
    DISABLED = "disabled"  # failing for DISABLE_AFTER: its owner was notified


class Outcome(StrEnum):
    """What became of one delivery attempt."""

    DELIVERED = "delivered"  # 2xx
    RETRYING = "retrying"  # timeout, connection error, 429, 5xx: tried again later
    FAILED = "failed"  # another 4xx, a refused address, or retries exhausted
    GONE = "gone"  # 410: the hook was deleted


@record(frozen=True, slots=True)
class Hook:
    """A webhook subscription: where one event of one CRM is delivered, and how it fares."""

    id: str
    event: HookEvent
    target_url: str
    secret: str  # whsec_<base64>
    owner_id: str
    created_at: datetime
    status: HookStatus = HookStatus.ACTIVE
    failing_since: datetime | None = None


@record(frozen=True, slots=True)
class Attempt:
    """One line of a hook's delivery log."""

    id: str
    webhook_id: str
    event: HookEvent
    at: datetime
    attempt: int
    outcome: Outcome
    response_code: int | None = None
    error: str | None = None


class Emitted(NamedTuple):
    """An event as the outbox keeps it: the record as it was written (`record` is the domain
    object, encoded with `encode` and brought back with `decode`)."""

    id: str
    tenant_id: str
    event: HookEvent
    at: datetime
    record_type: str  # contact | deal | task | call
    record: Any


class Message(NamedTuple):
    """One event to one hook: the body is fixed at the first attempt, so every retry sends the
    same bytes under the same `webhook-id`."""

    webhook_id: str
    tenant_id: str
    hook_id: str
    event: HookEvent
    body: str
    attempt: int  # attempts made so far
    first_at: datetime


def classify(status: int | None) -> Outcome:
    """An answer's outcome (None: a timeout or a connection error)."""
    if status is None or status == 429 or status >= 500:
        return Outcome.RETRYING
    if 200 <= status < 300:
        return Outcome.DELIVERED
    if status == 410:
        return Outcome.GONE
    return Outcome.FAILED


def next_attempt(first_failure: datetime, attempts: int) -> datetime | None:
    """When to try again after `attempts` failed attempts, or None to give up."""
    if attempts > len(RETRY_DELAYS):
        return None
    return first_failure + RETRY_DELAYS[attempts - 1]


# --- the events of a write -------------------------------------------------------------------


def events_of(record_type: str, before: Any, after: Any) -> list[HookEvent]:
    """The events a write of one record emits (none for a deletion)."""
    if after is None:
        return []
    if record_type == "contact":
        if before is None:
            return [HookEvent.LEAD_CREATED if after.is_lead else HookEvent.CLIENT_CREATED]
        if before.is_lead and not after.is_lead:
            return [HookEvent.CLIENT_CREATED]  # a lead converted into a client
        return []
    if record_type == "deal":
        if before is None:
            return [HookEvent.DEAL_CREATED]
        return [HookEvent.DEAL_STATUS_CHANGED] if before.status != after.status else []
    if record_type == "task":
        found = [HookEvent.TASK_CREATED] if before is None else []
        done = str(after.status) == "done"
        if done and (before is None or str(before.status) != "done"):
            found.append(HookEvent.TASK_COMPLETED)
        return found
    if record_type == "call":
        ended = after.status is not None
        return [HookEvent.CALL_COMPLETED] if ended and (before is None or before.status is None) else []
    return []


# --- SSRF: where a hook may point ------------------------------------------------------------


def check_url(url: str, *, allow_loopback_http: bool) -> tuple[str, int]:
    """The host and port of a target URL, if its form is acceptable: https (http too, for a
    loopback host, when the setting allows it); no credentials; a host. Raises ValidationError."""
    if len(url) > MAX_URL_LENGTH:
        raise ValidationError("is too long", field="target_url")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise ValidationError("is not a URL", field="target_url") from None
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise ValidationError("must be an https URL", field="target_url")
    if parts.username or parts.password:
        raise ValidationError("must not hold credentials", field="target_url")
    if parts.scheme == "http" and not allow_loopback_http:
        raise ValidationError("must be an https URL", field="target_url")
    return parts.hostname, port or (443 if parts.scheme == "https" else 80)


def check_addresses(url: str, addresses: Iterable[str], *, allow_loopback_http: bool) -> None:
    """Refuse a target whose host resolves to anything but public addresses (loopback too,
    when allowed: the local stack and the tests). Every address must pass, so a name that
    resolves to a public and a private address is refused. Raises ValidationError."""
    scheme = urlsplit(url).scheme
    found = list(addresses)
    if not found:
        raise ValidationError("has a host that does not resolve", field="target_url")
    for text in found:
        address = ipaddress.ip_address(text.split("%")[0])
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
            address = address.ipv4_mapped
        if allow_loopback_http and address.is_loopback:
            continue
        if scheme != "https" or not address.is_global:
            raise ValidationError("must point to a public address", field="target_url")


# --- the record as it was written, kept in the outbox ---------------------------------------


def encode(value: Any) -> Any:
    """A domain record as JSON-ready values (dataclasses, enums, datetimes, tuples)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: encode(getattr(value, f.name)) for f in dataclasses.fields(value) if f.compare}
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [encode(v) for v in value]
    if isinstance(value, dict):
        return {str(k): encode(v) for k, v in value.items()}
    return value


def decode(cls: type[Any], data: Any) -> Any:
    """`encode`'s inverse for a dataclass type, driven by its type hints."""
    hints = typing.get_type_hints(cls)
    fields = {f.name for f in dataclasses.fields(cls) if f.compare}
    return cls(**{k: _decode(hints[k], v) for k, v in data.items() if k in fields})


def _decode(hint: Any, value: Any) -> Any:
    if value is None:
        return None
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        options = [a for a in typing.get_args(hint) if a is not type(None)]
        return _decode(options[0], value) if len(options) == 1 else value
    if origin is tuple:
        item = typing.get_args(hint)[0]
        return tuple(_decode(item, v) for v in value)
    if origin is list:
        return [_decode(typing.get_args(hint)[0], v) for v in value]
    if origin is dict or hint is Any:
        return value
    if isinstance(hint, type):
        if dataclasses.is_dataclass(hint):
            return decode(hint, value)
        if issubclass(hint, Enum):
            return hint(value)
        if hint is datetime:
            return datetime.fromisoformat(value)
        if hint is date:
            return date.fromisoformat(value)
    return value


Resolver = Callable[[str, int], list[str]]
