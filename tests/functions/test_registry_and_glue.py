"""The functions registry, and the machinery later workflows rely on: ASL run by moto, tasks by the glue."""

from __future__ import annotations

import importlib
import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest

from functions.registry import FUNCTIONS, STATE_MACHINES, Access, LambdaFunction, StateMachine
from infra.local import lambda_glue, resources
from tests.harness import REGION, LocalAws

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
CALLS: list[dict[str, Any]] = []


def echo(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """A task handler for the fixture state machine."""
    CALLS.append(event)
    return {"echoed": event, "function": context.function_name}


ECHO = LambdaFunction(name="Echo", handler="tests.functions.test_registry_and_glue.echo", description="test")
ECHO_MACHINE = StateMachine(name="Echo", file=str(FIXTURES / "echo.asl.json"), functions={"EchoFunctionArn": "Echo"})


def test_every_registered_handler_is_importable_and_names_are_unique() -> None:
    names = [fn.name for fn in FUNCTIONS] + [m.name for m in STATE_MACHINES]
    assert len(names) == len(set(names))
    for fn in FUNCTIONS:
        module, attribute = fn.handler.rsplit(".", 1)
        assert callable(getattr(importlib.import_module(module), attribute)), fn.handler


def test_every_state_machine_placeholder_names_a_registered_function() -> None:
    known = {fn.name for fn in FUNCTIONS}
    for machine in STATE_MACHINES:
        assert set(machine.functions.values()) <= known, machine.name
        resources.substitute(machine.definition(), dict.fromkeys(machine.functions, "arn"))


def test_an_unsubstituted_placeholder_is_refused() -> None:
    with pytest.raises(KeyError, match="EchoFunctionArn"):
        resources.substitute(ECHO_MACHINE.definition(), {})


def test_asl_file_runs_in_moto_with_tasks_run_by_the_glue(aws: LocalAws) -> None:
    lambda_glue.install()
    CALLS.clear()
    lambda_client = boto3.client("lambda", region_name=REGION)
    sfn = boto3.client("stepfunctions", region_name=REGION)
    arns = resources.register_functions(lambda_client, boto3.client("iam", region_name=REGION), (ECHO,))
    machine_arn = resources.create_state_machines(sfn, arns, (ECHO_MACHINE,))["Echo"]

    execution = sfn.start_execution(stateMachineArn=machine_arn, name="run-1", input=json.dumps({"n": 7}))
    for _ in range(200):
        described = sfn.describe_execution(executionArn=execution["executionArn"])
        if described["status"] != "RUNNING":
            break
        time.sleep(0.01)

    assert described["status"] == "SUCCEEDED", described
    assert json.loads(described["output"]) == {"echoed": {"n": 7}, "function": "Echo"}
    assert CALLS == [{"n": 7}]


def test_a_registered_function_may_only_make_the_calls_its_registry_access_grants(aws: LocalAws) -> None:
    from botocore.exceptions import ClientError

    from infra.local.iam import acting_as
    from tests.harness import FILES_BUCKET, aws_client

    s3, table = aws_client("s3"), aws_client("dynamodb")
    with acting_as("RecordingFailed") as function:  # table read and write, nothing else
        assert function.access == {Access.TABLE_READ, Access.TABLE_WRITE}
        table.get_item(TableName="crm-test", Key={"pk": {"S": "x"}, "sk": {"S": "y"}})
        with pytest.raises(ClientError) as denied:
            s3.put_object(Bucket=FILES_BUCKET, Key="tenants/t/x", Body=b"x")
        assert denied.value.response["Error"]["Code"] == "AccessDeniedException"
        assert "s3:PutObject" in str(denied.value)
        assert "files_write" in str(denied.value)
        with pytest.raises(ClientError, match="no registry access"):
            aws_client("ssm").describe_parameters()
    s3.put_object(Bucket=FILES_BUCKET, Key="tenants/t/x", Body=b"x")  # outside a function: the test's own call


def test_functions_run_by_the_glue_run_with_their_registry_access(aws: LocalAws) -> None:
    lambda_glue.install()
    lambda_client = boto3.client("lambda", region_name=REGION)
    failed = next(fn for fn in FUNCTIONS if fn.name == "RecordingFailed")
    tight = LambdaFunction(name="RecordingFailed", handler="tests.functions.test_registry_and_glue.upload",
                           description="test", access=failed.access)  # fmt: skip
    resources.register_functions(lambda_client, boto3.client("iam", region_name=REGION), (tight,))
    answer = lambda_client.invoke(FunctionName="RecordingFailed", Payload=b"{}")
    assert answer.get("FunctionError") == "Unhandled"
    assert "not authorized to perform s3:PutObject" in json.loads(answer["Payload"].read())["errorMessage"]


def upload(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """A handler that writes a file, which RecordingFailed may not do."""
    from tests.harness import FILES_BUCKET, aws_client

    aws_client("s3").put_object(Bucket=FILES_BUCKET, Key="tenants/t/y", Body=b"y")
    return {}


LAMBDA_TRANSIENT = {"Lambda.ServiceException", "Lambda.AWSLambdaException", "Lambda.SdkClientException",
                    "Lambda.TooManyRequestsException"}  # fmt: skip
NEVER_REPEATED = {("Autodial", "Dial")}  # a dial is never repeated (the PBX may have placed the call)


def _tasks(states: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any], bool]]:
    """(name, state, caught by an enclosing Map) for every Task, Map iterations included."""
    for name, state in states.items():
        if state["Type"] == "Task":
            yield name, state, False
        elif state["Type"] == "Map":
            caught = bool(state.get("Catch"))
            for inner, task, _ in _tasks(state["ItemProcessor"]["States"]):
                yield inner, task, caught


def test_every_workflow_step_retries_lambda_hiccups_and_ends_in_a_visible_failure() -> None:
    for machine in STATE_MACHINES:
        states = json.loads(machine.definition())["States"]
        assert states.get("MarkFailed", {}).get("Next") in states, machine.name
        assert states[states["MarkFailed"]["Next"]]["Type"] == "Fail", machine.name
        for name, task, caught_outside in _tasks(states):
            retried = {e for r in task.get("Retry", ()) for e in r["ErrorEquals"]}
            if (machine.name, name) not in NEVER_REPEATED:
                assert LAMBDA_TRANSIENT | {"States.TaskFailed"} <= retried, (machine.name, name)
            if name != "MarkFailed":
                catches = {c["Next"] for c in task.get("Catch", ())}
                assert caught_outside or catches, (machine.name, name)  # nothing ends a run silently
