"""Health and the API's own description."""

from __future__ import annotations

import functools
import json
from typing import Any

from chalice import Response

from chalicelib.api import openapi
from chalicelib.api.routing import Router
from chalicelib.api.schemas import Output
from chalicelib.domain.rights import Access

router = Router(__name__, tag="System")


class HealthOut(Output):
    status: str


@router.route("/health", "GET", right=Access.PUBLIC, response=HealthOut)
def get_health() -> HealthOut:
    """Liveness: the API answers (it does not touch the database)."""
    return HealthOut(status="ok")


@router.route("/openapi.json", "GET", right=Access.PUBLIC)
def get_openapi() -> Response:
    """The OpenAPI 3.1 description of this API."""
    return Response(_document(), headers={"Content-Type": "application/json"})


@functools.cache
def _document() -> str:
    # Built on first request: it loads every route module.
    doc: dict[str, Any] = openapi.document()
    return json.dumps(doc)
