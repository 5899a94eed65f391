"""Google Calendar v3 and Google OAuth, with google-api-python-client and google-auth (issue 19).

Only the sync worker and the OAuth routes load this module, and it imports the Google libraries
inside its functions: the API Lambda's other routes never pay for them (~110 ms of imports).
Every failure is mapped to the port's errors (`ports/calendar.py`): 410 on a listing ->
SyncTokenGoneError, 409 on insert -> EventExistsError, 412 -> EtagMismatchError, 404/410 on one
event -> EventGoneError, `invalid_grant` (or 401 after a refresh) -> AccessRevokedError. Listings
are `singleEvents=True, showDeleted=True` and follow every page.
"""

from __future__ import annotations

import base64
import json
from typing import TYPE_CHECKING, Any, NamedTuple

from chalicelib.domain.calendar_sync import TASK_KEY
from chalicelib.domain.records import record
from chalicelib.ports.calendar import (
    AccessRevokedError,
    CalendarError,
    Changes,
    EtagMismatchError,
    EventExistsError,
    EventGoneError,
    SyncTokenGoneError,
)

if TYPE_CHECKING:
    from collections.abc import Callable
    from datetime import datetime

TIMEOUT_SECONDS = 20
PAGE_SIZE = 250
GOOGLE_AUTH_URI = "https://accounts.google.com/o/oauth2/auth"
GOOGLE_TOKEN_URI = "https://oauth2.googleapis.com/token"
GOOGLE_REVOKE_URI = "https://oauth2.googleapis.com/revoke"


class RateLimitedError(CalendarError):
    """429, or 403 with a rate-limit reason: the run stops and the next one backs off."""


class GoogleEndpoints(NamedTuple):
    client_id: str
    client_secret: str
    auth_uri: str = GOOGLE_AUTH_URI
    token_uri: str = GOOGLE_TOKEN_URI
    revoke_uri: str = GOOGLE_REVOKE_URI
    api_endpoint: str | None = None  # a fake Calendar API (local stack, tests); None: Google's


class GoogleCalendarClient:
    """The `GoogleCalendar` port over one user's calendar."""

    def __init__(self, service: Any, calendar_id: str = "primary") -> None:
        self._service = service
        self._events = service.events()
        self._calendar = calendar_id

    @classmethod
    def connect(
        cls,
        endpoints: GoogleEndpoints,
        refresh_token: str,
        calendar_id: str = "primary",
        *,
        http: Any = None,
    ) -> GoogleCalendarClient:
        """A client refreshing its access token with `refresh_token` (google-auth)."""
        import google_auth_httplib2
        import httplib2
        from google.oauth2.credentials import Credentials
        from googleapiclient.discovery import build

        credentials = Credentials(
            None,
            refresh_token=refresh_token,
            token_uri=endpoints.token_uri,
            client_id=endpoints.client_id,
            client_secret=endpoints.client_secret,
        )
        authorized = google_auth_httplib2.AuthorizedHttp(
            credentials, http=http or httplib2.Http(timeout=TIMEOUT_SECONDS)
        )
        options = {"api_endpoint": endpoints.api_endpoint} if endpoints.api_endpoint else None
        service = build(
            "calendar", "v3", http=authorized, static_discovery=True, cache_discovery=False, client_options=options
        )
        return cls(service, calendar_id)

    def changes(self, sync_token: str | None, time_min: datetime) -> Changes:
        args: dict[str, Any] = {"calendarId": self._calendar, "singleEvents": True, "showDeleted": True}
        args["maxResults"] = PAGE_SIZE
        if sync_token:
            args["syncToken"] = sync_token
        else:
            args["timeMin"] = time_min.isoformat()
        events: list[dict[str, Any]] = []
        request = self._events.list(**args)
        answer: dict[str, Any] = {}
        while request is not None:
            answer = _call(request.execute, listing=True)
            events += answer.get("items") or []
            request = self._events.list_next(request, answer)
        token = answer.get("nextSyncToken")
        if not token:
            raise CalendarError("Google sent no nextSyncToken")
        return Changes(events, str(token), full=not sync_token)

    def get(self, event_id: str) -> dict[str, Any]:
        return _call(self._events.get(calendarId=self._calendar, eventId=event_id).execute)

    def insert(self, event_id: str, body: dict[str, Any]) -> dict[str, Any]:
        request = self._events.insert(calendarId=self._calendar, body={**body, "id": event_id}, conferenceDataVersion=1)
        return _call(request.execute, inserting=True)

    def update(self, event_id: str, body: dict[str, Any], etag: str | None) -> dict[str, Any]:
        """A patch: what the body does not name (a Meet link, attendees) stays as it is."""
        request = self._events.patch(calendarId=self._calendar, eventId=event_id, body=body, conferenceDataVersion=1)
        if etag:
            request.headers["If-Match"] = etag
        return _call(request.execute)

    def delete(self, event_id: str) -> None:
        try:
            _call(self._events.delete(calendarId=self._calendar, eventId=event_id).execute)
        except EventGoneError:
            return

    def watch(self, channel_id: str, address: str, token: str, ttl_seconds: int) -> tuple[str, datetime]:
        """events.watch: Google posts to `address` when the calendar changes (CalendarWatch)."""
        from datetime import UTC, datetime, timedelta

        body: dict[str, Any] = {"id": channel_id, "type": "web_hook", "address": address, "token": token}
        body["params"] = {"ttl": str(ttl_seconds)}
        answer = _call(self._events.watch(calendarId=self._calendar, body=body).execute)
        expiration = answer.get("expiration")
        if expiration:
            expires = datetime.fromtimestamp(int(expiration) / 1000, UTC)
        else:
            expires = datetime.now(UTC) + timedelta(seconds=ttl_seconds)
        return str(answer.get("resourceId") or ""), expires

    def stop(self, channel_id: str, resource_id: str) -> None:
        try:
            _call(self._service.channels().stop(body={"id": channel_id, "resourceId": resource_id}).execute)
        except CalendarError:
            return  # expired or unknown already: it stops on its own


def _call(execute: Callable[..., Any], *, listing: bool = False, inserting: bool = False) -> Any:
    from google.auth.exceptions import RefreshError, TransportError
    from googleapiclient.errors import HttpError

    try:
        return execute(num_retries=2)  # 429 and 5xx, with the library's exponential backoff
    except RefreshError as exc:
        raise AccessRevokedError(str(exc)[:300]) from exc
    except TransportError as exc:
        raise CalendarError(f"Google unreachable: {exc}"[:300]) from exc
    except HttpError as exc:
        status = int(exc.resp.status)
        reason = _reason(exc)
        if status == 410 and listing:
            raise SyncTokenGoneError(reason) from exc
        if status in (404, 410):
            raise EventGoneError(reason) from exc
        if status == 409 and inserting:
            raise EventExistsError(reason) from exc
        if status == 412:
            raise EtagMismatchError(reason) from exc
        if status == 401:
            raise AccessRevokedError(reason) from exc
        if status == 429 or (status == 403 and "ratelimit" in reason.lower().replace(" ", "")):
            raise RateLimitedError(reason) from exc
        raise CalendarError(f"Google answered {status}: {reason}"[:300]) from exc
    except OSError as exc:  # timeouts, refused connections
        raise CalendarError(f"Google unreachable: {exc}"[:300]) from exc


def _reason(exc: Any) -> str:
    try:
        error = json.loads(exc.content or b"{}").get("error") or {}
        details = error.get("errors") or [{}]
        return str(details[0].get("reason") or error.get("message") or exc.resp.status)
    except (ValueError, AttributeError):
        return str(exc.resp.status)


# --- OAuth: consent, code exchange, revocation ---------------------------------------------------


@record(frozen=True, slots=True)
class Grant:
    """What Google's token endpoint granted: the tokens and the account they are for."""

    refresh_token: str
    access_token: str | None
    email: str


class GoogleOAuth:
    """The consent of GC-1 with google-auth-oauthlib (offline access, PKCE), across two Lambda
    invocations: the state and the PKCE verifier are kept by the caller between them."""

    def __init__(self, endpoints: GoogleEndpoints, redirect_uri: str, scopes: tuple[str, ...]) -> None:
        self._endpoints, self._redirect, self._scopes = endpoints, redirect_uri, scopes

    def _flow(self, state: str | None = None, code_verifier: str | None = None) -> Any:
        import os

        from google_auth_oauthlib.flow import Flow

        # Google may grant more scopes than asked (include_granted_scopes): not an error.
        os.environ.setdefault("OAUTHLIB_RELAX_TOKEN_SCOPE", "1")
        if _loopback(self._endpoints.token_uri):
            os.environ["OAUTHLIB_INSECURE_TRANSPORT"] = "1"  # the fake Google of the local stack and tests

        config = {
            "web": {
                "client_id": self._endpoints.client_id,
                "client_secret": self._endpoints.client_secret,
                "auth_uri": self._endpoints.auth_uri,
                "token_uri": self._endpoints.token_uri,
                "redirect_uris": [self._redirect],
            }
        }
        return Flow.from_client_config(
            config, scopes=list(self._scopes), redirect_uri=self._redirect, state=state, code_verifier=code_verifier
        )

    def authorization_url(self, state: str) -> tuple[str, str | None]:
        """(consent URL, PKCE code verifier to keep for the callback)."""
        flow = self._flow(state=state, code_verifier=None)
        flow.autogenerate_code_verifier = True
        url, _ = flow.authorization_url(access_type="offline", prompt="consent", include_granted_scopes="true")
        return url, flow.code_verifier

    def exchange(self, callback_url: str, state: str, code_verifier: str | None) -> Grant:
        """The code of the callback for tokens; CalendarError when Google refuses it."""
        flow = self._flow(state=state, code_verifier=code_verifier)
        try:
            flow.fetch_token(authorization_response=callback_url)
        except Exception as exc:  # oauthlib raises its own hierarchy, requests its own
            raise CalendarError(f"the consent could not be completed: {type(exc).__name__}: {exc}"[:300]) from exc
        credentials = flow.credentials
        if not credentials.refresh_token:
            raise CalendarError("Google granted no offline access (no refresh token)")
        return Grant(credentials.refresh_token, credentials.token, _email(getattr(credentials, "id_token", None)))

    def revoke(self, token: str) -> None:
        """Best effort: a token already revoked or expired is no error."""
        import urllib.parse
        import urllib.request

        data = urllib.parse.urlencode({"token": token}).encode()
        request = urllib.request.Request(self._endpoints.revoke_uri, data=data, method="POST")
        request.add_header("Content-Type", "application/x-www-form-urlencoded")
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS):
                pass
        except OSError:
            return


def _loopback(url: str) -> bool:
    from urllib.parse import urlsplit

    return urlsplit(url).hostname in ("127.0.0.1", "localhost", "::1")


def _email(id_token: str | None) -> str:
    """The account's address from the ID token the token endpoint returned over TLS (OIDC core
    3.1.3.7: TLS validation may replace the signature check for a token received directly)."""
    if not id_token:
        return ""
    try:
        payload = id_token.split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except (IndexError, ValueError):
        return ""
    return str(claims.get("email") or "")


def task_id_of(body: dict[str, Any]) -> str | None:
    return ((body.get("extendedProperties") or {}).get("private") or {}).get(TASK_KEY)
