"""Cold import of the API Lambda, measured in fresh interpreters."""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Modules the API Lambda must not load: PynamoDB and botocore suffice (DESIGN.md budgets).
FORBIDDEN_ON_API_PATH = ("boto3", "aws_xray_sdk", "googleapiclient", "moto")

_PROBE = """
import json, sys, time
started = time.perf_counter()
{statement}
elapsed = time.perf_counter() - started
print(json.dumps({{"ms": elapsed * 1000, "modules": sorted(sys.modules)}}))
"""


def measure(statement: str, runs: int = 9) -> tuple[float, list[str]]:
    """Median import time (ms) of `statement` over fresh processes, and the modules it loaded."""
    env = {**os.environ, "TABLE_NAME": "bench", "AWS_DEFAULT_REGION": "eu-west-1", "PYTHONDONTWRITEBYTECODE": "0"}
    timings: list[float] = []
    modules: list[str] = []
    for i in range(runs + 1):
        out = subprocess.run(
            [sys.executable, "-c", _PROBE.format(statement=statement)],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        result = json.loads(out.strip().splitlines()[-1])
        if i:  # the first run writes the .pyc files: not a cold start Lambda would see
            timings.append(result["ms"])
        modules = result["modules"]
    return statistics.median(timings), modules


def api_import() -> tuple[float, list[str]]:
    return measure("import app")


def floor_import() -> tuple[float, list[str]]:
    return measure("import botocore.session\nfrom chalice import Chalice")


def forbidden(modules: list[str]) -> list[str]:
    return sorted({m.split(".")[0] for m in modules} & set(FORBIDDEN_ON_API_PATH))
