"""Step Functions as the Workflows port: start an execution whose name makes it idempotent."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from chalicelib.domain.errors import UnavailableError
from chalicelib.integrations.aws import client

_UNSAFE = re.compile(r"[^0-9A-Za-z_-]")


def execution_name(*parts: str) -> str:
    """A valid execution name (80 characters of [0-9A-Za-z_-]) made from `parts`."""
    return _UNSAFE.sub("_", "-".join(parts))[:80]


class StepFunctionsWorkflows:
    def __init__(self, arn_prefix: str, sfn: Any | None = None) -> None:
        # `arn:aws:states:<region>:<account>:stateMachine:<stack prefix>`: + a registry name.
        self._arn_prefix = arn_prefix
        self._sfn_client = sfn

    @property
    def _sfn(self) -> Any:
        if self._sfn_client is None:
            self._sfn_client = client("stepfunctions")
        return self._sfn_client

    def start(self, machine: str, name: str, payload: dict[str, Any]) -> bool:
        try:
            self._sfn.start_execution(
                stateMachineArn=f"{self._arn_prefix}{machine}", name=execution_name(name), input=json.dumps(payload)
            )
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") == "ExecutionAlreadyExists":
                return False
            raise UnavailableError("the workflow could not be started") from exc
        except BotoCoreError as exc:  # endpoint unreachable, read timeout...
            raise UnavailableError("the workflow could not be started") from exc
        return True

    def resume(self, token: str, output: dict[str, Any]) -> bool:
        return self._answer(lambda: self._sfn.send_task_success(taskToken=token, output=json.dumps(output)))

    def abort(self, token: str, error: str, cause: str) -> bool:
        return self._answer(lambda: self._sfn.send_task_failure(taskToken=token, error=error, cause=cause[:256]))

    def _answer(self, send: Callable[[], object]) -> bool:
        try:
            send()
        except ClientError as exc:
            # The step timed out, was canceled, or was answered already: nothing waits any more.
            if exc.response.get("Error", {}).get("Code") in _GONE:
                return False
            raise UnavailableError("the workflow could not be resumed") from exc
        except BotoCoreError as exc:
            raise UnavailableError("the workflow could not be resumed") from exc
        return True


_GONE = frozenset({"TaskDoesNotExist", "TaskTimedOut", "InvalidToken", "ExecutionDoesNotExist"})
