"""Sending an SMS (TE-8, SM-1..3) on fakes: numbers, templates, the feed, leads for new numbers."""

from __future__ import annotations

import pytest

from chalicelib.domain.contacts import ContactKind, LeadSource
from chalicelib.domain.errors import ConflictError, ForbiddenError, ValidationError
from chalicelib.services.sms import SmsService
from tests.fakes.outside import FakeSmsSender
from tests.services.world import World

PHONE = "+33612345678"


@pytest.fixture
def sender() -> FakeSmsSender:
    return FakeSmsSender()


@pytest.fixture
def sms(world: World, sender: FakeSmsSender) -> SmsService:
    return SmsService(world.storage, world.clock, sender)


def test_an_sms_to_a_contact_goes_to_their_first_number_and_into_their_feed(
    world: World, sms: SmsService, sender: FakeSmsSender
) -> None:
    client = world.client("Bob Buyer", world.admin, phone=PHONE)
    template = sms.create_template(world.admin, "Hello", "Hello {name}, see you soon")
    sent = sms.send(world.admin, contact_id=client.id, template_id=template.id)
    assert sender.sent == [(world.tenant_id, PHONE, "Hello Bob Buyer, see you soon")]
    (entry,) = world.storage.contacts(world.tenant_id).feeds[client.id]
    assert (entry.id, entry.data["direction"], sent.contact_id) == (sent.id, "outgoing", client.id)


def test_a_new_number_written_locally_becomes_the_senders_lead_once_the_sms_is_out(
    world: World, sms: SmsService, sender: FakeSmsSender
) -> None:
    sent = sms.send(world.admin, to="06 12 34 56 78", text="Our offer")
    (lead,) = world.storage.contacts(world.tenant_id).records.values()
    assert (sent.to, lead.kind, lead.lead_source) == (PHONE, ContactKind.LEAD, LeadSource.SMS)
    assert lead.responsible_user_id == world.admin.user_id

    sender.refused.add("+33698765432")
    with pytest.raises(ConflictError) as refused:
        sms.send(world.admin, to="+33698765432", text="Our offer")
    assert refused.value.field == "to"
    assert len(world.storage.contacts(world.tenant_id).records) == 1  # a refused SMS leaves nothing


def test_an_sms_needs_exactly_one_of_text_and_template_and_a_number(world: World, sms: SmsService) -> None:
    for kwargs, field in (
        ({"to": PHONE}, "text"),
        ({"to": PHONE, "text": "a", "template_id": "t"}, "text"),
        ({"to": PHONE, "template_id": "nope"}, "template_id"),
        ({"text": "hi"}, "to"),
        ({"contact_id": "nope", "text": "hi"}, "contact_id"),
    ):
        with pytest.raises(ValidationError) as refused:
            sms.send(world.admin, **kwargs)
        assert refused.value.field == field, kwargs


def test_a_seller_cannot_text_a_client_they_do_not_see_nor_edit_templates(world: World, sms: SmsService) -> None:
    seller = world.user("Sam Seller")
    theirs = world.client("Tom Theirs", world.admin, phone=PHONE)
    with pytest.raises(ValidationError):
        sms.send(seller, contact_id=theirs.id, text="hi")
    sent = sms.send(seller, to=PHONE, text="hi")  # the number itself is fine; not put in a feed they cannot see
    assert sent.contact_id is None
    with pytest.raises(ForbiddenError):
        sms.create_template(seller, "Mine", "text")


def test_templates_are_versioned(world: World, sms: SmsService) -> None:
    template = sms.create_template(world.admin, "Hello", "Hello {name}")
    sms.update_template(world.admin, template.id, template.version, None, "Hi {name}")
    with pytest.raises(ConflictError) as stale:
        sms.update_template(world.admin, template.id, template.version, "Hey", None)
    assert stale.value.field == "version"
    assert [t.text for t in sms.templates(world.admin, limit=10, cursor=None).items] == ["Hi {name}"]
