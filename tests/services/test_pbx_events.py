"""PBX events (TE-1..4, TE-7, SO-1, SO-3) on fakes: calls merged from their events, leads for
unknown numbers, routing to the responsible manager, signatures. tests/api/test_pbx_webhooks.py
keeps the signed-webhook contract with the real Zadarma encodings."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import timedelta
from urllib.parse import urlencode

import pytest

from chalicelib.domain.contacts import ContactKind, LeadSource
from chalicelib.domain.telephony import CallStatus, RecordingState
from chalicelib.services.pbx_events import CACHE_TTL, PbxEvents, RecordingTiming, WebhookReply
from tests.fakes.outside import FakeWorkflows
from tests.fakes.telephony import FakePbx
from tests.services.world import World

SECRET = "s3cret"
CALLER = "+33612345678"
DID = "+33170000000"


class Phone:
    """The CRM's PBX sending events, as the webhook route hands them to the service."""

    def __init__(self, world: World, cache_ttl: timedelta = CACHE_TTL) -> None:
        self.world = world
        self.pbx = FakePbx()
        self.pbx.store(world.tenant_id, "key", SECRET)
        self.workflows = FakeWorkflows()
        self.ended: list[tuple[str, str, CallStatus]] = []
        self.events = PbxEvents(
            world.storage, world.clock, self.pbx, self.workflows, RecordingTiming(40, 30),
            on_call_end=lambda tenant, ext, phone, status, call_id: self.ended.append((ext, phone, status)) or True,
            cache_ttl=cache_ttl,
        )  # fmt: skip

    @property
    def call_start(self) -> str:
        return (self.world.clock() + timedelta(hours=1)).strftime("%Y-%m-%d %H:%M:%S")  # Paris, winter

    def send(self, event: str, signature: str | None = f"sig:{SECRET}", **fields: str) -> WebhookReply:
        body = urlencode({"event": event, **fields}).encode()
        return self.events.handle("acme", "application/x-www-form-urlencoded", body, {}, signature)

    def incoming(self, call_id: str = "in_1", caller: str = CALLER) -> WebhookReply:
        return self.send("NOTIFY_START", pbx_call_id=call_id, caller_id=caller, called_did=DID,
                         call_start=self.call_start)  # fmt: skip


@pytest.fixture
def phone(world: World) -> Phone:
    return Phone(world)


def test_an_unknown_caller_becomes_a_pool_lead_tagged_with_the_number_called(world: World, phone: Phone) -> None:
    reply = phone.incoming()
    contacts = world.storage.contacts(world.tenant_id)
    (lead,) = contacts.records.values()
    assert (reply.status, reply.body) == (200, {"caller_name": lead.name})
    assert (lead.kind, lead.lead_source, lead.responsible_user_id) == (ContactKind.LEAD, LeadSource.CALL_INCOMING, None)
    (tag,) = world.storage.source_tags(world.tenant_id).records.values()
    assert (lead.source_tag_ids, tag.value) == ((tag.id,), DID)

    phone.incoming("in_2")  # the same number again: the same lead, and the same tag
    assert len(contacts.records) == 1
    assert len(world.storage.source_tags(world.tenant_id).records) == 1


def test_a_call_is_merged_from_its_events_and_lands_once_in_the_feed(world: World, phone: Phone) -> None:
    seller = world.user("Sam Seller")
    users = world.storage.users(world.tenant_id)
    users.records[seller.user_id] = replace(seller.user, extension="101")
    users.extensions["101"] = seller.user_id
    client = world.client("Bob Buyer", seller, phone=CALLER)

    phone.incoming()
    phone.send("NOTIFY_ANSWER", pbx_call_id="in_1", caller_id=CALLER, destination="101", call_start=phone.call_start)
    phone.send("NOTIFY_END", pbx_call_id="in_1", caller_id=CALLER, internal="101", disposition="answered",
               duration="75", call_start=phone.call_start, is_recorded="1", call_id_with_rec="rec-1")  # fmt: skip

    call = world.storage.calls(world.tenant_id).get("in_1")
    assert call is not None
    assert (call.status, call.duration_s, call.user_id, call.contact_id) == (
        CallStatus.ANSWER, 75, seller.user_id, client.id,
    )  # fmt: skip
    assert call.recording is RecordingState.PENDING
    (entry,) = world.storage.contacts(world.tenant_id).feeds[client.id]
    assert (entry.data["status"], entry.data["duration_s"]) == ("answer", 75)
    (_machine, payload) = phone.workflows.started[f"{world.tenant_id}-in_1"]
    assert (payload["record_id"], payload["wait_seconds"]) == ("rec-1", 40)


def test_a_known_callers_call_goes_to_their_manager_while_they_work(world: World, phone: Phone) -> None:
    seller = world.user("Sam Seller")
    users = world.storage.users(world.tenant_id)
    users.records[seller.user_id] = replace(seller.user, extension="101")
    world.client("Bob Buyer", seller, phone=CALLER)

    assert phone.incoming().body == {"caller_name": "Bob Buyer", "redirect": "101", "return_timeout": 20}
    nights = {"timezone": "Europe/Paris", "period_days": 1, "start_date": "2026-03-01",
              "shifts": [{"day": 0, "start": "20:00", "end": "23:00"}]}  # fmt: skip
    users.records[seller.user_id] = replace(users.records[seller.user_id], working_hours=nights)
    world.clock.advance(seconds=61)  # the routing target is kept a minute (pbx_events.CACHE_TTL)
    assert phone.incoming("in_2").body == {"caller_name": "Bob Buyer"}  # off shift: the PBX's own routing


def test_a_shorter_cache_routes_by_a_changed_schedule_sooner(world: World) -> None:
    phone = Phone(world, cache_ttl=timedelta(seconds=5))  # PBX_CACHE_SECONDS=5, as in the local stack
    seller = world.user("Sam Seller")
    users = world.storage.users(world.tenant_id)
    users.records[seller.user_id] = replace(seller.user, extension="101")
    world.client("Bob Buyer", seller, phone=CALLER)
    assert phone.incoming().body["redirect"] == "101"
    nights = {"timezone": "Europe/Paris", "period_days": 1, "start_date": "2026-03-01",
              "shifts": [{"day": 0, "start": "20:00", "end": "23:00"}]}  # fmt: skip
    users.records[seller.user_id] = replace(users.records[seller.user_id], working_hours=nights)

    world.clock.advance(seconds=6)

    assert phone.incoming("in_2").body == {"caller_name": "Bob Buyer"}


def test_a_wrong_signature_is_refused_and_changes_nothing(world: World, phone: Phone) -> None:
    assert phone.send("NOTIFY_START", signature="sig:guess", pbx_call_id="in_1", caller_id=CALLER).status == 401
    assert phone.send("NOTIFY_UNSIGNED", signature=None, pbx_call_id="in_1").status == 200
    assert world.storage.contacts(world.tenant_id).records == {}
    assert world.storage.calls(world.tenant_id).records == {}
    assert phone.events.handle("nope", None, b"event=NOTIFY_START", {}, None).status == 404


def test_a_replayed_old_call_updates_nothing_new_and_mints_no_lead(world: World, phone: Phone) -> None:
    long_ago = (world.clock() - timedelta(days=3)).strftime("%Y-%m-%d %H:%M:%S")
    phone.send("NOTIFY_START", pbx_call_id="in_old", caller_id=CALLER, call_start=long_ago)
    assert world.storage.contacts(world.tenant_id).records == {}
    assert world.storage.calls(world.tenant_id).get("in_old") is not None


def test_auto_leads_follow_the_telephony_settings(world: World, phone: Phone) -> None:
    crm = world.storage.crms.records[world.tenant_id]
    world.storage.crms.records[world.tenant_id] = replace(
        crm, telephony=replace(crm.telephony, auto_lead_incoming_calls=False)
    )
    phone.incoming()
    assert world.storage.contacts(world.tenant_id).records == {}


def test_an_outgoing_call_ending_tells_autodial_and_its_lead_belongs_to_the_caller(world: World, phone: Phone) -> None:
    seller = world.user("Sam Seller")
    world.storage.users(world.tenant_id).extensions["101"] = seller.user_id
    phone.send("NOTIFY_OUT_START", pbx_call_id="out_1", internal="101", destination=CALLER,
               call_start=phone.call_start)  # fmt: skip
    phone.send("NOTIFY_OUT_END", pbx_call_id="out_1", internal="101", destination=CALLER, disposition="busy",
               duration="0", call_start=phone.call_start)  # fmt: skip

    (lead,) = world.storage.contacts(world.tenant_id).records.values()
    assert (lead.lead_source, lead.responsible_user_id) == (LeadSource.CALL_OUTGOING, seller.user_id)
    assert phone.ended == [("101", CALLER, CallStatus.BUSY)]


def test_an_incoming_sms_lands_once_in_the_senders_feed(world: World, phone: Phone) -> None:
    client = world.client("Bob Buyer", world.admin, phone=CALLER)
    result = json.dumps({"caller_id": CALLER, "caller_did": DID, "text": "Call me back"})
    phone.send("SMS", result=result)
    phone.send("SMS", result=result)  # delivered twice
    (entry,) = world.storage.contacts(world.tenant_id).feeds[client.id]
    assert (entry.text, entry.data["direction"]) == ("Call me back", "incoming")
    bad = phone.send("SMS", result='{"text": 1}')
    assert (bad.status, bad.body["error"]["field"]) == (400, "result")
