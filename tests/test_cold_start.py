"""The API Lambda's import path stays light (DESIGN.md: no boto3, X-Ray SDK or Google client)."""

from __future__ import annotations

from bench.imports import forbidden, measure


def test_importing_the_api_loads_no_heavy_module() -> None:
    _, modules = measure("import app", runs=1)
    assert "pynamodb" in {m.split(".")[0] for m in modules}, "sanity: the probe imported the app"
    assert forbidden(modules) == []
