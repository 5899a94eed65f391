"""Source tags of one CRM (AP22): unique per (param, value), listed a page at a time with their counts."""

from __future__ import annotations

from dataclasses import replace

from chalicelib.db import keys
from chalicelib.db.models.catalogue import SourceTagItem
from chalicelib.db.models.shared import CounterItem, UniqueItem
from chalicelib.db.pagination import Page, prefix_page
from chalicelib.db.writes import Delete, Put, Update, must_exist, must_not_exist, transact
from chalicelib.domain.contacts import ContactKind
from chalicelib.domain.errors import ConflictError, StaleVersionError
from chalicelib.domain.sources import SourceParam, SourceTag

OWNER_SOURCE = "source"
# The family of the contact counters kept per source tag (ContactRepository writes them).
COUNTER = "source"


class SourceTagRepository:
    def __init__(self, tenant_id: str) -> None:
        self._tenant_id = tenant_id
        self._pk = keys.tenant_pk(tenant_id)

    def list_all(self) -> list[SourceTag]:
        return [_to_source(i) for i in SourceTagItem.query(self._pk, SourceTagItem.sk.startswith(keys.SOURCE))]

    def page(self, *, limit: int, cursor: str | None = None) -> Page[SourceTag]:
        """AP22, one page in creation order (ids are time-ordered): a CRM has one per UTM value and DID."""
        return prefix_page(
            SourceTagItem, self._pk, keys.SOURCE, self._tenant_id, limit=limit, cursor=cursor, convert=_to_source
        )

    def counts(self, ids: list[str]) -> dict[tuple[ContactKind, str], int]:
        """AP21 for some source tags (one page's): {(kind, tag id): contacts}, one BatchGetItem."""
        if not ids:
            return {}
        pairs = [
            (self._pk, keys.counter_sk(COUNTER, kind.value, tag_id))
            for tag_id in dict.fromkeys(ids)
            for kind in ContactKind
        ]
        return {(ContactKind(c.contact_kind), c.value): int(c.count) for c in CounterItem.batch_get(pairs)}

    def get(self, source_tag_id: str) -> SourceTag | None:
        try:
            return _to_source(SourceTagItem.get(self._pk, keys.source_tag_sk(source_tag_id)))
        except SourceTagItem.DoesNotExist:
            return None

    def get_many(self, ids: list[str]) -> dict[str, SourceTag]:
        if not ids:
            return {}
        items = SourceTagItem.batch_get([(self._pk, keys.source_tag_sk(i)) for i in ids])
        return {tag.id: tag for tag in map(_to_source, items)}

    def find(self, param: SourceParam, value: str) -> str | None:
        """The id of the tag with this (param, value), e.g. the tag of a called number."""
        try:
            return UniqueItem.get(self._pk, keys.source_tag_value_sk(param.value, value)).owner_id
        except UniqueItem.DoesNotExist:
            return None

    def create(self, tag: SourceTag) -> None:
        item = SourceTagItem(
            self._pk,
            keys.source_tag_sk(tag.id),
            param=tag.param.value,
            value=tag.value,
            display_value=tag.display_value,
            created_at=tag.created_at,
        )
        guard = UniqueItem(
            self._pk, keys.source_tag_value_sk(tag.param.value, tag.value), owner_type=OWNER_SOURCE, owner_id=tag.id
        )
        taken = ConflictError(f"a source tag {tag.param.value}={tag.value} already exists", field="value")
        transact([Put(item, condition=must_not_exist()), Put(guard, condition=must_not_exist(), on_conflict=taken)])

    def rename(self, before: SourceTag, display_value: str) -> SourceTag:
        item = SourceTagItem(self._pk, keys.source_tag_sk(before.id), version=before.version)
        update = Update(
            item,
            [SourceTagItem.display_value.set(display_value)],
            condition=must_exist(),
            on_conflict=StaleVersionError("source tag"),
        )
        transact([update])
        return replace(before, display_value=display_value, version=before.version + 1)

    def delete(self, tag: SourceTag) -> None:
        item = SourceTagItem(self._pk, keys.source_tag_sk(tag.id), version=tag.version)
        guard = UniqueItem(self._pk, keys.source_tag_value_sk(tag.param.value, tag.value))
        transact([Delete(item, condition=must_exist(), on_conflict=StaleVersionError("source tag")), Delete(guard)])


def _to_source(item: SourceTagItem) -> SourceTag:
    return SourceTag(
        id=item.sk.removeprefix(keys.SOURCE),
        param=SourceParam(item.param),
        value=item.value,
        display_value=item.display_value,
        created_at=item.created_at,
        version=item.version or 1,
    )
