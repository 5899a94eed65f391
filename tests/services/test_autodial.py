"""Autodial (AD-1..4) on fakes: the workflow's steps driven by hand, as Step Functions runs them."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from chalicelib.domain.actor import Actor
from chalicelib.domain.autodial import CallListStatus, Outcome
from chalicelib.domain.contacts import ContactKind, LeadSource
from chalicelib.domain.errors import ConflictError, NotFoundError, ValidationError
from chalicelib.domain.telephony import CallStatus
from chalicelib.ports.pbx import PbxError, PbxUnavailableError
from chalicelib.services.autodial import AutodialService, AutodialTiming, DialRefusedError, DialSkippedError
from tests.fakes.outside import FakeWorkflows
from tests.fakes.telephony import FakePbx
from tests.services.world import World

A, B, C = "+33612345678", "+33698765432", "+33700000001"


class Desk:
    """A seller with extension 101, the CRM's PBX keys set, and the autodial service."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.pbx = FakePbx()
        self.pbx.store(world.tenant_id, "key", "secret")
        self.workflows = FakeWorkflows()
        self.autodial = AutodialService(world.storage, world.clock, self.pbx, self.workflows, AutodialTiming(5, 60))
        seller = world.user("Sam Seller")
        self.seller = replace(seller, user=replace(seller.user, extension="101"))

    @property
    def client(self) -> Any:
        return self.pbx.client(self.world.tenant_id)

    def job(self, list_id: str) -> dict[str, Any]:
        (_, payload) = next(
            v for k, v in self.workflows.started.items() if list_id in k and k.endswith(f"-{self.run(list_id)}")
        )
        return dict(payload)

    def run(self, list_id: str) -> int:
        return self.world.storage.call_lists(self.world.tenant_id).records[list_id].run

    def step(self, job: dict[str, Any], outcome: str | None = None, *, error: dict[str, str] | None = None) -> dict:
        """One turn of the state machine: next number, dial it, wait for its end, record it."""
        turn = self.autodial.next_number(job)
        if turn["action"] != "dial":
            return turn
        token = f"token-{turn['index']}-{job['run']}"
        self.workflows.waiting.add(token)
        try:
            self.autodial.dial({"job": turn, "token": token})
        except (DialRefusedError, DialSkippedError) as exc:
            return self.autodial.record({**turn, "error": {"Error": type(exc).__name__, "Cause": str(exc)}})
        if outcome is not None:  # the PBX's end of call resumes the waiting step
            self.autodial.call_ended(self.world.tenant_id, "101", turn["phone"], CallStatus(outcome), f"out_{token}")
            return self.autodial.record({**turn, "result": self.workflows.resumed[-1][1]})
        return self.autodial.record({**turn, "error": error or {"Error": "States.Timeout"}})


@pytest.fixture
def desk(world: World) -> Desk:
    return Desk(world)


def test_a_list_needs_an_extension_pbx_keys_and_either_contacts_or_numbers(world: World, desk: Desk) -> None:
    with pytest.raises(ConflictError) as no_extension:
        desk.autodial.create(world.user("Nia Noext"), None, [A])
    assert no_extension.value.field == "extension"
    with pytest.raises(ValidationError) as both:
        desk.autodial.create(desk.seller, ["x"], [A])
    assert both.value.field == "contact_ids"
    with pytest.raises(ValidationError) as bad:
        desk.autodial.create(desk.seller, None, [A, "12"])
    assert bad.value.field == "phones[1]"
    desk.pbx.keys.clear()
    with pytest.raises(ConflictError) as no_keys:
        desk.autodial.create(desk.seller, None, [A])
    assert no_keys.value.field == "pbx_api_key"


def test_numbers_are_dialled_in_order_once_each_and_the_list_completes(world: World, desk: Desk) -> None:
    call_list = desk.autodial.create(desk.seller, None, [A, B, A, C])  # A given twice: dialled once
    assert call_list.total == 3
    job = desk.job(call_list.id)
    assert desk.step(job, "noanswer")["gap"] is True  # a pause before the next after no answer
    assert desk.step(job, "busy")["gap"] is True
    assert desk.step(job, "noanswer")["gap"] is True
    assert desk.step(job)["action"] == "done"

    dialled = [args[:2] for name, args in desk.client.calls if name == "callback"]
    assert dialled == [("101", A), ("101", B), ("101", C)]
    listed, items = desk.autodial.get(desk.seller, call_list.id, limit=10, cursor=None)
    assert (listed.status, listed.done) == (CallListStatus.COMPLETED, 3)
    assert [i.outcome for i in items.items] == [Outcome.NOANSWER, Outcome.BUSY, Outcome.NOANSWER]


def test_an_unknown_number_that_answers_becomes_the_callers_lead(world: World, desk: Desk) -> None:
    call_list = desk.autodial.create(desk.seller, None, [A])
    assert desk.step(desk.job(call_list.id), "answer")["gap"] is False
    (lead,) = world.storage.contacts(world.tenant_id).records.values()
    assert (lead.kind, lead.responsible_user_id, lead.lead_source) == (
        ContactKind.LEAD, desk.seller.user_id, LeadSource.CALL_OUTGOING,
    )  # fmt: skip


def test_a_paused_list_stops_and_a_resume_goes_on_with_a_new_run(world: World, desk: Desk) -> None:
    call_list = desk.autodial.create(desk.seller, None, [A, B])
    first_run = desk.job(call_list.id)
    desk.step(first_run, "noanswer")
    desk.autodial.pause(desk.seller, call_list.id)
    assert desk.step(first_run)["action"] == "paused"
    with pytest.raises(ConflictError):
        desk.autodial.pause(desk.seller, call_list.id)

    resumed = desk.autodial.resume(desk.seller, call_list.id)
    assert resumed.run == 2
    assert desk.step(first_run)["action"] == "done"  # the old run is superseded
    desk.step(desk.job(call_list.id), "answer")
    assert [args[1] for name, args in desk.client.calls if name == "callback"] == [A, B]


def test_cancel_lets_go_of_the_number_being_dialled(world: World, desk: Desk) -> None:
    call_list = desk.autodial.create(desk.seller, None, [A, B])
    job = desk.job(call_list.id)
    turn = desk.autodial.next_number(job)
    desk.workflows.waiting.add("t1")
    desk.autodial.dial({"job": turn, "token": "t1"})

    desk.autodial.cancel(desk.seller, call_list.id)
    assert desk.workflows.aborted == [("t1", "Canceled", "the call list was canceled")]
    desk.autodial.record({**turn, "error": {"Error": "Canceled"}})
    assert desk.step(job)["action"] == "canceled"
    items = desk.autodial.get(desk.seller, call_list.id, limit=10, cursor=None)[1].items
    assert [i.outcome for i in items] == [Outcome.CANCEL, Outcome.PENDING]


def test_two_lists_of_one_extension_never_dial_the_same_number_at_once(world: World, desk: Desk) -> None:
    first = desk.autodial.create(desk.seller, None, [A])
    second = desk.autodial.create(desk.seller, None, [A])
    turn = desk.autodial.next_number(desk.job(first.id))
    desk.autodial.dial({"job": turn, "token": "t1"})  # first waits for A's end
    assert desk.step(desk.job(second.id))["gap"] is True
    item = world.storage.call_lists(world.tenant_id).item(second.id, 0)
    assert item is not None
    assert item.outcome is Outcome.FAILED
    assert "another call list of this extension" in (item.reason or "")


def test_a_refused_call_fails_its_number_but_an_unanswered_request_waits(world: World, desk: Desk) -> None:
    call_list = desk.autodial.create(desk.seller, None, [A, B])
    job = desk.job(call_list.id)
    desk.client.fail = PbxError("wrong number")
    desk.step(job)
    desk.client.fail = PbxUnavailableError("timeout", maybe_sent=True)
    turn = desk.autodial.next_number(job)
    desk.autodial.dial({"job": turn, "token": "t2"})  # may be ringing: no refusal, the end decides
    items = desk.autodial.get(desk.seller, call_list.id, limit=10, cursor=None)[1].items
    assert [i.outcome for i in items] == [Outcome.FAILED, Outcome.DIALING]
    assert "wrong number" in (items[0].reason or "")


def test_a_list_is_its_owners_and_the_administrators(world: World, desk: Desk) -> None:
    call_list = desk.autodial.create(desk.seller, None, [A])
    other: Actor = world.user("Olly Other")
    with pytest.raises(NotFoundError):
        desk.autodial.get(other, call_list.id, limit=10, cursor=None)
    assert desk.autodial.get(world.admin, call_list.id, limit=10, cursor=None)[0].id == call_list.id


def test_the_history_is_the_callers_own_and_the_whole_crms_for_an_administrator(world: World, desk: Desk) -> None:
    admin = replace(world.admin, user=replace(world.admin.user, extension="100"))
    by_seller = desk.autodial.create(desk.seller, None, [A])
    world.clock.advance(minutes=1)
    by_admin = desk.autodial.create(admin, None, [B])
    assert [c.id for c in desk.autodial.history(desk.seller, limit=10, cursor=None).items] == [by_seller.id]
    everyone = desk.autodial.history(world.admin, limit=10, cursor=None)
    assert [c.id for c in everyone.items] == [by_admin.id, by_seller.id]  # newest first
    assert everyone.items[1].user_id == desk.seller.user_id
    assert desk.autodial.history(world.user("Olly Other"), limit=10, cursor=None).items == []
