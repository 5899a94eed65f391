"""Webhook rules at the service tier (fakes): subscriptions, the retry schedule to its end,
refused addresses, disabled hooks, claims."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from chalicelib.domain.errors import ValidationError
from chalicelib.domain.hooks import RETRY_DELAYS, Emitted, HookEvent, HookStatus, Outcome
from chalicelib.domain.ids import new_id
from chalicelib.ports.notifications import NoNotifier
from chalicelib.services.hooks import HookService
from tests.fakes.hooks import FakeHookStore, ScriptedSender
from tests.services.world import World

URL = "https://hooks.example.com/catch"


def service(world: World, store: FakeHookStore, sender: ScriptedSender) -> HookService:
    return HookService(store, world.clock, sender, notifier=NoNotifier())


def emit(world: World, store: FakeHookStore, event: HookEvent = HookEvent.LEAD_CREATED) -> Emitted:
    emitted = Emitted(new_id(), world.tenant_id, event, world.clock(), "contact", {"id": "c1", "name": "Ann"})
    store.queue.emit(emitted)
    return emitted


def test_a_message_is_retried_on_the_schedule_then_given_up(world: World) -> None:
    store, sender = FakeHookStore(), ScriptedSender(*[503] * 20)
    hooks = service(world, store, sender)
    hook = hooks.subscribe(world.admin, HookEvent.LEAD_CREATED, URL)
    emit(world, store)

    hooks.run()
    for delay in RETRY_DELAYS:
        world.clock.advance(delay)
        hooks.run()
    world.clock.advance(days=2)
    hooks.run()

    assert len(sender.sent) == len(RETRY_DELAYS) + 1
    assert len({webhook_id for _, webhook_id, _ in sender.sent}) == 1
    assert len({body for _, _, body in sender.sent}) == 1
    log = store.hooks(world.tenant_id).attempts(hook.id, 50)
    assert log[0].outcome is Outcome.FAILED
    assert {a.outcome for a in log[1:]} == {Outcome.RETRYING}


def test_a_refused_address_is_not_retried(world: World) -> None:
    store, sender = FakeHookStore(), ScriptedSender(refused=True)
    hooks = service(world, store, sender)
    hook = hooks.subscribe(world.admin, HookEvent.LEAD_CREATED, URL)
    emit(world, store)

    report = hooks.run()
    world.clock.advance(hours=1)
    hooks.run()

    assert (report.attempts, report.failed) == (1, 1)
    assert store.queue.items == []
    [attempt] = store.hooks(world.tenant_id).attempts(hook.id, 50)
    assert attempt.error == "address refused"


def test_a_disabled_hook_gets_nothing_and_a_success_clears_the_failures(world: World) -> None:
    store, sender = FakeHookStore(), ScriptedSender(500)
    hooks = service(world, store, sender)
    hook = hooks.subscribe(world.admin, HookEvent.DEAL_CREATED, URL)
    emit(world, store, HookEvent.DEAL_CREATED)
    hooks.run()
    assert store.hooks(world.tenant_id).get(hook.id).failing_since is not None  # type: ignore[union-attr]
    world.clock.advance(minutes=2)
    hooks.run()
    assert store.hooks(world.tenant_id).get(hook.id).failing_since is None  # type: ignore[union-attr]

    store.hooks(world.tenant_id).set_state(hook, HookStatus.DISABLED, world.clock())
    emit(world, store, HookEvent.DEAL_CREATED)
    assert hooks.run().attempts == 0


def test_the_body_is_the_rendered_record_in_the_envelope(world: World) -> None:
    store, sender = FakeHookStore(), ScriptedSender()
    hooks = HookService(store, world.clock, sender, render=lambda tenant, kind, record: {"rendered": record["id"]})
    hooks.subscribe(world.admin, HookEvent.LEAD_CREATED, URL)
    emitted = emit(world, store)

    hooks.run()

    [(_, webhook_id, body)] = sender.sent
    assert webhook_id.startswith(f"msg_{emitted.id}_")
    assert json.loads(body) == {
        "type": "lead.created",
        "timestamp": "2026-03-02T09:00:00.000Z",
        "data": {"rendered": "c1"},
    }


def test_a_claimed_item_is_not_sent_by_another_run(world: World) -> None:
    store, sender = FakeHookStore(), ScriptedSender()
    hooks = service(world, store, sender)
    hooks.subscribe(world.admin, HookEvent.LEAD_CREATED, URL)
    emit(world, store)
    [queued] = list(store.queue.due(world.clock(), world.clock()))
    assert store.queue.claim(queued, world.clock(), timedelta(minutes=5))  # another run holds it

    assert hooks.run().attempts == 0
    world.clock.advance(minutes=6)  # that run died: its lease runs out
    assert hooks.run().delivered == 1


def test_subscribing_checks_the_url_and_answers_the_existing_hook(world: World) -> None:
    store = FakeHookStore()
    hooks = service(world, store, ScriptedSender())
    first = hooks.subscribe(world.admin, HookEvent.TASK_CREATED, URL)
    assert hooks.subscribe(world.admin, HookEvent.TASK_CREATED, URL) == first
    with pytest.raises(ValidationError):
        hooks.subscribe(world.admin, HookEvent.TASK_CREATED, "http://hooks.example.com/")


def test_an_idle_run_writes_nothing(world: World) -> None:
    store, sender = FakeHookStore(), ScriptedSender(200)
    hooks = service(world, store, sender)
    hooks.subscribe(world.admin, HookEvent.LEAD_CREATED, URL)
    emit(world, store)
    world.clock.advance(minutes=10)  # past the settling time: the watermark moves to this hour
    hooks.run()
    writes = store.queue.watermark_writes

    for _ in range(3):
        world.clock.advance(seconds=3)
        hooks.run()

    assert len(sender.sent) == 1
    assert store.queue.watermark_writes == writes == 1
