"""Run moto's registered Lambdas in-process: import the function's handler and call it.

moto without Docker registers functions but never runs their code (it echoes the payload).
This replaces that one method so that Step Functions tasks, scheduled invocations and
`lambda:Invoke` calls run the real handler named in `functions/registry.py` — the same
handler string CDK deploys. Verified approach: reference/stack.md §2.
"""

from __future__ import annotations

import contextlib
import importlib
import json
import traceback
from dataclasses import dataclass
from typing import Any

from moto.awslambda_simple.models import LambdaSimpleBackend

from chalicelib.observability import logger
from infra.local import iam


@dataclass(frozen=True, slots=True)
class LocalContext:
    """The parts of the Lambda context object our handlers read."""

    function_name: str
    aws_request_id: str = "local"
    memory_limit_in_mb: int = 256

    def get_remaining_time_in_millis(self) -> int:
        return 60_000


def _invoke(
    self: LambdaSimpleBackend,
    function_name: str,
    qualifier: str | None,
    body: Any,
    headers: Any,
    response_headers: Any,
) -> bytes:
    function = self.get_function(function_name, qualifier)
    if not function.handler:
        raise ValueError(f"function {function_name} has no handler")
    module_name, attribute = function.handler.rsplit(".", 1)
    event = json.loads(body or "{}")
    registered = iam.function_named(function.function_name)
    try:
        handler = getattr(importlib.import_module(module_name), attribute)
        # With the registry's access only, as IAM would allow it in AWS.
        with iam.acting_as(registered) if registered else contextlib.nullcontext():
            result = handler(event, LocalContext(function_name=function.function_name))
    except Exception as exc:  # noqa: BLE001 - reported to the caller the way Lambda does
        logger.exception("local lambda failed", extra={"function": function.function_name})
        response_headers["x-amz-function-error"] = "Unhandled"
        return json.dumps(
            {
                "errorType": type(exc).__name__,
                "errorMessage": str(exc),
                "stackTrace": traceback.format_exc().splitlines(),
            }
        ).encode()
    return json.dumps(result).encode()


def install() -> None:
    """Idempotent: patch moto's Docker-less Lambda backend to run handlers in-process, each with
    its registry access enforced (infra/local/iam.py)."""
    iam.install()
    LambdaSimpleBackend.invoke = _invoke  # type: ignore[method-assign]  # moto's backend, patched in place
