"""A few weeks of history for the demo CRM, so the dashboard and the analytics have something to show.

Everything goes through the normal write paths — the services and the PBX webhook handler, with a
clock set back to each past working day — so the rollups, feeds, lists and counters are exactly
what a team working those weeks would have left. Deterministic (a seeded random), so two fresh
starts show the same figures.
"""

from __future__ import annotations

import random
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from chalicelib.bootstrap import Services
from chalicelib.config import get_settings
from chalicelib.domain.actor import Actor
from chalicelib.domain.contacts import ChannelType, ContactKind, LeadSource
from chalicelib.domain.deals import BOARD_ORDER, Deal, DealStatus
from chalicelib.domain.errors import DomainError
from chalicelib.domain.tasks import TaskType
from chalicelib.integrations.zadarma.webhooks import encode_form, sign_event
from chalicelib.services.contacts import ContactInput

FIRST_NAMES = ("Alice", "Bruno", "Chloé", "David", "Emma", "Farid", "Gaëlle", "Hugo", "Inès", "Jules", "Karim",
               "Léa", "Marc", "Nina", "Olivier", "Paula", "Quentin", "Rose", "Sami", "Tina")  # fmt: skip
LAST_NAMES = ("Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy", "Moreau")
COMPANIES = ("Dental", "Bakery", "Garage", "Pharmacy", "Architects", "Florist", "Hotel", "Gym", "Notary", "Optician")
LEAD_SOURCES = (LeadSource.MANUAL, LeadSource.FORM, LeadSource.CALL_INCOMING, LeadSource.API, LeadSource.IMPORT)
DEMO_DID = "33159000000"


class PastClock:
    """The time the services see while the history is written: moved by the generator."""

    def __init__(self, at: datetime) -> None:
        self.at = at

    def __call__(self) -> datetime:
        return self.at


class WorkingDay:
    """Successive moments of one working day from 9:00 (company time), a few minutes apart."""

    def __init__(self, day: date, zone: ZoneInfo, rng: random.Random) -> None:
        self._at = datetime.combine(day, time(9), zone)
        self._rng = rng

    def __call__(self) -> datetime:
        self._at += timedelta(minutes=self._rng.randrange(2, 10), seconds=self._rng.randrange(60))
        return self._at


@dataclass
class Made:
    """What the history wrote (the local stack prints it; the tests check it is not nothing)."""

    leads: int = 0
    clients: int = 0
    deals: int = 0
    won: int = 0
    tasks: int = 0
    calls: int = 0
    open_deals: list[Deal] = field(default_factory=list)


def seed_history(
    tenant_id: str, slug: str, admin_principal: str, pbx_secret: str, *, weeks: int = 3, seed: int = 15
) -> Made:
    """Write `weeks` of working days before today for the demo CRM."""
    rng = random.Random(seed)
    clock = PastClock(datetime.now().astimezone())
    past = Services(get_settings(), clock=clock)
    actor = past.auth.actor(admin_principal)
    crm = past.storage.crms.get(tenant_id)
    assert crm is not None, "the demo CRM exists before its history is written"
    zone, pbx_zone = ZoneInfo(crm.timezone), ZoneInfo(crm.pbx_timezone)
    # Some deals are in dollars: the company converts them at its stored rate (DE-5).
    past.company.update(
        actor, None, name=crm.name, country=crm.country, timezone=crm.timezone, base_currency=crm.rates.base,
        currencies=[{"code": "USD", "rate": "0.92"}],
    )  # fmt: skip
    users = [u for u in past.storage.users(tenant_id).list_by_name(limit=100).items if u.extension]
    made = Made()
    today = datetime.now(zone).date()
    days = [today - timedelta(days=n) for n in range(7 * weeks, 0, -1)]
    for day in (d for d in days if d.weekday() < 5):
        at = WorkingDay(day, zone, rng)
        for user in users:
            _work_day(past, actor, clock, at, user.id, user.extension or "", rng, made)
            for _ in range(rng.randint(1, 4)):
                clock.at = at()
                _call(past, slug, pbx_secret, clock.at.astimezone(pbx_zone), user.extension or "", rng)
                made.calls += 1
        _move_deals(past, actor, clock, at(), rng, made)
        # The due runner's pass of that evening: tasks left open past their end go overdue.
        clock.at = datetime.combine(day, time(23), zone)
        past.due.run()
    return made


def _work_day(
    past: Services,
    actor: Actor,
    clock: PastClock,
    at: Callable[[], datetime],
    user_id: str,
    extension: str,
    rng: random.Random,
    made: Made,
) -> None:
    """One user's day: leads in (some left in the pool), some converted or closed, a client,
    a deal, tasks done or left open."""
    contacts = past.contacts
    for _ in range(rng.randint(1, 2)):
        clock.at = at()
        unsorted = rng.random() < 0.3
        lead = contacts.create(
            actor,
            ContactKind.LEAD,
            ContactInput(name=_person(rng), phones=[(_phone(rng), ChannelType.MOBILE)]),
            responsible_user_id=None if unsorted else user_id,
            unsorted=unsorted,
            lead_source=rng.choice(LEAD_SOURCES),
        )
        made.leads += 1
        if unsorted and rng.random() < 0.5:
            clock.at = at()
            lead = contacts.take(actor, lead.id)
        fate = rng.random()
        if lead.responsible_user_id and fate < 0.35:
            clock.at = at()
            contacts.close(actor, lead.id, "client")
            made.clients += 1
        elif fate > 0.9:
            clock.at = at()
            contacts.close(actor, lead.id, "poor_quality")
    if rng.random() < 0.4:
        clock.at = at()
        client = contacts.create(
            actor,
            ContactKind.CLIENT,
            ContactInput(name=f"{rng.choice(LAST_NAMES)} {rng.choice(COMPANIES)}",
                         phones=[(_phone(rng), ChannelType.WORK)]),
            responsible_user_id=user_id,
        )  # fmt: skip
        made.clients += 1
        clock.at = at()
        currency = "USD" if rng.random() < 0.2 else None
        deal = past.deals.create(
            actor, f"{client.name}: yearly plan", client.id, str(rng.randrange(6, 60) * 100), currency,
            responsible_user_id=user_id,
        )  # fmt: skip
        made.deals += 1
        made.open_deals.append(deal)
    for _ in range(rng.randint(0, 2)):
        clock.at = at()
        start = clock.at + timedelta(hours=rng.choice((1, 2, 24, 48)))
        task = past.tasks.create(
            actor,
            {"type": rng.choice((TaskType.CALL, TaskType.TASK)), "title": rng.choice(_TASK_TITLES),
             "start": start, "end": start + timedelta(minutes=30), "responsible_user_id": user_id,
             "remind_minutes_before": None},
        )  # fmt: skip
        made.tasks += 1
        done_at = start + timedelta(minutes=rng.randrange(5, 90))
        if rng.random() < 0.75 and done_at < datetime.now(done_at.tzinfo):
            clock.at = done_at  # later than the day's other work: the clock goes back after it
            past.tasks.complete(actor, task.id, None)


_TASK_TITLES = ("Call back about the quote", "Send the contract", "Follow up on the demo", "Check the payment")


def _move_deals(past: Services, actor: Actor, clock: PastClock, when: datetime, rng: random.Random, made: Made) -> None:
    """Each open deal may move one column on, and end won or canceled."""
    clock.at = when
    still_open = []
    for deal in made.open_deals:
        roll = rng.random()
        if roll < 0.45:
            still_open.append(deal)
            continue
        if roll < 0.65:
            status = DealStatus.SUCCESS
        elif roll < 0.75:
            status = DealStatus.CANCELED
        else:
            status = BOARD_ORDER[min(BOARD_ORDER.index(deal.status) + 1, BOARD_ORDER.index(DealStatus.PAYMENT))]
        try:
            deal = past.deals.update(actor, deal.id, None, status=status)
        except DomainError:
            continue
        if deal.status.final:
            made.won += deal.status is DealStatus.SUCCESS
        else:
            still_open.append(deal)
    made.open_deals = still_open


def _call(past: Services, slug: str, secret: str, start: datetime, extension: str, rng: random.Random) -> None:
    """One call as the PBX reports it: incoming (answered or missed) or outgoing."""
    pbx_call_id = secrets.token_hex(20)
    when = start.strftime("%Y-%m-%d %H:%M:%S")
    number = _phone(rng)
    seconds = rng.randrange(20, 600)
    if rng.random() < 0.55:
        answered = rng.random() < 0.8
        base = {"call_start": when, "pbx_call_id": f"in_{pbx_call_id}", "caller_id": number, "called_did": DEMO_DID}
        end = {"event": "NOTIFY_END", **base, "internal": extension, "duration": str(seconds if answered else 0),
               "disposition": "answered" if answered else "no answer", "status_code": "16",
               "is_recorded": "0"}  # fmt: skip
        events = [{"event": "NOTIFY_START", **base}, end]
    else:
        base = {"call_start": when, "pbx_call_id": f"out_{pbx_call_id}", "internal": extension, "destination": number}
        events = [
            {"event": "NOTIFY_OUT_START", **base, "caller_id": "0"},
            {"event": "NOTIFY_OUT_END", **base, "caller_id": "0", "duration": str(seconds), "disposition": "answered",
             "status_code": "16", "is_recorded": "0"},
        ]  # fmt: skip
    for fields in events:
        body = encode_form(fields)
        past.pbx_events.handle(slug, "application/x-www-form-urlencoded", body, {}, sign_event(fields, secret))


def _person(rng: random.Random) -> str:
    return f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"


def _phone(rng: random.Random) -> str:
    return f"+336{rng.randrange(10**8):08d}"
