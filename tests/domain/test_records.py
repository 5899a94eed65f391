"""`@record` behaves as `@dataclass(frozen=True, slots=True)`, only cheaper to define."""

from __future__ import annotations

import copy
import dataclasses
import pickle
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

import pytest

from chalicelib.domain.records import record

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Plain:
    """The reference."""

    id: str
    name: str
    tags: tuple[str, ...] = ()
    data: dict[str, Any] = field(default_factory=dict)
    note: str | None = field(default=None, compare=False)
    secret: str = field(default="", repr=False)


@record(frozen=True, slots=True)
class Rec:
    """The same fields as a record."""

    id: str
    name: str
    tags: tuple[str, ...] = ()
    data: dict[str, Any] = field(default_factory=dict)
    note: str | None = field(default=None, compare=False)
    secret: str = field(default="", repr=False)


def both(*args: Any, **kwargs: Any) -> tuple[Any, Any]:
    return Plain(*args, **kwargs), Rec(*args, **kwargs)


def test_construction_defaults_and_factories() -> None:
    plain, rec = both("1", name="n")
    assert [getattr(rec, f.name) for f in dataclasses.fields(rec)] == ["1", "n", (), {}, None, ""]
    assert rec.data is not Rec("2", "m").data  # a fresh default each time
    assert dataclasses.astuple(rec) == dataclasses.astuple(plain)
    assert dataclasses.asdict(rec) == dataclasses.asdict(plain)
    assert Rec.__match_args__ == Plain.__match_args__
    assert Rec.__annotations__ == Plain.__annotations__
    assert [(f.name, f.type, f.compare, f.repr) for f in dataclasses.fields(Rec)] == [
        (f.name, f.type, f.compare, f.repr) for f in dataclasses.fields(Plain)
    ]
    assert Rec.__slots__ == Plain.__slots__
    assert not hasattr(rec, "__dict__")


def test_equality_hash_and_repr() -> None:
    plain, rec = both("1", "n", ("a",), note="x", secret="s")
    assert repr(rec) == repr(plain).replace("Plain(", "Rec(")
    assert rec == Rec("1", "n", ("a",), note="other", secret="s")  # `note` is not compared
    assert plain == Plain("1", "n", ("a",), note="other", secret="s")
    assert rec != Rec("1", "n", ("b",))
    assert rec != plain  # another class
    assert rec.__eq__(plain) is NotImplemented
    hashable_plain, hashable_rec = both("1", "n", ("a",), data=None, note="x")
    assert hash(hashable_rec) == hash(hashable_plain)
    assert {hashable_rec, Rec("1", "n", ("a",), data=None, note="y")} == {hashable_rec}  # type: ignore[arg-type]


def test_frozen_replace_copy_and_pickle() -> None:
    rec = Rec("1", "n", ("a",))
    with pytest.raises(dataclasses.FrozenInstanceError, match="cannot assign to field 'name'"):
        rec.name = "m"  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError, match="cannot delete field 'name'"):
        del rec.name
    assert dataclasses.replace(rec, name="m") == Rec("1", "m", ("a",))
    assert copy.copy(rec) == rec
    assert copy.deepcopy(rec) == rec
    assert pickle.loads(pickle.dumps(rec)) == rec


@pytest.mark.parametrize(
    ("args", "kwargs"),
    [
        ((), {}),
        (("1",), {}),
        (("1", "n"), {"id": "2"}),
        (("1", "n"), {"nope": 1}),
        (("1", "n", (), {}, None, "", "extra"), {}),
    ],
)
def test_wrong_arguments_fail_alike(args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    with pytest.raises(TypeError) as plain:
        Plain(*args, **kwargs)
    with pytest.raises(TypeError) as rec:
        Rec(*args, **kwargs)
    assert str(rec.value) == str(plain.value).replace("Plain", "Rec")


def test_what_a_record_cannot_be() -> None:
    with pytest.raises(TypeError):

        @record(frozen=True, slots=True)
        class Undocumented:
            id: str

    with pytest.raises(TypeError):

        @record(frozen=True)
        class Unslotted:
            """Not slotted."""

            id: str


@dataclass(slots=True, order=True)
class PlainMutable:
    """The reference."""

    n: int
    items: list[int] = field(default_factory=list)


@record(slots=True, order=True)
class RecMutable:
    """A mutable record."""

    n: int
    items: list[int] = field(default_factory=list)


def test_mutable_and_ordered() -> None:
    rec = RecMutable(2)
    rec.items.append(1)
    rec.n = 3
    assert repr(rec) == "RecMutable(n=3, items=[1])"
    assert RecMutable.__hash__ is None
    assert PlainMutable.__hash__ is None
    assert sorted([RecMutable(3), RecMutable(1, [2]), RecMutable(1, [1])]) == [
        RecMutable(1, [1]),
        RecMutable(1, [2]),
        RecMutable(3),
    ]
    assert RecMutable(1) <= RecMutable(1)
    assert RecMutable(2) > RecMutable(1)
    assert RecMutable(2) >= RecMutable(2)
    with pytest.raises(TypeError):
        _ = RecMutable(1) < PlainMutable(2)
    assert pickle.loads(pickle.dumps(rec)) == rec


@record(frozen=True, slots=True)
class Box(Generic[T]):
    """A generic record."""

    items: Sequence[T]


def test_generic() -> None:
    assert Box[int]([1]) == Box([1])
    assert repr(Box(())) == "Box(items=())"
