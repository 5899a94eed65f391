"""Source tags (SPEC SO-2) and the tags catalogue (CL-4), with their contact counts."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from chalicelib.domain.contacts import ContactKind
from chalicelib.domain.errors import ConflictError, NotFoundError, check_version
from chalicelib.domain.ids import new_id
from chalicelib.domain.paging import Page
from chalicelib.domain.rights import Access, Permission
from chalicelib.domain.sources import SourceParam, SourceTag, check_source_value

if TYPE_CHECKING:
    from chalicelib.domain.actor import Actor
    from chalicelib.ports.outside import Clock
    from chalicelib.ports.storage import SourceTags, Storage


@dataclass(frozen=True, slots=True)
class Counted:
    clients: int = 0
    leads: int = 0


class SourceTagService:
    def __init__(self, storage: Storage, clock: Clock) -> None:
        self._storage = storage
        self._clock = clock

    def page(self, actor: Actor, *, limit: int, cursor: str | None) -> Page[tuple[SourceTag, Counted]]:
        """A page of source tags in creation order, with how many clients and leads carry each
        (counted at write time): one Query and one BatchGetItem, however many tags the CRM has."""
        actor.require(Access.ANY_USER)
        repo = self._storage.source_tags(actor.tenant_id)
        page = repo.page(limit=limit, cursor=cursor)
        counted = self._counted(repo, [tag.id for tag in page.items])
        return Page([(tag, counted.get(tag.id, Counted())) for tag in page.items], page.next_cursor)

    def create(self, actor: Actor, param: SourceParam, value: str, display_value: str | None) -> SourceTag:
        actor.require(Permission.CUSTOMERS_CREATE)
        value = check_source_value(value)
        display = check_source_value(display_value, field_name="display_value") if display_value else value
        tag = SourceTag(id=new_id(), param=param, value=value, display_value=display, created_at=self._clock())
        self._storage.source_tags(actor.tenant_id).create(tag)
        return tag

    def ensure(self, tenant_id: str, param: SourceParam, value: str) -> str:
        """The id of the (param, value) tag, created on first use (UTM values of a web form):
        one GetItem when it exists. Two first uses at once agree on the one that was stored."""
        repo = self._storage.source_tags(tenant_id)
        value = check_source_value(value[:200])
        found = repo.find(param, value)
        if found:
            return found
        tag = SourceTag(id=new_id(), param=param, value=value, display_value=value, created_at=self._clock())
        try:
            repo.create(tag)
        except ConflictError:
            return repo.find(param, value) or tag.id
        return tag.id

    def rename(self, actor: Actor, source_tag_id: str, version: int | None, display_value: str) -> SourceTag:
        actor.require(Permission.CUSTOMERS_EDIT)
        tag = self._require(actor, source_tag_id)
        check_version(version, tag.version, "source tag")
        display = check_source_value(display_value, field_name="display_value")
        return self._storage.source_tags(actor.tenant_id).rename(tag, display)

    def delete(self, actor: Actor, source_tag_id: str) -> None:
        """Delete an unused source tag (contacts that carry it keep their history intact)."""
        actor.require(Permission.CUSTOMERS_DELETE)
        tag = self._require(actor, source_tag_id)
        repo = self._storage.source_tags(actor.tenant_id)
        used = self._counted(repo, [tag.id]).get(tag.id)
        if used and (used.clients or used.leads):
            raise ConflictError("remove this source tag from its contacts first")
        repo.delete(tag)

    @staticmethod
    def _counted(repo: SourceTags, ids: list[str]) -> dict[str, Counted]:
        return _by_value([(kind, tag_id, count) for (kind, tag_id), count in repo.counts(ids).items() if count])

    def _require(self, actor: Actor, source_tag_id: str) -> SourceTag:
        tag = self._storage.source_tags(actor.tenant_id).get(source_tag_id)
        if tag is None:
            raise NotFoundError("no such source tag in this CRM")
        return tag


def _by_value(rows: list[tuple[ContactKind, str, int]]) -> dict[str, Counted]:
    counted: dict[str, Counted] = {}
    for kind, value, count in rows:
        current = counted.get(value, Counted())
        if kind is ContactKind.CLIENT:
            counted[value] = Counted(current.clients + count, current.leads)
        else:
            counted[value] = Counted(current.clients, current.leads + count)
    return counted
