"""Fire the registry's schedules locally (moto stores EventBridge rules but never fires them)."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from chalicelib.domain.ids import new_id
from chalicelib.observability import logger
from functions.registry import LambdaFunction
from infra.local.resources import ACCOUNT_ID


def scheduled_event(function: LambdaFunction, region: str) -> dict[str, Any]:
    """The event EventBridge sends a scheduled Lambda."""
    return {
        "version": "0",
        "id": new_id(),
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": ACCOUNT_ID,
        "time": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "region": region,
        "resources": [f"arn:aws:events:{region}:{ACCOUNT_ID}:rule/{function.name}Schedule"],
        "detail": {},
    }


class Scheduler(threading.Thread):
    """Invokes each scheduled function through moto's Lambda (so through the glue) at its rate.

    `extra_jobs` are (period_seconds, callable) pairs of the local stack itself (autosave);
    `periods` overrides a function's period in seconds (webhooks: a Zap tried on a laptop
    should not wait a minute for its delivery).
    """

    def __init__(
        self,
        lambda_client: Any,
        functions: tuple[LambdaFunction, ...],
        region: str,
        extra_jobs: tuple[tuple[float, Callable[[], object]], ...] = (),
        periods: Mapping[str, float] | None = None,
    ) -> None:
        super().__init__(name="scheduler", daemon=True)
        self._lambda = lambda_client
        self._region = region
        self._stopping = threading.Event()
        now = time.monotonic()
        periods = periods or {}
        every = {fn.name: periods.get(fn.name, fn.schedule_minutes * 60) for fn in functions if fn.schedule_minutes}
        self._jobs: list[list[Any]] = [
            [every[fn.name], now + every[fn.name], self._invoker(fn)] for fn in functions if fn.name in every
        ]
        self._jobs += [[period, now + period, job] for period, job in extra_jobs]

    def _invoker(self, function: LambdaFunction) -> Callable[[], object]:
        def invoke() -> None:
            result = self._lambda.invoke(
                FunctionName=function.name, Payload=json.dumps(scheduled_event(function, self._region))
            )
            outcome = result["Payload"].read().decode()
            if result.get("FunctionError"):
                logger.error("scheduled function failed", extra={"function": function.name, "result": outcome})
            else:
                logger.debug("scheduled function ran", extra={"function": function.name, "result": outcome})

        return invoke

    def run(self) -> None:
        while not self._stopping.wait(1.0):
            now = time.monotonic()
            for job in self._jobs:
                period, due, action = job
                if now >= due:
                    job[1] = now + period
                    try:
                        action()
                    except Exception:  # noqa: BLE001 - one failing job must not stop the others
                        logger.exception("scheduled job failed")

    def stop(self) -> None:
        self._stopping.set()
        self.join(timeout=5)
