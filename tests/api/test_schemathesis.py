"""Every operation of the served OpenAPI document, fuzzed by schemathesis with valid and invalid
data as a logged-in administrator: no response is a server error, and every response is one
the document describes (status, content type, body schema).

In-process and deterministic: the Chalice app is called through a small WSGI adapter over
chalice's local gateway (no socket), against moto; examples are derandomized and bounded per
operation (`FUZZ_EXAMPLES`, 8 by default), so the run takes a couple of minutes.
"""

from __future__ import annotations

import base64
import os
from collections.abc import Callable, Iterable, Iterator
from typing import Any
from urllib.parse import quote

import pytest
import schemathesis
from chalice.config import Config
from chalice.local import LocalGateway, LocalGatewayException
from chalice.test import Client
from hypothesis import HealthCheck, settings
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from app import app
from chalicelib.integrations.workflows import StepFunctionsWorkflows
from infra.local.fake_google import FakeGoogle
from infra.local.fake_zadarma import FakeZadarma
from tests.harness import ROOT, CrmSession, NoWorkflows, local_aws, new_crm, reset_caches
from tests.harness import Api as HarnessApi
from tests.pbx import KEY, SECRET

# One worker builds the module's fixture once (`pytest -n`): the tests share it.
pytestmark = pytest.mark.xdist_group("schemathesis")

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "8"))
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


class ChaliceWsgi:
    """A WSGI application answering through chalice's local gateway, as `make run` serves the app."""

    def __init__(self) -> None:
        self.client = Client(app)
        self._gateway = LocalGateway(app, Config.create(chalice_stage="dev", project_dir=str(ROOT)))

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        # PATH_INFO arrives decoded: quote it back as it travelled (a `%2F` stays in its segment).
        path = quote(environ.get("PATH_INFO", ""), safe="/:@!$&'()*+,;=-._~")
        if environ.get("QUERY_STRING"):
            path += "?" + environ["QUERY_STRING"]
        headers = {
            key[5:].replace("_", "-").lower(): value for key, value in environ.items() if key.startswith("HTTP_")
        }
        if environ.get("CONTENT_TYPE"):
            headers["content-type"] = environ["CONTENT_TYPE"]
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        try:
            reply = self._gateway.handle_request(environ["REQUEST_METHOD"], path, headers, body)
        except LocalGatewayException as exc:  # what the local server answers for an unknown route
            start_response(f"{exc.CODE} -", list(exc.headers.items()))
            return [exc.body or b""]
        start_response(f"{reply['statusCode']} -", list(reply["headers"].items()))
        payload = reply.get("body") or b""
        if reply.get("isBase64Encoded"):
            return [base64.b64decode(payload)]
        return [payload.encode() if isinstance(payload, str) else payload]


wsgi = ChaliceWsgi()
schema = schemathesis.openapi.from_wsgi("/v1/openapi.json", wsgi)
schema.config.generation.update(
    modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE], max_examples=EXAMPLES, deterministic=True
)


@pytest.fixture(scope="module")
def admin() -> Iterator[CrmSession]:
    """One CRM for the whole run (moto lives as long as the module), its admin logged in.
    Workflows start nothing: imports, exports, broadcasts and call lists are accepted (202)
    and their background steps, tested elsewhere, do not run between the fuzzer's requests.
    The PBX is a local fake (no network): the keys the fuzzer invents are refused (a 400)."""
    google = FakeGoogle().start()  # Google Calendar's consent and API (issue 19)
    with local_aws(), pytest.MonkeyPatch.context() as patch, FakeZadarma({KEY: SECRET}) as pbx:
        patch.setattr(StepFunctionsWorkflows, "start", NoWorkflows.start)
        patch.setenv("ZADARMA_API_URL", pbx.base_url)
        for name, value in {
            "GOOGLE_CLIENT_ID": "fuzz",
            "GOOGLE_CLIENT_SECRET": "fuzz",
            "GOOGLE_AUTH_URI": f"{google.url}o/oauth2/auth",
            "GOOGLE_TOKEN_URI": f"{google.url}token",
            "GOOGLE_REVOKE_URI": f"{google.url}revoke",
            "GOOGLE_API_ENDPOINT": google.url,
        }.items():
            patch.setenv(name, value)  # fmt: skip
        reset_caches()
        try:
            yield new_crm(HarnessApi(wsgi.client))
        finally:
            patch.delenv("ZADARMA_API_URL")
            reset_caches()
            google.stop()


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_every_operation_answers_as_documented_and_never_a_server_error(case: Any, admin: CrmSession) -> None:
    response = case.call(headers={"Authorization": f"Bearer {admin.token}"})

    case.validate_response(response, checks=CHECKS)
