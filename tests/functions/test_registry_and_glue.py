"""The functions registry, and the machinery later workflows rely on: ASL run by moto, tasks by the glue."""

from __future__ import annotations

import importlib
import json
import time
from pathlib import Path
from typing import Any

import boto3
import pytest

from functions.registry import FUNCTIONS, STATE_MACHINES, LambdaFunction, StateMachine
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
