"""Imports of clients and leads (SPEC IM-1..5): the mapping of columns, and reading a row.

A user maps each column of the file to a CRM field (`name`, `phone:mobile`, `property:budget`...).
`suggest_mapping` proposes one from the header names (English and French); `read_row` turns one
row into the fields of a contact, or into errors naming the row's columns. A row with any bad
cell is reported whole and imports nothing: half a contact is worse than none.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import field
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from chalicelib.domain.contacts import (
    MAX_EMAILS,
    MAX_PHONES,
    MAX_TEXT,
    ChannelType,
    ClientType,
    ContactStatus,
    Email,
    check_contact_name,
    normalize_phones,
)
from chalicelib.domain.errors import ValidationError
from chalicelib.domain.properties import MAX_VALUES_PER_CONTACT
from chalicelib.domain.records import record
from chalicelib.domain.text import fold, normalize_email

if TYPE_CHECKING:
    from chalicelib.domain.contacts import Phone
    from chalicelib.domain.properties import PropertyDef

MAX_CELL = 5000
MAX_TAGS = 10

# --- targets ---------------------------------------------------------------------------------

SIMPLE_TARGETS = ("name", "status", "type", "address", "website", "comment", "tags", "responsible_email")
PHONE = "phone"
EMAIL = "email"
PROPERTY = "property"


@record(frozen=True, slots=True)
class Target:
    """Where a column goes: a field, a typed phone or email, or a custom property."""

    field: str  # one of SIMPLE_TARGETS, "phone", "email" or "property"
    qualifier: str | None = None  # the channel type, or the property key

    def __str__(self) -> str:
        return f"{self.field}:{self.qualifier}" if self.qualifier else self.field


def parse_target(text: str, properties: Mapping[str, PropertyDef], *, field_name: str) -> Target:
    """`name`, `phone:mobile`, `email:work`, `property:<key>`...; a bare `phone` is a work phone."""
    name, _, qualifier = text.strip().partition(":")
    if name in SIMPLE_TARGETS and not qualifier:
        return Target(name)
    if name in (PHONE, EMAIL):
        try:
            return Target(name, ChannelType(qualifier or ChannelType.WORK.value).value)
        except ValueError:
            kinds = ", ".join(t.value for t in ChannelType)
            raise ValidationError(f"'{text}': the {name} type is one of {kinds}", field=field_name) from None
    if name == PROPERTY:
        if qualifier not in properties:
            raise ValidationError(f"'{text}': no property '{qualifier}' in this CRM", field=field_name)
        return Target(PROPERTY, qualifier)
    raise ValidationError(
        f"'{text}' is not a field to import into; use one of {', '.join(SIMPLE_TARGETS)}, "
        "phone:<type>, email:<type> or property:<key>",
        field=field_name,
    )


def check_mapping(
    mapping: Mapping[str, str | None], headers: Sequence[str], properties: Mapping[str, PropertyDef]
) -> dict[int, Target]:
    """The mapping a user gave, as column index -> target; a column mapped to null is ignored."""
    positions = {h: i for i, h in reversed(list(enumerate(headers)))}
    result: dict[int, Target] = {}
    single: dict[str, str] = {}
    for column, text in mapping.items():
        where = f"mapping.{column}"
        if column not in positions:
            raise ValidationError(f"the file has no column '{column}'", field=where)
        if text is None or not text.strip():
            continue
        target = parse_target(text, properties, field_name=where)
        # Phones, emails and tags may come from several columns; every other field from one.
        if target.field not in (PHONE, EMAIL, "tags"):
            if str(target) in single:
                raise ValidationError(
                    f"'{target}' is mapped from both '{single[str(target)]}' and '{column}'", field=where
                )
            single[str(target)] = column
        result[positions[column]] = target
    if "name" not in single:
        raise ValidationError("map one column to 'name' (every contact needs one)", field="mapping")
    return result


def column_names(header: Sequence[str]) -> list[str]:
    """Names for the columns of a header row: blanks get "Column 3", repeats "Phone (2)"."""
    names: list[str] = []
    for i, raw in enumerate(header):
        name = " ".join(raw.split())[:100] or f"Column {i + 1}"
        base, n = name, 2
        while name in names:
            name, n = f"{base} ({n})", n + 1
        names.append(name)
    return names


# --- reading a row ---------------------------------------------------------------------------


@record(frozen=True, slots=True)
class CellError:
    """Why a cell of an imported row was not taken."""

    row: int
    column: str
    reason: str


@record(slots=True)
class RowFields:
    """A row's values; fields absent from the file or empty in the row are None / empty."""

    row: int
    name: str | None = None
    status: ContactStatus | None = None
    type: ClientType | None = None
    phones: list[Phone] = field(default_factory=list)
    emails: list[Email] = field(default_factory=list)
    address: str | None = None
    website: str | None = None
    comment: str | None = None
    tags: list[str] = field(default_factory=list)
    responsible_user_id: str | None = None
    properties: dict[str, str] = field(default_factory=dict)


@record(frozen=True, slots=True)
class RowContext:
    """What reading a row needs from the CRM, read once per chunk."""

    region: str | None
    properties: Mapping[str, PropertyDef]
    # An active user's id from their email (normalised), for `responsible_email`.
    user_by_email: Callable[[str], str | None]


_STATUS_WORDS = {
    "individual": ContactStatus.INDIVIDUAL, "person": ContactStatus.INDIVIDUAL, "particulier": ContactStatus.INDIVIDUAL,
    "personne": ContactStatus.INDIVIDUAL, "individu": ContactStatus.INDIVIDUAL, "private": ContactStatus.INDIVIDUAL,
    "company": ContactStatus.COMPANY, "societe": ContactStatus.COMPANY, "entreprise": ContactStatus.COMPANY,
    "business": ContactStatus.COMPANY, "organisation": ContactStatus.COMPANY, "organization": ContactStatus.COMPANY,
}  # fmt: skip
_TYPE_WORDS = {
    "potential": ClientType.POTENTIAL, "prospect": ClientType.POTENTIAL, "potentiel": ClientType.POTENTIAL,
    "client": ClientType.CLIENT, "customer": ClientType.CLIENT,
    "reseller": ClientType.RESELLER, "revendeur": ClientType.RESELLER, "distributeur": ClientType.RESELLER,
    "partner": ClientType.PARTNER, "partenaire": ClientType.PARTNER,
}  # fmt: skip
# Several numbers, emails or tags in one cell (IM-2): commas, semicolons or new lines between them.
_LIST_SEPARATORS = re.compile(r"[,;\n]+")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def split_list(cell: str) -> list[str]:
    return [part.strip() for part in _LIST_SEPARATORS.split(cell) if part.strip()]


def read_row(
    row: int, cells: Sequence[str], mapping: Mapping[int, Target], headers: Sequence[str], context: RowContext
) -> tuple[RowFields, list[CellError]]:
    """The row's fields and the errors of its cells (an empty list: the row can be imported)."""
    fields = RowFields(row)
    errors: list[CellError] = []
    for index, target in mapping.items():
        raw = cells[index].strip() if index < len(cells) else ""
        if not raw:
            continue
        column = headers[index]
        try:
            _read_cell(fields, target, raw, context)
        except ValidationError as exc:
            errors.append(CellError(row, column, exc.message))
    if fields.name is None and not errors:
        name_column = next(headers[i] for i, t in mapping.items() if t.field == "name")
        errors.append(CellError(row, name_column, "a contact needs a name; this cell is empty"))
    if len(fields.phones) > MAX_PHONES:
        errors.append(CellError(row, _columns_of(mapping, headers, PHONE), f"at most {MAX_PHONES} phone numbers"))
    if len(fields.emails) > MAX_EMAILS:
        errors.append(CellError(row, _columns_of(mapping, headers, EMAIL), f"at most {MAX_EMAILS} emails"))
    if len(fields.tags) > MAX_TAGS:
        errors.append(CellError(row, _columns_of(mapping, headers, "tags"), f"at most {MAX_TAGS} tags"))
    if len(fields.properties) > MAX_VALUES_PER_CONTACT:
        errors.append(
            CellError(
                row,
                _columns_of(mapping, headers, PROPERTY),
                f"at most {MAX_VALUES_PER_CONTACT} property values per contact",
            )
        )
    return fields, errors


def _columns_of(mapping: Mapping[int, Target], headers: Sequence[str], name: str) -> str:
    return ", ".join(headers[i] for i, t in mapping.items() if t.field == name)


def _read_cell(fields: RowFields, target: Target, raw: str, context: RowContext) -> None:
    if len(raw) > MAX_CELL:
        raise ValidationError(f"at most {MAX_CELL} characters in a cell")
    _READERS[target.field](fields, target, raw, context)


def _read_name(fields: RowFields, target: Target, raw: str, context: RowContext) -> None:
    fields.name = check_contact_name(raw)


def _read_status(fields: RowFields, target: Target, raw: str, context: RowContext) -> None:
    fields.status = _word(raw, ContactStatus, _STATUS_WORDS)


def _read_type(fields: RowFields, target: Target, raw: str, context: RowContext) -> None:
    fields.type = _word(raw, ClientType, _TYPE_WORDS)


def _read_phones(fields: RowFields, target: Target, raw: str, context: RowContext) -> None:
    kind = ChannelType(target.qualifier or ChannelType.WORK.value)
    for part in split_list(raw):
        try:
            [phone] = normalize_phones([(part, kind)], context.region)
        except ValidationError:
            hint = "" if part.startswith("+") else " (write it with its country code: +33...)"
            raise ValidationError(f"'{part}' is not a phone number we can read{hint}") from None
        if all(p.phone != phone.phone for p in fields.phones):
            fields.phones.append(phone)


def _read_emails(fields: RowFields, target: Target, raw: str, context: RowContext) -> None:
    kind = ChannelType(target.qualifier or ChannelType.WORK.value)
    for part in split_list(raw):
        email = normalize_email(part)
        if not _EMAIL.fullmatch(email) or len(email) > 254:
            raise ValidationError(f"'{part}' is not an email address")
        if all(e.email != email for e in fields.emails):
            fields.emails.append(Email(email, kind))


def _read_text(fields: RowFields, target: Target, raw: str, context: RowContext) -> None:
    limit = MAX_TEXT if target.field == "comment" else 500
    if len(raw) > limit:
        raise ValidationError(f"at most {limit} characters")
    setattr(fields, target.field, raw)


def _read_tags(fields: RowFields, target: Target, raw: str, context: RowContext) -> None:
    for part in split_list(raw):
        tag = " ".join(part.split())
        if len(tag) > 50:
            raise ValidationError(f"'{tag[:20]}...': a tag has at most 50 characters")
        if tag not in fields.tags:
            fields.tags.append(tag)


def _read_responsible(fields: RowFields, target: Target, raw: str, context: RowContext) -> None:
    user_id = context.user_by_email(normalize_email(raw))
    if user_id is None:
        raise ValidationError(f"no active user of this CRM has the email '{raw}'")
    fields.responsible_user_id = user_id


def _read_property(fields: RowFields, target: Target, raw: str, context: RowContext) -> None:
    if target.qualifier is None:  # parse_target checked the key
        raise RuntimeError(f"property target without a key: {target}")
    definition = context.properties[target.qualifier]
    fields.properties[definition.key] = definition.value(raw, field_name=definition.key)


_READERS = {
    "name": _read_name,
    "status": _read_status,
    "type": _read_type,
    PHONE: _read_phones,
    EMAIL: _read_emails,
    "address": _read_text,
    "website": _read_text,
    "comment": _read_text,
    "tags": _read_tags,
    "responsible_email": _read_responsible,
    PROPERTY: _read_property,
}


def _word(raw: str, enum: type[StrEnum], words: Mapping[str, Any]) -> Any:
    folded = fold(raw).strip()
    try:
        return enum(folded)
    except ValueError:
        pass
    if folded in words:
        return words[folded]
    raise ValidationError(f"'{raw}' is not one of {', '.join(e.value for e in enum)}")
