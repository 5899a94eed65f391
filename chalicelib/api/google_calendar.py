"""Google Calendar (SPEC GC-1, GC-5, ST-2; API.md "Google Calendar"): each user connects, sets
up, syncs and disconnects their own calendar; nobody sees another user's connection or tokens."""

from __future__ import annotations

from urllib.parse import urlencode

from chalice import Response
from chalice.app import Request
from pydantic import Field

from chalicelib.api.routing import Router
from chalicelib.api.schemas import Input, Output
from chalicelib.bootstrap import services
from chalicelib.domain.actor import Actor
from chalicelib.domain.rights import Access

router = Router(__name__, tag="Google Calendar")


class ConnectOut(Output):
    url: str = Field(description="Google's consent page; it comes back to GET /v1/google/callback")


class CalendarSettingsOut(Output):
    connected: bool
    google_email: str | None
    calendar_id: str | None
    push_crm_to_google: bool = Field(description="Future CRM tasks go to Google (GC-5)")
    pull_google_to_crm: bool = Field(description="Future Google events become tasks (GC-5)")
    status: str | None = Field(description="ok | needs_reauth | error; null when not connected")
    last_sync_at: str | None
    last_error: str | None


class CalendarSettingsIn(Input):
    push_crm_to_google: bool | None = None
    pull_google_to_crm: bool | None = None
    calendar_id: str | None = Field(default=None, min_length=1, max_length=300)


@router.route("/google/connect", "GET", right=Access.ANY_USER, response=ConnectOut)
def google_connect(actor: Actor) -> ConnectOut:
    """The consent URL connecting the caller's Google Calendar (offline access)."""
    return ConnectOut(url=services().calendar.connect_url(actor))


@router.route(
    "/google/callback",
    "GET",
    right=Access.PUBLIC,
    raw=True,
    status=302,
    responses={302: "Location: the web app's calendar settings, with google=connected or google=error"},
)
def google_callback(request: Request) -> Response:
    """Google's answer to the consent (checked against the state kept server side)."""
    s = services()
    params = dict(request.query_params or {})
    ok = "code" in params and s.calendar.callback(
        params.get("state"), f"{s.settings.google_redirect_uri}?{urlencode(params)}"
    )
    location = f"{s.settings.app_url}/settings/calendar?google={'connected' if ok else 'error'}"
    return Response("", headers={"Location": location, "Cache-Control": "no-store"}, status_code=302)


@router.route("/settings/calendar", "GET", right=Access.ANY_USER, response=CalendarSettingsOut)
def get_calendar_settings(actor: Actor) -> CalendarSettingsOut:
    """The caller's Google Calendar connection: options and sync status."""
    return CalendarSettingsOut(**services().calendar.settings(actor))


@router.route("/settings/calendar", "PUT", right=Access.ANY_USER, body=CalendarSettingsIn, response=CalendarSettingsOut)
def put_calendar_settings(actor: Actor, body: CalendarSettingsIn) -> CalendarSettingsOut:
    """Change the options of the caller's connection (404 when not connected)."""
    changes = body.model_dump(exclude_none=True)
    return CalendarSettingsOut(**services().calendar.update(actor, changes))


@router.route("/settings/calendar", "DELETE", right=Access.ANY_USER, status=204)
def delete_calendar_settings(actor: Actor) -> None:
    """Disconnect: the grant is revoked at Google; events and tasks stay where they are."""
    services().calendar.disconnect(actor)


@router.route("/settings/calendar/sync", "POST", right=Access.ANY_USER, response=CalendarSettingsOut, status=202)
def sync_calendar(actor: Actor) -> CalendarSettingsOut:
    """Sync the caller's calendar now (it runs in the background)."""
    calendar = services().calendar
    calendar.sync_now(actor)
    return CalendarSettingsOut(**calendar.settings(actor))


@router.route(
    "/webhooks/google",
    "POST",
    right=Access.PUBLIC,
    raw=True,
    status=204,
    responses={204: "Always (Google only needs to know it arrived); a channel not ours changes nothing"},
)
def google_notification(request: Request) -> Response:
    """Google's push notification that a connected calendar changed: its sync runs now."""
    headers = request.headers
    services().calendar.notified(
        headers.get("x-goog-channel-id"), headers.get("x-goog-channel-token"), headers.get("x-goog-resource-state")
    )
    return Response("", status_code=204)
