"""`make smoke URL=...` (infra/smoke.py): the same scripted session as against a deployed stack,
run here against a real local stack (`python -m infra.local`, as `make run` starts it)."""

from __future__ import annotations

from pathlib import Path

import pytest

from infra import smoke
from tests.local_run import Run, free_port

pytestmark = pytest.mark.slow


def test_the_smoke_session_passes_against_the_local_stack(tmp_path: Path) -> None:
    stack = Run(free_port(), free_port(), tmp_path / "state.json", "--no-seed", "--no-persist")
    printed: list[str] = []
    try:
        stack.wait_ready()
        made = smoke.run(stack.base, printed.append)
    finally:
        stack.interrupt()
    assert printed[-1] == "smoke test passed", printed
    assert set(made) == {"crm", "client", "deal", "call", "import"}
    assert sum(line.startswith("- ") for line in printed) == 7  # each step printed


def test_a_failing_step_says_which_and_what_came_back(tmp_path: Path) -> None:
    with pytest.raises(smoke.SmokeError, match=r"GET http://127\.0\.0\.1:\d+/v1/health: no answer"):
        smoke.run(f"http://127.0.0.1:{free_port()}", lambda _: None)
    assert smoke.main([f"http://127.0.0.1:{free_port()}"]) == 1
