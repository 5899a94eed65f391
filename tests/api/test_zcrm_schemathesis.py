"""Every operation of Teamsale's published description (openapiteamsale.json, 45 operations),
fuzzed by schemathesis against our app with signed requests (an auth hook signs each case as
Zadarma's REST API does): no server error, and every documented answer matches its schema.

The real service wraps each success in `{"status": "success", "data": ...}` where the published
description shows only the inner object (zadarma.md §3.1); we follow the real service, so the
description is checked with that envelope around each 200 schema (the inner object is still
validated against the published schema, untouched). Statuses the description does not list
(403 for a missing right, 404 for an id naming nothing: what Zadarma answers) are not checked
against a schema, as the description has none for them.

In-process, as tests/api/test_schemathesis.py (its WSGI adapter over chalice's local gateway).
"""

from __future__ import annotations

import copy
import json
import os
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import GenerationMode
from schemathesis.checks import content_type_conformance, not_a_server_error, response_schema_conformance

from tests.api.test_schemathesis import ChaliceWsgi
from tests.api.zcrm_client import build_query, php_urlencode, sign
from tests.harness import ROOT, CrmSession, NoWorkflows, local_aws, new_crm, reset_caches
from tests.harness import Api as HarnessApi

pytestmark = pytest.mark.xdist_group("schemathesis")

# Zadarma's published description, as taken (MIT licence): docs/reference/zadarma-teamsale/.
SPEC = ROOT / "docs" / "reference" / "zadarma-teamsale" / "openapiteamsale.json"
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "8"))
CHECKS = [not_a_server_error, content_type_conformance, response_schema_conformance]
# The fuzzer's Teamsale key, fixed so that cases generated before the CRM exists are signed:
# the fixture creates the key with this id and secret.
KEY = {"key": "01JTEAMSA1EFVZZKEY00000000", "secret": "0123456789abcdef0123456789abcdef01234567"}


def as_served(published: dict[str, Any]) -> dict[str, Any]:
    """The published description with the real service's success envelope around each 200."""
    spec = copy.deepcopy(published)
    for operations in spec["paths"].values():
        for operation in operations.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            content = operation["responses"].get("200", {}).get("content", {})
            media = content.get("application/json")
            if media is None:
                continue
            inner = media["schema"]
            if set(inner.get("properties", {})) == {"status"}:
                continue  # already `{"status": "success"}`
            media["schema"] = {
                "type": "object",
                "required": ["status", "data"],
                "properties": {"status": {"type": "string", "enum": ["success"]}, "data": inner},
            }
    return spec


wsgi = ChaliceWsgi()
schema = schemathesis.openapi.from_dict(as_served(json.loads(SPEC.read_text())))
schema.app = wsgi
schema.config.generation.update(
    modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE], max_examples=EXAMPLES, deterministic=True
)


def signed_query(case: Any) -> str:
    """The parameters as the server reads them back: the query string (GET, DELETE) or the body,
    top-level names sorted (PHP's ksort), each value as it travels."""
    if case.method.upper() in ("GET", "DELETE"):
        pairs = []
        for name, value in (case.query or {}).items():
            for item in value if isinstance(value, list) else [value]:
                if item is not None:
                    pairs.append((name, _sent(item)))
        pairs.sort(key=lambda pair: pair[0].split("[", 1)[0])
        return "&".join(f"{php_urlencode(n)}={php_urlencode(v)}" for n, v in pairs)
    body = case.body
    if isinstance(body, dict) and case.media_type == "application/json":
        return build_query(body)
    if isinstance(body, dict):
        pairs = [(n, _sent(i)) for n, v in body.items() for i in (v if isinstance(v, list) else [v]) if i is not None]
        pairs.sort(key=lambda pair: pair[0].split("[", 1)[0])
        return "&".join(f"{php_urlencode(n)}={php_urlencode(v)}" for n, v in pairs)
    return ""


def _sent(value: Any) -> str:
    """A value as `requests` puts it on the wire (True is `True`, bytes are their text)."""
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return str(value)


@schema.auth(refresh_interval=None, retry_on=[])
class ZadarmaSignature:
    """`Authorization: <userKey>:<signature>` over the case's path and parameters."""

    def get(self, case: Any, context: Any) -> dict[str, str]:
        return KEY

    def set(self, case: Any, data: dict[str, str], context: Any) -> None:
        case.headers = case.headers or {}
        signature = sign(data["secret"], case.formatted_path, signed_query(case))
        case.headers["Authorization"] = f"{data['key']}:{signature}"


@pytest.fixture(scope="module")
def crm() -> Iterator[CrmSession]:
    """One CRM for the whole run, a Teamsale key of its admin's (the fuzzer's own rate limit
    lifted: the 100 a minute are tested in test_zcrm_auth.py), some records to find."""
    from chalicelib.integrations.workflows import StepFunctionsWorkflows

    with local_aws(), pytest.MonkeyPatch.context() as patch:
        patch.setattr(StepFunctionsWorkflows, "start", NoWorkflows.start)
        patch.setattr("chalicelib.services.api_keys.TEAMSALE_RATE_LIMIT", 1_000_000)
        patch.setattr("chalicelib.services.api_keys.teamsale_secret", lambda: KEY["secret"])
        reset_caches()
        try:
            api = HarnessApi(wsgi.client)
            session = new_crm(api)
            with pytest.MonkeyPatch.context() as fixed:
                fixed.setattr("chalicelib.services.api_keys.new_id", lambda: KEY["key"])
                created = api.post("/v1/api-keys", {"name": "fuzz", "scope": "teamsale"}, token=session.token)
            assert created.status == 201, created.json
            assert created.json["key"] == KEY["key"]
            client = api.post("/v1/clients", {"name": "Good Company", "phones": [{"phone": "+442071234567"}]},
                              token=session.token)  # fmt: skip
            api.post("/v1/leads", {"name": "A Lead", "phones": [{"phone": "+442071234568"}]}, token=session.token)
            api.post(
                "/v1/deals", {"title": "Deal", "client_id": client.json["id"], "amount": "10"}, token=session.token
            )
            yield session
        finally:
            reset_caches()


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_every_teamsale_operation_answers_as_published_and_never_a_server_error(case: Any, crm: CrmSession) -> None:
    response = case.call()
    if os.environ.get("ZCRM_STATUS_LOG"):  # a line per request, to see what the run exercised
        with open(os.environ["ZCRM_STATUS_LOG"], "a") as log:
            log.write(f"{case.method} {case.path} {response.status_code} {response.text[:150]!r}\n")
    case.validate_response(response, checks=CHECKS)
