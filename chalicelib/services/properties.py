"""Custom property definitions (SPEC CL-6): administrators define them, everyone fills them."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from chalicelib.domain.errors import ConflictError, NotFoundError, ValidationError, check_version
from chalicelib.domain.ids import new_id
from chalicelib.domain.properties import MAX_PROPERTIES, PropertyDef, PropertyKind, check_key, check_options
from chalicelib.domain.rights import Access

if TYPE_CHECKING:
    from chalicelib.domain.actor import Actor
    from chalicelib.domain.paging import Page
    from chalicelib.ports.storage import Storage


class PropertyService:
    def __init__(self, storage: Storage) -> None:
        self._storage = storage

    def page(self, actor: Actor, *, limit: int, cursor: str | None) -> Page[PropertyDef]:
        """A page of the definitions in creation order."""
        actor.require(Access.ANY_USER)
        return self._storage.properties(actor.tenant_id).page(limit=limit, cursor=cursor)

    def create(self, actor: Actor, key: str, title: str, kind: PropertyKind, options: list[str] | None) -> PropertyDef:
        actor.require(Access.ADMIN)
        repo = self._storage.properties(actor.tenant_id)
        if len(repo.list_all()) >= MAX_PROPERTIES:
            raise ConflictError(f"a CRM has at most {MAX_PROPERTIES} properties")
        definition = PropertyDef(
            id=new_id(), key=check_key(key), title=_title(title), kind=kind, options=check_options(kind, options)
        )
        repo.create(definition)
        return definition

    def update(
        self, actor: Actor, property_id: str, version: int | None, *, title: str | None, options: list[str] | None
    ) -> PropertyDef:
        """Rename, or add select options; an option in use cannot be removed."""
        actor.require(Access.ADMIN)
        before = self._require(actor, property_id)
        check_version(version, before.version, "property")
        after = replace(before, title=_title(title) if title is not None else before.title)
        if options is not None:
            new_options = check_options(before.kind, options)
            removed = set(before.options) - set(new_options)
            if removed and self._used(actor, before):
                raise ConflictError("options cannot be removed while contacts use the property", field="options")
            after = replace(after, options=new_options)
        return self._storage.properties(actor.tenant_id).save_changes(before, after)

    def delete(self, actor: Actor, property_id: str) -> None:
        actor.require(Access.ADMIN)
        definition = self._require(actor, property_id)
        if self._used(actor, definition):
            raise ConflictError("contacts still have a value for this property")
        self._storage.properties(actor.tenant_id).delete(definition)

    def _used(self, actor: Actor, definition: PropertyDef) -> bool:
        counts = self._storage.contacts(actor.tenant_id).counts("property")
        return any(value == definition.key and count for _, value, count in counts)

    def _require(self, actor: Actor, property_id: str) -> PropertyDef:
        definition = self._storage.properties(actor.tenant_id).get(property_id)
        if definition is None:
            raise NotFoundError("no such property in this CRM")
        return definition


def _title(title: str) -> str:
    title = " ".join(title.split())
    if not 1 <= len(title) <= 100:
        raise ValidationError("a title has 1 to 100 characters", field="title")
    return title
