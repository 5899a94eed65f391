"""The team (TM, ST-7): who may change whom, an administrator always kept, logins follow."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from chalicelib.domain.errors import ConflictError, ForbiddenError, ValidationError
from chalicelib.domain.rights import GroupType, Permission
from chalicelib.domain.users import UserStatus, principal_name
from chalicelib.services.team import TeamService
from tests.fakes.outside import FakeIdentity
from tests.services.world import World


@pytest.fixture
def identity() -> FakeIdentity:
    return FakeIdentity()


@pytest.fixture
def team(world: World, identity: FakeIdentity) -> TeamService:
    return TeamService(world.storage, world.clock, identity)


def test_deactivating_disables_the_login_and_activating_restores_it(
    world: World, team: TeamService, identity: FakeIdentity
) -> None:
    seller = world.user("Sam Seller")
    principal = principal_name(world.tenant_id, seller.user_id)
    identity.create_login(principal, "sam@example.com", "a-password")
    assert team.deactivate(world.admin, seller.user_id).status is UserStatus.DEACTIVATED
    assert principal in identity.disabled
    assert team.activate(world.admin, seller.user_id).status is UserStatus.ACTIVE
    assert principal not in identity.disabled


def test_a_user_who_never_accepted_their_invitation_comes_back_invited(world: World, team: TeamService) -> None:
    invited = world.user("Ivy Invited")  # no login: the invitation was never accepted

    team.deactivate(world.admin, invited.user_id)

    assert team.activate(world.admin, invited.user_id).status is UserStatus.INVITED


def test_the_last_active_administrator_stays(world: World, team: TeamService) -> None:
    other = world.user("Olly Other", GroupType.ADMIN)
    with pytest.raises(ConflictError):
        team.deactivate(world.admin, world.admin.user_id)  # not oneself
    team.deactivate(world.admin, other.user_id)
    with pytest.raises(ConflictError, match="at least one active administrator"):
        team.update(other, world.admin.user_id, None, group_id=world.groups[GroupType.MANAGER].id)


def test_only_administrators_change_administrators_or_make_one(world: World, team: TeamService) -> None:
    editor = world.user("Eve Editor", frozenset({Permission.TEAM_EDIT}))
    seller = world.user("Sam Seller")
    with pytest.raises(ForbiddenError):
        team.update(editor, world.admin.user_id, None, name="Renamed")
    with pytest.raises(ForbiddenError) as promoted:
        team.update(editor, seller.user_id, None, group_id=world.groups[GroupType.ADMIN].id)
    assert promoted.value.field == "group_id"
    moved = team.update(editor, seller.user_id, None, group_id=world.groups[GroupType.TRAINEE].id)
    assert moved.group_id == world.groups[GroupType.TRAINEE].id


def test_an_extension_is_unique_and_can_be_removed(world: World, team: TeamService) -> None:
    first, second = world.user("Fay First"), world.user("Sid Second")
    team.update(world.admin, first.user_id, None, extension="101")
    with pytest.raises(ConflictError) as taken:
        team.update(world.admin, second.user_id, None, extension="101")
    assert taken.value.field == "extension"
    team.update(world.admin, first.user_id, None, extension=None)
    assert team.update(world.admin, second.user_id, None, extension="101").extension == "101"
    with pytest.raises(ValidationError) as moved:
        team.update(world.admin, second.user_id, None, group_id="no-such-group")
    assert moved.value.field == "group_id"


def test_availability_follows_working_hours_and_status(world: World, team: TeamService) -> None:
    seller = world.user("Sam Seller")
    monday_10 = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
    assert team.availability(world.admin, seller.user_id, monday_10).working  # no schedule: always
    world.deactivate(seller)
    assert not team.availability(world.admin, seller.user_id, monday_10).working


def test_the_team_list_is_sorted_by_name_whatever_the_case(world: World, team: TeamService) -> None:
    for name in ("bob Brown", "Alice Archer", "Carl Cook"):
        world.user(name)
    names = [u.name for u in team.page(world.admin, group_id=None, limit=10, cursor=None).items]
    assert names == ["Ada Admin", "Alice Archer", "bob Brown", "Carl Cook"]
    managers = team.page(world.admin, group_id=world.groups[GroupType.MANAGER].id, limit=2, cursor=None)
    assert [u.name for u in managers.items] == ["Alice Archer", "bob Brown"]
    assert managers.next_cursor
