"""Lists of clients and leads (CL-1, CL-2, LD-1): a page of a list with any combination of filters.

Apart from `contacts.py` (the contact service, which answers the routes' lists through it) so the
export worker, which reads whole lists, loads the listing and not every rule of contact writes.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from chalicelib.domain.contacts import Contact, ContactKind, can_see
from chalicelib.domain.errors import ForbiddenError, ValidationError
from chalicelib.domain.paging import Page
from chalicelib.domain.records import record
from chalicelib.domain.rights import Permission
from chalicelib.domain.search import parse_query
from chalicelib.ports.queries.contacts import Criteria, property_filter

if TYPE_CHECKING:
    from chalicelib.domain.actor import Actor
    from chalicelib.ports.storage import Storage


@record(frozen=True, slots=True)
class ListQuery:
    """A list's filters (CL-1), as GET /v1/clients, GET /v1/leads and exports take them; any
    combination is allowed (docs/data-model.md: which index serves which)."""

    scope: str | None = None  # mine | all | unsorted; default: all with the view-all right, else mine
    responsible_user_id: str | None = None
    created_from: datetime | None = None
    created_to: datetime | None = None
    updated_from: datetime | None = None
    updated_to: datetime | None = None
    newest_first: bool = True
    tag: str | None = None
    type: str | None = None
    status: str | None = None
    source_tag_id: str | None = None
    properties: tuple[tuple[str, str], ...] = ()  # (key, value as given)
    q: str | None = None

    def to_record(self) -> dict[str, Any]:
        """The query as JSON values (stored with an export)."""
        record: dict[str, Any] = {}
        for name in self.__slots__:
            value = getattr(self, name)
            if isinstance(value, datetime):
                value = value.isoformat()
            elif name == "properties":
                value = [list(p) for p in value] or None
            if value is not None:
                record[name] = value
        return record

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> ListQuery:
        data = dict(record)
        for name in ("created_from", "created_to", "updated_from", "updated_to"):
            if data.get(name):
                data[name] = datetime.fromisoformat(data[name])
        data["properties"] = tuple(tuple(p) for p in data.get("properties") or ())
        # Exports started before filters combined stored one (filter_name, filter_value).
        name, value = data.pop("filter_name", None), data.pop("filter_value", None)
        if name and value:
            if name == "property":
                data["properties"] = (tuple(value.split("=", 1)),)
            else:
                data["source_tag_id" if name == "source" else name] = value
        return cls(**data)


class ContactLists:
    """Pages of the client and lead lists, as the caller may see them."""

    def __init__(self, storage: Storage) -> None:
        self._storage = storage

    def page(
        self, actor: Actor, kind: ContactKind, query: ListQuery, *, limit: int, cursor: str | None
    ) -> Page[Contact]:
        """One page of a list (CL-1, CL-2, LD-1) with any combination of filters: one index Query
        (plus one BatchGetItem of the records when the index holds only ids or the records must
        be checked), within a bounded read; see `Contacts.page` (ports/storage.py)."""
        view_all = Permission.LEADS_VIEW if kind is ContactKind.LEAD else Permission.CUSTOMERS_VIEW_ALL
        scope = query.scope or ("all" if actor.can(view_all) else "mine")
        if scope == "unsorted" and kind is not ContactKind.LEAD:
            raise ValidationError("only leads have an unsorted pool", field="scope")
        if query.responsible_user_id is not None:
            if query.responsible_user_id != actor.user_id and not actor.can(view_all):
                raise ForbiddenError(f"seeing other users' {kind.value}s needs the '{view_all.value}' right")
            owner, any_owner = query.responsible_user_id, False
        elif scope == "mine":
            owner, any_owner = actor.user_id, False
        elif scope == "unsorted":
            owner, any_owner = None, False
        else:
            if not actor.can(view_all):
                raise ForbiddenError(f"scope=all needs the '{view_all.value}' right; use scope=mine")
            owner, any_owner = None, True
        for low, high, field in (
            (query.created_from, query.created_to, "created_to"),
            (query.updated_from, query.updated_to, "updated_to"),
        ):
            if low is not None and high is not None and low > high:
                raise ValidationError(f"{field} is before {field.replace('_to', '_from')}", field=field)
        values = {
            (name, str(value))
            for name, value in (
                ("tag", " ".join(query.tag.split()) if query.tag else None),
                ("type", query.type),
                ("status", query.status),
                ("source", query.source_tag_id),
            )
            if value
        }
        if query.properties:
            values |= self._property_filters(actor, query.properties)
        criteria = Criteria(
            responsible=owner,
            any_responsible=any_owner,
            values=frozenset(values),
            created_from=query.created_from,
            created_to=query.created_to,
            updated_from=query.updated_from,
            updated_to=query.updated_to,
            newest_first=query.newest_first,
        )
        repo = self._storage.contacts(actor.tenant_id)
        if query.q is not None:
            page = repo.search(kind, parse_query(query.q), criteria, limit=limit, cursor=cursor)
        else:
            page = repo.page(kind, criteria, limit=limit, cursor=cursor)
        # The scope already keeps to what the caller may see; this holds it whatever the index.
        return Page([c for c in page.items if can_see(actor, c)], page.next_cursor)

    def _property_filters(self, actor: Actor, given: tuple[tuple[str, str], ...]) -> set[tuple[str, str]]:
        """`property.<key>=<value>` parameters -> the stored filter values (1 read of the definitions)."""
        definitions = {d.key: d for d in self._storage.properties(actor.tenant_id).list_all()}
        values = set()
        for key, raw in given:
            field = f"property.{key}"
            definition = definitions.get(key)
            if definition is None:
                raise ValidationError(f"no property '{key}' in this CRM", field=field)
            values.add(("property", property_filter(key, definition.value(raw, field_name=field))))
        return values
