"""API keys and website forms at the service tier (issue 20), over the in-memory storage."""

from __future__ import annotations

from datetime import timedelta

import pytest

from chalicelib.domain.api_keys import ApiKeyScope
from chalicelib.domain.contacts import ContactKind, FeedKind, LeadSource
from chalicelib.domain.errors import (
    ConflictError,
    ForbiddenError,
    NotFoundError,
    RateLimitedError,
    UnauthorizedError,
    ValidationError,
)
from chalicelib.domain.rights import GroupType
from chalicelib.domain.sources import SourceParam
from chalicelib.services.api_keys import ApiKeyService
from chalicelib.services.contacts import ContactService
from chalicelib.services.forms import FormInput, FormService
from chalicelib.services.sources import SourceTagService
from tests.services.world import World

PEPPER = b"p" * 32


def keys(world: World) -> ApiKeyService:
    return ApiKeyService(world.storage, world.clock, lambda: PEPPER)


def forms(world: World) -> FormService:
    contacts = ContactService(world.storage, world.clock)
    return FormService(world.storage, world.clock, contacts, SourceTagService(world.storage, world.clock))


def test_a_key_is_stored_as_a_keyed_hash_and_resolves_to_its_owner(world: World) -> None:
    service = keys(world)
    member = world.user("Max Member")
    key, text = service.create(member, "Zapier", ApiKeyScope.API)

    stored = world.storage.api_keys.records[key.id]
    assert text not in repr(stored)
    assert text.startswith(key.prefix + "_")
    actor, found = service.authenticate(text)
    assert (actor.user_id, actor.tenant_id, found.id) == (member.user_id, world.tenant_id, key.id)
    other_pepper = ApiKeyService(world.storage, world.clock, lambda: b"other")
    with pytest.raises(UnauthorizedError):
        other_pepper.authenticate(text)


def test_last_used_at_is_written_once_a_minute(world: World) -> None:
    service = keys(world)
    _, text = service.create(world.admin, "Site", ApiKeyScope.API)
    for _ in range(5):
        service.authenticate(text)
    assert world.storage.api_keys.marked == 1
    world.clock.advance(minutes=1)
    service.authenticate(text)
    assert world.storage.api_keys.marked == 2


def test_the_rate_limit_is_per_key_and_per_minute(world: World) -> None:
    service = keys(world)
    _, limited = service.create(world.admin, "Tight", ApiKeyScope.API, rate_limit=2)
    _, other = service.create(world.admin, "Other", ApiKeyScope.API, rate_limit=2)
    service.authenticate(limited)
    service.authenticate(limited)
    with pytest.raises(RateLimitedError) as refused:
        service.authenticate(limited)
    assert refused.value.retry_after == 60  # the world's clock stands on a whole minute
    service.authenticate(other)
    world.clock.advance(timedelta(minutes=1))
    service.authenticate(limited)


def test_revoked_keys_and_inactive_owners_are_refused(world: World) -> None:
    service = keys(world)
    member = world.user("Max Member")
    key, text = service.create(member, "Site", ApiKeyScope.API)
    _, kept = service.create(member, "Other", ApiKeyScope.API)

    service.delete(member, key.id)
    with pytest.raises(UnauthorizedError):
        service.authenticate(text)
    world.deactivate(member)
    with pytest.raises(UnauthorizedError):
        service.authenticate(kept)


def test_only_the_owner_or_an_admin_sees_and_revokes_a_key(world: World) -> None:
    service = keys(world)
    owner, other = world.user("Olga Owner"), world.user("Otto Other")
    key, _ = service.create(owner, "Site", ApiKeyScope.FORMS)

    assert [k.id for k in service.page(other, limit=10, cursor=None).items] == []
    assert [k.id for k in service.page(world.admin, limit=10, cursor=None).items] == [key.id]
    with pytest.raises(NotFoundError):
        service.delete(other, key.id)
    service.delete(world.admin, key.id)
    assert service.page(owner, limit=10, cursor=None).items == []


def test_keys_are_capped_per_user_and_validated(world: World) -> None:
    service = keys(world)
    with pytest.raises(ValidationError):
        service.create(world.admin, "  ", ApiKeyScope.API)
    with pytest.raises(ValidationError) as bad:
        service.create(world.admin, "x", ApiKeyScope.FORMS, allowed_origins=["ftp://x"])
    assert bad.value.field == "allowed_origins[0]"
    for n in range(50):
        service.create(world.admin, f"k{n}", ApiKeyScope.API)
    with pytest.raises(ConflictError):
        service.create(world.admin, "one too many", ApiKeyScope.API)


def test_a_form_creates_an_unsorted_lead_with_utm_source_tags(world: World) -> None:
    key, _ = keys(world).create(world.admin, "Site", ApiKeyScope.FORMS)
    data = FormInput(
        "Zoe", phone="06 12 34 56 78", utm=((SourceParam.UTM_SOURCE, "google"), (SourceParam.UTM_TERM, "crm"))
    )

    result = forms(world).submit(world.admin, key, None, data)

    lead = result.contact
    assert result.created
    assert (lead.kind, lead.lead_source, lead.responsible_user_id) == (ContactKind.LEAD, LeadSource.FORM, None)
    assert [p.phone for p in lead.phones] == ["+33612345678"]
    tags = world.storage.source_tags(world.tenant_id).get_many(list(lead.source_tag_ids))
    assert sorted((t.param.value, t.value) for t in tags.values()) == [("utm_source", "google"), ("utm_term", "crm")]


def test_a_returning_person_gets_a_feed_entry_on_their_contact(world: World) -> None:
    known = world.client("Known Client", world.admin, phone="+33612345678")
    key, _ = keys(world).create(world.admin, "Site", ApiKeyScope.FORMS)

    result = forms(world).submit(world.admin, key, None, FormInput("Zoe", phone="+33612345678", comment="Hi again"))

    assert (result.created, result.contact.id) == (False, known.id)
    entries = world.storage.contacts(world.tenant_id).feed(known.id, limit=10, cursor=None).items
    assert [(e.kind, e.data["event"], e.text) for e in entries] == [(FeedKind.EVENT, "form_submitted", "Hi again")]


def test_the_honeypot_and_the_origin_list(world: World) -> None:
    key, _ = keys(world).create(world.admin, "Site", ApiKeyScope.FORMS, allowed_origins=["https://shop.example"])
    service = forms(world)

    decoy = service.submit(world.admin, key, "https://shop.example", FormInput("Bot", email="b@x.io", honeypot="x"))
    assert decoy.created
    assert world.storage.contacts(world.tenant_id).get(decoy.contact.id) is None
    with pytest.raises(ForbiddenError):
        service.submit(world.admin, key, "https://evil.example", FormInput("Zoe", email="z@x.io"))
    with pytest.raises(ValidationError):
        service.submit(world.admin, key, None, FormInput("Zoe"))


def test_a_managers_key_acts_with_the_managers_rights(world: World) -> None:
    manager = world.user("Mia Manager", GroupType.MANAGER)
    _, text = keys(world).create(manager, "Site", ApiKeyScope.API)
    actor, _ = keys(world).authenticate(text)
    assert actor.group.type is GroupType.MANAGER
    assert not actor.is_admin
