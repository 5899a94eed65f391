"""The local API server: chalice's local dev server, answering unknown routes as the API does.

chalice's local gateway answers a path no route matches with API Gateway's own 403
(`Missing Authentication Token`, or a signature error quoting the caller's `Authorization`
header back), and a method a route lacks with chalice's own 405 body. Here both are answered
before chalice sees them, in the API's error envelope and as the deployed API's gateway
responses do (infra/stacks/gateway_responses.py): 404 `not_found` for an unknown path, and 405
`method_not_allowed` with an `Allow` header for a known path (API Gateway cannot tell these
apart and answers 404). Nothing of the request is echoed back. chalice itself is not patched:
this handler class is given to its `LocalDevServer`.
"""

from __future__ import annotations

import functools
import json
from typing import Any

from chalice.app import Chalice
from chalice.config import Config
from chalice.local import ChaliceRequestHandler, CustomLocalChalice, LocalChalice, LocalDevServer, RouteMatcher

from chalicelib.api.errors import envelope
from chalicelib.config import get_settings

NOT_FOUND = "no such route"


class EnvelopeRequestHandler(ChaliceRequestHandler):
    """chalice's handler, with the routing errors of the API's envelope."""

    def __init__(self, *args: Any, matcher: RouteMatcher, routes: dict[str, dict[str, Any]], **kwargs: Any) -> None:
        # Set before the base class's __init__, which handles the request.
        self._matcher = matcher
        self._routes = routes
        super().__init__(*args, **kwargs)

    def _generic_handle(self) -> None:
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

    do_GET = do_PUT = do_POST = do_HEAD = do_DELETE = do_PATCH = do_OPTIONS = _generic_handle  # noqa: N815


def create_server(app: Chalice, config: Config, host: str, port: int) -> LocalDevServer:
    """chalice's `create_local_server`, with the handler above."""
    CustomLocalChalice.__bases__ = (LocalChalice, app.__class__)
    app.__class__ = CustomLocalChalice
    handler = functools.partial(EnvelopeRequestHandler, matcher=RouteMatcher(list(app.routes)), routes=app.routes)
    return LocalDevServer(app, config, host, port, handler_cls=handler)
