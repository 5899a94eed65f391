"""The PBX's webhooks (SPEC TE-3): both of Zadarma's notification URLs point here.

Public (no token): the PBX authenticates each event with its `Signature` header, which the
service checks against the CRM's own API secret. The body is read raw: it is form-encoded or
multipart, never JSON.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from chalice import Response

from chalicelib.api.routing import Router
from chalicelib.bootstrap import services
from chalicelib.domain.rights import Access
from chalicelib.observability import metrics
from chalicelib.services.pbx_events import dumps

router = Router(__name__, tag="Webhooks")


def _deliver(crm_slug: str, request: Any) -> Response:
    headers = request.headers
    # PbxEventFailures / PbxEvents: the PBX webhook failure rate the stack alarms on (an event
    # refused, e.g. a bad signature or an unknown CRM, or one that failed).
    metrics.add_metric(name="PbxEvents", unit=MetricUnit.Count, value=1)
    failed = True
    try:
        reply = services().pbx_events.handle(
            crm_slug,
            headers.get("content-type"),
            request.raw_body or b"",
            dict(request.query_params or {}),
            headers.get("signature"),
        )
        failed = reply.status >= 400
    finally:
        if failed:
            metrics.add_metric(name="PbxEventFailures", unit=MetricUnit.Count, value=1)
    content_type = "text/plain; charset=utf-8" if reply.text else "application/json"
    return Response(dumps(reply), headers={"Content-Type": content_type}, status_code=reply.status)


@router.route("/webhooks/zadarma/{crm_slug}", "GET", right=Access.PUBLIC, raw=True)
def zadarma_check(crm_slug: str, request: Any) -> Response:
    """The PBX checks the URL (`?zd_echo=`): the token is echoed as plain text."""
    return _deliver(crm_slug, request)


@router.route(
    "/webhooks/zadarma/{crm_slug}",
    "POST",
    right=Access.PUBLIC,
    raw=True,
    responses={401: "The Signature header does not match the CRM's PBX secret"},
)
def zadarma_event(crm_slug: str, request: Any) -> Response:
    """A PBX event (calls, recordings, transcripts, SMS); the answer to NOTIFY_START routes the call."""
    return _deliver(crm_slug, request)
