"""`@record(frozen=True, slots=True)`: a slotted dataclass that is cheaper to define.

For mypy `record` is `dataclasses.dataclass` itself, so everything is checked as for a dataclass.
At runtime it is a dataclass too (`fields`, `replace`, `asdict`, `__match_args__`, pickling), but
its `__init__`, `__eq__`, `__hash__`, `__repr__` (and, frozen, `__setattr__` and `__delattr__`;
with `order=True` the comparisons) are shared functions reading the class's fields, with the
behaviour of the ones `dataclasses` writes. `dataclasses` writes those as source text and
compiles each one for every class: about 1 ms a class on Python 3.11, paid at every Lambda's
cold start by each dataclass its path defines (the import worker's defined 25). A record costs a
tenth of that to define; creating one costs a few microseconds more, nothing beside the DynamoDB
call that reads it.

Only what the records use is supported, and anything else is refused at definition (it stays a
plain dataclass): slotted, no base but `Generic`, a docstring (a dataclass without one formats its
signature into one), no `__post_init__`; fields positional with defaults, `default_factory`,
`compare=False`, `repr=False`.
"""

from __future__ import annotations

import dataclasses
import functools
import inspect
import reprlib
from typing import TYPE_CHECKING, Any, Generic

if TYPE_CHECKING:
    from dataclasses import dataclass as record
else:

    def record(cls=None, /, *, frozen=False, slots=False, order=False):
        if not slots:
            raise TypeError("record: slotted records only (@record(frozen=True, slots=True) or @record(slots=True))")
        return functools.partial(_record, frozen=frozen, order=order) if cls is None else _record(cls, frozen, order)


def _record(cls: type, frozen: bool = False, order: bool = False) -> type:
    if "__post_init__" in cls.__dict__ or cls.__bases__ not in ((object,), (Generic,)) or not cls.__doc__:
        raise TypeError(f"{cls.__qualname__}: a record has a docstring, no __post_init__ and no base class")
    # The annotations are strings (`from __future__ import annotations`): dataclasses would match
    # each one three times against ClassVar, InitVar and KW_ONLY, which a record never uses. It
    # sees placeholders instead; the strings go back on the class and its fields.
    annotations = inspect.get_annotations(cls)
    if any(not isinstance(a, str) or "ClassVar" in a or "InitVar" in a or "KW_ONLY" in a for a in annotations.values()):
        raise TypeError(f"{cls.__qualname__}: a record's annotations are strings, without ClassVar or InitVar")
    cls.__annotations__ = dict.fromkeys(annotations, object)
    cls = dataclasses.dataclass(cls, init=False, repr=False, eq=False, slots=True)
    cls.__annotations__ = annotations
    fields = dataclasses.fields(cls)
    for f in fields:
        f.type = annotations[f.name]
    if not all(f.init and f.kw_only is False and f.hash is None for f in fields):
        raise TypeError(f"{cls.__qualname__}: a record's fields are all init, positional, hashed when compared")
    # Each field as (name, default, factory); _REQUIRED: neither.
    cls.__record__ = tuple(  # type: ignore[attr-defined]
        (
            f.name,
            _REQUIRED if f.default is dataclasses.MISSING else f.default,
            None if f.default_factory is dataclasses.MISSING else f.default_factory,
        )
        for f in fields
    )
    cls.__record_names__ = tuple(f.name for f in fields)  # type: ignore[attr-defined]
    cls.__record_compared__ = tuple(f.name for f in fields if f.compare)  # type: ignore[attr-defined]
    cls.__record_shown__ = tuple(f.name for f in fields if f.repr)  # type: ignore[attr-defined]
    # The same functions in every record: nothing compiled.
    methods = {**_METHODS, **(_FROZEN if frozen else _MUTABLE), **(_ORDER if order else {})}
    for name, method in methods.items():
        setattr(cls, name, method)
    return cls


def _init(self: Any, *args: Any, **kwargs: Any) -> None:
    spec = self.__record__
    if len(args) > len(spec):
        required = sum(1 for _, default, factory in spec if default is _REQUIRED and factory is None)
        takes = f"{len(spec) + 1}" if required == len(spec) else f"from {required + 1} to {len(spec) + 1}"
        raise TypeError(
            f"{type(self).__qualname__}.__init__() takes {takes} positional arguments but {len(args) + 1} were given"
        )
    put = object.__setattr__
    missing = []
    for i, (name, default, factory) in enumerate(spec):
        if i < len(args):
            if name in kwargs:
                raise TypeError(f"{type(self).__qualname__}.__init__() got multiple values for argument {name!r}")
            put(self, name, args[i])
            continue
        value = kwargs.pop(name, default)
        if value is _REQUIRED:
            if factory is None:
                missing.append(name)
                continue
            value = factory()
        put(self, name, value)
    if kwargs:
        unexpected = next(iter(kwargs))
        raise TypeError(f"{type(self).__qualname__}.__init__() got an unexpected keyword argument {unexpected!r}")
    if missing:
        names = [repr(n) for n in missing]
        listed = (
            names[0] if len(names) == 1 else f"{', '.join(names[:-1])}{',' if len(names) > 2 else ''} and {names[-1]}"
        )
        raise TypeError(
            f"{type(self).__qualname__}.__init__() missing {len(missing)} required positional"
            f" argument{'s' if len(missing) > 1 else ''}: {listed}"
        )


def _eq(self: Any, other: Any) -> Any:
    if other.__class__ is self.__class__:
        names = self.__record_compared__
        return tuple([getattr(self, n) for n in names]) == tuple([getattr(other, n) for n in names])
    return NotImplemented


def _hash(self: Any) -> int:
    return hash(tuple([getattr(self, n) for n in self.__record_compared__]))


@reprlib.recursive_repr()
def _repr(self: Any) -> str:
    shown = ", ".join(f"{n}={getattr(self, n)!r}" for n in self.__record_shown__)
    return f"{self.__class__.__qualname__}({shown})"


def _setattr(self: Any, name: str, value: Any) -> None:
    raise dataclasses.FrozenInstanceError(f"cannot assign to field {name!r}")


def _delattr(self: Any, name: str) -> None:
    raise dataclasses.FrozenInstanceError(f"cannot delete field {name!r}")


def _getstate(self: Any) -> list[Any]:
    return [getattr(self, n) for n in self.__record_names__]


def _setstate(self: Any, state: list[Any]) -> None:
    for name, value in zip(self.__record_names__, state, strict=True):
        object.__setattr__(self, name, value)


_REQUIRED: Any = object()  # a field without a default


def _compared(self: Any) -> tuple[Any, ...]:
    return tuple([getattr(self, n) for n in self.__record_compared__])


def _lt(self: Any, other: Any) -> Any:
    return _compared(self) < _compared(other) if other.__class__ is self.__class__ else NotImplemented


def _le(self: Any, other: Any) -> Any:
    return _compared(self) <= _compared(other) if other.__class__ is self.__class__ else NotImplemented


def _gt(self: Any, other: Any) -> Any:
    return _compared(self) > _compared(other) if other.__class__ is self.__class__ else NotImplemented


def _ge(self: Any, other: Any) -> Any:
    return _compared(self) >= _compared(other) if other.__class__ is self.__class__ else NotImplemented


_METHODS = {"__init__": _init, "__eq__": _eq, "__repr__": _repr}
# A frozen record hashes its compared fields, like a frozen dataclass; a mutable one has no hash.
_FROZEN = {
    "__hash__": _hash,
    "__setattr__": _setattr,
    "__delattr__": _delattr,
    "__getstate__": _getstate,
    "__setstate__": _setstate,
}
_MUTABLE = {"__hash__": None}
_ORDER = {"__lt__": _lt, "__le__": _le, "__gt__": _gt, "__ge__": _ge}
