"""Universal search (SPEC CL-1): clients, leads and users by name word, email or phone digits;
deals by the words of their title.

One prefix Query on the index, one BatchGetItem of the records; rights are applied on the
records (a user without customers_view_all finds only their own clients), so the cost follows
the matches, never the size of the CRM.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from chalicelib.domain.contacts import Contact, can_see
from chalicelib.domain.deals import Deal, can_see_deal
from chalicelib.domain.money import format_amount, from_minor
from chalicelib.domain.rights import Access
from chalicelib.domain.search import matches_words, parse_query
from chalicelib.domain.users import User, UserStatus

if TYPE_CHECKING:
    from chalicelib.domain.actor import Actor
    from chalicelib.ports.storage import Storage

# Matches read per search: rights and extra words may drop some, the rest fills the page.
OVERFETCH = 3


@dataclass(frozen=True, slots=True)
class Hit:
    type: str  # "client" | "lead" | "user" | "deal"
    id: str
    title: str
    subtitle: str | None


class SearchService:
    def __init__(self, storage: Storage) -> None:
        self._storage = storage

    def search(self, actor: Actor, q: str, *, limit: int) -> list[Hit]:
        actor.require(Access.ANY_USER)
        query = parse_query(q)
        index = self._storage.search(actor.tenant_id)
        hits: list[Hit] = []
        for record in index.fetch(index.find(query.term, limit=limit * OVERFETCH)):
            hit = _hit(actor, record)
            if hit is not None and matches_words(hit.title, query.other_words):
                hits.append(hit)
        return hits[:limit]


def _hit(actor: Actor, record: Contact | User | Deal) -> Hit | None:
    if isinstance(record, Deal):
        if not can_see_deal(actor, record):
            return None
        value = format_amount(from_minor(record.amount_minor, record.currency), record.currency)
        return Hit("deal", record.id, record.title, f"{value} {record.currency} · {record.status.value}")
    if isinstance(record, User):
        if record.status is UserStatus.DEACTIVATED:
            return None
        return Hit("user", record.id, record.name, record.extension or record.email)
    if not can_see(actor, record):
        return None
    subtitle = record.phones[0].phone if record.phones else (record.emails[0].email if record.emails else None)
    return Hit(record.kind.value, record.id, record.name, subtitle)
