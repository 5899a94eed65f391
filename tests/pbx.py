"""Telephony test kit: a fake Zadarma API, the recording workflow in moto, signed PBX webhooks."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import count
from typing import Any

from chalicelib.integrations.zadarma.webhooks import encode_form
from infra.local.fake_zadarma import FakeZadarma
from infra.local.replay import delivery_headers, signed_delivery
from tests.harness import REGION, Api, CrmSession, aws_client, new_crm, reset_caches

KEY, SECRET = "test-pbx-key", "test-pbx-secret"
_calls = count(1)


@dataclass
class Pbx:
    """What a telephony test drives: the fake PBX API and the CRM's webhook URL."""

    api: Api
    fake: FakeZadarma
    crm: CrmSession | None = None
    secret: str = SECRET
    sent: list[dict[str, str]] = field(default_factory=list)

    def new_crm(self, *, mode: str = "softphone", **overrides: Any) -> CrmSession:
        """A CRM on the fake PBX; its admin (extension 100) in telephony `mode` (TE-7): the
        softphone by default, so click-to-call asks the PBX's callback."""
        self.crm = new_crm(self.api, pbx={"api_key": KEY, "api_secret": SECRET}, **overrides)
        if mode != "webphone":  # a new user's default
            changed = self.api.request("PATCH", "/v1/me", {"telephony_mode": mode}, token=self.crm.token)
            assert changed.status == 200, changed.json
        return self.crm

    def post(self, fields: Mapping[str, str], *, secret: str | None = None, signature: str | None = None,
             crm: CrmSession | None = None) -> Any:  # fmt: skip
        """Deliver an event as Zadarma does: form-encoded, with its Signature header."""
        target = crm or self.crm
        assert target is not None
        if signature is None:
            body, headers = signed_delivery(dict(fields), secret or self.secret)
        else:  # a test's own (wrong, missing) signature, even for events that have none
            body, headers = encode_form(fields), delivery_headers(signature)
        self.sent.append(dict(fields))
        return self.api.request("POST", f"/v1/webhooks/zadarma/{target.slug}", body.decode(), headers=headers)


def call_id(direction: str = "in") -> str:
    return f"{direction}_{next(_calls):040x}"


def pbx_now() -> str:
    """`call_start` of a call starting now (UTC: within the day the CRM believes, whatever its zone)."""
    return datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S")


def incoming(pbx_call_id: str, caller: str = "+33612345678", did: str = "33159000000",
             start: str | None = None) -> dict[str, dict[str, str]]:  # fmt: skip
    """The events of one incoming call answered by extension 100 and recorded."""
    start = start or pbx_now()
    base = {"call_start": start, "pbx_call_id": pbx_call_id, "caller_id": caller, "called_did": did}
    record = f"{1585918082 + next(_calls)}.92858"
    return {
        "start": {"event": "NOTIFY_START", **base},
        "internal": {"event": "NOTIFY_INTERNAL", **base, "internal": "100"},
        "answer": {
            "event": "NOTIFY_ANSWER",
            "caller_id": caller,
            "destination": "100",
            "call_start": start,
            "pbx_call_id": pbx_call_id,
            "internal": "100",
        },
        "end": {
            "event": "NOTIFY_END",
            **base,
            "internal": "100",
            "duration": "42",
            "disposition": "answered",
            "status_code": "16",
            "is_recorded": "1",
            "call_id_with_rec": record,
        },
        "record": {"event": "NOTIFY_RECORD", "pbx_call_id": pbx_call_id, "call_id_with_rec": record},
    }


def outgoing(
    pbx_call_id: str,
    destination: str = "+33698765432",
    extension: str = "100",
    start: str | None = None,
    disposition: str = "answered",
) -> dict[str, dict[str, str]]:
    start = start or pbx_now()
    base = {"call_start": start, "pbx_call_id": pbx_call_id, "internal": extension, "destination": destination}
    return {
        "start": {"event": "NOTIFY_OUT_START", **base, "caller_id": "0"},
        "end": {
            "event": "NOTIFY_OUT_END",
            **base,
            "caller_id": "0",
            "duration": "0" if disposition != "answered" else "65",
            "disposition": disposition,
            "status_code": "16",
            "is_recorded": "0",
        },
    }


@contextmanager
def fake_pbx(api: Api) -> Iterator[Pbx]:
    """A fake Zadarma API knowing the test keys, the app pointed at it, the recording workflow
    registered in moto (its tasks run by the Lambda glue)."""
    from infra.local import lambda_glue, resources

    lambda_glue.install()
    arns = resources.register_functions(aws_client("lambda"), aws_client("iam"))
    resources.create_state_machines(aws_client("stepfunctions"), arns)
    with FakeZadarma({KEY: SECRET}) as fake:
        os.environ["ZADARMA_API_URL"] = fake.base_url
        reset_caches()  # keeps the test's clock
        try:
            yield Pbx(api, fake)
        finally:
            os.environ.pop("ZADARMA_API_URL", None)
            reset_caches()


def executions(status: str | None = None, machine: str = "RecordingFetch") -> list[dict[str, Any]]:
    sfn = aws_client("stepfunctions")
    arn = f"arn:aws:states:{REGION}:123456789012:stateMachine:{machine}"
    found = sfn.list_executions(stateMachineArn=arn)["executions"]
    return [e for e in found if status is None or e["status"] == status]


def wait_for_workflows(timeout: float = 60.0, machine: str = "RecordingFetch") -> list[dict[str, Any]]:
    """moto runs executions on threads: wait until none is running, then return them described."""
    # An upper bound only (it returns as soon as none runs): a loaded 2-core CI machine ran a
    # 100-attempt retry workflow for over 10 s once.
    sfn = aws_client("stepfunctions")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        described = [sfn.describe_execution(executionArn=e["executionArn"]) for e in executions(machine=machine)]
        if all(d["status"] != "RUNNING" for d in described):
            return described
        time.sleep(0.01)
    raise AssertionError("a workflow is still running")


def output(execution: dict[str, Any]) -> Any:
    return json.loads(execution.get("output") or "null")
