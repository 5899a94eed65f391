"""Contact lists: what a page keeps, and what a contact can be filtered on."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from chalicelib.domain.records import record
from chalicelib.domain.text import fold

if TYPE_CHECKING:
    from chalicelib.domain.contacts import Contact, ContactKind


@record(frozen=True, slots=True)
class Criteria:
    """What a list page keeps, checked and resolved by the service (rights included)."""

    responsible: str | None = None  # with any_responsible False: this user's, None: the pool
    any_responsible: bool = True
    values: frozenset[tuple[str, str]] = frozenset()  # `filter_values` every contact must have
    created_from: datetime | None = None
    created_to: datetime | None = None
    updated_from: datetime | None = None
    updated_to: datetime | None = None
    newest_first: bool = True

    @property
    def created_upper(self) -> datetime | None:
        """The creation's upper bound: a contact is updated after it is created, so `updated_to`
        bounds the creation too (and narrows the index's key range)."""
        return min((t for t in (self.created_to, self.updated_to) if t is not None), default=None)

    @property
    def empty(self) -> bool:
        upper = self.created_upper
        return self.created_from is not None and upper is not None and self.created_from > upper

    def keeps(self, kind: ContactKind, contact: Contact, values: frozenset[tuple[str, str]]) -> bool:
        """What the index serving the page did not decide: kind and owner (a record read after a
        change), `values`, the updated range."""
        return (
            contact.kind is kind
            and (self.any_responsible or contact.responsible_user_id == self.responsible)
            and values <= filter_values(contact)
            and within(contact.updated_at, self.updated_from, self.updated_to)
        )

    def in_created_range(self, contact: Contact) -> bool:
        return within(contact.created_at, self.created_from, self.created_to)


def within(at: datetime, low: datetime | None, high: datetime | None) -> bool:
    """`low <= at <= high` to the millisecond, as the API shows times (and as the created range's
    key condition compares them): a bound copied from a response includes that record."""
    at = _to_ms(at)
    return (low is None or at >= _to_ms(low)) and (high is None or at <= _to_ms(high))


def _to_ms(t: datetime) -> datetime:
    return t.replace(microsecond=t.microsecond // 1000 * 1000)


def filter_values(contact: Contact) -> set[tuple[str, str]]:
    """What a contact can be filtered on (API list filters): one entry per value."""
    values = {("type", contact.type.value), ("status", contact.status.value)}
    values |= {("tag", tag) for tag in contact.tags}
    values |= {("source", source) for source in contact.source_tag_ids}
    values |= {("property", property_filter(key, value)) for key, value in contact.properties.items()}
    return values


def property_filter(key: str, stored: str) -> str:
    """The filter value of a property: `key=value`, case and accents folded."""
    return f"{key}={fold(stored)}"
