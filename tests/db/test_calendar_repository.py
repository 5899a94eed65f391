"""Google Calendar sync storage (AP120-AP129) against moto."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from chalicelib.db.repositories.calendar import CalendarRepository, CalendarScheduleRepository
from chalicelib.db.writes import transact
from chalicelib.domain.calendar_connection import CalendarConnection, CalendarStatus, OAuthState
from chalicelib.domain.calendar_sync import Link
from chalicelib.domain.errors import StaleVersionError
from tests.harness import LocalAws
from tests.meter import dynamodb_calls

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
TENANT = "tenant-1"


def connection(user_id: str = "u1", *, push: bool = True, at: datetime = T0) -> CalendarConnection:
    return CalendarConnection(
        user_id=user_id,
        google_email=f"{user_id}@example.com",
        calendar_id="primary",
        push_crm_to_google=push,
        pull_google_to_crm=True,
        status=CalendarStatus.OK,
        connected_at=at,
        next_sync_at=at,
    )


def test_ap120_ap122_a_connection_is_saved_under_its_version_and_sets_the_pushers(aws: LocalAws) -> None:
    repo = CalendarRepository(TENANT)
    assert repo.get("u1") is None
    assert repo.pushers() == frozenset()
    saved = repo.save(connection("u1"), expected_version=None)
    repo.save(connection("u2", push=False), expected_version=None)
    assert saved.version == 1
    assert repo.get("u1") == saved
    assert repo.pushers() == {"u1"}
    assert CalendarRepository("tenant-2").pushers() == frozenset()

    off = repo.save(replace(saved, push_crm_to_google=False), expected_version=1)
    assert (off.version, repo.pushers()) == (2, frozenset())
    with pytest.raises(StaleVersionError):
        repo.save(saved, expected_version=1)
    with dynamodb_calls() as calls:
        repo.pushers()
    assert calls == {"GetItem": 1}


def test_ap121_ap128_due_connections_are_leased_once_and_leave_the_index_when_not_ok(aws: LocalAws) -> None:
    repo, schedule = CalendarRepository(TENANT), CalendarScheduleRepository()
    repo.save(connection("u1"), expected_version=None)
    repo.save(connection("u2", at=T0 + timedelta(minutes=3)), expected_version=None)
    CalendarRepository("tenant-2").save(connection("u3", at=T0 - timedelta(minutes=1)), expected_version=None)

    with dynamodb_calls() as calls:
        due = schedule.due(T0 + timedelta(minutes=1), limit=10)
    assert due == [("tenant-2", "u3"), (TENANT, "u1")]
    assert calls == {"Query": 1}

    held = repo.lease("u1", T0, T0 + timedelta(minutes=4))
    assert held is not None
    assert held.user_id == "u1"
    assert repo.lease("u1", T0 + timedelta(minutes=1), T0 + timedelta(minutes=5)) is None  # held
    assert repo.lease("nobody", T0, T0 + timedelta(minutes=4)) is None

    done = repo.finish("u1", now=T0, next_sync_at=T0 + timedelta(minutes=5), status="ok", error=None, synced=True)
    assert done is not None
    assert done.last_sync_at == T0
    assert repo.lease("u1", T0 + timedelta(minutes=1), T0 + timedelta(minutes=5)) is not None  # released
    assert schedule.due(T0 + timedelta(minutes=4), limit=10) == [("tenant-2", "u3"), (TENANT, "u2")]
    assert schedule.due(T0 + timedelta(minutes=5), limit=10)[-1] == (TENANT, "u1")

    repo.finish("u1", now=T0 + timedelta(hours=1), next_sync_at=T0, status="needs_reauth", error="invalid_grant",
                synced=False)  # fmt: skip
    assert (TENANT, "u1") not in schedule.due(T0 + timedelta(hours=1), limit=10)
    stopped = repo.get("u1")
    assert stopped is not None
    assert (stopped.status, stopped.last_error) == (
        CalendarStatus.NEEDS_REAUTH,
        "invalid_grant",
    )
    assert stopped.last_sync_at == T0  # the last run that completed


def test_ap123_an_oauth_state_is_taken_once_and_expires(aws: LocalAws) -> None:
    schedule = CalendarScheduleRepository()
    state = OAuthState(TENANT, "u1", "verifier", T0 + timedelta(minutes=10))
    schedule.put_state("h1", state)
    schedule.put_state("h2", state)
    assert schedule.take_state("unknown", T0) is None
    assert schedule.take_state("h1", T0) == state
    assert schedule.take_state("h1", T0) is None  # single use
    assert schedule.take_state("h2", T0 + timedelta(minutes=11)) is None  # expired


def test_ap124_ap125_ap126_links_by_task_and_by_event(aws: LocalAws) -> None:
    state = CalendarRepository(TENANT).state()
    link = Link("u1", "t1", "ev1", '"1"', 1)
    state.save_link(link)
    state.save_link(Link("u1", "t2", "ev2", '"2"', 3))
    state.save_link(Link("u2", "t1", "ev9", '"9"', 1))
    assert state.link_by_task("u1", "t1") == link
    assert state.link_by_event("u1", "ev1") == link
    assert state.link_by_event("u2", "ev1") is None
    assert sorted(lk.task_id for lk in state.links("u1")) == ["t1", "t2"]

    moved = Link("u1", "t1", "ev3", '"4"', 2)  # the task's event replaced (recreated in Google)
    state.save_link(moved)
    assert state.link_by_event("u1", "ev1") is None
    assert state.link_by_event("u1", "ev3") == moved

    state.drop_link("u1", "t1")
    state.drop_link("u1", "t1")  # gone already: nothing
    assert state.link_by_task("u1", "t1") is None
    assert state.link_by_event("u1", "ev3") is None
    assert [lk.task_id for lk in state.links("u1")] == ["t2"]


def test_ap127_pending_pushes_are_marked_in_a_transaction_and_a_newer_mark_survives_the_push(aws: LocalAws) -> None:
    repo = CalendarRepository(TENANT)
    transact(repo.pending_writes(["u1", "u2", "u1"], "t1", 1))
    transact(repo.pending_writes(["u1"], "t2", 1))
    state = repo.state()
    assert sorted(state.pending("u1")) == ["t1", "t2"]
    transact(repo.pending_writes(["u1"], "t1", 2))  # changed again during the run
    state.pushed("u1", "t1")
    state.pushed("u1", "t2")
    assert repo.state().pending("u1") == ["t1"]  # the newer change is pushed next time
    assert repo.state().pending("u2") == ["t1"]


def test_ap128_the_sync_token_lives_on_the_connection(aws: LocalAws) -> None:
    repo = CalendarRepository(TENANT)
    state = repo.state()
    state.save_sync_token("u1", "tok")  # not connected: nothing
    assert state.sync_token("u1") is None
    repo.save(connection("u1"), expected_version=None)
    state.save_sync_token("u1", "tok")
    assert state.sync_token("u1") == "tok"
    state.save_sync_token("u1", None)
    assert state.sync_token("u1") is None


def test_ap129_disconnecting_keeps_the_links_another_account_drops_them(aws: LocalAws) -> None:
    repo = CalendarRepository(TENANT)
    repo.save(connection("u1"), expected_version=None)
    repo.save(connection("u2"), expected_version=None)
    assert repo.bind_account("u1", "ada@gmail.com") is False
    state = repo.state()
    state.save_link(Link("u1", "t1", "ev1", '"1"', 1))
    transact(repo.pending_writes(["u1", "u2"], "t1", 1))
    repo.delete("u1")
    assert repo.get("u1") is None
    assert repo.pushers() == {"u2"}
    assert state.pending("u1") == []
    assert state.pending("u2") == ["t1"]
    assert [lk.task_id for lk in state.links("u1")] == ["t1"]  # the same account comes back to them

    assert repo.bind_account("u1", "ADA@gmail.com") is False  # the same account
    assert state.link_by_event("u1", "ev1") is not None
    assert repo.bind_account("u1", "bob@gmail.com") is True  # another one: its events are others
    assert state.links("u1") == []
    assert state.link_by_event("u1", "ev1") is None
