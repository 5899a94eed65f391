"""The local API server: chalice's local dev server, answering unknown routes as the API does.

chalice's local gateway answers a path no route matches with API Gateway's own 403
(`Missing Authentication Token`, or a signature error quoting the caller's `Authorization`
header back), and a method a route lacks with chalice's own 405 body. Here both are answered
before chalice sees them, in the API's error envelope and as the deployed API's gateway
responses do (infra/stacks/gateway_responses.py): 404 `not_found` for an unknown path, and 405
`method_not_allowed` with an `Allow` header for a known path (API Gateway cannot tell these
apart and answers 404). Nothing of the request is echoed back. chalice itself is not patched:
this handler class is given to its `LocalDevServer`.

Beside the API, on the same origin, it serves the built web app (`web/dist`) as CloudFront does
in AWS: its files, and `index.html` for an extension-less GET outside `/v1` (the app's own
routes); `/v1/*` always reaches the API, so its 404s stay the API's.
"""

from __future__ import annotations

import functools
import json
import mimetypes
import urllib.parse
from pathlib import Path, PurePosixPath
from typing import Any

from chalice.app import Chalice
from chalice.config import Config
from chalice.local import ChaliceRequestHandler, CustomLocalChalice, LocalChalice, LocalDevServer, RouteMatcher

from chalicelib.api.errors import envelope
from chalicelib.config import get_settings

NOT_FOUND = "no such route"
API_PREFIX = "/v1"
# Vite names the files under assets/ by their content: they never change.
IMMUTABLE = "public, max-age=31536000, immutable"


def web_file(root: Path | None, raw_path: str) -> tuple[Path, str] | None:
    """The web app's file for a GET of `raw_path` and its Cache-Control, or None (not the app's).

    A file that exists is served; an extension-less path is an app route and gets `index.html`
    (SPA fallback); anything else, and everything under /v1, is left to the API.
    """
    path = urllib.parse.unquote(urllib.parse.urlsplit(raw_path).path)
    index = root / "index.html" if root is not None else None
    if index is None or not index.is_file() or path == API_PREFIX or path.startswith(API_PREFIX + "/"):
        return None
    parts = [part for part in PurePosixPath(path).parts if part not in ("/", "", ".")]
    if ".." not in parts and parts:
        candidate = root.joinpath(*parts)  # type: ignore[union-attr]  # root is set when index is
        if candidate.is_file():
            cache = IMMUTABLE if parts[0] == "assets" else "no-cache"
            return candidate, cache
    if not parts or "." not in parts[-1]:
        return index, "no-cache"
    return None


class EnvelopeRequestHandler(ChaliceRequestHandler):
    """chalice's handler, with the routing errors of the API's envelope."""

    def __init__(
        self,
        *args: Any,
        matcher: RouteMatcher,
        routes: dict[str, dict[str, Any]],
        web_root: Path | None = None,
        **kwargs: Any,
    ) -> None:
        # Set before the base class's __init__, which handles the request.
        self._matcher = matcher
        self._routes = routes
        self._web_root = web_root
        super().__init__(*args, **kwargs)

    def _generic_handle(self) -> None:
        if self.command in ("GET", "HEAD"):
            found = web_file(self._web_root, self.path)
            if found is not None:
                self._send_file(*found)
                return
        try:
            route = self._matcher.match_route(self.path).route
        except ValueError:
            self._refuse(404, "not_found", NOT_FOUND, {})
            return
        methods = self._routes[route]
        if self.command not in methods and self.command != "OPTIONS":  # OPTIONS: CORS preflight
            allow = ", ".join(sorted(methods))
            self._refuse(405, "method_not_allowed", f"this route accepts {allow}", {"Allow": allow})
            return
        super()._generic_handle()

    def _refuse(self, status: int, code: str, message: str, headers: dict[str, str]) -> None:
        self._parse_payload()  # read the body, so that a kept-alive connection stays in step
        body = json.dumps(envelope(code, message))
        # The web app's origin, as API Gateway's own responses (infra/stacks/gateway_responses.py).
        origin = get_settings().app_origin
        headers = {"Content-Type": "application/json", "Access-Control-Allow-Origin": origin, **headers}
        self._send_http_response(status, headers, body)

    def _send_file(self, path: Path, cache: str) -> None:
        body = path.read_bytes()
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        if content_type.startswith("text/") or content_type in ("application/javascript", "application/json"):
            content_type += "; charset=utf-8"
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", cache)
        self.send_header("X-Content-Type-Options", "nosniff")
        self.end_headers()
        if self.command == "GET":
            self.wfile.write(body)

    do_GET = do_PUT = do_POST = do_HEAD = do_DELETE = do_PATCH = do_OPTIONS = _generic_handle  # noqa: N815


def create_server(app: Chalice, config: Config, host: str, port: int, web_root: Path | None = None) -> LocalDevServer:
    """chalice's `create_local_server`, with the handler above (and the web app from `web_root`)."""
    CustomLocalChalice.__bases__ = (LocalChalice, app.__class__)
    app.__class__ = CustomLocalChalice
    handler = functools.partial(
        EnvelopeRequestHandler, matcher=RouteMatcher(list(app.routes)), routes=app.routes, web_root=web_root
    )
    return LocalDevServer(app, config, host, port, handler_cls=handler)
