"""Email integrations (EM-1) at the service: rights, the limit, secrets, the connection test."""

from __future__ import annotations

from dataclasses import replace

import pytest

from chalicelib.domain.errors import ConflictError, ForbiddenError, NotFoundError, StaleVersionError, ValidationError
from chalicelib.domain.mailboxes import MAX_INTEGRATIONS, PRESETS, SHARED_WITH_ALL, SyncStatus, secret_name
from chalicelib.services.mailboxes import IntegrationInput, MailboxService, ServerInput
from tests.fakes.mailboxes import FakeMailboxProbe
from tests.fakes.outside import FakeSecrets
from tests.services.world import World


def given(
    name: str = "Sales", shared_with: str | list[str] | None = None, imap_host: str = "imap.example.com"
) -> IntegrationInput:
    return IntegrationInput(
        name=name,
        email=" Sales@Example.com ",
        imap=ServerInput(imap_host, 993, "ssl", "sales@example.com", "imap-secret"),
        smtp=ServerInput("smtp.example.com", 587, "starttls", "sales@example.com", "smtp-secret"),
        shared_with=shared_with,
        create_leads="received",
    )


@pytest.fixture
def probe() -> FakeMailboxProbe:
    return FakeMailboxProbe()


@pytest.fixture
def secrets() -> FakeSecrets:
    return FakeSecrets()


@pytest.fixture
def service(world: World, probe: FakeMailboxProbe, secrets: FakeSecrets) -> MailboxService:
    return MailboxService(world.storage, world.clock, secrets, probe)


def test_create_tests_both_servers_and_keeps_passwords_in_the_secret_store(
    world: World, service: MailboxService, probe: FakeMailboxProbe, secrets: FakeSecrets
) -> None:
    made = service.create(world.admin, given(shared_with=SHARED_WITH_ALL))
    assert made.email == "sales@example.com"
    assert made.status is SyncStatus.SYNCING
    assert made.shared_with == SHARED_WITH_ALL
    assert probe.checked == [("imap", "imap.example.com", "imap-secret"), ("smtp", "smtp.example.com", "smtp-secret")]
    assert secrets.values[(world.tenant_id, secret_name(made.id))] == {"imap": "imap-secret", "smtp": "smtp-secret"}
    assert "secret" not in repr(world.storage.mailboxes(world.tenant_id).get(made.id))


@pytest.mark.parametrize(
    ("kind", "field", "words"),
    [
        ("auth", "imap.password", "authentication failed"),
        ("unreachable", "imap.host", "host unreachable"),
        ("tls", "imap.security", "TLS failed"),
        ("protocol", "imap", "not a mail server"),
    ],
)
def test_a_failed_connection_test_saves_nothing_and_names_the_field(
    world: World, service: MailboxService, probe: FakeMailboxProbe, secrets: FakeSecrets, kind: str, field: str,
    words: str,
) -> None:  # fmt: skip
    probe.failures["bad.example.com"] = (kind, "the detail")
    with pytest.raises(ValidationError) as refused:
        service.create(world.admin, given(imap_host="bad.example.com"))
    assert refused.value.field == field
    assert words in refused.value.message
    assert "the detail" in refused.value.message
    assert service.visible(world.admin) == []
    assert secrets.values == {}


def test_at_most_twenty_per_crm(world: World, service: MailboxService, probe: FakeMailboxProbe) -> None:
    for n in range(MAX_INTEGRATIONS):
        service.create(world.admin, given(f"M{n}"))
    probe.checked.clear()
    with pytest.raises(ConflictError) as refused:
        service.create(world.admin, given("one too many"))
    assert refused.value.field == "limit"
    assert probe.checked == []  # refused before any connection test


def test_visibility_personal_shared_and_admin(world: World, service: MailboxService) -> None:
    ann, bob, cid = world.user("Ann One"), world.user("Bob Two"), world.user("Cid Three")
    personal = service.create(ann, given("Ann's"))
    to_bob = service.create(world.admin, given("For Bob", shared_with=[bob.user_id]))
    to_all = service.create(world.admin, given("Everyone", shared_with=SHARED_WITH_ALL))
    assert {i.id for i in service.visible(ann)} == {personal.id, to_all.id}
    assert {i.id for i in service.visible(bob)} == {to_bob.id, to_all.id}
    assert {i.id for i in service.visible(cid)} == {to_all.id}
    assert {i.id for i in service.visible(world.admin)} == {personal.id, to_bob.id, to_all.id}
    with pytest.raises(NotFoundError):
        service.get(bob, personal.id)
    with pytest.raises(NotFoundError):
        service.delete(cid, to_bob.id)
    with pytest.raises(ForbiddenError):
        service.update(bob, to_bob.id, None, IntegrationInput(name="Mine now"))
    with pytest.raises(ForbiddenError):
        service.delete(bob, to_all.id)
    assert service.update(world.admin, personal.id, None, IntegrationInput(name="Renamed")).name == "Renamed"


def test_only_an_admin_shares_and_only_with_users_of_the_crm(world: World, service: MailboxService) -> None:
    ann = world.user("Ann One")
    with pytest.raises(ForbiddenError) as refused:
        service.create(ann, given(shared_with=SHARED_WITH_ALL))
    assert refused.value.field == "shared_with"
    with pytest.raises(ForbiddenError):
        service.create(ann, given(shared_with=[world.admin.user_id]))
    with pytest.raises(ValidationError) as unknown:
        service.create(world.admin, given(shared_with=[ann.user_id, "nobody"]))
    assert unknown.value.field == "shared_with[1]"


def test_bad_settings_name_their_field(world: World, service: MailboxService) -> None:
    bad_port = IntegrationInput(
        name="X", email="x@example.com",
        imap=ServerInput("imap.example.com", 0, "ssl", "x", "p"),
        smtp=ServerInput("smtp.example.com", 465, "ssl", "x", "p"),
    )  # fmt: skip
    with pytest.raises(ValidationError) as refused:
        service.create(world.admin, bad_port)
    assert refused.value.field == "imap.port"
    missing = IntegrationInput(name="X", email="x@example.com", imap=given().imap)
    with pytest.raises(ValidationError) as refused:
        service.create(world.admin, missing)
    assert refused.value.field == "smtp.host"
    with pytest.raises(ValidationError) as refused:
        service.create(world.admin, replace(given(), email="not-an-address"))
    assert refused.value.field == "email"


def test_patch_retests_new_settings_keeps_an_absent_password_and_checks_the_version(
    world: World, service: MailboxService, probe: FakeMailboxProbe, secrets: FakeSecrets
) -> None:
    made = service.create(world.admin, given())
    probe.checked.clear()
    renamed = service.update(world.admin, made.id, made.version, IntegrationInput(name="Renamed"))
    assert probe.checked == []  # no server setting changed: no connection test
    moved = service.update(world.admin, made.id, None, IntegrationInput(imap=ServerInput(host="imap2.example.com")))
    assert moved.imap.host == "imap2.example.com"
    assert moved.imap.port == 993
    assert ("imap", "imap2.example.com", "imap-secret") in probe.checked
    service.update(world.admin, made.id, None, IntegrationInput(smtp=ServerInput(password="new-smtp")))
    assert secrets.values[(world.tenant_id, secret_name(made.id))] == {"imap": "imap-secret", "smtp": "new-smtp"}
    probe.failures["down.example.com"] = ("unreachable", "refused")
    with pytest.raises(ValidationError):
        service.update(world.admin, made.id, None, IntegrationInput(imap=ServerInput(host="down.example.com")))
    assert service.get(world.admin, made.id).imap.host == "imap2.example.com"
    with pytest.raises(StaleVersionError):
        service.update(world.admin, made.id, renamed.version - 1, IntegrationInput(name="Old"))


def test_delete_removes_the_secret(world: World, service: MailboxService, secrets: FakeSecrets) -> None:
    ann = world.user("Ann One")
    made = service.create(ann, given())
    service.delete(ann, made.id)
    assert service.visible(ann) == []
    assert secrets.values == {}


def test_presets_cover_the_known_providers() -> None:
    assert {p.id for p in PRESETS} >= {"gmail", "outlook", "yahoo", "icloud", "zoho", "ovh", "orange"}
    assert all(1 <= p.imap[1] <= 65535 and 1 <= p.smtp[1] <= 65535 for p in PRESETS)
