"""A user's Google Calendar connection (SPEC GC-1, GC-5, ST-2): options, status, schedule.

Each user connects their own calendar; the tokens live in the SecretStore (`google-<uid>`), never
here. `status` says whether the scheduled sync runs: `ok` syncs every INTERVAL; `needs_reauth`
(Google refused the grant) and `error` stop until the user connects again or saves the settings.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from chalicelib.domain.records import record

INTERVAL = timedelta(minutes=5)  # the schedule (GC-6)
LEASE = timedelta(minutes=4)  # one run of one user at a time; less than INTERVAL
STATE_TTL = timedelta(minutes=10)  # an OAuth consent must come back within this
CHANNEL_TTL = timedelta(days=7)  # asked of Google (its limit for events)
CHANNEL_RENEW = timedelta(days=1)  # reopened this long before it expires
SCOPES = ("https://www.googleapis.com/auth/calendar.events", "openid", "email")


class CalendarStatus(StrEnum):
    OK = "ok"
    NEEDS_REAUTH = "needs_reauth"
    ERROR = "error"


@record(frozen=True, slots=True)
class Channel:
    """An events.watch channel: Google posts to the CRM's webhook when the calendar changes,
    with `X-Goog-Channel-ID: id` and `X-Goog-Channel-Token: <tid>.<uid>.<secret>`."""

    id: str
    resource_id: str
    expires_at: datetime
    token_hash: str  # sha256 of the secret part of the token


@dataclass(frozen=True, slots=True)
class CalendarConnection:
    user_id: str
    google_email: str
    calendar_id: str
    push_crm_to_google: bool
    pull_google_to_crm: bool
    status: CalendarStatus
    connected_at: datetime
    next_sync_at: datetime
    last_sync_at: datetime | None = None
    last_error: str | None = None
    sync_token: str | None = None
    version: int = 0
    channel: Channel | None = None  # Google's push notifications of changes, when watched

    def watch_due(self, now: datetime) -> bool:
        """A channel is (re)opened when there is none, or before the one open expires."""
        return self.channel is None or self.channel.expires_at - CHANNEL_RENEW <= now

    @property
    def scheduled(self) -> bool:
        """In the deployment's due index (AP121): only a working connection syncs on schedule."""
        return self.status is CalendarStatus.OK

    @property
    def pushes(self) -> bool:
        """Its user is in the CRM's pushers (AP122): task writes mark pending pushes for them."""
        return self.status is CalendarStatus.OK and self.push_crm_to_google


@record(frozen=True, slots=True)
class OAuthState:
    """A consent in progress: who asked, and the PKCE verifier the callback must send."""

    tenant_id: str
    user_id: str
    code_verifier: str | None
    expires_at: datetime


def secret_name(user_id: str) -> str:
    """The user's tokens in the SecretStore."""
    return f"google-{user_id}"
