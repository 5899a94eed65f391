"""Custom property definitions of one CRM (AP23); keys unique through a guard item."""

from __future__ import annotations

from dataclasses import replace

from chalicelib.db import keys
from chalicelib.db.models.catalogue import PropertyItem
from chalicelib.db.models.shared import UniqueItem
from chalicelib.db.pagination import Page, prefix_page
from chalicelib.db.writes import Delete, Put, Update, must_exist, must_not_exist, transact
from chalicelib.domain.errors import ConflictError, StaleVersionError
from chalicelib.domain.properties import PropertyDef, PropertyKind

OWNER_PROPERTY = "property"


class PropertyRepository:
    def __init__(self, tenant_id: str) -> None:
        self._tenant_id = tenant_id
        self._pk = keys.tenant_pk(tenant_id)

    def list_all(self) -> list[PropertyDef]:
        """AP23: every definition (a CRM has at most 50)."""
        return [_to_def(i) for i in PropertyItem.query(self._pk, PropertyItem.sk.startswith(keys.PROPERTY))]

    def page(self, *, limit: int, cursor: str | None = None) -> Page[PropertyDef]:
        """AP23, one page in creation order (ids are time-ordered)."""
        return prefix_page(
            PropertyItem, self._pk, keys.PROPERTY, self._tenant_id, limit=limit, cursor=cursor, convert=_to_def
        )

    def get(self, property_id: str) -> PropertyDef | None:
        try:
            return _to_def(PropertyItem.get(self._pk, keys.property_sk(property_id)))
        except PropertyItem.DoesNotExist:
            return None

    def create(self, definition: PropertyDef) -> None:
        item = PropertyItem(
            self._pk,
            keys.property_sk(definition.id),
            key=definition.key,
            title=definition.title,
            property_kind=definition.kind.value,
            options=list(definition.options),
        )
        guard = UniqueItem(
            self._pk, keys.property_key_sk(definition.key), owner_type=OWNER_PROPERTY, owner_id=definition.id
        )
        taken = ConflictError(f"a property '{definition.key}' already exists", field="key")
        transact([Put(item, condition=must_not_exist()), Put(guard, condition=must_not_exist(), on_conflict=taken)])

    def save_changes(self, before: PropertyDef, after: PropertyDef) -> PropertyDef:
        item = PropertyItem(self._pk, keys.property_sk(before.id), version=before.version)
        actions = [PropertyItem.title.set(after.title), PropertyItem.options.set(list(after.options))]
        transact([Update(item, actions, condition=must_exist(), on_conflict=StaleVersionError("property"))])
        return replace(after, version=before.version + 1)

    def delete(self, definition: PropertyDef) -> None:
        item = PropertyItem(self._pk, keys.property_sk(definition.id), version=definition.version)
        guard = UniqueItem(self._pk, keys.property_key_sk(definition.key))
        transact([Delete(item, condition=must_exist(), on_conflict=StaleVersionError("property")), Delete(guard)])


def _to_def(item: PropertyItem) -> PropertyDef:
    return PropertyDef(
        id=item.sk.removeprefix(keys.PROPERTY),
        key=item.key,
        title=item.title,
        kind=PropertyKind(item.property_kind),
        options=tuple(item.options or ()),
        version=item.version or 1,
    )
