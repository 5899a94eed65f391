"""Invitations (TM-2, ON-3): emailed or shared links, single use, a week long. Rules on fakes."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from chalicelib.domain.errors import ConflictError, ForbiddenError, NotFoundError, ValidationError
from chalicelib.domain.rights import GroupType, Permission
from chalicelib.domain.users import UserStatus
from chalicelib.services.invitations import InvitationService
from tests.fakes.outside import FakeIdentity, FakeMailer
from tests.services.world import World

PASSWORD = "correct horse battery 9"


@pytest.fixture
def mailer() -> FakeMailer:
    return FakeMailer()


@pytest.fixture
def identity() -> FakeIdentity:
    return FakeIdentity()


@pytest.fixture
def invitations(world: World, identity: FakeIdentity, mailer: FakeMailer) -> InvitationService:
    return InvitationService(world.storage, world.clock, identity, mailer, "https://crm.acme.test")


def _token(mailer: FakeMailer, to: str) -> str:
    text = next(text for address, _, text in mailer.sent if address == to)
    found = re.search(r"https://crm\.acme\.test/invitations/accept\?token=(\S+)", text)
    assert found, text
    return found.group(1)


def test_each_address_gets_one_invitation_and_members_are_named(
    world: World, invitations: InvitationService, mailer: FakeMailer
) -> None:
    results = invitations.invite(world.admin, ["Nia@Acme.test", "nia@acme.test ", "ada@acme.test"], None)
    assert [(r.email, r.status) for r in results] == [("nia@acme.test", "sent"), ("ada@acme.test", "already_member")]
    assert [to for to, _, _ in mailer.sent] == ["nia@acme.test"]
    invited = world.storage.users(world.tenant_id).get(results[0].user_id or "")
    assert invited is not None
    assert (invited.status, invited.group_id) == (UserStatus.INVITED, world.groups[GroupType.MANAGER].id)


def test_an_accepted_invitation_activates_the_user_once(
    world: World, invitations: InvitationService, mailer: FakeMailer, identity: FakeIdentity
) -> None:
    (result,) = invitations.invite(world.admin, ["nia@acme.test"], None)
    token = _token(mailer, "nia@acme.test")

    user = invitations.accept(token, "Nia Newcomer", PASSWORD, None)
    assert (user.id, user.name, user.status) == (result.user_id, "Nia Newcomer", UserStatus.ACTIVE)
    assert [email for email, _ in identity.logins.values()] == ["nia@acme.test"]
    with pytest.raises(NotFoundError) as again:
        invitations.accept(token, "Someone Else", PASSWORD, None)
    assert again.value.field == "token"


def test_an_invitation_expires_after_a_week(world: World, invitations: InvitationService, mailer: FakeMailer) -> None:
    invitations.invite(world.admin, ["nia@acme.test"], None)
    world.clock.advance(timedelta(days=7))
    assert invitations.list_pending(world.admin) == []
    with pytest.raises(NotFoundError):
        invitations.accept(_token(mailer, "nia@acme.test"), "Nia Newcomer", PASSWORD, None)


def test_a_shared_link_asks_for_the_email_and_joins_its_group(world: World, invitations: InvitationService) -> None:
    trainees = world.groups[GroupType.TRAINEE]
    link = invitations.create_link(world.admin, trainees.id)
    with pytest.raises(ValidationError) as refused:
        invitations.accept(link.token, "Lou Link", PASSWORD, None)
    assert refused.value.field == "email"

    joined = invitations.accept(link.token, "Lou Link", PASSWORD, "Lou@Acme.test")
    assert (joined.email, joined.group_id) == ("lou@acme.test", trainees.id)


def test_only_administrators_invite_administrators(world: World, invitations: InvitationService) -> None:
    recruiter = world.user("Rita Recruiter", frozenset({Permission.TEAM_ADD}))
    admins = world.groups[GroupType.ADMIN]
    with pytest.raises(ForbiddenError) as refused:
        invitations.invite(recruiter, ["boss@acme.test"], admins.id)
    assert refused.value.field == "group_id"
    assert invitations.invite(recruiter, ["seller@acme.test"], None)[0].status == "sent"
    assert invitations.invite(world.admin, ["boss@acme.test"], admins.id)[0].status == "sent"


def test_a_refused_email_is_reported_and_the_invitation_stays_valid(
    world: World, invitations: InvitationService, mailer: FakeMailer
) -> None:
    mailer.refused.add("nia@acme.test")
    (result,) = invitations.invite(world.admin, ["nia@acme.test"], None)
    assert result.status == "failed"
    assert [i.email for i in invitations.list_pending(world.admin)] == ["nia@acme.test"]


def test_a_user_added_by_hand_is_unique_by_email(world: World, invitations: InvitationService) -> None:
    invitations.invite_user(world.admin, "Nia Newcomer", "nia@acme.test", "101", None)
    with pytest.raises(ConflictError) as taken:
        invitations.invite_user(world.admin, "Nia Again", "NIA@acme.test", None, None)
    assert taken.value.field == "email"
    with pytest.raises(ConflictError) as extension:
        invitations.invite_user(world.admin, "Ext Twin", "twin@acme.test", "101", None)
    assert extension.value.field == "extension"
