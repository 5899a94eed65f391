"""SMS broadcasts (CL-5, SM-2) on fakes: recipients fixed at the start, each sent once, the
provider's limits waited out, cancel stops the rest. The workflow's steps driven by hand."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

import pytest

from chalicelib.domain.broadcasts import BroadcastStatus, RecipientStatus
from chalicelib.domain.contacts import Phone
from chalicelib.domain.errors import ConflictError, NotFoundError, ValidationError
from chalicelib.domain.sms import SmsTemplate
from chalicelib.ports.outside import SmsRateLimitedError, SmsReceipt
from chalicelib.services.broadcasts import BroadcastService, BroadcastTiming
from tests.fakes.outside import FakeSmsSender, FakeWorkflows
from tests.services.world import World

A, B, C = "+33612345678", "+33698765432", "+33700000001"


@dataclass
class Saturated(FakeSmsSender):
    """A provider that refuses the next `limited` sends for its rate."""

    limited: int = 0
    attempts: list[str] = field(default_factory=list)

    def send(self, tenant_id: str, to: str, text: str) -> SmsReceipt:
        self.attempts.append(to)
        if self.limited:
            self.limited -= 1
            raise SmsRateLimitedError("too many SMS", retry_at=None)
        return super().send(tenant_id, to, text)


@pytest.fixture
def sender() -> Saturated:
    return Saturated()


@pytest.fixture
def workflows() -> FakeWorkflows:
    return FakeWorkflows()


@pytest.fixture
def broadcasts(world: World, sender: Saturated, workflows: FakeWorkflows) -> BroadcastService:
    return BroadcastService(world.storage, world.clock, sender, workflows, BroadcastTiming(10))


def _run(broadcasts: BroadcastService, workflows: FakeWorkflows, broadcast_id: str) -> list[dict[str, Any]]:
    """The state machine: each batch until done (retries included), then finish."""
    (_, payload) = next(v for k, v in workflows.started.items() if k.endswith(broadcast_id))
    results = []
    for batch in payload["batches"]:
        job: dict[str, Any] = {**payload, "batch": batch}
        while (job := broadcasts.send_batch(job))["status"] == "retry":
            results.append(job)
    results.append(broadcasts.finish(payload))
    return results


def test_each_number_gets_the_text_once_and_the_feeds_record_it(
    world: World, broadcasts: BroadcastService, workflows: FakeWorkflows, sender: Saturated
) -> None:
    bob = world.client("Bob Buyer", world.admin, phone=A)
    contacts = world.storage.contacts(world.tenant_id)
    contacts.records[bob.id] = replace(bob, phones=(Phone(A), Phone(B)))
    eve = world.client("Eve Empty", world.admin)  # no number: reported, not silently skipped
    template = world.storage.sms_templates(world.tenant_id)
    template.create(SmsTemplate("t1", "Promo", "Hi {name}!", world.clock()))
    broadcast = broadcasts.create(world.admin, [bob.id, eve.id, bob.id], None, "t1")
    assert (broadcast.total, broadcast.failed) == (2, 1)

    report = _run(broadcasts, workflows, broadcast.id)[-1]
    assert report == {"status": "completed", "total": 2, "sent": 1, "failed": 1}
    assert sender.sent == [(world.tenant_id, A, "Hi Bob Buyer!")]  # the first number only (default)
    assert [e.data["status"] for e in contacts.feeds[bob.id]] == ["sent"]
    again = broadcasts.send_batch({**next(iter(workflows.started.values()))[1], "batch": {"start": 0, "end": 2}})
    assert again["status"] == "done"
    assert len(sender.sent) == 1  # a repeated batch sends nothing again


def test_a_saturated_provider_is_waited_out_then_the_rest_is_sent(
    world: World, broadcasts: BroadcastService, workflows: FakeWorkflows, sender: Saturated
) -> None:
    ids = [world.client(f"Client {n}", world.admin, phone=p).id for n, p in enumerate((A, B, C))]
    sender.limited = 2
    broadcast = broadcasts.create(world.admin, ids, "Our offer", None)
    steps = _run(broadcasts, workflows, broadcast.id)
    assert [s["wait_seconds"] for s in steps[:-1]] == [10, 20]  # doubling from the timing's base
    assert steps[-1]["sent"] == 3
    assert sorted(to for _, to, _ in sender.sent) == sorted([A, B, C])


def test_a_canceled_broadcast_sends_nothing_more(
    world: World, broadcasts: BroadcastService, workflows: FakeWorkflows, sender: Saturated
) -> None:
    ids = [world.client(f"Client {n}", world.admin, phone=p).id for n, p in enumerate((A, B))]
    broadcast = broadcasts.create(world.admin, ids, "Our offer", None)
    broadcasts.cancel(world.admin, broadcast.id)
    assert _run(broadcasts, workflows, broadcast.id)[-1]["status"] == "canceled"
    assert sender.sent == []
    with pytest.raises(ConflictError):
        broadcasts.cancel(world.admin, broadcast.id)


def test_recipients_must_be_contacts_the_sender_sees(world: World, broadcasts: BroadcastService) -> None:
    seller = world.user("Sam Seller")
    theirs = world.client("Tom Theirs", world.admin, phone=A)
    with pytest.raises(ValidationError) as refused:
        broadcasts.create(seller, [theirs.id], "hi", None)
    assert refused.value.field == "contact_ids[0]"
    with pytest.raises(ValidationError) as none:
        broadcasts.create(seller, [], "hi", None)
    assert none.value.field == "contact_ids"
    mine = broadcasts.create(world.admin, [theirs.id], "hi", None)
    with pytest.raises(NotFoundError):
        broadcasts.get(seller, mine.id)
    assert broadcasts.get(world.admin, mine.id)[0].status is BroadcastStatus.RUNNING
    recipients = broadcasts.get(world.admin, mine.id)[1].items
    assert [r.status for r in recipients] == [RecipientStatus.PENDING]


def test_the_history_is_the_callers_own_and_the_whole_crms_for_an_administrator(
    world: World, broadcasts: BroadcastService
) -> None:
    seller = world.user("Sam Seller")
    mine = world.client("Mia Mine", seller, phone=A)
    theirs = world.client("Tom Theirs", world.admin, phone=B)
    by_seller = broadcasts.create(seller, [mine.id], "hi", None)
    by_admin = broadcasts.create(world.admin, [theirs.id], "hello", None)
    assert [b.id for b in broadcasts.history(seller, limit=10, cursor=None).items] == [by_seller.id]
    everyone = broadcasts.history(world.admin, limit=10, cursor=None).items
    assert {b.id for b in everyone} == {by_seller.id, by_admin.id}
    assert next(b for b in everyone if b.id == by_admin.id).text == "hello"
