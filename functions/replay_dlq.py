"""Send the events kept on a dead-letter queue back to their function (docs/operations.md).

Every asynchronous function of the stack (the scheduled ones, and those the API invokes with
InvocationType=Event) has its own queue, `crm-<stage>-<Function>-dlq`: the events Lambda gave up
on after its retries, and those EventBridge could not deliver. Once the cause is fixed:

    python -m functions.replay_dlq crm-prod-DueActions-dlq [--max 10] [--function NAME]

Each message is invoked again asynchronously (the same payload the function first got) and
deleted once Lambda accepted it; if the run fails again, Lambda puts it back on the queue. The
function is the one the stack tagged the queue with (`crm-function`), unless --function says.
Uses the AWS credentials and region of the shell.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from typing import Any

FUNCTION_TAG = "crm-function"  # set by the CDK stack on each dead-letter queue
_VISIBILITY_S = 120  # a message being replayed stays hidden this long


@dataclass(slots=True)
class ReplayReport:
    function: str
    replayed: int = 0
    kept: int = 0  # Lambda did not accept the event: left on the queue


def payload_of(body: str) -> str:
    """The event to invoke with: the message itself (a Lambda or EventBridge dead letter), or the
    `requestPayload` of an on-failure destination's invocation record."""
    try:
        record = json.loads(body)
    except ValueError:
        return body
    if isinstance(record, dict) and "requestContext" in record and "requestPayload" in record:
        return json.dumps(record["requestPayload"])
    return body


def replay(
    queue: str,
    *,
    function: str | None = None,
    limit: int | None = None,
    sqs: Any = None,
    lambda_client: Any = None,
) -> ReplayReport:
    if sqs is None or lambda_client is None:
        import boto3  # the operator's shell only, never a Lambda's cold start

        sqs = sqs or boto3.client("sqs")
        lambda_client = lambda_client or boto3.client("lambda")
    url = queue if queue.startswith("https://") else sqs.get_queue_url(QueueName=queue)["QueueUrl"]
    if function is None:
        function = sqs.list_queue_tags(QueueUrl=url).get("Tags", {}).get(FUNCTION_TAG)
        if not function:
            raise SystemExit(f"{queue} has no {FUNCTION_TAG} tag: pass --function")
    report = ReplayReport(function=function)
    seen: set[str] = set()
    while limit is None or report.replayed + report.kept < limit:
        wanted = 10 if limit is None else min(10, limit - report.replayed - report.kept)
        messages = sqs.receive_message(
            QueueUrl=url, MaxNumberOfMessages=wanted, VisibilityTimeout=_VISIBILITY_S, WaitTimeSeconds=1
        ).get("Messages", [])
        fresh = [m for m in messages if m["MessageId"] not in seen]
        if not fresh:
            break
        for message in fresh:
            seen.add(message["MessageId"])
            answer = lambda_client.invoke(
                FunctionName=function, InvocationType="Event", Payload=payload_of(message["Body"]).encode()
            )
            if answer.get("StatusCode") == 202:
                sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
                report.replayed += 1
            else:
                report.kept += 1
    return report


def main(argv: list[str] | None = None) -> None:
    import argparse

    parser = argparse.ArgumentParser(description="Invoke a dead-letter queue's events again, then delete them.")
    parser.add_argument("queue", help="the queue's name (crm-<stage>-<Function>-dlq) or URL")
    parser.add_argument("--function", help="the function to invoke (default: the queue's crm-function tag)")
    parser.add_argument("--max", type=int, default=None, help="at most this many messages")
    args = parser.parse_args(argv)
    report = replay(args.queue, function=args.function, limit=args.max)
    sys.stdout.write(json.dumps({"function": report.function, "replayed": report.replayed, "kept": report.kept}) + "\n")


if __name__ == "__main__":
    main()
