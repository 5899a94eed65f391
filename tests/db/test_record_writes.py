"""Writes of the small records that services change through their ports (moto): a stale version
refuses and writes nothing, a deletion frees what the record guarded."""

from __future__ import annotations

from dataclasses import replace

import pytest

from chalicelib.db.repositories.contacts import ContactRepository
from chalicelib.db.repositories.groups import GroupRepository
from chalicelib.db.repositories.properties import PropertyRepository
from chalicelib.db.writes import transact
from chalicelib.domain.clock import utcnow
from chalicelib.domain.contacts import Contact, ContactKind, FeedEntry, FeedKind
from chalicelib.domain.errors import ConflictError, NotFoundError, StaleVersionError
from chalicelib.domain.ids import new_id
from chalicelib.domain.properties import PropertyDef, PropertyKind
from chalicelib.domain.rights import Group, GroupType, Permission
from tests.harness import LocalAws

TENANT = "t-writes"


def test_ap7_a_group_saves_and_deletes_only_at_the_version_read(aws: LocalAws) -> None:
    """AP7: a group read, renamed and deleted at the version it was read."""
    groups = GroupRepository(TENANT)
    group = Group(new_id(), GroupType.CUSTOM, "Night shift", frozenset({Permission.LEADS_VIEW}))
    transact(groups.creation_writes(group))
    renamed = groups.save_changes(group, replace(group, title="Nights"))
    assert (groups.get(group.id), renamed.version) == (renamed, 2)

    with pytest.raises(StaleVersionError):
        groups.save_changes(group, replace(group, title="Days"))  # version 1 is gone
    with pytest.raises(StaleVersionError):
        groups.delete(group)
    groups.delete(renamed)
    assert groups.get(group.id) is None


def test_ap23_deleting_a_property_frees_its_key(aws: LocalAws) -> None:
    """AP23: definitions listed; a deleted one frees its key for a new definition."""
    properties = PropertyRepository(TENANT)
    sector = PropertyDef(new_id(), "sector", "Sector", PropertyKind.TEXT)
    properties.create(sector)
    with pytest.raises(ConflictError) as taken:
        properties.create(PropertyDef(new_id(), "sector", "Again", PropertyKind.TEXT))
    assert taken.value.field == "key"
    with pytest.raises(StaleVersionError):
        properties.delete(replace(sector, version=2))
    properties.delete(sector)
    again = PropertyDef(new_id(), "sector", "Sector", PropertyKind.SELECT, ("a", "b"))
    properties.create(again)
    assert properties.list_all() == [again]


def test_ap15_a_note_is_edited_and_deleted_in_place(aws: LocalAws) -> None:
    """AP15: a feed entry replaced (an edited note) and deleted keeps the rest of the feed."""
    contacts = ContactRepository(TENANT)
    now = utcnow()
    client = Contact(new_id(), ContactKind.CLIENT, "Bob", now, "u1", now, responsible_user_id="u1")
    created = FeedEntry(new_id(), FeedKind.EVENT, now, "u1", data={"event": "created"})
    contacts.create(client, [created])
    note = FeedEntry(new_id(), FeedKind.NOTE, now, "u1", text="draft")
    contacts.add_entry(client.id, note)

    contacts.update_entry(client.id, replace(note, text="final", edited_at=now))
    assert contacts.get_entry(client.id, note.id) == replace(note, text="final", edited_at=now)
    contacts.delete_entry(client.id, note.id)
    assert [e.id for e in contacts.feed(client.id, limit=10, cursor=None).items] == [created.id]
    with pytest.raises(NotFoundError):
        contacts.update_entry(client.id, note)  # deleted meanwhile: an edit does not bring it back
