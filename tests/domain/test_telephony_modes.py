"""Telephony modes (TE-7): the one rule click-to-call and NOTIFY_START routing share."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from chalicelib.domain.telephony_modes import (
    IncomingRoute,
    Phone,
    incoming_route,
    phone_for,
    webphone_key_fresh,
    webphone_key_valid,
)
from chalicelib.domain.users import TelephonyMode

PARIS = ZoneInfo("Europe/Paris")
# API.md's "day-night-48": a day shift 08:00-20:00, the night after 20:00-08:00, two days off.
DAY_NIGHT_48 = {
    "timezone": "Europe/Paris",
    "period_days": 4,
    "start_date": "2026-11-23",
    "shifts": [{"day": 0, "start": "08:00", "end": "20:00"}, {"day": 1, "start": "20:00", "end": "08:00"}],
}


def paris(day: int, hour: int, minute: int = 0) -> datetime:
    """A wall-clock time in Paris, `day` days after the cycle's start."""
    return datetime(2026, 11, 23, hour, minute, tzinfo=PARIS) + timedelta(days=day)


# (when, working) across two cycles: day shift, the night shift over midnight, the days off.
CYCLE = [
    (paris(0, 7, 59), False),
    (paris(0, 8), True),
    (paris(0, 19, 59), True),
    (paris(0, 20), False),  # day 0's evening: the night shift is day 1's
    (paris(1, 12), False),
    (paris(1, 20), True),
    (paris(2, 3), True),  # the night shift goes on past midnight
    (paris(2, 7, 59), True),
    (paris(2, 8), False),
    (paris(2, 14), False),  # 48 h off
    (paris(3, 22), False),
    (paris(4, 9), True),  # the next cycle
    (paris(5, 23), True),
    (paris(6, 9), False),
]


@pytest.mark.parametrize(("at", "working"), CYCLE)
def test_each_mode_picks_its_phone_across_a_day_night_48_cycle(at: datetime, working: bool) -> None:
    assert phone_for(TelephonyMode.SOFTPHONE, DAY_NIGHT_48, at) is Phone.SOFTPHONE
    assert phone_for(TelephonyMode.WEBPHONE, DAY_NIGHT_48, at) is Phone.WEBPHONE
    expected = Phone.WEBPHONE if working else Phone.SOFTPHONE
    assert phone_for(TelephonyMode.WEBPHONE_WORKING_HOURS, DAY_NIGHT_48, at) is expected


@pytest.mark.parametrize(("at", "working"), CYCLE)
def test_incoming_calls_follow_the_same_rule(at: datetime, working: bool) -> None:
    for mode in (TelephonyMode.SOFTPHONE, TelephonyMode.WEBPHONE):
        # Routed to the extension while the user works; outside, the PBX's own routing.
        assert incoming_route(mode, DAY_NIGHT_48, at).redirect is working
    route = incoming_route(TelephonyMode.WEBPHONE_WORKING_HOURS, DAY_NIGHT_48, at, ("+33612345678",))
    if working:
        assert route == IncomingRoute(True, Phone.WEBPHONE)
    else:  # the softphone, or the extension's forwarding pointed at the user's own phone
        assert route == IncomingRoute(True, Phone.SOFTPHONE, "+33612345678")


def test_no_schedule_means_always_working_and_bad_forward_numbers_are_skipped() -> None:
    at = datetime(2026, 12, 25, 3, 0, tzinfo=UTC)
    assert phone_for(TelephonyMode.WEBPHONE_WORKING_HOURS, None, at) is Phone.WEBPHONE
    assert incoming_route(TelephonyMode.SOFTPHONE, None, at) == IncomingRoute(True, Phone.SOFTPHONE)
    off = incoming_route(TelephonyMode.WEBPHONE_WORKING_HOURS, DAY_NIGHT_48, paris(2, 14), ("12", "+4420 7946"))
    assert off == IncomingRoute(True, Phone.SOFTPHONE, None)


def test_a_webphone_key_is_renewed_after_two_days_and_works_three() -> None:
    fetched = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
    assert webphone_key_fresh(fetched, fetched + timedelta(hours=47, minutes=59))
    assert not webphone_key_fresh(fetched, fetched + timedelta(hours=48))
    assert webphone_key_valid(fetched, fetched + timedelta(hours=71, minutes=59))
    assert not webphone_key_valid(fetched, fetched + timedelta(hours=72))
    assert not webphone_key_fresh(fetched, fetched - timedelta(minutes=1))  # a clock gone back: renew
