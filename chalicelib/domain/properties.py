"""Custom properties (SPEC CL-6): fields the CRM defines, validated by kind, filterable."""

from __future__ import annotations

import re
from datetime import date
from decimal import Context, Decimal, InvalidOperation
from enum import StrEnum
from typing import Any

from chalicelib.domain.errors import ValidationError
from chalicelib.domain.records import record
from chalicelib.domain.text import fold

KEY_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
MAX_PROPERTIES = 50
MAX_OPTIONS = 50
# Each value is two filter entries and a counter in the contact's transactions.
MAX_VALUES_PER_CONTACT = 5
MAX_TEXT = 500
# A text value, folded, is part of its filter entries' partition key and of its counter's sort
# key, which DynamoDB bounds to 1024 bytes: bounded in UTF-8 bytes too (500 emoji would not fit).
MAX_TEXT_BYTES = 800
# A number property holds what a DynamoDB number can: 38 significant digits, a magnitude from
# 1e-130 up to 9.9999999999999999999999999999999999999e125 (below 1e126), or exactly 0. The
# bound also keeps its plain form (no exponent) short.
MAX_DIGITS = 38
MIN_EXPONENT = -130
MAX_EXPONENT = 125
MAX_NUMBER_TEXT = 200
# ASCII digits only: Decimal() also reads "1_000" and other scripts' digits ("١٢٣").
NUMBER_PATTERN = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")


class PropertyKind(StrEnum):
    TEXT = "text"
    NUMBER = "number"
    DATE = "date"
    SELECT = "select"


@record(frozen=True, slots=True)
class PropertyDef:
    """A custom property contacts may carry."""

    id: str
    key: str
    title: str
    kind: PropertyKind
    options: tuple[str, ...] = ()
    version: int = 1

    def value(self, raw: Any, *, field_name: str) -> str:
        """The stored form of a value of this property (a string), or a 400 naming the field."""
        if self.kind is PropertyKind.NUMBER:
            return _number(self.key, raw, field_name)
        if not isinstance(raw, str):
            raise ValidationError(f"{self.key} is a {self.kind.value} given as a string", field=field_name)
        text = raw.strip()
        if self.kind is PropertyKind.DATE:
            try:
                return date.fromisoformat(text).isoformat()
            except ValueError:
                raise ValidationError(f"{self.key} is a date YYYY-MM-DD", field=field_name) from None
        if self.kind is PropertyKind.SELECT:
            if text not in self.options:
                raise ValidationError(f"{self.key} is one of {', '.join(self.options)}", field=field_name)
            return text
        if not 1 <= len(text) <= MAX_TEXT or len(fold(text).encode("utf-8", "surrogatepass")) > MAX_TEXT_BYTES:
            raise ValidationError(
                f"{self.key} has 1 to {MAX_TEXT} characters (at most {MAX_TEXT_BYTES} bytes in UTF-8)", field=field_name
            )
        return text

    def filter_value(self, stored: str) -> str:
        """What a filter compares: text ignores case and accents, the rest is exact."""
        return fold(stored) if self.kind is PropertyKind.TEXT else stored


def _number(key: str, raw: Any, field_name: str) -> str:
    """A number property's stored form: plain decimal notation, within DynamoDB's range."""
    invalid = ValidationError(f"{key} is a number", field=field_name)
    if isinstance(raw, bool) or not isinstance(raw, int | float | str | Decimal):
        raise invalid
    try:
        # int -> str fails past 4300 digits (ValueError): such a number is out of range anyway.
        text = str(raw).strip()
        if isinstance(raw, str) and not NUMBER_PATTERN.fullmatch(text):
            raise invalid
        number = Decimal(text) if len(text) <= MAX_NUMBER_TEXT else None
    except (InvalidOperation, ValueError):
        raise invalid from None
    if number is None or not number.is_finite():
        raise invalid
    if not number:
        return "0"
    significant = "".join(map(str, number.as_tuple().digits)).strip("0")
    if len(significant) > MAX_DIGITS or not MIN_EXPONENT <= number.adjusted() <= MAX_EXPONENT:
        raise ValidationError(
            f"{key} is a number of at most {MAX_DIGITS} significant digits, 0 or of a magnitude from "
            f"1e{MIN_EXPONENT} up to (not including) 1e{MAX_EXPONENT + 1}",
            field=field_name,
        )
    # Checked first: normalize() then neither overflows nor rounds (the context holds 38 digits).
    return format(number.normalize(Context(prec=MAX_DIGITS)), "f")


def check_key(key: str) -> str:
    if not KEY_PATTERN.fullmatch(key):
        raise ValidationError("a key is lower-case letters, digits and _, starting with a letter", field="key")
    return key


def check_options(kind: PropertyKind, options: list[str] | None) -> tuple[str, ...]:
    if kind is not PropertyKind.SELECT:
        if options:
            raise ValidationError("only select properties have options", field="options")
        return ()
    cleaned = tuple(dict.fromkeys(o.strip() for o in options or [] if o.strip()))
    if not 1 <= len(cleaned) <= MAX_OPTIONS:
        raise ValidationError(f"a select has 1 to {MAX_OPTIONS} options", field="options")
    for i, option in enumerate(cleaned):
        if len(option) > 100:
            raise ValidationError("an option has at most 100 characters", field=f"options[{i}]")
    return cleaned
