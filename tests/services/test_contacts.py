"""Clients and leads (CL, LD): duplicates, the unsorted pool, conversion, rights, the feed.
Rules on the fake storage; tests/api/test_contacts.py keeps the HTTP contract."""

from __future__ import annotations

import pytest

from chalicelib.domain.contacts import ChannelType, ContactKind, LeadStatus
from chalicelib.domain.errors import ConflictError, DuplicateError, ForbiddenError, NotFoundError, ValidationError
from chalicelib.domain.rights import GroupType, Permission
from chalicelib.services.contacts import ContactInput, ContactService
from tests.services.world import World

PHONE = "+33612345678"


@pytest.fixture
def contacts(world: World) -> ContactService:
    return ContactService(world.storage, world.clock)


def _with_phone(name: str, phone: str = PHONE) -> ContactInput:
    return ContactInput(name=name, phones=[(phone, ChannelType.WORK)])


def test_a_phone_belongs_to_one_contact_and_the_duplicate_names_it(world: World, contacts: ContactService) -> None:
    first = contacts.create(world.admin, ContactKind.CLIENT, _with_phone("Bob Buyer"))
    with pytest.raises(DuplicateError) as duplicate:
        contacts.create(world.admin, ContactKind.LEAD, _with_phone("Bob Again", "06 12 34 56 78"))  # same, local
    assert (duplicate.value.field, duplicate.value.existing_id) == ("phone", first.id)
    assert list(world.storage.contacts(world.tenant_id).records) == [first.id]  # nothing half-written


def test_an_unsorted_lead_can_be_taken_by_one_user_only(world: World, contacts: ContactService) -> None:
    lead = contacts.create(world.admin, ContactKind.LEAD, ContactInput(name="Pia Pool"), unsorted=True)
    first, second = world.user("Fay First"), world.user("Sid Second")

    taken = contacts.take(first, lead.id)
    assert (taken.responsible_user_id, taken.lead_status) == (first.user_id, LeadStatus.IN_PROGRESS)
    with pytest.raises(ConflictError, match="already been taken"):
        contacts.take(second, lead.id)


def test_converting_a_lead_keeps_its_id_and_feed_and_needs_a_responsible_user(
    world: World, contacts: ContactService
) -> None:
    pooled = contacts.create(world.admin, ContactKind.LEAD, ContactInput(name="Pia Pool"), unsorted=True)
    with pytest.raises(ValidationError) as refused:
        contacts.close(world.admin, pooled.id, "client")
    assert refused.value.field == "outcome"

    contacts.take(world.admin, pooled.id)
    client = contacts.close(world.admin, pooled.id, "client")
    assert client is not None
    assert (client.id, client.kind, client.lead_status) == (pooled.id, ContactKind.CLIENT, LeadStatus.FINISHED)
    events = [e.data.get("event") for e in world.storage.contacts(world.tenant_id).feeds[pooled.id]]
    assert events == ["created", "taken", "converted"]


def test_a_poor_quality_lead_is_deleted_and_frees_its_phone(world: World, contacts: ContactService) -> None:
    lead = contacts.create(world.admin, ContactKind.LEAD, _with_phone("Spam Caller"))
    assert contacts.close(world.admin, lead.id, "poor_quality") is None
    again = contacts.create(world.admin, ContactKind.CLIENT, _with_phone("Real Buyer"))
    assert world.storage.contacts(world.tenant_id).owner_of_phone(PHONE) == again.id


def test_an_edit_records_old_and_new_values_and_an_empty_edit_writes_nothing(
    world: World, contacts: ContactService
) -> None:
    client = contacts.create(world.admin, ContactKind.CLIENT, ContactInput(name="Bob Buyer"))
    edited = contacts.update(world.admin, ContactKind.CLIENT, client.id, None, ContactInput(name="Bob Byer"))
    feed = world.storage.contacts(world.tenant_id).feeds[client.id]
    assert feed[-1].data["changes"] == [{"field": "name", "old": "Bob Buyer", "new": "Bob Byer"}]

    same = contacts.update(world.admin, ContactKind.CLIENT, client.id, None, ContactInput(name=" Bob Byer "))
    assert same.version == edited.version
    assert len(world.storage.contacts(world.tenant_id).feeds[client.id]) == 2


def test_a_client_always_has_a_responsible_user(world: World, contacts: ContactService) -> None:
    client = contacts.create(world.admin, ContactKind.CLIENT, ContactInput(name="Bob Buyer"))
    with pytest.raises(ValidationError) as refused:
        contacts.update(world.admin, ContactKind.CLIENT, client.id, None, ContactInput(), reassign=True)
    assert refused.value.field == "responsible_user_id"
    with pytest.raises(ValidationError) as unsorted:
        contacts.create(world.admin, ContactKind.CLIENT, ContactInput(name="Pool Client"), unsorted=True)
    assert unsorted.value.field == "unsorted"


def test_without_view_all_another_users_client_does_not_exist(world: World, contacts: ContactService) -> None:
    seller = world.user("Sam Seller")
    theirs = contacts.create(world.admin, ContactKind.CLIENT, ContactInput(name="Tom Theirs"))
    with pytest.raises(NotFoundError):
        contacts.card(seller, ContactKind.CLIENT, theirs.id)
    viewer = world.user("Vic Viewer", frozenset({Permission.CUSTOMERS_VIEW_ALL}))
    assert contacts.card(viewer, ContactKind.CLIENT, theirs.id).contact.id == theirs.id


def test_creating_a_client_needs_the_create_right_but_anyone_adds_a_lead(
    world: World, contacts: ContactService
) -> None:
    nobody = world.user("Ned Nobody", frozenset())
    with pytest.raises(ForbiddenError):
        contacts.create(nobody, ContactKind.CLIENT, ContactInput(name="Bob Buyer"))
    lead = contacts.create(nobody, ContactKind.LEAD, ContactInput(name="Lea Lead"))
    assert lead.responsible_user_id == nobody.user_id


def test_a_lead_goes_only_to_an_active_user(world: World, contacts: ContactService) -> None:
    leaver = world.user("Lea Leaver", GroupType.TRAINEE)
    world.deactivate(leaver)
    with pytest.raises(ValidationError) as refused:
        contacts.create(
            world.admin, ContactKind.LEAD, ContactInput(name="Lea Lead"), responsible_user_id=leaver.user_id
        )
    assert refused.value.field == "responsible_user_id"


def test_only_the_author_edits_a_note(world: World, contacts: ContactService) -> None:
    client = contacts.create(world.admin, ContactKind.CLIENT, ContactInput(name="Bob Buyer"))
    viewer = world.user("Vic Viewer", frozenset({Permission.CUSTOMERS_VIEW_ALL, Permission.CUSTOMERS_EDIT}))
    note = contacts.add_note(world.admin, ContactKind.CLIENT, client.id, "  Called, call back Monday ")
    assert note.text == "Called, call back Monday"
    with pytest.raises(ForbiddenError):
        contacts.edit_note(viewer, ContactKind.CLIENT, client.id, note.id, "Mine now")
    edited = contacts.edit_note(world.admin, ContactKind.CLIENT, client.id, note.id, "Call back Tuesday")
    assert (edited.text, edited.edited_at) == ("Call back Tuesday", world.clock())
    with pytest.raises(ForbiddenError):
        contacts.delete_note(viewer, ContactKind.CLIENT, client.id, note.id)
    contacts.delete_note(world.admin, ContactKind.CLIENT, client.id, note.id)
    assert [e.kind.value for e in world.storage.contacts(world.tenant_id).feeds[client.id]] == ["event"]
