"""`make run` serves the built web app beside the API, on the same origin, as CloudFront does."""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from chalice import Chalice
from chalice.config import Config

from infra.local.api_server import IMMUTABLE, create_server, web_file


@pytest.fixture
def dist(tmp_path: Path) -> Path:
    (tmp_path / "assets").mkdir()
    (tmp_path / "index.html").write_text("<!doctype html><title>CRM</title>")
    (tmp_path / "assets" / "index-abc123.js").write_text("console.log('app')")
    (tmp_path / "robots.txt").write_text("User-agent: *")
    return tmp_path


def test_files_are_served_and_app_routes_fall_back_to_index_html(dist: Path) -> None:
    assert web_file(dist, "/assets/index-abc123.js") == (dist / "assets" / "index-abc123.js", IMMUTABLE)
    assert web_file(dist, "/robots.txt") == (dist / "robots.txt", "no-cache")
    for app_route in ("/", "/sign-in", "/clients/CL-7", "/invitations/accept?token=abc.def"):
        assert web_file(dist, app_route) == (dist / "index.html", "no-cache")


def test_the_api_and_missing_files_are_left_to_the_api(dist: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    for path in ("/v1", "/v1/", "/v1/no-such-thing", "/v1/clients/x.json", "/assets/missing.js", "/%2e%2e/secret.txt"):
        assert web_file(dist, path) is None, path
    assert web_file(None, "/") is None
    assert web_file(tmp_path_factory.mktemp("unbuilt"), "/sign-in") is None  # no index.html: not built


def test_paths_cannot_leave_the_web_root(dist: Path) -> None:
    (dist.parent / "secret.txt").write_text("no")
    for path in ("/../secret.txt", "/assets/../../secret.txt", "/%2E%2E/secret.txt"):
        found = web_file(dist, path)
        assert found is None or found[0] == dist / "index.html", path


@pytest.fixture
def server(dist: Path) -> Iterator[str]:
    app = Chalice(app_name="web-test")

    @app.route("/v1/health")
    def health() -> dict[str, str]:
        return {"status": "ok"}

    http = create_server(app, Config.create(chalice_stage="dev"), "127.0.0.1", 0, web_root=dist)
    thread = threading.Thread(target=http.server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{http.server.server_address[1]}"
    finally:
        http.server.shutdown()
        http.server.server_close()


def get(url: str) -> tuple[int, dict[str, str], bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def test_one_origin_serves_the_app_its_routes_and_the_api_with_its_own_404s(server: str) -> None:
    status, headers, body = get(server + "/deals/board")
    assert (status, headers["Content-Type"], headers["Cache-Control"]) == (200, "text/html; charset=utf-8", "no-cache")
    assert body.startswith(b"<!doctype html>")

    status, headers, _ = get(server + "/assets/index-abc123.js")
    assert status == 200
    assert headers["Content-Type"].startswith(("text/javascript", "application/javascript"))
    assert headers["Cache-Control"] == IMMUTABLE

    assert get(server + "/v1/health")[:1] == (200,)
    status, _, body = get(server + "/v1/no-such-thing")
    assert (status, json.loads(body)) == (404, {"error": {"code": "not_found", "message": "no such route"}})
    assert get(server + "/assets/missing.js")[0] == 404
