"""Teamsale ids at the edge: the small integers /v1/zcrm shows for our ULIDs (issue 22).

A request's handler renders an id as `num(ulid)`, a placeholder; before the answer is written,
`resolve` numbers every placeholder of it at once (services.teamsale_ids: one BatchGetItem,
plus one counter update and the mapping writes for records shown for the first time), so a
list page costs the same few calls whatever its size. An id the client gives (a path, a
filter, a body) is read back with `ulid` (one GetItem, cached for the request); a number that
names nothing is a 404, as any unknown id.

The request's caller and its cache live in a context variable set by the edge (`request_ids`).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any

from chalicelib.bootstrap import services
from chalicelib.services.teamsale_ids import MAX_SAFE

if TYPE_CHECKING:
    from chalicelib.domain.actor import Actor


class Ref:
    """A record's id awaiting its Teamsale number (`resolve` replaces it in the answer)."""

    __slots__ = ("ref",)

    def __init__(self, ref: str) -> None:
        self.ref = ref

    def __repr__(self) -> str:
        return f"Ref({self.ref!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Ref) and other.ref == self.ref

    def __hash__(self) -> int:
        return hash(self.ref)


class _RequestIds:
    def __init__(self, actor: Actor) -> None:
        self.actor = actor
        self.numbers: dict[str, int] = {}
        self.refs: dict[int, str | None] = {}


_current: ContextVar[_RequestIds | None] = ContextVar("zcrm_ids", default=None)


@contextlib.contextmanager
def request_ids(actor: Actor) -> Iterator[None]:
    """The ids of one Teamsale request (the edge wraps every handler in it)."""
    token = _current.set(_RequestIds(actor))
    try:
        yield
    finally:
        _current.reset(token)


def _ids() -> _RequestIds:
    ids = _current.get()
    if ids is None:
        raise RuntimeError("Teamsale ids outside a /v1/zcrm request")
    return ids


def ulid(number: int) -> str | None:
    """The record a client's number names in the caller's CRM, None if none."""
    ids = _ids()
    if not 0 < number <= MAX_SAFE:
        return None
    if number not in ids.refs:
        ids.refs[number] = services().teamsale_ids.ref(ids.actor, number)
        if (found := ids.refs[number]) is not None:
            ids.numbers[found] = number
    return ids.refs[number]


def resolve(value: Any) -> Any:
    """The answer with every `Ref` replaced by its number, all numbered in one go."""
    wanted: list[str] = []
    _collect(value, wanted)
    if wanted:
        ids = _ids()
        missing = [r for r in dict.fromkeys(wanted) if r not in ids.numbers]
        if missing:
            ids.numbers.update(services().teamsale_ids.numbers(ids.actor, missing))
        return _replace(value, ids.numbers)
    return value


def _collect(value: Any, into: list[str]) -> None:
    if isinstance(value, Ref):
        into.append(value.ref)
    elif isinstance(value, dict):
        for item in value.values():
            _collect(item, into)
    elif isinstance(value, list | tuple):
        for item in value:
            _collect(item, into)


def _replace(value: Any, numbers: dict[str, int]) -> Any:
    if isinstance(value, Ref):
        return numbers[value.ref]
    if isinstance(value, dict):
        return {k: _replace(v, numbers) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_replace(v, numbers) for v in value]
    return value
