"""One test per access pattern of calls and SMS templates (AP33-AP37 of db/keys.py), against moto."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from chalicelib.db import keys
from chalicelib.db.models.shared import FeedItem
from chalicelib.db.repositories.calls import CallRepository
from chalicelib.db.repositories.sms_templates import SmsTemplateRepository
from chalicelib.domain.call_events import call_event
from chalicelib.domain.errors import StaleVersionError
from chalicelib.domain.sms import SmsTemplate
from chalicelib.domain.telephony import CallDirection, CallStatus
from chalicelib.ports.queries.calls import CallFilter
from tests.harness import LocalAws

UTC3 = ZoneInfo("Europe/Moscow")
NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)


def events(call_id: str, start: str = "2026-11-26 10:00:00") -> dict[str, object]:
    base = {"call_start": start, "pbx_call_id": call_id, "caller_id": "+33612345678", "called_did": "33159000000"}
    return {
        "start": call_event("NOTIFY_START", base, UTC3, "FR"),
        "end": call_event(
            "NOTIFY_END",
            {**base, "internal": "100", "duration": "30", "disposition": "no answer", "is_recorded": "0"},
            UTC3,
            "FR",
        ),
    }


@pytest.fixture
def repo(aws: LocalAws) -> CallRepository:
    return CallRepository("tenant-1")


def test_ap33_events_merge_into_one_call_in_any_order(repo: CallRepository) -> None:
    forward, backward = events("in_a"), events("in_b")
    repo.apply(forward["start"], NOW)  # type: ignore[arg-type]
    a = repo.apply(forward["end"], NOW, user_id="u1")  # type: ignore[arg-type]
    repo.apply(backward["end"], NOW, user_id="u1")  # type: ignore[arg-type]
    b = repo.apply(backward["start"], NOW)  # type: ignore[arg-type]

    assert replace(a, id="x") == replace(b, id="x")
    assert (a.status, a.duration_s, a.user_id, a.seq) == (CallStatus.NOANSWER, 30, "u1", 2)
    assert a.started_at == datetime(2026, 11, 26, 7, 0, tzinfo=UTC)
    again = repo.apply(forward["end"], NOW, user_id="u1")  # type: ignore[arg-type]
    assert replace(again, seq=0) == replace(a, seq=0)  # a repeat changes nothing but the count
    assert repo.get("in_a") == again
    assert CallRepository("tenant-2").get("in_a") is None


def test_ap34_ap35_calls_by_time_for_everyone_and_per_user(repo: CallRepository) -> None:
    for i, user in enumerate(("u1", "u2", "u1")):
        evs = events(f"in_{i}", start=f"2026-11-26 1{i}:00:00")
        repo.apply(evs["start"], NOW)  # type: ignore[arg-type]
        repo.apply(evs["end"], NOW, user_id=user)  # type: ignore[arg-type]

    everyone = repo.page(None, CallFilter(), limit=10, cursor=None)
    assert [c.id for c in everyone.items] == ["in_2", "in_1", "in_0"]  # newest first
    assert [c.id for c in repo.page("u1", CallFilter(), limit=10, cursor=None).items] == ["in_2", "in_0"]
    window = CallFilter(start_from=datetime(2026, 11, 26, 8, 0, tzinfo=UTC), direction=CallDirection.INCOMING)
    assert [c.id for c in repo.page(None, window, limit=10, cursor=None).items] == ["in_2", "in_1"]
    page = repo.page(None, CallFilter(), limit=2, cursor=None)
    rest = repo.page(None, CallFilter(), limit=2, cursor=page.next_cursor)
    assert [c.id for c in (*page.items, *rest.items)] == ["in_2", "in_1", "in_0"]


def test_ap36_a_recording_id_leads_back_to_its_call(repo: CallRepository) -> None:
    repo.remember_recording("1585913205.75283", "in_a")
    assert repo.call_of_recording("1585913205.75283") == "in_a"
    assert repo.call_of_recording("unknown") is None


def test_a_calls_feed_line_is_never_overwritten_by_an_older_state(repo: CallRepository) -> None:
    evs = events("in_a")
    first = repo.apply(evs["start"], NOW, contact=("lead", "c1", "Bob"))  # type: ignore[arg-type]
    second = repo.apply(evs["end"], NOW, user_id="u1")  # type: ignore[arg-type]
    repo.write_feed_entry(second)
    repo.write_feed_entry(first)  # late: ignored
    [entry] = list(FeedItem.query(keys.contact_pk("tenant-1", "c1")))
    assert (entry.seq, entry.data["status"]) == (2, "noanswer")


def test_ap37_sms_templates(aws: LocalAws) -> None:
    repo = SmsTemplateRepository("tenant-1")
    template = SmsTemplate("t1", "Visit", "See you {name}", NOW - timedelta(days=1))
    repo.create(template)
    assert repo.list_all() == [template]
    saved = repo.save(template, replace(template, text="See you soon"))
    assert (repo.get("t1"), saved.version) == (saved, 2)
    with pytest.raises(StaleVersionError):
        repo.save(template, replace(template, text="lost"))
    repo.delete(saved)
    assert repo.list_all() == []
    assert SmsTemplateRepository("tenant-2").get("t1") is None


def test_ap48_extension_statuses_round_trip_per_crm(aws: LocalAws) -> None:
    from chalicelib.db.repositories.presence import ExtensionStatusRepository
    from chalicelib.ports.queries.calls import KnownStatus

    repo = ExtensionStatusRepository("tenant-1")
    assert repo.get() == {}
    statuses = {"100": KnownStatus(True, NOW), "101": KnownStatus(None, NOW - timedelta(minutes=5))}
    repo.save(statuses)
    assert repo.get() == statuses
    repo.save({"100": KnownStatus(False, NOW)})  # replaced whole: a user who left drops out
    assert repo.get() == {"100": KnownStatus(False, NOW)}
    assert ExtensionStatusRepository("tenant-2").get() == {}


def test_ap33_a_calls_first_event_is_one_transaction_the_same_call_as_apply(repo: CallRepository) -> None:
    from chalicelib.domain.search import call_terms
    from tests.meter import dynamodb_calls

    def terms(call):  # type: ignore[no-untyped-def]
        return call_terms(call.phone, call.contact_name, None)

    fresh, merged = events("in_fresh"), events("in_merged")
    contact = ("client", "c1", "Acme")
    with dynamodb_calls() as calls:
        started = repo.start(fresh["start"], NOW, user_id=None, contact=contact, terms=terms)  # type: ignore[arg-type]
    assert calls == {"TransactWriteItems": 1}
    applied = repo.apply(merged["start"], NOW, contact=contact)  # type: ignore[arg-type]
    assert started is not None
    assert replace(started, id=applied.id) == applied
    assert repo.get(started.id, consistent=True) == started
    lines = list(FeedItem.query(keys.contact_pk("tenant-1", "c1")))
    assert [line.seq for line in lines] == [1]  # the call's feed line, written in the same transaction
    assert repo.find(next(iter(terms(started))), limit=10)[0][0][0] == started.id
    # The call exists (a repeated delivery, or another event came first): nothing is written.
    assert repo.start(fresh["start"], NOW, user_id=None, contact=contact, terms=terms) is None  # type: ignore[arg-type]
    assert repo.start(fresh["end"], NOW, user_id="u1", contact=None, terms=terms) is None  # type: ignore[arg-type]
    assert repo.get(started.id, consistent=True) == started


def test_ap147_transfers_are_appended_to_the_call_and_its_feed_line(repo: CallRepository) -> None:
    from chalicelib.domain.telephony import Transfer

    first = repo.apply(events("in_t")["start"], NOW)  # type: ignore[arg-type]
    assert first.transfers == ()
    linked = repo.set_contact("in_t", "client", "c1", "Bob")
    repo.write_feed_entry(linked)
    blind = Transfer(NOW, "u1", "u2", "102")
    attended = Transfer(NOW + timedelta(seconds=30), "u2", "u3", "103", attended=True)

    once = repo.add_transfer("in_t", blind)
    assert once is not None
    assert once.transfers == (blind,)
    assert once.seq == linked.seq + 1
    repo.write_feed_entry(once)
    twice = repo.add_transfer("in_t", attended)
    assert twice is not None
    assert twice.transfers == (blind, attended)
    repo.write_feed_entry(twice)
    assert repo.get("in_t", consistent=True) == twice
    (line,) = list(FeedItem.query(keys.contact_pk("tenant-1", "c1")))
    assert [t["to_user_id"] for t in line.data["transfers"]] == ["u2", "u3"]
    assert repo.add_transfer("in_none", blind) is None  # no such call: nothing written
    assert repo.get("in_none") is None


def test_ap148_ap149_a_users_webphone_key_is_theirs_alone(aws: LocalAws) -> None:
    from chalicelib.db.repositories.presence import WebphoneKeyRepository
    from chalicelib.ports.queries.calls import WebphoneKey

    keys_1 = WebphoneKeyRepository("tenant-1")
    assert keys_1.get("u1") is None
    key = WebphoneKey("k-1", "100", NOW)
    keys_1.save("u1", key)
    assert keys_1.get("u1") == key
    assert keys_1.get("u2") is None
    assert WebphoneKeyRepository("tenant-2").get("u1") is None
    renewed = WebphoneKey("k-2", "100", NOW + timedelta(hours=48))
    keys_1.save("u1", renewed)
    assert keys_1.get("u1") == renewed
