"""Webhooks / Zapier REST hooks (API.md "API keys, web forms, Zapier and webhooks", ZA-1):
subscribe, list, delete, a hook's delivery log, and the sample / polling records of an event.
Records are rendered by `api/records.py`, which the delivery worker uses too, so a
delivery's `data` is what `GET` of the record answers."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pydantic import Field

from chalicelib.api.records import render_record
from chalicelib.api.routing import Router
from chalicelib.api.schemas import Input, Output, UtcDateTime
from chalicelib.bootstrap import services
from chalicelib.domain.actor import Actor
from chalicelib.domain.hooks import MAX_URL_LENGTH, SAMPLES, Attempt, Hook, HookEvent, HookStatus, Outcome
from chalicelib.domain.rights import Access

router = Router(__name__, tag="Webhooks")


class HookIn(Input):
    event: HookEvent
    target_url: str = Field(max_length=MAX_URL_LENGTH, description="https (loopback http on a laptop)")


class HookOut(Output):
    id: str
    event: HookEvent
    target_url: str
    status: HookStatus = Field(description="disabled: its deliveries failed for days (subscribe again to enable)")
    owner_id: str
    created_at: UtcDateTime

    @classmethod
    def of(cls, hook: Hook) -> HookOut:
        return cls(
            id=hook.id,
            event=hook.event,
            target_url=hook.target_url,
            status=hook.status,
            owner_id=hook.owner_id,
            created_at=hook.created_at,
        )


class HookCreated(HookOut):
    secret: str = Field(description="whsec_<base64>: verifies the deliveries' webhook-signature")


class HookList(Output):
    items: list[HookOut]


class AttemptOut(Output):
    id: str
    webhook_id: str
    event: HookEvent
    at: UtcDateTime
    attempt: int = Field(description="1 for the first attempt of a message")
    status: Outcome = Field(description="delivered | retrying | failed | gone")
    response_code: int | None = Field(description="The target's HTTP status; null: no answer")
    error: str | None

    @classmethod
    def of(cls, a: Attempt) -> AttemptOut:
        return cls(
            id=a.id,
            webhook_id=a.webhook_id,
            event=a.event,
            at=a.at,
            attempt=a.attempt,
            status=a.outcome,
            response_code=a.response_code,
            error=a.error,
        )


class AttemptList(Output):
    items: list[AttemptOut]


class SampleList(Output):
    items: list[dict[str, Any]] = Field(description="The newest records of the event, newest first, as delivered")


@router.route("/hooks", "GET", right=Access.ANY_USER, response=HookList)
def list_hooks(actor: Actor) -> HookList:
    """Your webhooks (an administrator: every webhook of the CRM)."""
    return HookList(items=[HookOut.of(h) for h in services().hooks.hooks(actor)])


@router.route("/hooks", "POST", right=Access.ANY_USER, body=HookIn, response=HookCreated, status=201)
def create_hook(actor: Actor, body: HookIn) -> HookCreated:
    """Subscribe `target_url` to an event (Zapier's subscribe); the same event and URL again
    answers the existing hook."""
    hook = services().hooks.subscribe(actor, body.event, body.target_url)
    return HookCreated(**HookOut.of(hook).model_dump(), secret=hook.secret)


@router.route("/hooks/samples/{event}", "GET", right=Access.ANY_USER, response=SampleList)
def hook_samples(actor: Actor, event: str) -> SampleList:
    """The newest records of an event, newest first (Zapier's sample and polling triggers)."""
    kind = services().hooks.check_event(event)
    return SampleList(items=samples(actor, kind))


@router.route("/hooks/{hook_id}", "DELETE", right=Access.ANY_USER, status=204)
def delete_hook(actor: Actor, hook_id: str) -> None:
    """Unsubscribe (Zapier's unsubscribe)."""
    services().hooks.delete(actor, hook_id)


@router.route("/hooks/{hook_id}/deliveries", "GET", right=Access.ANY_USER, response=AttemptList)
def hook_deliveries(actor: Actor, hook_id: str) -> AttemptList:
    """The hook's last delivery attempts, newest first."""
    return AttemptList(items=[AttemptOut.of(a) for a in services().hooks.deliveries(actor, hook_id)])


def samples(actor: Actor, event: HookEvent) -> list[dict[str, Any]]:
    """The newest records of an event the caller may see, newest first (lists they could read)."""
    from chalicelib.domain.contacts import ContactKind
    from chalicelib.domain.tasks import TaskStatus
    from chalicelib.services.contacts import ListQuery

    s = services()
    if event in (HookEvent.LEAD_CREATED, HookEvent.CLIENT_CREATED):
        kind = ContactKind.LEAD if event is HookEvent.LEAD_CREATED else ContactKind.CLIENT
        found: Sequence[Any] = s.contacts.page(actor, kind, ListQuery(), limit=SAMPLES, cursor=None).items
        return [render_record("contact", c) for c in found]
    if event in (HookEvent.DEAL_CREATED, HookEvent.DEAL_STATUS_CHANGED):
        found = s.deals.list_deals(actor, limit=SAMPLES, cursor=None).items
        if event is HookEvent.DEAL_STATUS_CHANGED:
            found = sorted(found, key=lambda d: d.updated_at, reverse=True)
        return [render_record("deal", d) for d in found]
    if event in (HookEvent.TASK_CREATED, HookEvent.TASK_COMPLETED):
        done = event is HookEvent.TASK_COMPLETED
        found = s.tasks.page(
            actor,
            status=TaskStatus.DONE if done else None,
            include_completed=True,
            descending=True,
            limit=SAMPLES,
            cursor=None,
        ).items
        return [render_record("task", t) for t in found]
    found = [c for c in s.telephony.calls(actor, limit=SAMPLES * 2, cursor=None).items if c.status is not None]
    return [render_record("call", c) for c in found[:SAMPLES]]
