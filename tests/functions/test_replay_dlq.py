"""Failures are kept, not lost: a dead letter is invoked again on its function and removed
(functions/replay_dlq.py); every handler logs with the API's correlation keys."""

from __future__ import annotations

import importlib
import json
from typing import Any

import boto3
import pytest

from chalicelib.observability import lambda_handler, logger
from functions.registry import FUNCTIONS, LambdaFunction
from functions.replay_dlq import FUNCTION_TAG, payload_of, replay
from infra.local import lambda_glue, resources
from tests.harness import REGION, LocalAws

CALLS: list[dict[str, Any]] = []


def record(event: dict[str, Any], context: Any) -> dict[str, Any]:
    CALLS.append(event)
    return {}


RECORD = LambdaFunction(name="Record", handler="tests.functions.test_replay_dlq.record", description="test")


def _queue_with_letters(sqs: Any, bodies: list[str], *, tagged: str | None) -> str:
    url = sqs.create_queue(QueueName="crm-test-Record-dlq")["QueueUrl"]
    if tagged:
        sqs.tag_queue(QueueUrl=url, Tags={FUNCTION_TAG: tagged})
    for body in bodies:
        sqs.send_message(QueueUrl=url, MessageBody=body)
    return url


def _left(sqs: Any, url: str) -> int:
    attributes = sqs.get_queue_attributes(
        QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]
    )["Attributes"]
    return int(attributes["ApproximateNumberOfMessages"]) + int(attributes["ApproximateNumberOfMessagesNotVisible"])


def test_a_dead_letter_is_invoked_again_on_its_function_and_removed(aws: LocalAws) -> None:
    lambda_glue.install()
    CALLS.clear()
    lambda_client = boto3.client("lambda", region_name=REGION)
    sqs = boto3.client("sqs", region_name=REGION)
    resources.register_functions(lambda_client, boto3.client("iam", region_name=REGION), (RECORD,))
    # A scheduled event Lambda gave up on, and an on-failure destination's invocation record.
    scheduled = {"source": "aws.events", "detail-type": "Scheduled Event", "detail": {}}
    destination = {"requestContext": {"condition": "RetriesExhausted"}, "requestPayload": {"tenant_id": "T1"}}
    url = _queue_with_letters(sqs, [json.dumps(scheduled), json.dumps(destination)], tagged="Record")

    report = replay("crm-test-Record-dlq", sqs=sqs, lambda_client=lambda_client)

    assert (report.function, report.replayed, report.kept) == ("Record", 2, 0)
    assert sorted(CALLS, key=json.dumps) == sorted([scheduled, {"tenant_id": "T1"}], key=json.dumps)
    assert _left(sqs, url) == 0


def test_replay_stops_at_max_and_needs_a_function(aws: LocalAws) -> None:
    lambda_glue.install()
    CALLS.clear()
    lambda_client = boto3.client("lambda", region_name=REGION)
    sqs = boto3.client("sqs", region_name=REGION)
    resources.register_functions(lambda_client, boto3.client("iam", region_name=REGION), (RECORD,))
    url = _queue_with_letters(sqs, ['{"n": 1}', '{"n": 2}', '{"n": 3}'], tagged=None)

    with pytest.raises(SystemExit, match=FUNCTION_TAG):
        replay(url, sqs=sqs, lambda_client=lambda_client)
    report = replay(url, function="Record", limit=2, sqs=sqs, lambda_client=lambda_client)

    assert report.replayed == 2
    assert len(CALLS) == 2
    assert _left(sqs, url) == 1


def test_payload_of_a_message_that_is_not_json_is_the_message() -> None:
    assert payload_of("plain") == "plain"
    assert payload_of('{"a": 1}') == '{"a": 1}'


def test_every_registered_handler_logs_with_the_correlation_keys() -> None:
    for fn in FUNCTIONS:
        module, attribute = fn.handler.rsplit(".", 1)
        handler = getattr(importlib.import_module(module), attribute)
        assert getattr(handler, "__observed__", False), fn.handler


class _Context:
    aws_request_id = "req-42"
    function_name = "crm-test-DueActions"

    def get_remaining_time_in_millis(self) -> int:
        return 60_000


def test_a_handler_logs_its_request_id_and_tenant_and_leaves_the_callers_keys_alone() -> None:
    seen: list[dict[str, Any]] = []

    @lambda_handler
    def work(event: Any, context: Any) -> str:
        seen.append(dict(logger.thread_safe_get_current_keys()))  # what each of its lines carries
        return "done"

    logger.thread_safe_append_keys(request_id="api-request", route="/v1/x")
    try:
        assert work({"tenant_id": "T9"}, _Context()) == "done"
        assert work("not a dict", None) == "done"
        after = dict(logger.thread_safe_get_current_keys())
    finally:
        logger.thread_safe_clear_keys()
    first, second = seen
    assert first["request_id"] == "req-42"
    assert (first["tenant_id"], first["function_name"]) == ("T9", "crm-test-DueActions")
    assert "cold_start" in first
    assert "route" not in first  # nothing of the caller's request
    assert set(second) == {"cold_start"}
    assert second["cold_start"] is False
    assert after == {"request_id": "api-request", "route": "/v1/x"}
