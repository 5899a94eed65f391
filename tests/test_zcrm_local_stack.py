"""Issue 22's script, over real HTTP against the local stack (`python -m infra.local`, as `make
run` starts it): a script written against Teamsale's published API runs unchanged, signed with a
"Teamsale compatible" key, and what it made is then found through our own API."""

from __future__ import annotations

import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.api.test_zcrm_script import script
from tests.api.zcrm_client import Teamsale
from tests.local_run import Run, call, free_port

pytestmark = pytest.mark.slow


@dataclass
class Reply:
    status_code: int
    body: bytes


class UrllibHttp:
    """The HTTP side Teamsale's client expects (`get`/`post`/`put`/`delete` of a path), over the
    network: what a migrated integration's own HTTP library does."""

    def __init__(self, base: str) -> None:
        self.base = base

    def _send(self, method: str, path: str, headers: dict[str, str], body: str | None = None) -> Reply:
        data = body.encode() if body is not None else None
        request = urllib.request.Request(self.base + path, data=data, headers=headers, method=method)
        try:
            with urllib.request.urlopen(request, timeout=30) as answer:
                return Reply(answer.status, answer.read())
        except urllib.error.HTTPError as error:
            return Reply(error.code, error.read())

    def get(self, path: str, headers: dict[str, str]) -> Reply:
        return self._send("GET", path, headers)

    def delete(self, path: str, headers: dict[str, str]) -> Reply:
        return self._send("DELETE", path, headers)

    def post(self, path: str, headers: dict[str, str], body: str) -> Reply:
        return self._send("POST", path, headers, body)

    def put(self, path: str, headers: dict[str, str], body: str) -> Reply:
        return self._send("PUT", path, headers, body)


def test_a_teamsale_script_runs_unchanged_against_the_local_stack(tmp_path: Path) -> None:
    stack = Run(free_port(), free_port(), tmp_path / "state.json", "--no-seed", "--no-persist")
    try:
        stack.wait_ready()
        admin = {"name": "Tess", "email": "tess@example.com", "password": "moving-over-1", "extension": "100"}
        assert call(stack.base, "POST", "/v1/crms", {"name": "Moved Over", "admin": admin})[0] == 201
        login = {"crm": "moved-over", "email": admin["email"], "password": admin["password"]}
        status, session = call(stack.base, "POST", "/v1/auth/login", login)
        assert status == 200, session
        token = session["access_token"]
        status, key = call(stack.base, "POST", "/v1/api-keys", {"name": "From Teamsale", "scope": "teamsale"}, token)
        assert status == 201, key

        made = script(Teamsale(UrllibHttp(stack.base), key["key"], key["secret"]))

        def items(path: str) -> list[dict[str, Any]]:
            status, page = call(stack.base, "GET", path, token=token)
            assert status == 200, page
            return list(page["items"])

        [client] = items("/v1/clients?q=John%20Doe")
        assert client["phones"][0]["phone"] == "+442071234567"
        assert len(client["source_tag_ids"]) == 2
        notes = [e for e in items(f"/v1/clients/{client['id']}/feed") if e["kind"] == "note"]
        assert [n["text"] for n in notes] == ["Called back, interested"]
        [deal] = [d for d in items("/v1/deals") if d["title"] == "Website redesign"]
        assert deal["client_id"] == client["id"]
        [task] = [t for t in items("/v1/tasks?include_completed=true") if t["title"] == "Call John back"]
        assert (task["status"], task["completed_comment"]) == ("done", "Done, he signed")
        assert all(0 < int(made[k]) < 1000 for k in ("lead", "deal", "event")), made
    finally:
        stack.kill()
