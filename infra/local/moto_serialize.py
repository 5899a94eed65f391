"""Serialise moto's DynamoDB answers without walking every member of every attribute value.

moto builds each response through botocore's shape model, and for each attribute value of each
item it looks up all ten members of `AttributeValue` (S, N, B, SS, ... BOOL) through a chain of
alias providers, although an attribute holds exactly one. A Query of 20 deals thus spent ~70 ms
serialising, most of a board read of 2,000 deals. Here an attribute value that is a plain dict
of member names visits only the members it holds, in the model's order, through the same
serialisers: the body is byte for byte what moto writes (tests/test_moto_speed.py compares the
two). Anything else (an unknown key, another shape) takes moto's own path.
"""

from __future__ import annotations

from typing import Any

from moto.core.model import Shape, StructureShape
from moto.core.serialize import BaseJSONSerializer, JSONSerializer

_SHAPE = "AttributeValue"
_ORIGINAL = JSONSerializer._serialize_type_structure


def _fast_structure(self: BaseJSONSerializer, serialized: Any, value: Any, shape: StructureShape, key: str) -> None:
    members: dict[str, Shape] = shape.members
    if shape.name != _SHAPE or type(value) is not dict or not value.keys() <= members.keys():
        _ORIGINAL(self, serialized, value, shape, key)
        return
    wrapper: Any = self.MAP_TYPE() if key else serialized
    for member_key, member_shape in members.items():
        member = value.get(member_key)
        if member is not None:  # moto leaves out a member whose value is None, as here
            member_shape.parent = shape  # type: ignore[attr-defined]  # as moto sets it
            self._serialize(wrapper, member, member_shape, member_key)
    if key:
        self._default_serialize(serialized, wrapper, shape, key)


def install() -> None:
    """Idempotent."""
    JSONSerializer._serialize_type_structure = _fast_structure  # type: ignore[method-assign]


def uninstall() -> None:
    """moto's own serialiser again (the tests compare the two)."""
    JSONSerializer._serialize_type_structure = _ORIGINAL  # type: ignore[method-assign]
