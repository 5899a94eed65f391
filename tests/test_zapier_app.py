"""The Zapier app (integrations/zapier): its definition validates offline against
zapier-platform-schema, and its tests (the platform's app tester, Node's test runner) pass against
a real local stack: auth, actions, the search and signed REST-hook deliveries."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.harness import ROOT
from tests.local_run import Run, free_port

pytestmark = pytest.mark.slow

ZAPIER = ROOT / "integrations" / "zapier"


def npm(*args: str, env: dict[str, str] | None = None, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """`npm <args>` in the app's directory, once its packages are installed (`make test` does)."""
    if not shutil.which("npm") or not (ZAPIER / "node_modules" / "zapier-platform-core").is_dir():
        message = "the Zapier app's packages are not installed: `make test` runs npm ci in integrations/zapier"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return subprocess.run(
        ["npm", "--silent", *args],
        cwd=ZAPIER,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def test_the_zapier_app_definition_validates_offline() -> None:
    done = npm("run", "validate")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "structurally sound: 8 triggers, 4 actions, 1 search" in done.stdout


def test_the_zapier_apps_tests_pass_against_the_local_stack(tmp_path: Path) -> None:
    stack = Run(free_port(), free_port(), tmp_path / "state.json", "--no-seed", "--no-persist")
    try:
        stack.wait_ready()
        done = npm("test", env={"CRM_API_URL": stack.base})
    finally:
        stack.kill()
    report = done.stdout + done.stderr
    assert done.returncode == 0, f"{report}\n--- local stack ---\n{stack.output()[-5000:]}"
    counts = dict(re.findall(r"^# (pass|fail|skipped) (\d+)$", report, re.MULTILINE))
    assert counts == {"pass": counts["pass"], "fail": "0", "skipped": "0"}
    assert int(counts["pass"]) >= 20, report  # every test ran: none was left out or skipped
