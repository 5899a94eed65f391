"""Telephony modes per user (SPEC TE-7, ST-4): which phone takes a user's calls at a given time.

One pure rule, used by click-to-call (`services.telephony`) and by the incoming-call routing of
NOTIFY_START (`services.pbx_events`):

- `softphone`: the PBX callback rings the user's extension (a third-party softphone) first,
  then the number; incoming calls go to the extension while the user is working;
- `webphone`: the web app's phone (the PBX vendor's WebRTC widget) dials; incoming calls go to
  the extension (where the web phone is registered) while the user is working;
- `webphone_working_hours`: the web phone during the user's working hours, the softphone (or
  the extension's forwarding) outside them: incoming calls go to the extension at any time,
  and outside the working hours the extension's forwarding may be pointed at the user's phone.

A user without working hours is always working (as `GET /v1/users/{id}/availability` says).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from chalicelib.domain.records import record
from chalicelib.domain.schedule import WorkingHours, parse_working_hours
from chalicelib.domain.users import TelephonyMode

# A WebRTC key of the PBX is valid 72 hours (Zadarma `GET /v1/webrtc/get_key/`); the one kept
# is renewed once older than this, so a page opened with it keeps a day of validity at least.
WEBPHONE_KEY_LIFETIME = timedelta(hours=72)
WEBPHONE_KEY_RENEW_AFTER = timedelta(hours=48)
# Zadarma's `rewrite_forward_number` must match this (the PHP SDK's check).
FORWARD_NUMBER = re.compile(r"^\+*\d{5,}$")


class Phone(StrEnum):
    """The phone that takes the user's calls."""

    WEBPHONE = "webphone"
    SOFTPHONE = "softphone"


@record(frozen=True, slots=True)
class IncomingRoute:
    """What NOTIFY_START answers for a call whose responsible user has `phone` now."""

    redirect: bool  # send the call to the user's extension
    phone: Phone
    forward_to: str | None = None  # rewrite the extension's forwarding number (outside hours)


def _schedule(working_hours: Mapping[str, Any] | WorkingHours | None) -> WorkingHours | None:
    if working_hours is None or isinstance(working_hours, WorkingHours):
        return working_hours
    return parse_working_hours(working_hours)


def is_working(working_hours: Mapping[str, Any] | WorkingHours | None, at: datetime) -> bool:
    """Whether the user works at `at`; no schedule means always."""
    schedule = _schedule(working_hours)
    return schedule is None or schedule.is_working(at)


def phone_for(mode: TelephonyMode, working_hours: Mapping[str, Any] | WorkingHours | None, at: datetime) -> Phone:
    """The phone a user in `mode` uses at `at` (click-to-call dials through it)."""
    if mode is TelephonyMode.SOFTPHONE:
        return Phone.SOFTPHONE
    if mode is TelephonyMode.WEBPHONE:
        return Phone.WEBPHONE
    return Phone.WEBPHONE if is_working(working_hours, at) else Phone.SOFTPHONE


def incoming_route(
    mode: TelephonyMode,
    working_hours: Mapping[str, Any] | WorkingHours | None,
    at: datetime,
    phones: Sequence[str] = (),
) -> IncomingRoute:
    """How an incoming call for this user is routed at `at` (NOTIFY_START)."""
    working = is_working(working_hours, at)
    phone = phone_for(mode, working_hours, at)
    if mode is TelephonyMode.WEBPHONE_WORKING_HOURS:
        if working:
            return IncomingRoute(True, phone)
        forward = next((p for p in phones if FORWARD_NUMBER.fullmatch(p)), None)
        return IncomingRoute(True, phone, forward)
    return IncomingRoute(working, phone)


def webphone_key_fresh(fetched_at: datetime, now: datetime) -> bool:
    """Whether a kept WebRTC key is served as it is (not renewed first)."""
    return fetched_at <= now < fetched_at + WEBPHONE_KEY_RENEW_AFTER


def webphone_key_valid(fetched_at: datetime, now: datetime) -> bool:
    """Whether a kept WebRTC key still works (served when renewing it fails)."""
    return fetched_at <= now < fetched_at + WEBPHONE_KEY_LIFETIME


__all__ = [
    "WEBPHONE_KEY_LIFETIME",
    "WEBPHONE_KEY_RENEW_AFTER",
    "IncomingRoute",
    "Phone",
    "incoming_route",
    "is_working",
    "phone_for",
    "webphone_key_fresh",
    "webphone_key_valid",
]
