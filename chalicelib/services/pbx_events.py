"""PBX webhooks (SPEC TE-1..4, SO-1, SO-3, LD-4): calls, recordings, transcripts, SMS, auto-leads.

`handle` takes one delivery of either of the PBX's two notification URLs, exactly as received:
- `zd_echo` (URL verification) is answered first, as plain text;
- the `Signature` is checked with the CRM's own API secret; a wrong or missing one is a 401
  and nothing is stored. Events whose signature string is not documented are acknowledged and
  logged, never stored (an unverifiable body must not change data);
- each event is processed idempotently: a call is one item merged event by event (see
  `domain.telephony`), its feed line has an id derived from the call, an SMS's from its content,
  a lead is created under the phone's guard item, so the same delivery twice, or concurrent
  deliveries, never make two of anything.
The answer to NOTIFY_START routes the call to the responsible manager when they are working.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, NamedTuple
from zoneinfo import ZoneInfo

from chalicelib.domain.call_events import CALL_EVENTS, CallEvent, call_event
from chalicelib.domain.contacts import (
    Contact,
    FeedEntry,
    FeedKind,
    LeadSource,
)
from chalicelib.domain.errors import ConflictError, ValidationError
from chalicelib.domain.ids import derived_id, new_id
from chalicelib.domain.notifications import Link, LinkType, NotificationKind, missed_call_title
from chalicelib.domain.search import call_terms
from chalicelib.domain.sources import MAX_PER_CONTACT, SourceParam, SourceTag
from chalicelib.domain.telephony import (
    Call,
    CallDirection,
    CallStatus,
    number_lead,
    stable_id,
    to_e164,
    transcript_text,
)
from chalicelib.domain.telephony_modes import incoming_route
from chalicelib.domain.ttl_cache import TtlCache
from chalicelib.domain.users import User, UserStatus
from chalicelib.observability import logger
from chalicelib.ports.notifications import NoNotifier, Notifier
from chalicelib.ports.pbx import Pbx, PbxEvent, PbxEventError

if TYPE_CHECKING:
    from chalicelib.domain.crm import Crm
    from chalicelib.domain.search import Term
    from chalicelib.ports.outside import Clock, Workflows
    from chalicelib.ports.storage import Calls, Contacts, Storage

RECORDING_MACHINE = "RecordingFetch"
# A wrongly signed event reads the CRM's secret again if the kept copy is older than this.
RECHECK_SECONDS = 10.0
ROUTE_RETURN_TIMEOUT = 20  # seconds the manager's extension rings before the call goes back
PBX_USER = "pbx"  # `created_by` of what the PBX's events create
ID_PATTERN = re.compile(r"[\w.\-]{1,200}")
# An event about a call that started further from now than this is a replay (or a clock gone
# wrong): it still updates its call, but mints no lead.
MAX_EVENT_SKEW = timedelta(days=1)
UTM_PARAMS = {p.value: p for p in SourceParam if p.value.startswith("utm_")}
# What rarely changes is kept per container this long (slug -> CRM, the CRM, a routing target):
# a NOTIFY_START, which the caller hears as ringing, then reads only who is calling.
CACHE_TTL = timedelta(seconds=60)
CACHE_SIZE = 512


@dataclass(frozen=True, slots=True)
class WebhookReply:
    status: int
    body: str | dict[str, Any]

    @property
    def text(self) -> bool:
        return isinstance(self.body, str)


# A NamedTuple, not a dataclass: defined at a Lambda's cold start, where a dataclass costs ~10x more.
class RecordingTiming(NamedTuple):
    delay_seconds: int
    retry_seconds: int
    # Speech recognition of a long call takes minutes: the fallback asks for ~10 minutes.
    transcript_retry_seconds: int = 60
    max_attempts: int = 6
    transcript_max_attempts: int = 10


class PbxEvents:
    def __init__(
        self,
        storage: Storage,
        clock: Clock,
        pbx: Pbx,
        workflows: Workflows,
        timing: RecordingTiming,
        on_call_end: Callable[[str, str, str, CallStatus, str], bool] | None = None,
        *,
        notifier: Notifier | None = None,
        cache_ttl: timedelta = CACHE_TTL,
    ) -> None:
        self._notifier = notifier or NoNotifier()
        self._on_call_end = on_call_end  # autodial waits for its calls' ends (AD-2)
        self._storage = storage
        self._pbx = pbx
        self._workflows = workflows
        self._timing = timing
        self._clock = clock
        self._slugs: TtlCache[str, str] = TtlCache(clock, cache_ttl, CACHE_SIZE)
        self._crms: TtlCache[str, Crm] = TtlCache(clock, cache_ttl, CACHE_SIZE)
        self._users: TtlCache[tuple[str, str], User] = TtlCache(clock, cache_ttl, CACHE_SIZE)

    def handle(
        self,
        slug: str,
        content_type: str | None,
        body: bytes,
        query: Mapping[str, str],
        signature: str | None,
    ) -> WebhookReply:
        if "zd_echo" in query:
            return WebhookReply(200, query["zd_echo"])
        crms = self._storage.crms
        tenant_id = self._slugs.get(slug, crms.resolve_slug)
        crm = self._crms.get(tenant_id, crms.get) if tenant_id else None
        if crm is None:
            return WebhookReply(404, {"error": {"code": "not_found", "message": "no such CRM"}})
        try:
            event = self._pbx.parse_event(content_type, body)
        except PbxEventError as exc:
            return WebhookReply(400, {"error": {"code": "validation_error", "message": str(exc), "field": "body"}})
        if not self._pbx.verifiable(event):
            logger.info("PBX event acknowledged, not processed", extra={"event": event.name, "tenant_id": crm.id})
            return WebhookReply(200, {})
        if not self._signed(crm.id, event, signature):
            logger.warning("PBX event with a wrong signature refused", extra={"event": event.name, "tenant_id": crm.id})
            return WebhookReply(401, {"error": {"code": "unauthorized", "message": "the signature does not match"}})
        try:
            return WebhookReply(200, self._dispatch(crm, event))
        except ValidationError as exc:
            logger.warning("PBX event not usable", extra={"event": event.name, "reason": str(exc)})
            return WebhookReply(400, {"error": {"code": "validation_error", "message": str(exc), "field": exc.field}})

    def _signed(self, tenant_id: str, event: PbxEvent, signature: str | None) -> bool:
        """The event is signed with the CRM's secret. The secret is cached per container: on a
        mismatch it is read again once, so keys changed in the settings (on another container)
        are honoured at once instead of refusing the PBX's events until the cache expires."""
        credentials = self._pbx.credentials(tenant_id)
        if credentials is not None and self._pbx.verify(event, signature, credentials[1]):
            return True
        # At most one read per RECHECK_SECONDS: wrongly signed requests must not hammer SSM.
        fresh = self._pbx.credentials(tenant_id, max_age=RECHECK_SECONDS)
        return fresh is not None and fresh != credentials and self._pbx.verify(event, signature, fresh[1])

    def _dispatch(self, crm: Crm, event: PbxEvent) -> dict[str, Any]:
        if event.name in CALL_EVENTS:
            return self._call(crm, event)
        if event.name == "SMS":
            self._incoming_sms(crm, event)
        elif event.name == "SPEECH_RECOGNITION":
            self._transcript(crm, event)
        elif event.name == "CALL_TRACKING":
            self._call_tracking(crm, event)
        else:
            logger.info("PBX event acknowledged, not processed", extra={"event": event.name, "tenant_id": crm.id})
        return {}

    # --- calls -----------------------------------------------------------------------------------

    def _call(self, crm: Crm, event: PbxEvent) -> dict[str, Any]:
        ev = call_event(event.name, event.fields, ZoneInfo(crm.pbx_timezone), crm.country)
        now = self._clock()
        calls = self._storage.calls(crm.id)
        user_id = self._storage.users(crm.id).find_id_by_extension(ev.extension) if ev.extension else None
        contact: Contact | None = None
        identified = event.name == "NOTIFY_START"  # the answer routes the call: identify it first
        if identified:
            contact = self._identify_or_create(crm, ev, user_id, now)
            # Usually the call's first event: the call, its feed line and its terms in one write.
            first = calls.start(ev, now, user_id=user_id, contact=_ref(contact) if contact else None, terms=_terms)
            if first is not None:
                return self._route(crm, contact)
        call = calls.apply(ev, now, user_id=user_id, contact=_ref(contact) if contact else None)
        if call.contact_id is None and not identified and _external(call.phone):
            contact = self._identify_or_create(
                crm, ev, user_id, now, phone=call.phone, did=call.did,
                started=call.started_at if call.start_known else None,
            )  # fmt: skip
            if contact is not None:
                call = calls.set_contact(call.id, contact.kind.value, contact.id, contact.name)
        if call.phone and (event.name in ("NOTIFY_START", "NOTIFY_OUT_START") or ev.ends):
            # Written twice per call at most (start and end): rewriting the same terms is harmless.
            calls.index(call.id, _terms(call))
        calls.write_feed_entry(call)
        if ev.record_id:
            self._fetch_recording(crm.id, calls, call, ev.record_id)
        ended = ev.ends and ev.direction is CallDirection.OUTGOING
        if self._on_call_end and ended and ev.extension and call.phone and call.status is not None:
            self._on_call_end(crm.id, ev.extension, call.phone, call.status, call.id)
        if ev.ends and call.direction is CallDirection.INCOMING and call.status not in (None, CallStatus.ANSWER):
            self._missed(crm, call)
        if event.name == "NOTIFY_START":
            return self._route(crm, contact)
        return {}

    def _missed(self, crm: Crm, call: Call) -> None:
        """Tell the user of the extension it rang, or else the caller's responsible user."""
        user_id = call.user_id
        if user_id is None and call.contact_id:
            try:
                contact = self._storage.contacts(crm.id).get(call.contact_id)
            except Exception:  # noqa: BLE001 - the call is stored: a failed notification must not fail the event
                logger.exception("missed call not notified", extra={"tenant_id": crm.id, "pbx_call_id": call.id})
                return
            user_id = contact.responsible_user_id if contact else None
        if user_id:
            self._notifier.notify(
                crm.id, user_id, NotificationKind.MISSED_CALL, missed_call_title(call.contact_name or call.phone),
                Link(LinkType.CALL, call.id), at=call.started_at, once=call.id,
            )  # fmt: skip

    def _route(self, crm: Crm, contact: Contact | None) -> dict[str, Any]:
        """Send the call to the contact's responsible manager as their telephony mode says (TE-7,
        `domain.telephony_modes.incoming_route`): while they work, or at any time for the web
        phone in working hours only (outside them the extension's forwarding takes it)."""
        if contact is None:
            return {}
        reply: dict[str, Any] = {"caller_name": contact.name[:50]}
        if contact.responsible_user_id is None:
            return reply
        user = self._users.get((crm.id, contact.responsible_user_id), self._user)
        if user is None or user.status is not UserStatus.ACTIVE or not user.extension:
            return reply
        route = incoming_route(user.telephony_mode, user.working_hours, self._clock(), user.phones)
        if not route.redirect:
            return reply
        reply = {**reply, "redirect": user.extension, "return_timeout": ROUTE_RETURN_TIMEOUT}
        return {**reply, "rewrite_forward_number": route.forward_to} if route.forward_to else reply

    def _user(self, key: tuple[str, str]) -> User | None:
        return self._storage.users(key[0]).get(key[1])

    def _fetch_recording(self, tenant_id: str, calls: Calls, call: Call, record_id: str) -> None:
        """Copy the recording to S3 once the PBX has saved it: a workflow waits, then fetches
        with retries (zadarma.md: ~40 s after the event). Its name makes it start once."""
        calls.remember_recording(record_id, call.id)
        payload = {
            "tenant_id": tenant_id,
            "call_id": call.id,
            "record_id": record_id,
            "wait_seconds": self._timing.delay_seconds,
            "retry_seconds": self._timing.retry_seconds,
            "max_attempts": self._timing.max_attempts,
            "attempt": 0,
            "transcript_retry_seconds": self._timing.transcript_retry_seconds,
            "transcript_max_attempts": self._timing.transcript_max_attempts,
            "transcript_attempt": 0,
        }
        self._workflows.start(RECORDING_MACHINE, f"{tenant_id}-{call.id}", payload)

    # --- contacts --------------------------------------------------------------------------------

    def _identify_or_create(
        self,
        crm: Crm,
        ev: CallEvent,
        user_id: str | None,
        now: datetime,
        *,
        phone: str | None = None,
        did: str | None = None,
        started: datetime | None = None,
    ) -> Contact | None:
        phone = phone or ev.phone
        if phone is None or not _external(phone):
            return None
        contact = _identify(self._storage.contacts(crm.id), phone)
        if contact is not None or not crm.telephony.auto_lead(ev.direction):
            return contact
        # A lead only for a call known to be happening now: a replayed capture, or a start that
        # is unreadable or out of range, is logged with its call and mints nothing.
        started_at = ev.first.get("started_at") or started
        if not isinstance(started_at, datetime) or abs(started_at - now) > MAX_EVENT_SKEW:
            logger.warning(
                "PBX event of a call far from now or of unknown start: no lead created",
                extra={
                    "tenant_id": crm.id,
                    "call_start": started_at.isoformat() if isinstance(started_at, datetime) else None,
                    "pbx_call_id": ev.call_id,
                },
            )
            return None
        source = LeadSource.CALL_INCOMING if ev.direction is CallDirection.INCOMING else LeadSource.CALL_OUTGOING
        owner = user_id if ev.direction is CallDirection.OUTGOING else None
        return self._auto_lead(crm, phone, did or ev.did, owner, source, now)

    def _auto_lead(
        self, crm: Crm, phone: str, did: str | None, owner: str | None, source: LeadSource, now: datetime
    ) -> Contact | None:
        """A lead for an unknown number (TE-4), tagged with the number that was called (SO-1).

        The phone's guard item makes the creation unique: of two deliveries racing for the same
        number, one creates the lead and the other finds it.
        """
        tags = (self._source_tag(crm.id, SourceParam.PHONE, did, now),) if did else ()
        lead, created = number_lead(
            phone, owner=owner, source=source.value, now=now, created_by=owner or PBX_USER, source_tag_ids=tags
        )
        found, made = self._storage.contacts(crm.id).create_or_find(lead, [created])
        if made:
            logger.info("lead created from the PBX", extra={"tenant_id": crm.id, "source": source})
        return found

    def _source_tag(self, tenant_id: str, param: SourceParam, value: str, now: datetime) -> str:
        """The id of the (param, value) source tag, created on first use."""
        repo = self._storage.source_tags(tenant_id)
        found = repo.find(param, value)
        if found:
            return found
        tag = SourceTag(id=new_id(), param=param, value=value, display_value=value, created_at=now)
        try:
            repo.create(tag)
        except ConflictError:
            return repo.find(param, value) or tag.id
        return tag.id

    # --- other events ----------------------------------------------------------------------------

    def _incoming_sms(self, crm: Crm, event: PbxEvent) -> None:
        """An SMS received on one of our numbers: in the sender's feed, a lead if unknown (TE-4)."""
        result = event.result if isinstance(event.result, dict) else {}
        sender, did, text = result.get("caller_id"), result.get("caller_did"), result.get("text")
        if not sender or not isinstance(text, str):
            raise ValidationError("an SMS event needs caller_id and text", field="result")
        now = self._clock()
        phone = to_e164(str(sender), crm.country)
        did_e164 = to_e164(str(did), crm.country) if did else None
        contact = _identify(self._storage.contacts(crm.id), phone) if _external(phone) else None
        if contact is None and _external(phone) and crm.telephony.auto_lead(CallDirection.INCOMING, sms=True):
            contact = self._auto_lead(crm, phone, did_e164, None, LeadSource.SMS, now)
        if contact is None:
            logger.info("SMS from an unknown number kept nowhere", extra={"tenant_id": crm.id})
            return
        # The PBX gives an SMS no id: one derived from its content and the hour it came makes a
        # repeated delivery rewrite the same feed line.
        key = stable_id(event.fields.get("result", ""), now.strftime("%Y-%m-%dT%H"))
        entry = FeedEntry(
            id=derived_id(now.replace(minute=0, second=0, microsecond=0), key),
            kind=FeedKind.SMS,
            time=now,
            user_id=None,
            text=text[:2000],
            data={"direction": "incoming", "phone": phone, "did": did_e164},
        )
        self._storage.contacts(crm.id).add_entry_once(contact.id, entry)

    def _transcript(self, crm: Crm, event: PbxEvent) -> None:
        """Speech recognition of a recording (TE-2): stored on the call and searchable."""
        result = event.result if isinstance(event.result, dict) else {}
        calls = self._storage.calls(crm.id)
        call_id = _id(event.get("pbx_call_id") or result.get("pbx_call_id"))
        if not call_id:
            record_id = _id(event.get("call_id") or result.get("call_id"))
            call_id = calls.call_of_recording(record_id) if record_id else None
        text = transcript_text(result)
        if not call_id or not text:
            logger.info("transcript without a known call or text", extra={"tenant_id": crm.id})
            return
        call = calls.get(str(call_id))
        if call is None:
            return
        calls.set_transcript(call.id, text, call_terms(None, None, text))

    def _call_tracking(self, crm: Crm, event: PbxEvent) -> None:
        """Call-tracking UTM values become source tags of the caller's lead (SO-3).

        The payload's shape is not documented (zadarma.md 1.4): UTM keys are looked for at the
        top level and under `utm`, the caller under `caller_id`/`phone` or the call's id.
        """
        result = event.result if isinstance(event.result, dict) else {}
        nested = result.get("utm")
        utms = {**result, **(nested if isinstance(nested, dict) else {})}
        values = {UTM_PARAMS[k]: str(v).strip() for k, v in utms.items() if k in UTM_PARAMS and str(v).strip()}
        if not values:
            return
        phone = result.get("caller_id") or result.get("phone")
        contacts = self._storage.contacts(crm.id)
        contact = None
        if phone:
            contact = _identify(contacts, to_e164(str(phone), crm.country))
        elif _id(result.get("pbx_call_id")):
            call = self._storage.calls(crm.id).get(str(_id(result.get("pbx_call_id"))))
            contact = contacts.get(call.contact_id) if call and call.contact_id else None
        if contact is None:
            return
        now = self._clock()
        tags = [self._source_tag(crm.id, param, value[:200], now) for param, value in sorted(values.items())]
        merged = tuple(dict.fromkeys((*contact.source_tag_ids, *tags)))[:MAX_PER_CONTACT]
        if merged != contact.source_tag_ids:
            contacts.save_changes(contact, replace(contact, source_tag_ids=merged, updated_at=now))


def _terms(call: Call) -> list[Term]:
    return list(call_terms(call.phone, call.contact_name, None))


def _id(value: object) -> str | None:
    """A PBX id from a payload, if it looks like one (the same rule as a call's pbx_call_id)."""
    text = str(value).strip() if value is not None else ""
    return text if ID_PATTERN.fullmatch(text) else None


def _identify(contacts: Contacts, phone: str) -> Contact | None:
    """AP18 then the record: 2 GetItem."""
    owner = contacts.owner_of_phone(phone)
    return contacts.get(owner) if owner else None


def _ref(contact: Contact) -> tuple[str, str, str]:
    return contact.kind.value, contact.id, contact.name


def _external(phone: str | None) -> bool:
    """A number outside the PBX (extensions are colleagues, never contacts)."""
    return phone is not None and phone.startswith("+")


def dumps(reply: WebhookReply) -> str:
    return reply.body if isinstance(reply.body, str) else json.dumps(reply.body)
