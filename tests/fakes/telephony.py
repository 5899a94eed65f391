"""Fakes of the PBX port and of the calls repository (`ports/pbx.py`, `ports/storage.py`)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any
from urllib.parse import parse_qsl

from chalicelib.domain.autodial import CallList, CallListStatus, ListItem, Outcome
from chalicelib.domain.call_events import CallEvent
from chalicelib.domain.contacts import FeedEntry, FeedKind
from chalicelib.domain.ids import derived_id
from chalicelib.domain.paging import Page
from chalicelib.domain.search import Term
from chalicelib.domain.telephony import Call, CallStatus, RecordingState, Transfer
from chalicelib.ports.pbx import PbxError, PbxEvent, PbxEventError, Transcript
from chalicelib.ports.queries.call_lists import ClaimResult
from chalicelib.ports.queries.calls import CallFilter, WebphoneKey
from tests.fakes.base import page
from tests.fakes.records import FakeContacts
from tests.fakes.rollups import FakeRollups

# Call fields stored as the enum's value by the events (`call_event`'s `final`).
_ENUMS = {"status": CallStatus}


class FakeCalls:
    """Calls merged event by event as the table does: the first event to know a fact sets it, the
    end of the call sets its outcome; the call's line in its contact's feed follows `seq`."""

    rollups = FakeRollups()  # the tenant's, set by FakeStorage

    def __init__(self, contacts: FakeContacts) -> None:
        self.records: dict[str, Call] = {}
        self.terms: dict[str, set[Term]] = {}
        self.recordings: dict[str, str] = {}  # record id -> call id
        self._contacts = contacts

    def get(self, call_id: str, *, consistent: bool = False) -> Call | None:
        return self.records.get(call_id)

    def get_many(self, call_ids: Sequence[str]) -> list[Call]:
        return [self.records[i] for i in call_ids if i in self.records]

    def page(self, owner: str | None, flt: CallFilter, *, limit: int, cursor: str | None) -> Page[Call]:
        """Newest first, everyone's or one user's (direction and status filters only)."""
        calls = [
            c
            for c in self.records.values()
            if (owner is None or c.user_id == owner)
            and (flt.direction is None or c.direction is flt.direction)
            and (flt.status is None or c.status is flt.status)
        ]
        return page(sorted(calls, key=lambda c: (c.started_at, c.id), reverse=True), limit, cursor)

    def start(self, event: CallEvent, received_at: datetime, **_: Any) -> Call | None:
        return None  # the fake takes the general path (apply, then the feed line and the terms)

    def apply(
        self, event: CallEvent, received_at: datetime, *, user_id: str | None = None,
        contact: tuple[str, str, str] | None = None,
    ) -> Call:  # fmt: skip
        call = self.records.get(event.call_id)
        first_seen = call is None
        if call is None:  # the time the first event came, until an event gives the PBX's start
            call = Call(event.call_id, event.direction, received_at, start_known=False)
        changes: dict[str, Any] = {"seq": call.seq + 1}
        for name, value in event.first.items():
            if value is None:
                continue
            if name == "started_at":
                if first_seen or not call.start_known:
                    changes.update(started_at=value, start_known=True)
            elif first_seen or getattr(call, name) is None:
                changes[name] = value
        for name, value in event.final.items():
            changes[name] = _ENUMS[name](value) if name in _ENUMS and value is not None else value
        if user_id is not None and (event.extension_final or call.user_id is None):
            changes.update(extension=event.extension, user_id=user_id)
        if event.record_id:
            changes["record_id"] = event.record_id
            changes["recording"] = call.recording or RecordingState.PENDING
        if contact is not None and call.contact_id is None:
            changes.update(contact_type=contact[0], contact_id=contact[1], contact_name=contact[2])
        before = None if first_seen else call
        call = self.records[call.id] = replace(call, **changes)
        self.rollups.record(before, call)
        return call

    def link_write(self, call_id: str, contact_type: str, contact_id: str, name: str) -> Any:
        from tests.fakes.base import FakeWrite

        return FakeWrite(lambda: self.set_contact(call_id, contact_type, contact_id, name))

    def set_contact(self, call_id: str, contact_type: str, contact_id: str, name: str) -> Call:
        call = self.records[call_id] = replace(
            self.records[call_id], contact_type=contact_type, contact_id=contact_id, contact_name=name
        )
        return call

    def set_recording(
        self, call_id: str, state: RecordingState, *, key: str | None = None, error: str | None = None
    ) -> Call | None:
        call = self.records.get(call_id)
        if call is None:
            return None
        call = self.records[call_id] = replace(call, recording=state, recording_key=key, recording_error=error)
        return call

    def set_transcript(self, call_id: str, text: str, terms: Iterable[Term]) -> Call | None:
        call = self.records.get(call_id)
        if call is None:
            return None
        self.index(call_id, terms)
        call = self.records[call_id] = replace(call, transcript=text)
        return call

    def add_transfer(self, call_id: str, transfer: Transfer) -> Call | None:
        call = self.records.get(call_id)
        if call is None:
            return None
        call = self.records[call_id] = replace(call, transfers=(*call.transfers, transfer), seq=call.seq + 1)
        return call

    def index(self, call_id: str, terms: Iterable[Term]) -> None:
        self.terms.setdefault(call_id, set()).update(terms)

    def remember_recording(self, record_id: str, call_id: str) -> None:
        self.recordings[record_id] = call_id

    def call_of_recording(self, record_id: str) -> str | None:
        return self.recordings.get(record_id)

    def write_feed_entry(self, call: Call) -> None:
        if call.contact_id is None:
            return
        entry = FeedEntry(derived_id(call.started_at, call.id), FeedKind.CALL, call.started_at, call.user_id,
                          data=call.feed_data())  # fmt: skip
        feed = self._contacts.feeds.setdefault(call.contact_id, [])
        old = next((e for e in feed if e.id == entry.id), None)
        if old is None:
            feed.append(entry)
        elif int(old.data.get("seq", 0)) < call.seq:
            feed[feed.index(old)] = entry


@dataclass
class FakeWebphoneKeys:
    """Each user's WebRTC key; `reads` and `writes` count the access patterns used."""

    keys: dict[str, WebphoneKey] = field(default_factory=dict)
    reads: int = 0
    writes: int = 0

    def get(self, user_id: str) -> WebphoneKey | None:
        self.reads += 1
        return self.keys.get(user_id)

    def save(self, user_id: str, key: WebphoneKey) -> None:
        self.writes += 1
        self.keys[user_id] = key


@dataclass
class FakePbxClient:
    """One account's API: records what was asked; `fail` makes every call raise it."""

    calls: list[tuple[str, tuple[Any, ...]]] = field(default_factory=list)
    online: set[str] = field(default_factory=set)
    recordings: dict[str, bytes] = field(default_factory=dict)  # record id -> audio
    transcripts: dict[str, Transcript] = field(default_factory=dict)
    fail: PbxError | None = None

    def _ask(self, name: str, *args: Any) -> None:
        self.calls.append((name, args))
        if self.fail is not None:
            raise self.fail

    def callback(self, from_: str, to: str, *, sip: str | None = None, predicted: bool = False) -> dict[str, Any]:
        self._ask("callback", from_, to, sip, predicted)
        return {"status": "success", "from": from_, "to": to}

    def internal_call(self, from_extension: str, to_extension: str) -> dict[str, Any]:
        self._ask("internal_call", from_extension, to_extension)
        return {"status": "success"}

    def record_links(self, *, call_id: str | None = None, pbx_call_id: str | None = None) -> list[str]:
        self._ask("record_links", call_id, pbx_call_id)
        if call_id not in self.recordings:
            raise PbxError("not found", 404)
        return [f"https://pbx.test/rec/{call_id}.mp3"]

    def download(self, url: str) -> bytes:
        self._ask("download", url)
        return self.recordings[url.rsplit("/", 1)[1].removesuffix(".mp3")]

    def extension_status(self, extension: str) -> bool:
        self._ask("extension_status", extension)
        return extension in self.online

    def speech_recognition(self, call_id: str, *, lang: str | None = None) -> Transcript:
        self._ask("speech_recognition", call_id, lang)
        return self.transcripts.get(call_id, Transcript("in progress", ()))

    def check_keys(self) -> None:
        self._ask("check_keys")

    def webrtc_key(self, extension: str) -> str:
        self._ask("webrtc_key", extension)
        return f"webrtc-{extension}-{sum(1 for name, _ in self.calls if name == 'webrtc_key')}"


@dataclass
class FakePbx:
    """Accounts by tenant, one client each. Webhooks are form bodies signed `sig:<secret>`."""

    keys: dict[str, tuple[str, str]] = field(default_factory=dict)
    clients: dict[str, FakePbxClient] = field(default_factory=dict)
    reads: int = 0  # credential reads (the adapter caches them; services bound re-reads)

    def credentials(self, tenant_id: str, *, max_age: float | None = None) -> tuple[str, str] | None:
        self.reads += 1
        return self.keys.get(tenant_id)

    def client(self, tenant_id: str) -> FakePbxClient | None:
        if tenant_id not in self.keys:
            return None
        return self.clients.setdefault(tenant_id, FakePbxClient())

    def client_for(self, api_key: str, api_secret: str) -> FakePbxClient:
        return FakePbxClient()

    def store(self, tenant_id: str, api_key: str, api_secret: str) -> None:
        self.keys[tenant_id] = (api_key, api_secret)

    def forget(self, tenant_id: str) -> None:
        """Nothing is cached here."""

    def webphone_widget(self) -> str:
        return "stand_in"

    def transfer_digits(self, extension: str, *, attended: bool) -> str:
        return f"{'*' if attended else '#'}{extension}"

    def parse_event(self, content_type: str | None, body: bytes) -> PbxEvent:
        fields = dict(parse_qsl(body.decode(errors="replace")))
        if not fields.get("event"):
            raise PbxEventError("no event in the body")
        return PbxEvent(fields["event"], fields)

    def verifiable(self, event: PbxEvent) -> bool:
        return event.name != "NOTIFY_UNSIGNED"

    def verify(self, event: PbxEvent, signature: str | None, secret: str) -> bool:
        return signature == f"sig:{secret}"


class FakeCallLists:
    """Call lists, their numbers and the dials waiting for a call's end (by extension and number)."""

    def __init__(self) -> None:
        self.records: dict[str, CallList] = {}
        self.items_of: dict[str, list[ListItem]] = {}
        self.waiting: dict[tuple[str, str], tuple[str, int, str]] = {}  # (ext, phone) -> (list, index, token)

    def create(self, call_list: CallList, items: Sequence[ListItem]) -> None:
        self.items_of[call_list.id] = list(items)
        self.records[call_list.id] = call_list

    def get(self, list_id: str) -> CallList | None:
        return self.records.get(list_id)

    def history(self, *, user_id: str | None, limit: int, cursor: str | None) -> Page[CallList]:
        chosen = [c for c in self.records.values() if user_id is None or c.user_id == user_id]
        chosen.sort(key=lambda c: (c.created_at, c.id), reverse=True)
        return page(chosen, limit, cursor)

    def item(self, list_id: str, index: int) -> ListItem | None:
        items = self.items_of.get(list_id, [])
        return items[index] if 0 <= index < len(items) else None

    def items(self, list_id: str, *, limit: int = 1000, cursor: str | None = None) -> Page[ListItem]:
        return page(self.items_of.get(list_id, []), limit, cursor)

    def claim(self, call_list: CallList, run: int, index: int, phone: str, token: str) -> ClaimResult:
        current = self.records[call_list.id]
        if current.status is not CallListStatus.RUNNING or current.run != run:
            return ClaimResult.STOPPED
        if self.items_of[call_list.id][index].outcome is not Outcome.PENDING:
            return ClaimResult.TAKEN
        other = self.waiting.get((call_list.extension, phone))
        if other is not None and other[0] != call_list.id:
            return ClaimResult.BUSY
        self._set(call_list.id, index, outcome=Outcome.DIALING)
        self.waiting[(call_list.extension, phone)] = (call_list.id, index, token)
        return ClaimResult.CLAIMED

    def record(
        self, call_list: CallList, index: int, phone: str, outcome: Outcome, *, reason: str | None = None,
        call_id: str | None = None,
    ) -> bool:  # fmt: skip
        if self.items_of[call_list.id][index].outcome not in (Outcome.DIALING, Outcome.PENDING):
            return False
        self._set(call_list.id, index, outcome=outcome, reason=reason, call_id=call_id)
        current = self.records[call_list.id]
        self.records[call_list.id] = replace(current, done=current.done + 1, position=index + 1)
        waiting = self.waiting.get((call_list.extension, phone))
        if waiting is not None and waiting[0] == call_list.id:
            del self.waiting[(call_list.extension, phone)]
        return True

    def _set(self, list_id: str, index: int, **changes: Any) -> None:
        items = self.items_of[list_id]
        items[index] = replace(items[index], **changes)

    def awaiting(self, extension: str, phone: str) -> tuple[str, int, str] | None:
        return self.waiting.get((extension, phone))

    def forget_awaiting(self, extension: str, phone: str, token: str) -> bool:
        waiting = self.waiting.get((extension, phone))
        if waiting is None or waiting[2] != token:
            return False
        del self.waiting[(extension, phone)]
        return True

    def set_status(
        self, list_id: str, status: CallListStatus, *, expected: Sequence[CallListStatus], error: str | None = None,
        new_run: bool = False,
    ) -> CallList | None:  # fmt: skip
        current = self.records.get(list_id)
        if current is None or current.status not in expected:
            return None
        changed = replace(current, status=status, error=error[:500] if error else current.error,
                          run=current.run + 1 if new_run else current.run)  # fmt: skip
        self.records[list_id] = changed
        return changed
