"""The Google adapter with real google-api-python-client requests against the fake Google over
HTTP (infra/local/fake_google.py), and the consent end to end through the API (issue 19)."""

from __future__ import annotations

import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qsl, urlsplit

import pytest

from chalicelib.domain.calendar_sync import EventFields, event_body, event_id_for
from chalicelib.integrations import google_calendar
from chalicelib.integrations.google_calendar import GoogleCalendarClient, GoogleEndpoints
from chalicelib.ports.calendar import (
    AccessRevokedError,
    EtagMismatchError,
    EventExistsError,
    EventGoneError,
    SyncTokenGoneError,
)
from infra.local.fake_google import FakeGoogle
from tests.harness import Api, reset_caches

T0 = datetime(2030, 1, 7, 9, 0, tzinfo=UTC)


@pytest.fixture
def google() -> Iterator[FakeGoogle]:
    fake = FakeGoogle().start()
    yield fake
    fake.stop()


def endpoints(fake: FakeGoogle) -> GoogleEndpoints:
    return GoogleEndpoints(
        "client", "secret", f"{fake.url}o/oauth2/auth", f"{fake.url}token", f"{fake.url}revoke", fake.url
    )


def client(fake: FakeGoogle) -> GoogleCalendarClient:
    fake.refresh_tokens.add("rt")
    return GoogleCalendarClient.connect(endpoints(fake), "rt")


def body(title: str, task_id: str = "t1") -> dict:
    return event_body(EventFields(title, T0, T0 + timedelta(hours=1)), task_id=task_id, tenant_id="crm", zone="UTC")


def test_events_are_written_with_etags_and_listed_by_sync_token(google: FakeGoogle, monkeypatch) -> None:
    monkeypatch.setattr(google_calendar, "PAGE_SIZE", 2)  # pages are followed
    calendar = client(google)
    event_id = event_id_for("t1")
    first = calendar.insert(event_id, body("One"))
    with pytest.raises(EventExistsError):
        calendar.insert(event_id, body("One"))
    for n in range(3):
        google.user_writes({"summary": f"Theirs {n}", "start": {"dateTime": "2030-01-08T09:00:00Z"}})
    listed = calendar.changes(None, T0 - timedelta(days=1))
    assert listed.full
    assert sorted(e["summary"] for e in listed.events) == ["One", "Theirs 0", "Theirs 1", "Theirs 2"]

    changed = calendar.update(event_id, {"summary": "One, moved"}, etag=first["etag"])
    assert changed["etag"] != first["etag"]
    with pytest.raises(EtagMismatchError):
        calendar.update(event_id, {"summary": "stale"}, etag=first["etag"])
    assert calendar.get(event_id)["summary"] == "One, moved"

    calendar.delete(event_id)
    calendar.delete(event_id)  # already gone: no error
    delta = calendar.changes(listed.sync_token, T0)
    assert [(e["id"], e["status"]) for e in delta.events] == [(event_id, "cancelled")]
    assert not delta.full
    with pytest.raises(EventGoneError):
        calendar.update("nosuchevent", {"summary": "x"}, etag=None)

    google.expire_tokens()
    with pytest.raises(SyncTokenGoneError):
        calendar.changes(delta.sync_token, T0)


def test_a_revoked_grant_is_access_revoked(google: FakeGoogle) -> None:
    calendar = client(google)
    google.revoke_all()
    with pytest.raises(AccessRevokedError):
        calendar.changes(None, T0)


def test_a_video_event_gets_a_meet_link(google: FakeGoogle) -> None:
    calendar = client(google)
    request = {"createRequest": {"requestId": "r1", "conferenceSolutionKey": {"type": "hangoutsMeet"}}}
    written = calendar.insert(event_id_for("t9"), {**body("Demo", "t9"), "conferenceData": request})
    assert written["hangoutLink"].startswith("https://meet.google.com/")


def test_connect_sync_and_revoke_end_to_end(api: Api, make_crm, google: FakeGoogle, monkeypatch) -> None:
    for name, value in {
        "GOOGLE_CLIENT_ID": "client",
        "GOOGLE_CLIENT_SECRET": "secret",
        "GOOGLE_AUTH_URI": f"{google.url}o/oauth2/auth",
        "GOOGLE_TOKEN_URI": f"{google.url}token",
        "GOOGLE_REVOKE_URI": f"{google.url}revoke",
        "GOOGLE_API_ENDPOINT": google.url,
    }.items():
        monkeypatch.setenv(name, value)
    reset_caches()
    crm, other = make_crm(), make_crm()
    assert api.get("/v1/settings/calendar", token=crm.token).json["connected"] is False
    assert api.request("PUT", "/v1/settings/calendar", {"push_crm_to_google": False}, token=crm.token).status == 404

    start = (datetime.now(UTC) + timedelta(days=1)).replace(microsecond=0)
    earlier = api.post("/v1/tasks", {"title": "Before", "start": start.isoformat()}, token=crm.token)
    assert earlier.status == 201, earlier.json  # upcoming when connecting: pushed by the first run
    url = api.get("/v1/google/connect", token=crm.token).json["url"]
    assert "code_challenge=" in url
    assert "access_type=offline" in url

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect)
    with pytest.raises(urllib.error.HTTPError) as consent:
        opener.open(url)
    back = urlsplit(consent.value.headers["Location"])
    params = dict(parse_qsl(back.query))
    forged = api.get(f"/v1/google/callback?state=forged&code={params['code']}")
    assert (forged.status, forged.headers["Location"].endswith("google=error")) == (302, True)
    reply = api.get(f"{back.path}?{back.query}")
    assert reply.status == 302
    assert reply.headers["Location"].endswith("/settings/calendar?google=connected")
    assert api.get(f"{back.path}?{back.query}").headers["Location"].endswith("google=error")  # single use

    shown = api.get("/v1/settings/calendar", token=crm.token).json
    assert (shown["connected"], shown["google_email"], shown["status"]) == (True, google.email, "ok")
    assert "refresh_token" not in str(shown)
    assert api.get("/v1/settings/calendar", token=other.token).json["connected"] is False  # their own only

    created = api.post("/v1/tasks", {"title": "Demo", "type": "video", "start": start.isoformat()}, token=crm.token)
    assert created.status == 201, created.json
    assert api.post("/v1/settings/calendar/sync", {}, token=crm.token).status == 202
    from chalicelib.bootstrap import services

    report = services().calendar_sync.run()
    assert (report.synced, report.pushed) == (1, 2), report
    assert sorted(e["summary"] for e in google.events()) == ["Before", "Demo"]
    task = api.get(f"/v1/tasks/{created.json['id']}", token=crm.token).json
    assert task["meeting_url"].startswith("https://meet.google.com/")

    later = (start + timedelta(hours=3)).isoformat().replace("+00:00", "Z")
    google.user_writes({"summary": "From Google", "start": {"dateTime": later}, "end": {"dateTime": later}})
    services().clock.advance(minutes=6)
    report = services().calendar_sync.run()
    assert (report.synced, report.pulled, report.event_failures) == (1, 1, 0), report
    titles = sorted(t["title"] for t in api.get("/v1/tasks", token=crm.token).json["items"])
    assert titles == ["Before", "Demo", "From Google"]
    services().clock.advance(minutes=6)
    report = services().calendar_sync.run()  # the Meet link's task edit goes once; then quiet
    services().clock.advance(minutes=6)
    report = services().calendar_sync.run()
    assert (report.synced, report.pushed, report.pulled) == (1, 0, 0), report

    google.revoke_all()
    services().clock.advance(minutes=6)
    assert services().calendar_sync.run().revoked == 1
    assert api.get("/v1/settings/calendar", token=crm.token).json["status"] == "needs_reauth"

    assert api.request("DELETE", "/v1/settings/calendar", token=crm.token).status == 204
    assert api.get("/v1/settings/calendar", token=crm.token).json["connected"] is False


def test_a_change_notification_makes_the_sync_due_at_once(api: Api, make_crm, google: FakeGoogle, monkeypatch) -> None:
    for name, value in {
        "GOOGLE_CLIENT_ID": "client",
        "GOOGLE_CLIENT_SECRET": "secret",
        "GOOGLE_AUTH_URI": f"{google.url}o/oauth2/auth",
        "GOOGLE_TOKEN_URI": f"{google.url}token",
        "GOOGLE_REVOKE_URI": f"{google.url}revoke",
        "GOOGLE_API_ENDPOINT": google.url,
        "GOOGLE_WEBHOOK_URL": "https://crm.example/v1/webhooks/google",
    }.items():
        monkeypatch.setenv(name, value)
    reset_caches()
    from chalicelib.bootstrap import services

    crm = make_crm()
    url = api.get("/v1/google/connect", token=crm.token).json["url"]
    code = dict(parse_qsl(urlsplit(url).query))
    with pytest.raises(urllib.error.HTTPError) as consent:
        urllib.request.build_opener(_NoRedirect).open(url)
    back = urlsplit(consent.value.headers["Location"])
    assert api.get(f"{back.path}?{back.query}").status == 302
    assert code["state"]
    assert services().calendar_sync.run().synced == 1
    assert len(google.channels) == 1  # opened after the first run
    (channel,) = google.channels.values()
    assert channel["address"] == "https://crm.example/v1/webhooks/google"

    assert services().calendar_sync.run().synced == 0  # not due for 5 minutes
    at = (datetime.now(UTC) + timedelta(days=1)).isoformat().replace("+00:00", "Z")
    google.user_writes({"summary": "Made in Google", "start": {"dateTime": at}, "end": {"dateTime": at}})
    headers = google.notifications[-1]
    token = headers["X-Goog-Channel-Token"]
    forged = {**headers, "X-Goog-Channel-Token": token[:-2] + ("yy" if token.endswith("xx") else "xx")}
    assert api.request("POST", "/v1/webhooks/google", headers=forged).status == 204
    assert services().calendar_sync.run().synced == 0  # a forged token makes nothing due
    assert api.request("POST", "/v1/webhooks/google", headers=headers).status == 204
    report = services().calendar_sync.run()
    assert (report.synced, report.pulled) == (1, 1)

    services().clock.advance(days=6, hours=1)  # a day before the channel expires: reopened
    assert services().calendar_sync.run().synced == 1
    assert len(google.channels) == 1
    assert channel["id"] not in google.channels


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None
