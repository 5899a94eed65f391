"""Each Lambda's import path stays light, measured on the artifact as shipped (bench/imports.py).

The API loads no boto3, X-Ray SDK or Google client (DESIGN.md); a worker, with the services its
handler calls built, loads no JWT, cryptography or web framework either.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.imports import FORBIDDEN_ON_WORKER_PATH, build_artifact, forbidden, measure, worker_statements

# One worker builds the module's fixture once (`pytest -n`): the tests share it.
pytestmark = pytest.mark.xdist_group("artifact")


@pytest.fixture(scope="session")  # a pytest worker may run other modules between these tests
def artifact(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_artifact(tmp_path_factory.mktemp("artifact"))


def test_the_artifact_ships_bytecode_that_python_uses_without_writing_any(artifact: Path) -> None:
    assert (artifact / "api" / "chalicelib" / "__pycache__").is_dir()
    before = sorted(p for p in artifact.rglob("*.pyc"))
    measure("import app", artifact / "api", runs=1)
    assert sorted(p for p in artifact.rglob("*.pyc")) == before


def test_importing_the_api_loads_no_heavy_module(artifact: Path) -> None:
    probe = measure("import app", artifact / "api", runs=1)
    assert "chalicelib.api.routing" in probe.modules, "sanity: the probe imported the app"
    assert forbidden(probe.modules) == []
    # Route modules load with the first request they serve (routing.install), not at start.
    assert not {m for m in probe.modules if m.startswith("chalicelib.api.contacts")}


def test_workers_load_no_jwt_crypto_or_web_framework(artifact: Path) -> None:
    statements = worker_statements()
    assert any("services().due" in s for s in statements.values()), "sanity: handlers' services are found"
    for name, statement in statements.items():
        probe = measure(statement, artifact / "functions", runs=1)
        assert forbidden(probe.modules, FORBIDDEN_ON_WORKER_PATH) == [], name
