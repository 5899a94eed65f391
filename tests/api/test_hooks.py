"""Webhooks / Zapier REST hooks (ZA-1): subscriptions, signed deliveries to a real HTTP receiver
on loopback (every one verified with the `standardwebhooks` library), retries with one
webhook-id, 410 and 4xx answers, nothing for a failed write, the delivery log, the samples."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from standardwebhooks.webhooks import Webhook

from chalicelib.bootstrap import services
from chalicelib.services.hooks import DeliveryReport
from tests.fakes.clock import ManualClock
from tests.harness import Api, CrmSession, add_member
from tests.meter import dynamodb_calls


class Receiver:
    """A real HTTP server on 127.0.0.1: answers with the scripted statuses (then 200) and
    keeps every request it got (headers, body)."""

    def __init__(self) -> None:
        self.answers: list[int] = []
        self.got: list[tuple[dict[str, str], bytes]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                receiver.got.append(({k.lower(): v for k, v in self.headers.items()}, body))
                status = receiver.answers.pop(0) if receiver.answers else 200
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                return None

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/zap"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def verified(self, secret: str) -> list[tuple[str, dict[str, Any]]]:
        """(webhook-id, body) of every request, each verified with the library (raises if not)."""
        hook = Webhook(secret)
        return [(headers["webhook-id"], hook.verify(body, headers)) for headers, body in self.got]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    yield r
    r.close()


def run() -> DeliveryReport:
    return services().hooks.run()


def subscribe(api: Api, crm: CrmSession, event: str, url: str) -> dict[str, Any]:
    reply = api.post("/v1/hooks", {"event": event, "target_url": url}, token=crm.token)
    assert reply.status == 201, reply.json
    return reply.json


def lead(api: Api, crm: CrmSession, name: str = "Ann Lee", **fields: Any) -> Any:
    return api.post("/v1/leads", {"name": name, **fields}, token=crm.token)


def test_a_delivery_is_signed_and_carries_the_record_as_the_api_renders_it(api: Api, make_crm, receiver) -> None:
    crm = make_crm()
    hook = subscribe(api, crm, "lead.created", receiver.url)
    assert hook["secret"].startswith("whsec_")
    assert set(hook) >= {"id", "event", "target_url", "secret"}
    created = lead(api, crm)
    assert created.status == 201

    report = run()

    assert (report.events, report.delivered) == (1, 1)
    [(_, body)] = receiver.verified(hook["secret"])
    assert body["type"] == "lead.created"
    assert body["timestamp"]
    shown = api.get(f"/v1/leads/{created.json['id']}", token=crm.token).json
    assert body["data"] == {k: v for k, v in shown.items() if k != "feed"}
    assert run().attempts == 0  # delivered once


def test_subscribing_twice_answers_the_same_hook(api: Api, make_crm, receiver) -> None:
    crm = make_crm()
    first = subscribe(api, crm, "deal.created", receiver.url)
    second = subscribe(api, crm, "deal.created", receiver.url)
    other = subscribe(api, crm, "lead.created", receiver.url)

    assert (second["id"], second["secret"]) == (first["id"], first["secret"])
    listed = api.get("/v1/hooks", token=crm.token).json["items"]
    assert sorted(h["id"] for h in listed) == sorted([first["id"], other["id"]])
    assert "secret" not in listed[0]


def test_a_500_then_200_gives_two_attempts_with_one_webhook_id(
    api: Api, make_crm, receiver, clock: ManualClock
) -> None:
    crm = make_crm()
    hook = subscribe(api, crm, "lead.created", receiver.url)
    receiver.answers = [500]
    assert lead(api, crm).status == 201

    first = run()
    assert (first.attempts, first.retrying) == (1, 1)
    assert run().attempts == 0  # not due yet
    clock.advance(minutes=2)
    second = run()

    assert (second.attempts, second.delivered) == (1, 1)
    ids = [webhook_id for webhook_id, _ in receiver.verified(hook["secret"])]
    assert len(ids) == 2
    assert ids[0] == ids[1]
    log = api.get(f"/v1/hooks/{hook['id']}/deliveries", token=crm.token).json["items"]
    assert [(a["attempt"], a["status"], a["response_code"]) for a in log] == [
        (2, "delivered", 200),
        (1, "retrying", 500),
    ]


def test_a_410_removes_the_hook_after_one_attempt(api: Api, make_crm, receiver, clock: ManualClock) -> None:
    crm = make_crm()
    hook = subscribe(api, crm, "lead.created", receiver.url)
    receiver.answers = [410]
    lead(api, crm)

    assert run().gone == 1
    clock.advance(hours=1)
    run()
    lead(api, crm, "Bob Ray")
    run()

    assert len(receiver.got) == 1
    assert api.get("/v1/hooks", token=crm.token).json["items"] == []
    assert api.get(f"/v1/hooks/{hook['id']}/deliveries", token=crm.token).status == 404


def test_a_400_is_not_retried(api: Api, make_crm, receiver, clock: ManualClock) -> None:
    crm = make_crm()
    hook = subscribe(api, crm, "lead.created", receiver.url)
    receiver.answers = [400]
    lead(api, crm)

    assert run().failed == 1
    for _ in range(3):
        clock.advance(hours=3)
        run()

    assert len(receiver.got) == 1
    [attempt] = api.get(f"/v1/hooks/{hook['id']}/deliveries", token=crm.token).json["items"]
    assert (attempt["status"], attempt["response_code"]) == ("failed", 400)


def test_nothing_is_delivered_for_a_write_that_failed(api: Api, make_crm, receiver) -> None:
    crm = make_crm()
    hook = subscribe(api, crm, "lead.created", receiver.url)
    assert lead(api, crm, phones=[{"phone": "+33612345678"}]).status == 201
    refused = lead(api, crm, "Someone Else", phones=[{"phone": "+33612345678"}])
    assert refused.status == 409  # the phone's guard refused the whole transaction

    run()

    assert [body["data"]["name"] for _, body in receiver.verified(hook["secret"])] == ["Ann Lee"]


def test_no_event_is_written_without_a_hook_for_it(api: Api, make_crm, receiver) -> None:
    crm = make_crm()
    subscribe(api, crm, "deal.created", receiver.url)
    lead(api, crm)  # no lead.created hook: nothing in the outbox

    assert run().events == 0
    assert receiver.got == []


def test_deal_and_task_events(api: Api, make_crm, receiver) -> None:
    crm = make_crm()
    secrets = {
        e: subscribe(api, crm, e, receiver.url)["secret"]
        for e in ("deal.created", "deal.status_changed", "task.created", "task.completed")
    }
    client = api.post("/v1/clients", {"name": "Acme"}, token=crm.token).json
    deal = api.post(
        "/v1/deals", {"title": "Big one", "client_id": client["id"], "value": {"amount": "10", "currency": "EUR"}},
        token=crm.token,
    )  # fmt: skip
    assert deal.status == 201, deal.json
    moved = api.request(
        "PATCH",
        f"/v1/deals/{deal.json['id']}",
        {"status": "in_progress", "version": deal.json["version"]},
        token=crm.token,
    )
    assert moved.status == 200, moved.json
    task = api.post("/v1/tasks", {"title": "Call Acme", "start": "2030-01-02T10:00:00Z"}, token=crm.token).json
    done = api.post(f"/v1/tasks/{task['id']}/complete", {}, token=crm.token)
    assert done.status in (200, 201), done.json

    run()

    delivered = {}
    for headers, body in receiver.got:
        parsed = json.loads(body)
        Webhook(secrets[parsed["type"]]).verify(body, headers)
        delivered[parsed["type"]] = parsed["data"]
    assert sorted(delivered) == sorted(secrets)
    changed = delivered["deal.status_changed"]
    assert (changed["status"], changed["version"]) == ("in_progress", moved.json["version"])
    assert delivered["task.completed"]["status"] == "done"


def test_target_urls_are_checked(api: Api, make_crm) -> None:
    crm = make_crm()
    for url in ("ftp://example.com/x", "http://10.0.0.1/x", "https://169.254.169.254/latest", "not a url"):
        reply = api.post("/v1/hooks", {"event": "lead.created", "target_url": url}, token=crm.token)
        assert (reply.status, reply.json["error"]["field"]) == (400, "target_url"), (url, reply.json)


def test_samples_are_the_newest_records_of_the_event(api: Api, make_crm) -> None:
    crm = make_crm()
    for name in ("First", "Second"):
        lead(api, crm, name)

    reply = api.get("/v1/hooks/samples/lead.created", token=crm.token)

    assert reply.status == 200
    assert [r["name"] for r in reply.json["items"]] == ["Second", "First"]
    assert api.get("/v1/hooks/samples/nothing.happened", token=crm.token).status == 404


def test_a_hook_failing_for_days_is_disabled_and_its_owner_told(
    api: Api, make_crm, receiver, clock: ManualClock
) -> None:
    crm = make_crm()
    hook = subscribe(api, crm, "lead.created", receiver.url)
    receiver.answers = [503] * 20
    lead(api, crm)
    run()
    for _ in range(12):
        clock.advance(hours=7)
        run()

    [shown] = api.get("/v1/hooks", token=crm.token).json["items"]
    assert shown["status"] == "disabled"
    told = [(n["kind"], n["title"]) for n in api.get("/v1/notifications", token=crm.token).json["items"]]
    assert (
        "integration_error",
        f"Webhook disabled after days of failed deliveries: lead.created to {receiver.url}",
    ) in told
    again = subscribe(api, crm, "lead.created", receiver.url)
    assert (again["id"], again["status"]) == (hook["id"], "active")


def test_unsubscribe(api: Api, make_crm, receiver) -> None:
    crm = make_crm()
    hook = subscribe(api, crm, "lead.created", receiver.url)

    assert api.request("DELETE", f"/v1/hooks/{hook['id']}", token=crm.token).status == 204
    lead(api, crm)

    assert api.get("/v1/hooks", token=crm.token).json["items"] == []
    assert run().attempts == 0
    assert api.request("DELETE", f"/v1/hooks/{hook['id']}", token=crm.token).status == 404


def test_a_user_manages_their_own_hooks_an_admin_every_hook(api: Api, make_crm, receiver) -> None:
    crm = make_crm()
    user = add_member(api, crm)
    other = add_member(api, crm)
    mine = api.post("/v1/hooks", {"event": "task.created", "target_url": receiver.url}, token=user.token).json
    admins = subscribe(api, crm, "task.created", receiver.url)  # another owner: another hook

    assert admins["id"] != mine["id"]
    assert [h["id"] for h in api.get("/v1/hooks", token=user.token).json["items"]] == [mine["id"]]
    assert api.get("/v1/hooks", token=other.token).json["items"] == []
    assert {h["id"] for h in api.get("/v1/hooks", token=crm.token).json["items"]} == {mine["id"], admins["id"]}
    assert api.request("DELETE", f"/v1/hooks/{mine['id']}", token=other.token).status == 404
    assert api.get(f"/v1/hooks/{mine['id']}/deliveries", token=other.token).status == 404
    assert api.get(f"/v1/hooks/{mine['id']}/deliveries", token=crm.token).status == 200
    assert api.request("DELETE", f"/v1/hooks/{mine['id']}", token=crm.token).status == 204


def test_another_crms_writes_and_hooks_are_its_own(api: Api, make_crm, receiver) -> None:
    crm, other = make_crm(), make_crm()
    hook = subscribe(api, crm, "lead.created", receiver.url)
    lead(api, other, "Not Yours")
    lead(api, crm, "Yours")

    run()

    assert [body["data"]["name"] for _, body in receiver.verified(hook["secret"])] == ["Yours"]
    assert api.request("DELETE", f"/v1/hooks/{hook['id']}", token=other.token).status == 404


def test_budgets_a_write_with_a_hook_makes_no_more_calls_and_the_routes_are_bounded(
    api: Api, make_crm, receiver
) -> None:
    crm = make_crm()
    lead(api, crm, "Warm Up")  # the CRM record (time zone, hook counts) is cached from here
    with dynamodb_calls() as without:
        lead(api, crm, "No Hook")
    hook = subscribe(api, crm, "lead.created", receiver.url)
    lead(api, crm, "Reads The Counts")  # a subscription drops this process's cached CRM record
    with dynamodb_calls() as with_hook:
        lead(api, crm, "With Hook")
    with dynamodb_calls() as listing:
        api.get("/v1/hooks", token=crm.token)
    with dynamodb_calls() as log:
        api.get(f"/v1/hooks/{hook['id']}/deliveries", token=crm.token)
    with dynamodb_calls() as again:
        subscribe(api, crm, "lead.created", receiver.url)

    assert with_hook == without  # the event is one more item of the same transaction
    assert listing == {"GetItem": 2, "Query": 1}
    assert log == {"GetItem": 3, "Query": 1}
    assert again == {"GetItem": 4}  # the guard, then the hook


def test_an_event_committed_just_after_its_hour_is_still_delivered(
    api: Api, make_crm, receiver, clock: ManualClock
) -> None:
    crm = make_crm()
    subscribe(api, crm, "lead.created", receiver.url)
    top = (clock() + timedelta(hours=1)).replace(minute=0, second=0, microsecond=0)
    clock.set(top + timedelta(seconds=1))
    run()  # the worker runs at the top of the hour, before the write below commits
    clock.set(top - timedelta(seconds=1))  # the lead is stamped in the previous hour...
    lead(api, crm)
    clock.set(top + timedelta(minutes=1))  # ...and the next run reads that hour again

    assert run().delivered == 1
