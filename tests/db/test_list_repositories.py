"""The paged reads of AP8 (groups), AP22 (source tags, and AP21 for a page's counters), AP23
(properties) and AP37 (SMS templates), against moto."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from chalicelib.db.pagination import Page
from chalicelib.db.repositories.contacts import ContactRepository
from chalicelib.db.repositories.groups import GroupRepository
from chalicelib.db.repositories.properties import PropertyRepository
from chalicelib.db.repositories.sms_templates import SmsTemplateRepository
from chalicelib.db.repositories.sources import SourceTagRepository
from chalicelib.db.writes import transact
from chalicelib.domain.clock import utcnow
from chalicelib.domain.contacts import ContactKind
from chalicelib.domain.errors import ValidationError
from chalicelib.domain.ids import new_id
from chalicelib.domain.properties import PropertyDef, PropertyKind
from chalicelib.domain.rights import Group, GroupType
from chalicelib.domain.sms import SmsTemplate
from chalicelib.domain.sources import SourceParam, SourceTag
from tests.harness import LocalAws

TENANT = "tenant-1"


def make_group(n: int) -> str:
    group = Group(id=new_id(), type=GroupType.CUSTOM, title=f"Group {n}", permissions=frozenset())
    transact(GroupRepository(TENANT).creation_writes(group))
    return group.id


def make_property(n: int) -> str:
    definition = PropertyDef(id=new_id(), key=f"field{n}", title=f"Field {n}", kind=PropertyKind.TEXT, options=())
    PropertyRepository(TENANT).create(definition)
    return definition.id


def make_template(n: int) -> str:
    template = SmsTemplate(new_id(), f"Template {n}", "Hello", utcnow())
    SmsTemplateRepository(TENANT).create(template)
    return template.id


def make_source(n: int) -> str:
    tag = SourceTag(new_id(), SourceParam.UTM_SOURCE, f"source-{n}", f"Source {n}", utcnow())
    SourceTagRepository(TENANT).create(tag)
    return tag.id


PAGED: dict[str, tuple[Callable[[int], str], Callable[[], Any]]] = {
    "AP8 groups": (make_group, lambda: GroupRepository(TENANT)),
    "AP23 properties": (make_property, lambda: PropertyRepository(TENANT)),
    "AP37 SMS templates": (make_template, lambda: SmsTemplateRepository(TENANT)),
    "AP22 source tags": (make_source, lambda: SourceTagRepository(TENANT)),
}


@pytest.mark.parametrize("name", list(PAGED))
def test_pages_in_creation_order_until_the_cursor_ends(aws: LocalAws, name: str) -> None:
    """AP8, AP22, AP23, AP37: groups, source tags, property definitions and SMS templates come a
    page at a time in creation order; a cursor is refused by another CRM."""
    make, repo = PAGED[name]
    made = [make(n) for n in range(5)]
    seen: list[str] = []
    cursor: str | None = None
    while True:
        page: Page[Any] = repo().page(limit=2, cursor=cursor)
        assert len(page.items) <= 2
        seen += [item.id for item in page.items]
        if (cursor := page.next_cursor) is None:
            break
    assert seen == sorted(made)
    with pytest.raises(ValidationError):
        type(repo())("tenant-2").page(limit=2, cursor=repo().page(limit=1).next_cursor)


def test_ap21_the_counters_of_a_page_of_source_tags_in_one_batch_read(aws: LocalAws) -> None:
    tags = [make_source(n) for n in range(3)]
    contacts = ContactRepository(TENANT)
    deltas = {("source", ContactKind.CLIENT.value, tags[0]): 2, ("source", ContactKind.LEAD.value, tags[1]): 1}
    transact(contacts.counter_updates(deltas))

    counts = SourceTagRepository(TENANT).counts(tags)

    assert counts == {(ContactKind.CLIENT, tags[0]): 2, (ContactKind.LEAD, tags[1]): 1}
    assert SourceTagRepository(TENANT).counts([]) == {}
