"""SMS broadcasts (SM-2, SM-3, SM-5): the real ASL run by moto, the PBX faked at its HTTP edge."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest

from chalicelib.bootstrap import services
from chalicelib.db import keys
from chalicelib.db.items import Item
from chalicelib.db.models.broadcasts import BroadcastItem, RecipientItem
from chalicelib.db.repositories.broadcasts import BroadcastRepository
from chalicelib.db.repositories.contacts import ContactRepository
from chalicelib.db.writes import Put
from chalicelib.domain.broadcasts import UNKNOWN_OUTCOME, RecipientStatus
from chalicelib.domain.clock import utcnow
from chalicelib.domain.contacts import Contact, ContactKind, Phone
from chalicelib.domain.ids import new_id
from infra.local import fake_zadarma
from tests.harness import Api, NoWorkflows, admin_actor
from tests.pbx import Pbx, fake_pbx, output, wait_for_workflows


@pytest.fixture
def pbx(api: Api, monkeypatch: pytest.MonkeyPatch) -> Iterator[Pbx]:
    # Zadarma allows 100 requests a minute; the fake's window is shortened so that a test
    # waits fractions of a second where the real thing would make it wait a minute.
    monkeypatch.setattr(fake_zadarma, "RATE_LIMIT", 10_000)
    monkeypatch.setattr(fake_zadarma, "WINDOW_S", 1)
    with fake_pbx(api) as kit:
        kit.new_crm()
        yield kit


def seed_clients(pbx: Pbx, count: int, phones_each: int = 1) -> list[str]:
    """Clients written straight through the repository (batched: fast at any size)."""
    assert pbx.crm is not None
    repo = ContactRepository(pbx.crm.id)
    now = utcnow()
    ids: list[str] = []
    with Item.batch_write() as batch:
        for i in range(count):
            phones = tuple(Phone(f"+336{i:04d}{k:04d}") for k in range(phones_each))
            contact = Contact(id=new_id(), kind=ContactKind.CLIENT, name=f"Client {i}", created_at=now,
                              created_by=pbx.crm.admin["id"], updated_at=now, phones=phones,
                              responsible_user_id=pbx.crm.admin["id"])  # fmt: skip
            for write in repo.creation_writes(contact, []):
                if isinstance(write, Put):  # the record and its guards; not the rollup cells it adds to
                    batch.save(write.item)
            ids.append(contact.id)
    return ids


def report(pbx: Pbx, broadcast_id: str) -> dict[str, Any]:
    assert pbx.crm is not None
    reply = pbx.api.get(f"/v1/sms-broadcasts/{broadcast_id}", token=pbx.crm.token)
    assert reply.status == 200, reply.json
    return dict(reply.json)


def test_a_broadcast_of_200_with_provider_failures_and_a_429_reports_exactly(pbx: Pbx) -> None:
    assert pbx.crm is not None
    ids = seed_clients(pbx, 200)
    denied = {f"+336{i:04d}0000" for i in (3, 50, 51, 120, 199)}
    for number in denied:
        pbx.fake.deny_sms_to(number, "Number is blacklisted")
    pbx.fake.fail_next("/v1/sms/send/", status=429)
    pbx.fake.fail_next("/v1/sms/send/", status=502, times=2)

    started = pbx.api.post("/v1/sms-broadcasts", {"contact_ids": ids, "text": "Winter sale -20%"}, token=pbx.crm.token)
    assert (started.status, started.json["status"]) == (202, "running")
    [execution] = wait_for_workflows(timeout=240, machine="SmsBroadcast")

    assert execution["status"] == "SUCCEEDED", execution
    assert output(execution) == {"status": "completed", "total": 200, "sent": 195, "failed": 5}
    shown = report(pbx, started.json["id"])
    assert (shown["status"], shown["total"], shown["sent"], shown["failed"]) == ("completed", 200, 195, 5)
    failed = {r["phone"]: r["reason"] for r in shown["recipients"] if r["status"] == "failed"}
    assert failed == dict.fromkeys(denied, "Number is blacklisted")
    assert Counter(r["status"] for r in shown["recipients"]) == {"sent": 195, "failed": 5}
    sent_to = Counter(s.number for s in pbx.fake.sent_sms)
    assert len(sent_to) == 195
    assert set(sent_to.values()) == {1}
    feed = pbx.api.get(f"/v1/clients/{ids[0]}/feed", token=pbx.crm.token).json["items"]
    assert [(e["kind"], e["text"], e["data"]["status"]) for e in feed] == [("sms", "Winter sale -20%", "sent")]


def test_templates_all_numbers_and_contacts_without_a_number(pbx: Pbx) -> None:
    assert pbx.crm is not None
    token = pbx.crm.token
    two = seed_clients(pbx, 1, phones_each=2)
    none = seed_clients(pbx, 1, phones_each=0)
    settings = pbx.api.get("/v1/settings/telephony", token=token).json
    pbx.api.request("PUT", "/v1/settings/telephony", {"version": settings["version"], "sms_all_numbers": True},
                    token=token)  # fmt: skip
    template = pbx.api.post("/v1/sms-templates", {"title": "Hi", "text": "Hello {name}!"}, token=token).json

    started = pbx.api.post("/v1/sms-broadcasts", {"contact_ids": two + none, "template_id": template["id"]},
                           token=token)  # fmt: skip
    assert started.status == 202, started.json
    wait_for_workflows(machine="SmsBroadcast")
    shown = report(pbx, started.json["id"])
    assert (shown["total"], shown["sent"], shown["failed"]) == (3, 2, 1)
    assert [s.message for s in pbx.fake.sent_sms] == ["Hello Client 0!", "Hello Client 0!"]
    assert [r["reason"] for r in shown["recipients"] if r["status"] == "failed"] == ["no phone number"]


def test_broadcast_input_is_checked(pbx: Pbx) -> None:
    assert pbx.crm is not None
    token = pbx.crm.token
    ids = seed_clients(pbx, 1)
    cases = [
        ({"contact_ids": [], "text": "x"}, "contact_ids"),
        ({"contact_ids": ids}, "text"),
        ({"contact_ids": ids, "text": "x", "template_id": "t"}, "text"),
        ({"contact_ids": ids, "template_id": "missing"}, "template_id"),
        ({"contact_ids": [*ids, "missing"], "text": "x"}, "contact_ids[1]"),
    ]
    for body, field in cases:
        reply = pbx.api.post("/v1/sms-broadcasts", body, token=token)
        assert (reply.status, reply.error["field"]) == (400, field), body


def test_a_retried_batch_never_sends_an_sms_twice(pbx: Pbx) -> None:
    """What the workflow does after a crash: the batch runs again over recipients it had reached."""
    assert pbx.crm is not None
    ids = seed_clients(pbx, 3)
    broadcasts = services().broadcasts
    created = broadcasts.create(_actor(pbx), ids, "Hello", None)
    wait_for_workflows(machine="SmsBroadcast")
    assert len(pbx.fake.sent_sms) == 3
    pk = keys.broadcast_pk(pbx.crm.id, created.id)
    # As if an attempt had claimed the first recipient and died before knowing the outcome, and
    # the broadcast were still running: the batch runs again.
    RecipientItem(pk, keys.recipient_sk(0)).update(actions=[RecipientItem.status.set(RecipientStatus.SENDING.value)])
    BroadcastItem(pk, keys.BROADCAST_RECORD).update(actions=[BroadcastItem.status.set("running")])
    in_flight = report(pbx, created.id)["recipients"][0]
    assert (in_flight["status"], in_flight["in_progress"]) == ("pending", True)  # API.md's enum
    job = {"tenant_id": pbx.crm.id, "broadcast_id": created.id, "batch": {"start": 0, "end": 3}, "attempt": 0}

    assert broadcasts.send_batch(job)["status"] == "done"
    assert broadcasts.send_batch(job)["status"] == "done"
    assert len(pbx.fake.sent_sms) == 3  # nothing sent again
    [first] = BroadcastRepository(pbx.crm.id).recipients(created.id, start=0, end=1).items
    assert (first.status, first.reason) == (RecipientStatus.FAILED, UNKNOWN_OUTCOME)


def test_a_provider_down_for_good_fails_the_rest_visibly_and_a_canceled_broadcast_stops(pbx: Pbx) -> None:
    assert pbx.crm is not None
    ids = seed_clients(pbx, 2)
    pbx.fake.fail_next("/v1/sms/send/", status=503, times=100)
    started = pbx.api.post("/v1/sms-broadcasts", {"contact_ids": ids, "text": "Hi"}, token=pbx.crm.token).json
    wait_for_workflows(machine="SmsBroadcast")
    shown = report(pbx, started["id"])
    assert (shown["status"], shown["sent"], shown["failed"]) == ("completed", 0, 2)
    assert all(r["reason"].startswith("not sent after 6 attempts") for r in shown["recipients"])

    broadcasts = services().broadcasts
    created = broadcasts.create(_actor(pbx), ids, "Stop me", None)
    wait_for_workflows(machine="SmsBroadcast")
    canceled = pbx.api.post(f"/v1/sms-broadcasts/{created.id}/cancel", token=pbx.crm.token)
    assert canceled.status == 409  # it had already completed
    assert report(pbx, created.id)["status"] == "completed"


def _actor(pbx: Pbx) -> Any:
    assert pbx.crm is not None
    return admin_actor(pbx.crm)


class _UnsureSender:
    """The provider took the first request but its answer never came; then it answers."""

    def __init__(self) -> None:
        self.calls = 0

    def send(self, tenant_id: str, to: str, text: str) -> Any:
        from chalicelib.ports.outside import SmsOutcomeUnknownError, SmsReceipt

        self.calls += 1
        if self.calls == 1:
            raise SmsOutcomeUnknownError("read timed out")
        return SmsReceipt("id")


def _service(sender: Any) -> Any:
    from chalicelib.services.broadcasts import BroadcastService, BroadcastTiming

    return BroadcastService(services().storage, services().clock, sender, NoWorkflows(), BroadcastTiming(0))


def test_an_sms_whose_answer_never_came_is_reported_not_sent_again(pbx: Pbx) -> None:
    assert pbx.crm is not None
    sender = _UnsureSender()
    service = _service(sender)
    created = service.create(_actor(pbx), seed_clients(pbx, 2), "Hi", None)
    job = {"tenant_id": pbx.crm.id, "broadcast_id": created.id, "batch": {"start": 0, "end": 2}, "attempt": 0}

    assert service.send_batch(job)["status"] == "done"
    assert service.send_batch(job)["status"] == "done"
    assert sender.calls == 2  # one each, the unsure one not again
    shown = report(pbx, created.id)
    assert [(r["status"], r["reason"]) for r in shown["recipients"]] == [("failed", UNKNOWN_OUTCOME), ("sent", None)]


def test_a_canceled_broadcast_sends_nothing_more(pbx: Pbx) -> None:
    assert pbx.crm is not None
    sender = _UnsureSender()
    sender.calls = 1  # it would answer
    service = _service(sender)
    created = service.create(_actor(pbx), seed_clients(pbx, 3), "Hi", None)
    assert pbx.api.post(f"/v1/sms-broadcasts/{created.id}/cancel", token=pbx.crm.token).json["status"] == "canceled"
    job = {"tenant_id": pbx.crm.id, "broadcast_id": created.id, "batch": {"start": 0, "end": 3}, "attempt": 0}
    assert service.send_batch(job)["status"] == "done"
    assert sender.calls == 1
    assert report(pbx, created.id)["status"] == "canceled"


def test_a_broadcast_whose_report_cannot_be_written_ends_failed_not_running(
    pbx: Pbx, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert pbx.crm is not None
    broadcasts = services().broadcasts
    attempts: list[dict[str, Any]] = []

    def broken_finish(job: dict[str, Any]) -> dict[str, Any]:
        attempts.append(job)
        raise RuntimeError("the report could not be written")

    monkeypatch.setattr(broadcasts, "finish", broken_finish)
    created = broadcasts.create(_actor(pbx), seed_clients(pbx, 2), "Hello", None)
    wait_for_workflows(machine="SmsBroadcast")

    assert len(attempts) == 3  # tried, then retried twice
    done = report(pbx, created.id)
    assert done["status"] == "failed"
    assert "the report could not be written" in done["error"]
    assert len(pbx.fake.sent_sms) == 2
