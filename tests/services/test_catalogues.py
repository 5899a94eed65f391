"""The CRM's catalogues an administrator keeps: rights groups (ST-7), custom properties (CL-4),
source tags (SO-1). Rules on the fake storage."""

from __future__ import annotations

from dataclasses import replace

import pytest

from chalicelib.domain.contacts import ContactKind
from chalicelib.domain.errors import ConflictError, ForbiddenError, ValidationError
from chalicelib.domain.properties import PropertyKind
from chalicelib.domain.rights import GroupType, Permission
from chalicelib.domain.sources import SourceParam
from chalicelib.services.groups import MAX_GROUPS, GroupService
from chalicelib.services.properties import PropertyService
from chalicelib.services.sources import SourceTagService
from tests.services.world import World

# --- groups --------------------------------------------------------------------------------


def test_only_administrators_manage_groups(world: World) -> None:
    groups = GroupService(world.storage)
    manager = world.user("Max Manager")
    with pytest.raises(ForbiddenError):
        groups.create(manager, "Night shift", frozenset())
    created = groups.create(world.admin, "  Night   shift ", frozenset({Permission.LEADS_VIEW}))
    assert (created.type, created.title) == (GroupType.CUSTOM, "Night shift")


def test_a_rights_change_applies_flag_by_flag_and_admins_keep_every_right(world: World) -> None:
    groups = GroupService(world.storage)
    managers = world.groups[GroupType.MANAGER]
    flags = {Permission.LEADS_VIEW: True, Permission.CUSTOMERS_DELETE: False}
    changed = groups.update(world.admin, managers.id, None, permissions=flags)
    assert Permission.LEADS_VIEW in changed.permissions
    assert Permission.CUSTOMERS_DELETE not in changed.permissions
    assert Permission.CUSTOMERS_CREATE in changed.permissions  # untouched flags stay
    with pytest.raises(ValidationError) as refused:
        groups.update(world.admin, world.groups[GroupType.ADMIN].id, None, permissions={Permission.TEAM_ADD: False})
    assert refused.value.field == "permissions"
    with pytest.raises(ValidationError) as renamed:
        groups.update(world.admin, managers.id, None, title="Sellers")
    assert renamed.value.field == "title"


def test_a_group_with_members_or_a_standard_group_is_not_deleted(world: World) -> None:
    groups = GroupService(world.storage)
    custom = groups.create(world.admin, "Night shift", frozenset())
    member = world.user("Nina Night")
    users = world.storage.users(world.tenant_id)
    users.records[member.user_id] = replace(member.user, group_id=custom.id)
    with pytest.raises(ConflictError):
        groups.delete(world.admin, custom.id)
    with pytest.raises(ConflictError):
        groups.delete(world.admin, world.groups[GroupType.TRAINEE].id)
    users.records[member.user_id] = member.user
    groups.delete(world.admin, custom.id)
    assert groups.page(world.admin, limit=100, cursor=None).items == world.storage.groups(world.tenant_id).list_all()


def test_a_crm_has_a_bounded_number_of_groups(world: World) -> None:
    groups = GroupService(world.storage)
    for n in range(MAX_GROUPS - len(world.groups)):
        groups.create(world.admin, f"Team {n}", frozenset())
    with pytest.raises(ConflictError):
        groups.create(world.admin, "One too many", frozenset())


# --- custom properties ---------------------------------------------------------------------


def test_a_property_key_is_unique_and_a_select_needs_options(world: World) -> None:
    properties = PropertyService(world.storage)
    properties.create(world.admin, "fleet_size", "Fleet size", PropertyKind.NUMBER, None)
    with pytest.raises(ConflictError) as taken:
        properties.create(world.admin, "fleet_size", "Fleet", PropertyKind.NUMBER, None)
    assert taken.value.field == "key"
    with pytest.raises(ValidationError):
        properties.create(world.admin, "sector", "Sector", PropertyKind.SELECT, None)


def test_only_administrators_define_properties(world: World) -> None:
    properties = PropertyService(world.storage)
    with pytest.raises(ForbiddenError):
        properties.create(world.user("Max Manager"), "sector", "Sector", PropertyKind.TEXT, None)
    spare = properties.create(world.admin, "spare", "Spare", PropertyKind.TEXT, None)
    properties.delete(world.admin, spare.id)  # unused: it goes
    assert properties.page(world.admin, limit=10, cursor=None).items == []


def test_options_in_use_cannot_be_removed_nor_the_property_deleted(world: World) -> None:
    properties = PropertyService(world.storage)
    sector = properties.create(world.admin, "sector", "Sector", PropertyKind.SELECT, ["retail", "transport"])
    client = world.client("Bob Buyer", world.admin)
    contacts = world.storage.contacts(world.tenant_id)
    contacts.records[client.id] = replace(client, properties={"sector": "retail"})

    with pytest.raises(ConflictError) as refused:
        properties.update(world.admin, sector.id, None, title=None, options=["transport"])
    assert refused.value.field == "options"
    with pytest.raises(ConflictError):
        properties.delete(world.admin, sector.id)
    grown = properties.update(world.admin, sector.id, None, title="Industry", options=["retail", "transport", "food"])
    assert (grown.title, grown.options, grown.version) == ("Industry", ("retail", "transport", "food"), 2)


# --- source tags ---------------------------------------------------------------------------


def test_a_source_tag_is_unique_per_parameter_and_value(world: World) -> None:
    sources = SourceTagService(world.storage, world.clock)
    sources.create(world.admin, SourceParam.UTM_SOURCE, "google", None)
    sources.create(world.admin, SourceParam.UTM_MEDIUM, "google", None)  # another parameter: fine
    with pytest.raises(ConflictError) as taken:
        sources.create(world.admin, SourceParam.UTM_SOURCE, "google", "Google Ads")
    assert taken.value.field == "value"


def test_the_list_counts_clients_and_leads_per_tag_and_a_used_tag_stays(world: World) -> None:
    sources = SourceTagService(world.storage, world.clock)
    tag = sources.create(world.admin, SourceParam.UTM_SOURCE, "google", "Google Ads")
    client = world.client("Bob Buyer", world.admin)
    contacts = world.storage.contacts(world.tenant_id)
    contacts.records[client.id] = replace(client, source_tag_ids=(tag.id,))
    lead = world.client("Lea Lead", world.admin)
    contacts.records[lead.id] = replace(lead, kind=ContactKind.LEAD, source_tag_ids=(tag.id,))

    ((listed, counted),) = sources.page(world.admin, limit=10, cursor=None).items
    assert (listed.display_value, counted.clients, counted.leads) == ("Google Ads", 1, 1)
    with pytest.raises(ConflictError):
        sources.delete(world.admin, tag.id)
    renamed = sources.rename(world.admin, tag.id, tag.version, "Google")
    assert (renamed.display_value, renamed.value) == ("Google", "google")
