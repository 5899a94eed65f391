"""Cold start as Lambda sees it: fresh interpreters importing the artifact's own bytecode.

The artifact is built as CDK builds it (`infra/bundle.py`: the sources and `unchecked-hash`
bytecode, here for the interpreter that measures) into a new directory, and every probe is a
fresh `python -X importtime` in it with PYTHONDONTWRITEBYTECODE=1: no `__pycache__` written by an
earlier run warms it. Each Lambda is compared, in the same run, with the floor of its stack:
the API with `import chalice, pynamodb, aws_lambda_powertools, botocore.session, pydantic, jwt`,
a worker with the same minus chalice, pydantic and jwt. A worker's probe imports its handler's
module and builds the services the handler calls (what its first invocation pays before any I/O).
"""

from __future__ import annotations

import ast
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from functions.registry import FUNCTIONS
from infra import bundle

ROOT = Path(__file__).resolve().parent.parent

API_FLOOR = "import chalice, pynamodb, aws_lambda_powertools, botocore.session, pydantic, jwt"
WORKER_FLOOR = "import pynamodb, aws_lambda_powertools, botocore.session"
API_TARGET = 1.25
WORKER_TARGET = 1.2

# Modules the API Lambda must not load: PynamoDB and botocore suffice (DESIGN.md budgets).
FORBIDDEN_ON_API_PATH = ("boto3", "aws_xray_sdk", "googleapiclient", "moto")
# A worker verifies no token and serves no HTTP: no JWT, crypto or web framework on its path.
FORBIDDEN_ON_WORKER_PATH = (*FORBIDDEN_ON_API_PATH, "jwt", "cryptography", "chalice")

# What Lambda's python3.12 runtime itself provides beside the layer (boto3 and its dependencies).
RUNTIME_PROVIDED = ("boto3",)
# Chalice's packager copies its own runtime module (not its dependencies) into the API's package.
PACKAGED_BY_CHALICE = ("chalice",)

_PROBE = """
import json, sys, time
class NotShipped:
    # A package the venv has but Lambda does not (e.g. blinker, which moto brings and PynamoDB
    # uses only when present) is not found, as on Lambda.
    blocked = frozenset({blocked!r})
    @classmethod
    def find_spec(cls, name, path=None, target=None):
        if name.partition(".")[0] in cls.blocked:
            raise ModuleNotFoundError(f"No module named {{name!r}} (not shipped)", name=name)
        return None
sys.meta_path.insert(0, NotShipped)
started, cpu = time.perf_counter(), time.process_time()
{statement}
elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
print(json.dumps({{"ms": elapsed * 1000, "cpu_ms": cpu * 1000, "modules": sorted(sys.modules)}}))
"""
_IMPORTTIME = re.compile(r"import time:\s+(\d+) \|\s+(\d+) \|\s*(\S+)")


@dataclass
class Probe:
    """Median wall time of a statement over fresh processes, the modules it loaded, and each
    module's median own import time (µs)."""

    statement: str
    ms: float
    modules: set[str]
    self_us: dict[str, float] = field(default_factory=dict)
    cpu_ms: float = 0.0  # median CPU time of the same runs

    @property
    def waited(self) -> bool:
        """Its runs spent much longer than their CPU time: other processes held the CPU, and
        ratios measured now say more about the machine's load than about the code."""
        return self.ms > 1.2 * self.cpu_ms


def build_artifact(dest: Path) -> Path:
    """The API's and the functions' code, as shipped, with bytecode for this interpreter."""
    bundle.build_code(dest / "api", bundle.API_SOURCES, sys.executable)
    bundle.build_code(dest / "functions", bundle.FUNCTION_SOURCES, sys.executable)
    return dest


def shipped_distributions() -> set[str]:
    """The distributions Lambda has: requirements.txt with their dependencies, and the runtime's own."""
    from importlib import metadata

    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name

    lines = (ROOT / "requirements.txt").read_text().splitlines()
    pending = [Requirement(line) for line in map(str.strip, lines) if line and not line.startswith("#")]
    pending += [Requirement(name) for name in RUNTIME_PROVIDED]
    shipped: set[str] = set()
    while pending:
        requirement = pending.pop()
        name = canonicalize_name(requirement.name)
        if name in shipped:
            continue
        shipped.add(name)
        try:
            needs = metadata.requires(requirement.name) or []
        except metadata.PackageNotFoundError:
            continue
        for text in needs:
            need = Requirement(text)
            extras = requirement.extras or {""}
            if need.marker is None or any(need.marker.evaluate({"extra": extra}) for extra in extras):
                pending.append(need)
    return shipped


def not_shipped_modules() -> list[str]:
    """Top-level modules of the venv's distributions that Lambda does not have."""
    from importlib import metadata

    from packaging.utils import canonicalize_name

    shipped = shipped_distributions()
    missing = {
        module
        for module, distributions in metadata.packages_distributions().items()
        if not any(canonicalize_name(d) in shipped for d in distributions)
    }
    dropped = {name for name in bundle.LAYER_DROP if not name.endswith(".pth")}  # the layer drops them
    return sorted((missing | dropped) - set(PACKAGED_BY_CHALICE))


def probe_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "AWS_", "COGNITO_"))}
    # Building a worker's services reads the settings: a laptop stage, nothing contacted.
    return {**env, "PYTHONDONTWRITEBYTECODE": "1", "STAGE": "test", "AWS_DEFAULT_REGION": "eu-west-1"}


def measure(statement: str, cwd: Path, runs: int = 9) -> Probe:
    """Import `statement` in `runs` fresh interpreters in `cwd` (the artifact), medians of all."""
    return measure_all({statement: (statement, cwd)}, runs)[statement]


def measure_all(probes: dict[str, tuple[str, Path]], runs: int = 9) -> dict[str, Probe]:
    """Each probe (statement, directory) in `runs` fresh interpreters, medians of all.

    The runs go in rounds, one of every probe per round: a floor and the Lambdas compared with it
    see the same load on a shared machine, rather than the floor one minute and a Lambda the next.
    """
    timings: dict[str, list[float]] = defaultdict(list)
    cpu: dict[str, list[float]] = defaultdict(list)
    per_module: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
    modules: dict[str, set[str]] = {}
    blocked = not_shipped_modules()
    for _ in range(runs):
        for key, (statement, cwd) in probes.items():
            done = subprocess.run(
                [sys.executable, "-X", "importtime", "-c", _PROBE.format(statement=statement, blocked=blocked)],
                cwd=cwd,
                env=probe_env(),
                capture_output=True,
                text=True,
                check=True,
            )
            result = json.loads(done.stdout.strip().splitlines()[-1])
            timings[key].append(result["ms"])
            cpu[key].append(result["cpu_ms"])
            modules[key] = set(result["modules"])
            for match in _IMPORTTIME.finditer(done.stderr):
                per_module[key][match[3]].append(int(match[1]))
    return {
        key: Probe(
            statement,
            statistics.median(timings[key]),
            modules[key],
            {name: statistics.median(times) for name, times in per_module[key].items()},
            statistics.median(cpu[key]),
        )
        for key, (statement, _) in probes.items()
    }


def worker_statements() -> dict[str, str]:
    """One probe per distinct worker path: handler module + the services its handlers call."""
    probes: dict[str, str] = {}
    by_path: dict[tuple[str, tuple[str, ...]], list[str]] = defaultdict(list)
    for fn in FUNCTIONS:
        module, function = fn.handler.rsplit(".", 1)
        by_path[(module, services_called(module, function))].append(fn.name)
    for (module, used), names in sorted(by_path.items()):
        built = "".join(f"; services().{name}" for name in used)
        statement = f"import {module}; from chalicelib.bootstrap import services{built}"
        probes[", ".join(names)] = statement
    return probes


def services_called(module: str, function: str) -> tuple[str, ...]:
    """The `services().<name>` a handler function uses, directly or through the module's own
    functions it calls (`handler` -> `reconcile` -> `services().rollups`), read from its source."""
    tree = ast.parse((ROOT / (module.replace(".", "/") + ".py")).read_text())
    functions = {node.name: node for node in tree.body if isinstance(node, ast.FunctionDef)}
    used: set[str] = set()
    seen: set[str] = set()
    pending = [function]
    while pending:
        name = pending.pop()
        if name in seen:
            continue
        seen.add(name)
        for node in ast.walk(functions[name]):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in functions:
                pending.append(node.func.id)
            elif (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Call)
                and isinstance(node.value.func, ast.Name)
                and node.value.func.id == "services"
            ):
                used.add(node.attr)
    return tuple(sorted(used))


def gap(target: Probe, floor: Probe, top: int = 10) -> list[tuple[str, float]]:
    """What the target imports beyond the floor, by module group (ms of own import time)."""
    groups: dict[str, float] = defaultdict(float)
    for name, us in target.self_us.items():
        if name in floor.modules:
            continue
        parts = name.split(".")
        group = ".".join(parts[:3]) if parts[0] in ("chalicelib", "functions") else parts[0]
        groups[group] += us / 1000
    return sorted(groups.items(), key=lambda item: -item[1])[:top]


def forbidden(modules: set[str] | list[str], names: tuple[str, ...] = FORBIDDEN_ON_API_PATH) -> list[str]:
    return sorted({m.split(".")[0] for m in modules} & set(names))


@dataclass
class ColdStart:
    api: Probe
    api_floor: Probe
    workers: dict[str, Probe]
    worker_floor: Probe


def cold_starts(runs: int = 9) -> ColdStart:
    """All probes of one run, against one freshly built artifact."""
    with tempfile.TemporaryDirectory(prefix="bench-artifact-") as tmp:
        artifact = build_artifact(Path(tmp))
        api_dir, functions_dir = artifact / "api", artifact / "functions"
        workers = worker_statements()
        probes = {
            "api": ("import app", api_dir),
            "api_floor": (API_FLOOR, api_dir),
            "worker_floor": (WORKER_FLOOR, functions_dir),
            **{f"worker:{name}": (statement, functions_dir) for name, statement in workers.items()},
        }
        measured = measure_all(probes, runs)
        return ColdStart(
            api=measured["api"],
            api_floor=measured["api_floor"],
            workers={name: measured[f"worker:{name}"] for name in workers},
            worker_floor=measured["worker_floor"],
        )
