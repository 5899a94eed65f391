"""The webhook records and outbox (AP140-AP146) against moto."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from chalicelib.db import keys
from chalicelib.db.items import Item
from chalicelib.db.repositories.hooks import HookOutbox, HookQueue, HookRepository, crm_facts, forget_facts
from chalicelib.domain.contacts import Contact, ContactKind
from chalicelib.domain.errors import ConflictError
from chalicelib.domain.hooks import MAX_HOOKS, Attempt, Hook, HookEvent, HookStatus, Message, Outcome
from chalicelib.domain.ids import new_id
from tests.harness import LocalAws
from tests.meter import dynamodb_calls

TENANT = "tenant-h"
OWNER = "user-1"
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def repo(aws: LocalAws) -> HookRepository:
    Item._get_connection().connection.client.put_item(
        TableName=Item.Meta.table_name,
        Item={"pk": {"S": keys.tenant_pk(TENANT)}, "sk": {"S": keys.crm_sk()}, "timezone": {"S": "Europe/Paris"}},
    )
    forget_facts(TENANT)
    return HookRepository(TENANT)


def hook(event: HookEvent = HookEvent.LEAD_CREATED, url: str = "https://example.com/a", owner: str = OWNER) -> Hook:
    return Hook(new_id(), event, url, "whsec_c2VjcmV0", owner, NOW)


def lead(name: str = "Ann") -> Contact:
    return Contact(id=new_id(), kind=ContactKind.LEAD, name=name, created_at=NOW, created_by=OWNER, updated_at=NOW)


def test_ap140_ap141_ap142_create_get_list_find_delete(repo: HookRepository) -> None:
    made = repo.create(hook())
    assert repo.get(made.id) == made
    again = repo.create(hook())  # same owner, event and URL: the first one
    assert again == made
    other = repo.create(hook(owner="user-2"))
    assert {h.id for h in repo.list_all()} == {made.id, other.id}
    assert repo.find(OWNER, HookEvent.LEAD_CREATED, "https://example.com/a") == made
    assert repo.find(OWNER, HookEvent.DEAL_CREATED, "https://example.com/a") is None

    assert repo.delete(made)
    assert not repo.delete(made)
    assert repo.get(made.id) is None
    assert repo.find(OWNER, HookEvent.LEAD_CREATED, "https://example.com/a") is None


def test_ap143_the_crm_record_counts_hooks_per_event_read_with_its_time_zone(repo: HookRepository) -> None:
    assert crm_facts(TENANT)[1] == frozenset()
    made = repo.create(hook(HookEvent.DEAL_CREATED))
    zone, events = crm_facts(TENANT)
    assert (str(zone), events) == ("Europe/Paris", frozenset({"deal.created"}))
    with dynamodb_calls() as calls:
        crm_facts(TENANT)
    assert calls.total == 0  # cached
    repo.delete(made)
    assert crm_facts(TENANT)[1] == frozenset()


def test_ap143_a_crm_holds_at_most_max_hooks(repo: HookRepository) -> None:
    for n in range(MAX_HOOKS):
        repo.create(hook(url=f"https://example.com/{n}"))
    with pytest.raises(ConflictError):
        repo.create(hook(url="https://example.com/one-more"))


def test_ap144_the_delivery_log_newest_first(repo: HookRepository) -> None:
    made = repo.create(hook())
    for n in range(3):
        attempt = Attempt(new_id(), "msg_1", made.event, NOW + timedelta(minutes=n), n + 1, Outcome.RETRYING, 500)
        repo.log(made.id, attempt)
    assert [a.attempt for a in repo.attempts(made.id, 2)] == [3, 2]
    repo.set_state(made, HookStatus.DISABLED, NOW)
    assert repo.get(made.id).status is HookStatus.DISABLED  # type: ignore[union-attr]


def test_ap145_ap146_the_outbox_only_for_events_with_hooks_claimed_once(repo: HookRepository) -> None:
    outbox = HookOutbox(TENANT)
    assert outbox.writes("contact", None, lead()) == []  # no hook for lead.created: nothing, no read
    repo.create(hook())
    [put] = outbox.writes("contact", None, lead())
    put.item.save()
    queue = HookQueue()

    [queued] = list(queue.due(NOW, NOW + timedelta(minutes=1)))
    assert queued.emitted is not None
    assert (queued.emitted.event, queued.emitted.record["name"]) == (HookEvent.LEAD_CREATED, "Ann")
    assert queue.claim(queued, NOW, timedelta(minutes=5))
    assert not queue.claim(queued, NOW, timedelta(minutes=5))
    retry = Message("msg_x", TENANT, "h1", HookEvent.LEAD_CREATED, "{}", 1, NOW)
    queue.finish(queued, [(retry, NOW + timedelta(hours=2))])
    assert list(queue.due(NOW, NOW + timedelta(hours=1))) == []
    [later] = list(queue.due(NOW + timedelta(hours=2), NOW + timedelta(hours=2)))
    assert later.message == retry

    assert queue.watermark() is None
    queue.set_watermark(NOW)
    assert queue.watermark() == NOW


def test_ap145_a_call_end_emits_once_however_often_it_is_written(repo: HookRepository) -> None:
    from chalicelib.domain.telephony import Call, CallDirection, CallStatus

    repo.create(hook(HookEvent.CALL_COMPLETED))
    going = Call(id="pbx-1", direction=CallDirection.INCOMING, started_at=NOW)
    ended = Call(id="pbx-1", direction=CallDirection.INCOMING, started_at=NOW, status=CallStatus.ANSWER, duration_s=30)
    outbox = HookOutbox(TENANT)

    outbox.emit_once("call", going, going, "call:pbx-1", NOW)  # still going on: nothing
    outbox.emit_once("call", going, ended, "call:pbx-1", NOW)
    outbox.emit_once("call", going, ended, "call:pbx-1", NOW)  # the PBX sent the end twice

    [queued] = list(HookQueue().due(NOW, NOW + timedelta(minutes=1)))
    assert queued.emitted is not None
    assert (queued.emitted.event, queued.emitted.record["duration_s"]) == (HookEvent.CALL_COMPLETED, 30)


def test_ap145_a_write_repeated_as_is_makes_the_same_outbox_item(repo: HookRepository) -> None:
    repo.create(hook())
    contact = lead()
    first, again = (
        HookOutbox(TENANT).writes("contact", None, contact),
        HookOutbox(TENANT).writes("contact", None, contact),
    )
    assert (first[0].item.pk, first[0].item.sk) == (again[0].item.pk, again[0].item.sk)
