"""The search index of one CRM (AP19): term items written with their records (contacts, users,
deals, calls), prefix Queries."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from chalicelib.db import keys
from chalicelib.db.items import Item
from chalicelib.db.models.contacts import ContactItem
from chalicelib.db.models.deals import DealItem
from chalicelib.db.models.shared import SearchItem
from chalicelib.db.models.users import UserItem
from chalicelib.db.writes import Delete, Put, Write

if TYPE_CHECKING:
    from chalicelib.domain.contacts import Contact
    from chalicelib.domain.deals import Deal
    from chalicelib.domain.search import Term
    from chalicelib.domain.users import User

CONTACT = "contact"
USER = "user"
DEAL = "deal"


class SearchIndex:
    def __init__(self, tenant_id: str) -> None:
        self._tenant_id = tenant_id

    def writes(self, entity_type: str, entity_id: str, old: Iterable[Term], new: Iterable[Term]) -> list[Write]:
        """Index changes for a record whose terms go from `old` to `new` (same transaction)."""
        old_set, new_set = set(old), set(new)
        removed: list[Write] = [Delete(self._item(t, entity_type, entity_id)) for t in sorted(old_set - new_set)]
        added = [Put(self._item(t, entity_type, entity_id)) for t in sorted(new_set - old_set)]
        return removed + added

    def drop(self, entity_type: str, entity_id: str, terms: Iterable[Term]) -> None:
        """Remove a record's terms outside any transaction (undoing a failed creation)."""
        with SearchItem.batch_write() as batch:
            for write in self.writes(entity_type, entity_id, terms, ()):
                batch.delete(write.item)

    def find(self, term: Term, *, limit: int) -> list[tuple[str, str]]:
        """AP19: (entity type, id) of the records with a term starting with `term`, at most `limit`."""
        items = SearchItem.query(
            keys.search_pk(self._tenant_id, term.kind.value, term.bucket),
            SearchItem.sk.startswith(keys.search_prefix(term.value)),
            limit=limit,
        )
        return list(dict.fromkeys((i.entity_type, i.entity_id) for i in items))

    def find_from(
        self, term: Term, entity_type: str, *, limit: int, after: dict[str, Any] | None
    ) -> tuple[list[tuple[str, dict[str, Any]]], dict[str, Any] | None]:
        """AP19 paged, for one entity type: (entity id, the hit's key) of the hits among the next
        `limit` index items after `after`, and the key to go on from (None: nothing more)."""
        result = SearchItem.query(
            keys.search_pk(self._tenant_id, term.kind.value, term.bucket),
            SearchItem.sk.startswith(keys.search_prefix(term.value)),
            filter_condition=SearchItem.entity_type == entity_type,
            limit=limit,
            last_evaluated_key=after,
        )
        hits = [(i.entity_id, {"pk": {"S": i.pk}, "sk": {"S": i.sk}}) for i in result]
        return hits, result.last_evaluated_key

    def fetch(self, found: list[tuple[str, str]]) -> list[Contact | User | Deal]:
        """The records behind search hits, in hit order: one BatchGetItem (<= 100 keys)."""
        # Imported here: those repositories write through this index (an import cycle otherwise).
        from chalicelib.db.repositories.contacts import contact_from_item
        from chalicelib.db.repositories.deals import deal_from_item
        from chalicelib.db.repositories.users import user_from_item

        record_keys = {
            CONTACT: keys.contact_record_key,
            USER: keys.user_record_key,
            DEAL: lambda tenant_id, deal_id: (keys.deal_pk(tenant_id, deal_id), keys.DEAL_RECORD),
        }
        wanted = {record_keys[t](self._tenant_id, i): (t, i) for t, i in found[:100] if t in record_keys}
        if not wanted:
            return []
        records: dict[tuple[str, str], Contact | User | Deal] = {}
        for item in Item.batch_get(list(wanted)):
            ref = wanted[(item.pk, item.sk)]
            if isinstance(item, ContactItem):
                records[ref] = contact_from_item(item)
            elif isinstance(item, UserItem):
                records[ref] = user_from_item(item)
            elif isinstance(item, DealItem):
                records[ref] = deal_from_item(item)
        return [records[ref] for ref in found if ref in records]

    def _item(self, term: Term, entity_type: str, entity_id: str) -> SearchItem:
        return SearchItem(
            keys.search_pk(self._tenant_id, term.kind.value, term.bucket),
            keys.search_sk(term.value, entity_type, entity_id),
            entity_type=entity_type,
            entity_id=entity_id,
        )
