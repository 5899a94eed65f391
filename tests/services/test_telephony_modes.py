"""Telephony modes (TE-7), the web phone's key and transfers (TE-5) at the service tier, on fakes.

Click-to-call and NOTIFY_START routing in each mode, inside and outside working hours across a
day-night-48 cycle; the WebRTC key kept per user and renewed (the clock is the test's); a live
call handed to a colleague, recorded in the call and its feed line.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from urllib.parse import urlencode

import pytest

from chalicelib.domain.actor import Actor
from chalicelib.domain.errors import ConflictError, NotFoundError, UnavailableError, ValidationError
from chalicelib.domain.telephony import CallDirection
from chalicelib.domain.telephony_modes import Phone
from chalicelib.domain.users import TelephonyMode
from chalicelib.ports.pbx import PbxUnavailableError
from chalicelib.services.contacts import ContactService
from chalicelib.services.pbx_events import PbxEvents, RecordingTiming
from chalicelib.services.telephony import TelephonyService
from tests.fakes.outside import FakeFiles, FakeWorkflows
from tests.fakes.telephony import FakePbx
from tests.services.world import World

CALLER = "+33612345678"
# World's clock starts on Monday 2026-03-02 at 09:00 UTC (10:00 in Paris): day 0 of the cycle.
DAY_NIGHT_48 = {
    "timezone": "Europe/Paris",
    "period_days": 4,
    "start_date": "2026-03-02",
    "shifts": [{"day": 0, "start": "08:00", "end": "20:00"}, {"day": 1, "start": "20:00", "end": "08:00"}],
}
# (hours after the start, working): day shift, evening off, next day off, night shift, 48 h off, next cycle.
MOMENTS = [(0, True), (12, False), (27, False), (37, True), (50, False), (72, False), (96, True)]


class Kit:
    def __init__(self, world: World) -> None:
        self.world = world
        self.pbx = FakePbx()
        self.pbx.store(world.tenant_id, "key", "secret")
        self.client = self.pbx.client(world.tenant_id)
        assert self.client is not None
        self.telephony = TelephonyService(
            world.storage, world.clock, self.pbx, FakeFiles(), ContactService(world.storage, world.clock)
        )
        self.events = PbxEvents(world.storage, world.clock, self.pbx, FakeWorkflows(), RecordingTiming(40, 30))

    def person(self, name: str, extension: str, mode: TelephonyMode, **changes: object) -> Actor:
        actor = self.world.user(name)
        users = self.world.storage.users(self.world.tenant_id)
        user = replace(actor.user, extension=extension, telephony_mode=mode, **changes)  # type: ignore[arg-type]
        users.records[user.id] = user
        users.extensions[extension] = user.id
        return replace(actor, user=user)

    def asked(self, name: str) -> list[tuple[object, ...]]:
        assert self.client is not None
        return [args for asked, args in self.client.calls if asked == name]

    def start(self) -> str:
        return (self.world.clock() + timedelta(hours=1)).strftime("%Y-%m-%d %H:%M:%S")  # Paris, winter

    def incoming(self, call_id: str) -> object:
        fields = {"event": "NOTIFY_START", "pbx_call_id": call_id, "caller_id": CALLER, "called_did": "+33170000000"}
        body = urlencode({**fields, "call_start": self.start()})
        return self.events.handle("acme", "application/x-www-form-urlencoded", body.encode(), {}, "sig:secret").body


@pytest.fixture
def kit(world: World) -> Kit:
    return Kit(world)


def test_softphone_click_to_call_asks_the_pbx_callback_at_any_hour(kit: Kit) -> None:
    sam = kit.person("Sam Soft", "101", TelephonyMode.SOFTPHONE, working_hours=DAY_NIGHT_48)
    start = kit.world.clock()
    for hours, _working in MOMENTS:
        kit.world.clock.set(start + timedelta(hours=hours))
        dialled = kit.telephony.dial(sam, CALLER, None)
        assert (dialled.via, dialled.to) == (Phone.SOFTPHONE, CALLER)
    assert kit.asked("callback") == [("101", CALLER, "101", False)] * len(MOMENTS)


def test_webphone_click_to_call_leaves_the_dialling_to_the_web_phone(kit: Kit) -> None:
    wendy = kit.person("Wendy Web", "102", TelephonyMode.WEBPHONE, working_hours=DAY_NIGHT_48)
    colleague = kit.person("Colin Colleague", "103", TelephonyMode.SOFTPHONE)
    dialled = kit.telephony.dial(wendy, "06 98 76 54 32", None)
    assert (dialled.via, dialled.extension, dialled.to) == (Phone.WEBPHONE, "102", "+33698765432")
    internal = kit.telephony.dial(wendy, "103", None)  # TM-1: a colleague, from the web phone too
    assert (internal.via, internal.user_id) == (Phone.WEBPHONE, colleague.user_id)
    assert kit.asked("callback") == []
    assert kit.asked("internal_call") == []


def test_webphone_in_working_hours_dials_from_the_web_phone_only_in_them(kit: Kit) -> None:
    hana = kit.person("Hana Hours", "106", TelephonyMode.WEBPHONE_WORKING_HOURS, working_hours=DAY_NIGHT_48)
    start = kit.world.clock()
    for hours, working in MOMENTS:
        kit.world.clock.set(start + timedelta(hours=hours))
        before = len(kit.asked("callback"))
        dialled = kit.telephony.dial(hana, CALLER, None)
        assert dialled.via is (Phone.WEBPHONE if working else Phone.SOFTPHONE), hours
        assert len(kit.asked("callback")) == before + (0 if working else 1), hours


@pytest.mark.parametrize(
    "mode", [TelephonyMode.SOFTPHONE, TelephonyMode.WEBPHONE, TelephonyMode.WEBPHONE_WORKING_HOURS]
)
def test_notify_start_routes_by_the_same_rule(kit: Kit, mode: TelephonyMode) -> None:
    mia = kit.person("Mia Manager", "104", mode, working_hours=DAY_NIGHT_48, phones=("+33611111111",))
    kit.world.client("Bob Buyer", mia, phone=CALLER)
    start = kit.world.clock()
    for index, (hours, working) in enumerate(MOMENTS):
        kit.world.clock.set(start + timedelta(hours=hours))
        body = kit.incoming(f"in_{mode.value}_{index}")
        routed = {"caller_name": "Bob Buyer", "redirect": "104", "return_timeout": 20}
        if mode is TelephonyMode.WEBPHONE_WORKING_HOURS:
            expected = routed if working else {**routed, "rewrite_forward_number": "+33611111111"}
        else:
            expected = routed if working else {"caller_name": "Bob Buyer"}
        assert body == expected, (mode, hours)


def test_the_webphone_key_is_kept_per_user_and_renewed_before_it_expires(kit: Kit) -> None:
    wendy = kit.person("Wendy Web", "102", TelephonyMode.WEBPHONE)
    omar = kit.person("Omar Other", "105", TelephonyMode.WEBPHONE)
    start = kit.world.clock()

    first = kit.telephony.webphone(wendy)
    assert (first.key, first.extension, first.expires_at) == ("webrtc-102-1", "102", start + timedelta(hours=72))
    assert (first.widget, first.phone) == ("stand_in", Phone.WEBPHONE)
    kit.world.clock.set(start + timedelta(hours=47))
    assert kit.telephony.webphone(wendy).key == "webrtc-102-1"  # kept: the PBX is not asked again
    assert kit.asked("webrtc_key") == [("102",)]

    other = kit.telephony.webphone(omar)  # each user their own key, for their own extension
    assert other.key == "webrtc-105-2"
    assert kit.asked("webrtc_key")[-1] == ("105",)

    kit.world.clock.set(start + timedelta(hours=48))  # two days old: renewed, a day before it expires
    renewed = kit.telephony.webphone(wendy)
    assert (renewed.key, renewed.expires_at) == ("webrtc-102-3", start + timedelta(hours=120))
    kept = kit.world.storage.webphone_keys(kit.world.tenant_id).keys
    assert (kept[wendy.user_id].key, kept[omar.user_id].key) == ("webrtc-102-3", "webrtc-105-2")


def test_a_kept_key_still_valid_is_served_when_the_pbx_is_down(kit: Kit) -> None:
    wendy = kit.person("Wendy Web", "102", TelephonyMode.WEBPHONE)
    start = kit.world.clock()
    kit.telephony.webphone(wendy)
    assert kit.client is not None
    kit.client.fail = PbxUnavailableError("down")
    kit.world.clock.set(start + timedelta(hours=60))
    assert kit.telephony.webphone(wendy).key == "webrtc-102-1"  # renewal failed: 12 h of validity left
    kit.world.clock.set(start + timedelta(hours=72))
    with pytest.raises(UnavailableError):
        kit.telephony.webphone(wendy)
    # A new extension needs a new key: the old one is never served for it.
    kit.client.fail = None
    moved = replace(wendy, user=replace(wendy.user, extension="109"))
    assert kit.telephony.webphone(moved).key.startswith("webrtc-109-")
    with pytest.raises(ConflictError):
        kit.telephony.webphone(replace(wendy, user=replace(wendy.user, extension=None)))


def test_a_live_call_is_transferred_to_a_colleague_and_recorded(kit: Kit) -> None:
    sam = kit.person("Sam Seller", "101", TelephonyMode.WEBPHONE)
    colin = kit.person("Colin Colleague", "103", TelephonyMode.SOFTPHONE)
    nobody = kit.person("Nia Noext", "199", TelephonyMode.SOFTPHONE)
    users = kit.world.storage.users(kit.world.tenant_id)
    users.records[nobody.user_id] = replace(nobody.user, extension=None)
    client = kit.world.client("Bob Buyer", sam, phone=CALLER)
    kit.incoming("in_t")
    body = urlencode({"event": "NOTIFY_ANSWER", "pbx_call_id": "in_t", "caller_id": CALLER, "destination": "101",
                      "call_start": kit.start()})  # fmt: skip
    kit.events.handle("acme", "application/x-www-form-urlencoded", body.encode(), {}, "sig:secret")

    with pytest.raises(NotFoundError):
        kit.telephony.transfer(colin, "in_t", sam.user_id)  # not on the call (nor in his contacts)
    with pytest.raises(ValidationError):
        kit.telephony.transfer(sam, "in_t", nobody.user_id)  # no extension to hand it to
    with pytest.raises(ValidationError):
        kit.telephony.transfer(sam, "in_t", sam.user_id)

    blind = kit.telephony.transfer(sam, "in_t", colin.user_id)
    assert (blind.digits, blind.to_extension, blind.attended) == ("#103", "103", False)
    attended = kit.telephony.transfer(sam, "in_t", colin.user_id, attended=True)
    assert attended.digits == "*103"
    call = kit.telephony.call(sam, "in_t")
    assert call.direction is CallDirection.INCOMING
    assert [(t.by_user_id, t.to_user_id, t.attended) for t in call.transfers] == [
        (sam.user_id, colin.user_id, False), (sam.user_id, colin.user_id, True)
    ]  # fmt: skip
    (line,) = kit.world.storage.contacts(kit.world.tenant_id).feeds[client.id]
    assert [t["to_user_id"] for t in line.data["transfers"]] == [colin.user_id, colin.user_id]

    end = urlencode({"event": "NOTIFY_END", "pbx_call_id": "in_t", "caller_id": CALLER, "internal": "103",
                     "duration": "30", "disposition": "answered", "status_code": "16", "is_recorded": "0",
                     "call_start": kit.start()})  # fmt: skip
    kit.events.handle("acme", "application/x-www-form-urlencoded", end.encode(), {}, "sig:secret")
    with pytest.raises(ConflictError):
        kit.telephony.transfer(sam, "in_t", colin.user_id)  # over: nothing to hand on
