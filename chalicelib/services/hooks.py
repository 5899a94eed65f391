"""Outgoing webhooks / Zapier REST hooks (ZA-1, API.md "API keys, web forms, Zapier and
webhooks"; docs/webhooks.md).

Subscriptions: a user manages their own hooks, an administrator every hook of the CRM.
Subscribing again to the same event and URL answers the existing hook (Zapier turns zaps off
and on). Target URLs are checked (the SSRF rule, `WebhookSender.check`) when subscribing and
again, after DNS, at every delivery.

Delivery (`HookService.run`, the scheduled `WebhookDelivery` function): record writes put
their events in the outbox in their own transaction (db/repositories/hooks.py `HookOutbox`);
each run reads the outbox hours from its watermark to now, claims each item with a lease, and
- an event: renders its record as the API does and sends it to each active hook of its event
  (the first attempt); a message that must be tried again goes back into the outbox, due at
  its next attempt, in the transaction that removes the event;
- a message: one more attempt with the same `webhook-id` and body.
2xx: delivered. Timeout, connection error, 429, 5xx: tried again (`domain.hooks.RETRY_DELAYS`),
then given up. 410: the hook is deleted. Other 4xx, a refused address: not retried. A hook that
has only failed for DISABLE_AFTER is disabled and its owner notified. Every attempt is logged.
"""

from __future__ import annotations

import base64
import json
import secrets
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from chalicelib.domain.clock import isoformat_z
from chalicelib.domain.errors import NotFoundError
from chalicelib.domain.hooks import (
    DISABLE_AFTER,
    LOG_PAGE,
    Attempt,
    Emitted,
    Hook,
    HookEvent,
    HookStatus,
    Message,
    Outcome,
    classify,
    next_attempt,
)
from chalicelib.domain.ids import new_id
from chalicelib.observability import logger

if TYPE_CHECKING:
    from chalicelib.domain.actor import Actor
    from chalicelib.ports.hooks import HookStore, Queued, WebhookSender
    from chalicelib.ports.notifications import Notifier
    from chalicelib.ports.outside import Clock

LEASE = timedelta(minutes=5)
CATCH_UP = timedelta(days=7)  # the oldest hour a run reads after downtime
SETTLE = timedelta(minutes=5)  # how late after its time stamp an event may still be committed
# Renders an event's record as the API does: (tenant_id, record_type, stored record) -> JSON value.
Render = Callable[[str, str, Any], Any]


def new_secret() -> str:
    """`whsec_` and 32 random bytes in base64 (Standard Webhooks)."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


@dataclass
class DeliveryReport:
    events: int = 0
    attempts: int = 0
    delivered: int = 0
    retrying: int = 0
    failed: int = 0
    gone: int = 0
    disabled: int = 0
    out_of_time: bool = False


class HookService:
    def __init__(
        self,
        store: HookStore,
        clock: Clock,
        sender: WebhookSender,
        *,
        notifier: Notifier | None = None,
        render: Render | None = None,
    ) -> None:
        self._store = store
        self._clock = clock
        self._sender = sender
        self._notifier = notifier
        self._render = render

    # --- subscriptions (the API) ---------------------------------------------------------------

    def subscribe(self, actor: Actor, event: HookEvent, target_url: str) -> Hook:
        """A hook of the caller's; the one they have for this event and URL if any. An
        existing hook that was disabled is enabled again (its owner turned the zap back on)."""
        self._sender.check(target_url)
        hooks = self._store.hooks(actor.tenant_id)
        existing = hooks.find(actor.user_id, event, target_url)
        if existing is None:
            hook = Hook(new_id(), event, target_url, new_secret(), actor.user_id, self._clock())
            existing = hooks.create(hook)
            if existing is hook:
                self._store.queue.start_watermark(hook.created_at - timedelta(hours=1))
        if existing.status is not HookStatus.ACTIVE:
            hooks.set_state(existing, HookStatus.ACTIVE, None)
            existing = replace(existing, status=HookStatus.ACTIVE, failing_since=None)
        return existing

    def hooks(self, actor: Actor) -> list[Hook]:
        """The caller's hooks (an administrator: every hook of the CRM), oldest first."""
        found = self._store.hooks(actor.tenant_id).list_all()
        return found if actor.is_admin else [h for h in found if h.owner_id == actor.user_id]

    def get(self, actor: Actor, hook_id: str) -> Hook:
        hook = self._store.hooks(actor.tenant_id).get(hook_id)
        if hook is None or not (actor.is_admin or hook.owner_id == actor.user_id):
            raise NotFoundError("no such webhook", field="id")
        return hook

    def delete(self, actor: Actor, hook_id: str) -> None:
        hook = self.get(actor, hook_id)
        self._store.hooks(actor.tenant_id).delete(hook)

    def deliveries(self, actor: Actor, hook_id: str) -> list[Attempt]:
        """The hook's last attempts, newest first."""
        hook = self.get(actor, hook_id)
        return self._store.hooks(actor.tenant_id).attempts(hook.id, LOG_PAGE)

    @staticmethod
    def check_event(event: str) -> HookEvent:
        try:
            return HookEvent(event)
        except ValueError:
            raise NotFoundError("no such event", field="event") from None

    # --- delivery (the worker) -----------------------------------------------------------------

    def run(self, *, time_budget: float | None = None) -> DeliveryReport:
        """Work through the outbox from the watermark's hour to now."""
        import time

        deadline = time.monotonic() + time_budget if time_budget is not None else None
        report = DeliveryReport()
        queue = self._store.queue
        now = self._clock()
        current = now.replace(minute=0, second=0, microsecond=0)
        stored = queue.watermark()
        hour = max(stored or current, current - CATCH_UP)
        oldest_left: datetime | None = None
        while hour <= current:
            for queued in queue.due(hour, now):
                if deadline is not None and time.monotonic() > deadline:
                    report.out_of_time = True
                    oldest_left = oldest_left or hour
                    break
                if not queue.claim(queued, self._clock(), LEASE):
                    oldest_left = oldest_left or hour  # another run holds it: this hour is not done
                    continue
                try:
                    self._work(queued, report)
                except Exception:  # noqa: BLE001 - one bad item must not stop the run
                    logger.exception("webhook outbox item failed; retried after its lease")
                    oldest_left = oldest_left or hour
            if report.out_of_time:
                break
            hour += timedelta(hours=1)
        # An event is stamped before its transaction commits: the previous hour is read again for
        # SETTLE into the next one, so an event stamped 10:59:59 and committed at 11:00:01 is seen.
        settled = (now - SETTLE).replace(minute=0, second=0, microsecond=0)
        mark = min(oldest_left or current, settled)
        if mark != stored:  # an idle run writes nothing (it runs every minute, every few seconds locally)
            queue.set_watermark(mark)
        return report

    def _work(self, queued: Queued, report: DeliveryReport) -> None:
        queue = self._store.queue
        if queued.emitted is not None:
            report.events += 1
            retries = self._fan_out(queued.emitted, report)
            queue.finish(queued, retries)
            return
        message = queued.message
        assert message is not None
        hook = self._store.hooks(message.tenant_id).get(message.hook_id)
        retry = None
        if hook is not None and hook.status is HookStatus.ACTIVE:
            retry = self._attempt(hook, message, report)
        queue.finish(queued, [retry] if retry else [])

    def _fan_out(self, emitted: Emitted, report: DeliveryReport) -> list[tuple[Message, datetime]]:
        hooks = [
            h
            for h in self._store.hooks(emitted.tenant_id).list_all()
            if h.event is emitted.event and h.status is HookStatus.ACTIVE
        ]
        if not hooks:
            return []
        data = self._render(emitted.tenant_id, emitted.record_type, emitted.record) if self._render else emitted.record
        body = json.dumps({"type": emitted.event.value, "timestamp": isoformat_z(emitted.at), "data": data})
        retries = []
        for hook in hooks:
            # One id per (event, hook): a retry, or this event fanned out again after a crash,
            # carries the same `webhook-id`, which receivers deduplicate on.
            message = Message(
                f"msg_{emitted.id}_{hook.id}", emitted.tenant_id, hook.id, emitted.event, body, 0, emitted.at
            )
            retry = self._attempt(hook, message, report)
            if retry:
                retries.append(retry)
        return retries

    def _attempt(self, hook: Hook, message: Message, report: DeliveryReport) -> tuple[Message, datetime] | None:
        """One attempt; the message and when to try it again, if it is to be."""
        answer = self._sender.send(hook.target_url, hook.secret, message.webhook_id, message.body)
        now = self._clock()
        outcome = Outcome.FAILED if answer.refused else classify(answer.status)
        attempt = message.attempt + 1
        retry_at = None
        if outcome is Outcome.RETRYING:
            retry_at = next_attempt(now, attempt)
            if retry_at is None:
                outcome = Outcome.FAILED
        report.attempts += 1
        hooks = self._store.hooks(message.tenant_id)
        hooks.log(
            hook.id,
            Attempt(new_id(), message.webhook_id, message.event, now, attempt, outcome, answer.status, answer.error),
        )
        if outcome is Outcome.DELIVERED:
            report.delivered += 1
            if hook.failing_since is not None:
                hooks.set_state(hook, HookStatus.ACTIVE, None)
            return None
        if outcome is Outcome.GONE:
            report.gone += 1
            hooks.delete(hook)
            logger.info(
                "webhook deleted: its target answered 410", extra={"tenant_id": message.tenant_id, "hook_id": hook.id}
            )
            return None
        if outcome is Outcome.RETRYING:
            report.retrying += 1
        else:
            report.failed += 1
        self._failing(message.tenant_id, hook, now, report)
        if retry_at is None:
            return None
        return message._replace(attempt=attempt), retry_at

    def _failing(self, tenant_id: str, hook: Hook, now: datetime, report: DeliveryReport) -> None:
        """A failed attempt: the hook is failing since now, or, failing for DISABLE_AFTER,
        disabled and its owner told."""
        hooks = self._store.hooks(tenant_id)
        if hook.failing_since is None:
            hooks.set_state(hook, HookStatus.ACTIVE, now)
            return
        if now - hook.failing_since < DISABLE_AFTER:
            return
        hooks.set_state(hook, HookStatus.DISABLED, hook.failing_since)
        report.disabled += 1
        logger.info("webhook disabled: failing for days", extra={"tenant_id": tenant_id, "hook_id": hook.id})
        if self._notifier is not None:
            from chalicelib.domain.notifications import NotificationKind, webhook_disabled_title  # a rare branch

            self._notifier.notify(
                tenant_id,
                hook.owner_id,
                NotificationKind.INTEGRATION_ERROR,
                webhook_disabled_title(hook.event.value, hook.target_url),
                None,
                once=f"hook-disabled:{hook.id}:{isoformat_z(hook.failing_since)}",
            )
