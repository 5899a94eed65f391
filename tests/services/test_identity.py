"""Signing in (AU), one's profile (ST-1, ST-3) and the company settings (ST-6), on fakes."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from chalicelib.domain.errors import ConflictError, ForbiddenError, UnauthorizedError, ValidationError
from chalicelib.domain.rights import GroupType
from chalicelib.domain.users import principal_name
from chalicelib.services.auth import AuthService
from chalicelib.services.company import CompanyService
from chalicelib.services.profile import ProfileService
from chalicelib.services.team import TeamService
from tests.fakes.outside import FakeFiles, FakeIdentity
from tests.services.world import World

PASSWORD = "correct horse battery 9"


@pytest.fixture
def identity(world: World) -> FakeIdentity:
    identity = FakeIdentity()
    identity.create_login(principal_name(world.tenant_id, world.admin.user_id), world.admin.user.email, PASSWORD)
    return identity


@pytest.fixture
def auth(world: World, identity: FakeIdentity) -> AuthService:
    return AuthService(world.storage, world.clock, identity)


@pytest.fixture
def profile(world: World) -> ProfileService:
    return ProfileService(world.storage, world.clock, FakeFiles())


def test_a_wrong_crm_email_or_password_gets_the_same_answer(auth: AuthService) -> None:
    for crm, email, password in (("nope", "ada@acme.test", PASSWORD), ("acme", "eve@acme.test", PASSWORD),
                                 ("acme", "ada@acme.test", "guess")):  # fmt: skip
        with pytest.raises(UnauthorizedError, match="wrong CRM, email or password"):
            auth.login(crm, email, password)
    assert auth.login(" ACME ", "Ada@Acme.test", PASSWORD).user.name == "Ada Admin"


def test_a_deactivated_user_is_refused_at_login_refresh_and_on_every_request(world: World, auth: AuthService) -> None:
    session = auth.login("acme", "ada@acme.test", PASSWORD)
    assert auth.actor(session.tokens.principal).user.last_seen_at == world.clock()
    world.deactivate(world.admin)
    with pytest.raises(UnauthorizedError):
        auth.login("acme", "ada@acme.test", PASSWORD)
    with pytest.raises(UnauthorizedError):
        auth.refresh(session.tokens.refresh_token or "")
    with pytest.raises(UnauthorizedError):
        auth.actor(session.tokens.principal)
    with pytest.raises(UnauthorizedError):
        auth.actor("not-a-crm-principal")


def test_a_user_whose_group_was_deleted_keeps_a_session_without_rights(world: World, auth: AuthService) -> None:
    custom = world.user("Cal Custom", frozenset())
    del world.storage.groups(world.tenant_id).records[custom.group.id]
    actor = auth.actor(principal_name(world.tenant_id, custom.user_id))
    assert (actor.group.type, actor.group.permissions) == (GroupType.CUSTOM, frozenset())


def test_profile_phones_are_read_in_the_crms_country_and_a_bad_one_is_named(
    world: World, profile: ProfileService
) -> None:
    changed = profile.update(world.admin, None, phones=["06 12 34 56 78", "+33612345678", "+1 202 555 0143"])
    assert changed.user.phones == ("+33612345678", "+12025550143")
    with pytest.raises(ValidationError) as refused:
        profile.update(world.admin, None, phones=["+33612345678", "12"])
    assert refused.value.field == "phones[1]"
    with pytest.raises(ValidationError) as language:
        profile.update(world.admin, None, language="xx")
    assert language.value.field == "language"


def test_a_stale_profile_version_is_a_conflict(world: World, profile: ProfileService) -> None:
    profile.update(world.admin, 1, name="Ada Lovelace")
    with pytest.raises(ConflictError) as stale:
        profile.update(world.admin, 1, name="Ada Byron")  # world.admin still holds version 1
    assert stale.value.field == "version"


def test_working_hours_follow_the_cycle_and_clearing_none_writes_nothing(world: World, profile: ProfileService) -> None:
    day_and_night = {
        "timezone": "Europe/Paris", "period_days": 2, "start_date": "2026-03-02",
        "shifts": [{"day": 0, "start": "08:00", "end": "20:00"}, {"day": 1, "start": "20:00", "end": "08:00"}],
    }  # fmt: skip
    user = profile.set_working_hours(world.admin, day_and_night)
    assert (user.version, user.working_hours and user.working_hours["period_days"]) == (2, 2)
    with pytest.raises(ValidationError) as refused:
        profile.set_working_hours(world.admin, {**day_and_night, "period_days": 0})
    assert refused.value.field == "period_days"

    team = TeamService(world.storage, world.clock, FakeIdentity())
    monday_noon, monday_night = datetime(2026, 3, 2, 11, tzinfo=UTC), datetime(2026, 3, 2, 22, tzinfo=UTC)
    tuesday_night = datetime(2026, 3, 3, 22, tzinfo=UTC)
    working = [team.availability(world.admin, user.id, at).working for at in (monday_noon, monday_night, tuesday_night)]
    assert working == [True, False, True]

    nothing = world.user("Nat Nothing")
    assert profile.clear_working_hours(nothing).version == 1


def test_only_administrators_change_the_company_and_currencies_are_checked(world: World) -> None:
    company = CompanyService(world.storage)
    manager = world.user("Max Manager")
    settings = {"name": "Acme SAS", "country": "FR", "timezone": "Europe/Paris", "base_currency": "EUR"}
    with pytest.raises(ForbiddenError):
        company.update(manager, None, **settings, currencies=[])
    with pytest.raises(ValidationError) as bad_rate:
        company.update(world.admin, None, **settings, currencies=[{"code": "USD", "rate": "-1"}])
    assert bad_rate.value.field.startswith("currencies[0]")
    changed = company.update(world.admin, None, **settings, currencies=[{"code": "USD", "rate": "0.92"}])
    assert (changed.name, changed.slug, changed.rates.currencies) == ("Acme SAS", "acme", ("EUR", "USD"))
    assert company.rates(world.tenant_id).rate("USD") == changed.rates.rate("USD")
