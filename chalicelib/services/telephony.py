"""Telephony (SPEC TE-1, TE-2, TE-5, TE-6, TE-8, ST-4, TM-1): settings, the call log, recordings,
click-to-call, creating a contact from an unknown caller, extension status.

PBX failures reach the caller as the API's own errors: a rate limit is a 429, an unreachable
PBX a 503, a refusal (unknown extension, bad number) a 409 naming the field.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from chalicelib.domain.contacts import ChannelType, Contact, ContactKind, can_see
from chalicelib.domain.errors import (
    ConflictError,
    ForbiddenError,
    NotFoundError,
    RateLimitedError,
    UnavailableError,
    ValidationError,
    check_version,
)
from chalicelib.domain.paging import Page
from chalicelib.domain.rights import Access, Permission
from chalicelib.domain.search import SearchQuery, call_terms, for_calls, matches_words, parse_query
from chalicelib.domain.telephony import (
    Call,
    CallDirection,
    CallStatus,
    RecordingState,
    TelephonySettings,
    Transfer,
    can_see_call,
    check_timezone,
    dial_number,
)
from chalicelib.domain.telephony_modes import (
    WEBPHONE_KEY_LIFETIME,
    Phone,
    phone_for,
    webphone_key_fresh,
    webphone_key_valid,
)
from chalicelib.domain.users import EXTENSION_PATTERN, TelephonyMode, UserStatus
from chalicelib.ports.pbx import Pbx, PbxClient, PbxError, PbxRateLimitedError, PbxUnavailableError
from chalicelib.ports.queries.calls import CallFilter, KnownStatus, WebphoneKey

if TYPE_CHECKING:
    from chalicelib.domain.actor import Actor
    from chalicelib.domain.crm import Crm
    from chalicelib.ports.outside import Clock, FileStore
    from chalicelib.ports.storage import Calls, Storage
    from chalicelib.services.contacts import ContactService

MAX_EXTENSIONS_CHECKED = 50
# How long a PBX extension status is shown without asking the PBX again.
STATUS_FRESH = timedelta(seconds=60)
# Index slices a call search reads for one page at most (each: one Query and one BatchGetItem).
SEARCH_READS = 3
# The incoming call panel: a call going on (no end event yet) that started longer ago than this
# is one whose end the PBX never sent, not a call still ringing.
CURRENT_CALL_MAX_AGE = timedelta(hours=2)
CURRENT_CALL_SCAN = 20  # the newest calls read to find it
SETTING_FLAGS = (
    "auto_lead_incoming_calls",
    "auto_lead_outgoing_calls",
    "auto_lead_incoming_sms",
    "auto_lead_outgoing_sms",
    "dial_without_country_code",
    "autodial_all_numbers",
    "sms_all_numbers",
)


@dataclass(frozen=True, slots=True)
class Dialled:
    """A click-to-call the PBX accepted: it rings `extension` first, then `to` (a number, or a
    colleague's extension: then `user_id` is that colleague)."""

    extension: str
    to: str
    contact_id: str | None
    user_id: str | None = None
    via: Phone = Phone.SOFTPHONE  # webphone: nothing was asked of the PBX; the web phone dials `to`


@dataclass(frozen=True, slots=True)
class WebphoneAccess:
    """What the web app needs to show a user's web phone (TE-7): the PBX's WebRTC key for their
    extension (their own only), when it expires, which widget to show and the phone to use now."""

    key: str
    extension: str
    expires_at: datetime
    widget: str  # "zadarma" | "stand_in"
    mode: TelephonyMode
    phone: Phone  # the phone click-to-call uses now


@dataclass(frozen=True, slots=True)
class Transferred:
    """A hand-over the call panel asked for: the call as its history now says, and the key
    presses the phone on the call sends to make the PBX transfer it."""

    call: Call
    to_user_id: str
    to_extension: str
    attended: bool
    digits: str


@dataclass(frozen=True, slots=True)
class ExtensionStatus:
    user_id: str
    name: str
    extension: str
    online: bool | None  # None: the PBX did not say


@contextmanager
def pbx_errors(field: str | None = None) -> Iterator[None]:
    """The PBX's failures as the API's errors."""
    try:
        yield
    except PbxRateLimitedError:
        raise RateLimitedError("the PBX's API rate limit is reached; try again in a minute") from None
    except PbxUnavailableError:
        raise UnavailableError("the PBX cannot be reached right now") from None
    except PbxError as exc:
        raise ConflictError(f"the PBX refused: {exc.message}", field=field) from None


class TelephonyService:
    def __init__(
        self,
        storage: Storage,
        clock: Clock,
        pbx: Pbx,
        files: FileStore,
        contacts: ContactService,
    ) -> None:
        self._storage = storage
        self._clock = clock
        self._pbx = pbx
        self._files = files
        self._contacts = contacts  # the contact rules (TE-6 creates one)

    # --- settings (ST-4) -------------------------------------------------------------------------

    def settings(self, actor: Actor) -> Crm:
        actor.require(Access.ADMIN)
        return self._crm(actor)

    def update_settings(
        self,
        actor: Actor,
        version: int | None,
        changes: Mapping[str, Any],
        *,
        api_key: str | None = None,
        api_secret: str | None = None,
    ) -> Crm:
        """Change options; new PBX keys are checked against the PBX before they are kept."""
        actor.require(Access.ADMIN)
        before = self._crm(actor)
        check_version(version, before.version, "settings")
        values = {k: v for k, v in changes.items() if k in SETTING_FLAGS and v is not None}
        if "pbx_timezone" in changes:
            tz = changes["pbx_timezone"]
            values["pbx_timezone"] = check_timezone(tz, field_name="pbx_timezone") if tz else None
        after = replace(before, telephony=replace(before.telephony, **values))
        if (api_key is None) != (api_secret is None):
            raise ValidationError("give both the API key and its secret", field="pbx_api_secret")
        if api_key is not None and api_secret is not None:
            self._check_keys(api_key, api_secret)
            self._pbx.store(actor.tenant_id, api_key, api_secret)
            after = replace(after, has_pbx_credentials=True)
        return self._storage.crms.save_telephony(before, after)

    def _check_keys(self, api_key: str, api_secret: str) -> None:
        client = self._pbx.client_for(api_key, api_secret)
        try:
            client.check_keys()
        except (PbxRateLimitedError, PbxUnavailableError):
            raise UnavailableError("the PBX cannot check these keys right now; try again") from None
        except PbxError:
            raise ValidationError("the PBX does not accept this API key and secret", field="pbx_api_key") from None

    # --- the call log (TE-1, TE-2) ---------------------------------------------------------------

    def calls(
        self,
        actor: Actor,
        *,
        user_id: str | None = None,
        direction: CallDirection | None = None,
        status: CallStatus | None = None,
        start_from: datetime | None = None,
        start_to: datetime | None = None,
        q: str | None = None,
        limit: int,
        cursor: str | None,
    ) -> Page[Call]:
        """Newest first: one's own calls, or everyone's (or one user's) with calls_other_users_access."""
        sees_all = actor.can(Permission.CALLS_OTHER_USERS_ACCESS)
        if user_id and user_id != actor.user_id and not sees_all:
            raise ForbiddenError("other users' calls need the 'calls_other_users_access' right")
        owner = user_id or (None if sees_all else actor.user_id)
        flt = CallFilter(direction=direction, status=status, start_from=start_from, start_to=start_to)
        repo = self._storage.calls(actor.tenant_id)
        if q:
            return self._search(actor, repo, q, owner, flt, limit, cursor)
        return repo.page(owner, flt, limit=limit, cursor=cursor)

    def _search(
        self, actor: Actor, repo: Calls, q: str, owner: str | None, flt: CallFilter, limit: int,
        cursor: str | None,
    ) -> Page[Call]:  # fmt: skip
        """Calls by number, contact name or words of their transcript, in pages that follow the
        search index (each page newest first). A page reads at most SEARCH_READS slices of the
        index, so a rare match costs a bounded number of calls; the cursor goes on from there."""
        query = for_calls(parse_query(q))
        after = cursor
        hits: dict[str, Call] = {}
        for _ in range(SEARCH_READS):
            found, after_slice = repo.find(query.term, limit=limit, cursor=after)
            calls = {c.id: c for c in repo.get_many([call_id for call_id, _ in found])}
            after = after_slice
            for index, (call_id, hit_cursor) in enumerate(found):
                call = calls.get(call_id)
                if call is not None and self._found(actor, call, query, owner, flt):
                    hits.setdefault(call.id, call)  # a call matching several terms shows once a page
                if len(hits) == limit:
                    if index < len(found) - 1:
                        after = hit_cursor  # the next page starts after this hit
                    break
            if len(hits) == limit or after is None:
                break
        page = sorted(hits.values(), key=lambda c: c.started_at, reverse=True)
        return Page(page, after)

    @staticmethod
    def _found(actor: Actor, call: Call, query: SearchQuery, owner: str | None, flt: CallFilter) -> bool:
        return (
            (owner is None or call.user_id == owner)
            and can_see_call(actor, call)
            and (flt.direction is None or call.direction is flt.direction)
            and (flt.status is None or call.status is flt.status)
            and (flt.start_from is None or call.started_at >= flt.start_from)
            and (flt.start_to is None or call.started_at < flt.start_to)
            and matches_words(f"{call.contact_name or ''} {call.transcript or ''}", query.other_words)
        )

    def current_call(self, actor: Actor) -> Call | None:
        """The incoming call going on for the caller, newest first (the incoming call panel): one
        their extension answered, or one still ringing (no extension answered yet) from a caller
        they are responsible for, or from a number nobody owns or nobody is responsible for (it
        rings the team). Reads the newest calls only: a call going on is among them."""
        repo = self._storage.calls(actor.tenant_id)
        now = self._clock()
        flt = CallFilter(direction=CallDirection.INCOMING, start_from=now - CURRENT_CALL_MAX_AGE)
        contacts = self._storage.contacts(actor.tenant_id)
        for call in repo.page(None, flt, limit=CURRENT_CALL_SCAN, cursor=None).items:
            if call.status is not None or call.direction is not CallDirection.INCOMING:
                continue
            if call.user_id == actor.user_id:
                return call
            if call.user_id is not None:
                continue  # answered by a colleague
            contact = contacts.get(call.contact_id) if call.contact_id else None
            if contact is None or contact.responsible_user_id in (None, actor.user_id):
                return call
        return None

    def call(self, actor: Actor, call_id: str) -> Call:
        """A call: one's own, any with calls_other_users_access, or one in a visible contact's feed."""
        call = self._storage.calls(actor.tenant_id).get(call_id)
        if call is None or not self._visible(actor, call):
            raise NotFoundError("no such call in this CRM")
        return call

    def recording_url(self, actor: Actor, call_id: str) -> str:
        call = self.call(actor, call_id)
        if call.recording is RecordingState.PENDING:
            raise ConflictError("the recording is still being fetched from the PBX; try again shortly")
        if not call.has_recording or call.recording_key is None:
            raise NotFoundError("this call has no recording")
        return self._files.url(call.recording_key, expires_in=900)

    def _visible(self, actor: Actor, call: Call) -> bool:
        if can_see_call(actor, call):
            return True
        if call.contact_id is None:
            return False
        contact = self._storage.contacts(actor.tenant_id).get(call.contact_id)
        return contact is not None and can_see(actor, contact)

    # --- click-to-call (TE-5, TE-8), unknown callers (TE-6), extensions (TM-1) --------------

    def dial(self, actor: Actor, to: str | None, contact_id: str | None) -> Dialled:
        """Ask the PBX to ring the caller's extension, then the number (click-to-call), or a
        colleague's extension (TM-1: `to` is 2 to 6 digits, which no dialable number is)."""
        if to is not None and EXTENSION_PATTERN.fullmatch(to.strip()):
            return self._dial_colleague(actor, to.strip(), contact_id)
        crm = self._crm(actor)
        contact = self._contact(actor, contact_id) if contact_id else None
        if to is None:
            if contact is None or not contact.phones:
                raise ValidationError("give a number, or a contact that has one", field="to")
            to = contact.phones[0].phone
        number = dial_number(to, crm.country, without_country_code=crm.telephony.dial_without_country_code)
        extension = actor.user.extension
        if not extension:
            raise ConflictError("you have no PBX extension: set one in your profile", field="extension")
        if self._phone_now(actor) is Phone.WEBPHONE:  # TE-7: the web phone dials, not the PBX
            return Dialled(extension, number, contact.id if contact else None, via=Phone.WEBPHONE)
        client = self._client(actor)
        with pbx_errors("to"):
            client.callback(extension, number, sip=extension)
        return Dialled(extension, number, contact.id if contact else None)

    def _phone_now(self, actor: Actor) -> Phone:
        user = actor.user
        return phone_for(user.telephony_mode, user.working_hours, self._clock())

    def _dial_colleague(self, actor: Actor, extension: str, contact_id: str | None) -> Dialled:
        """Connect the caller's extension and a colleague's through the PBX: it rings the
        caller first, then the colleague (an internal call)."""
        if contact_id is not None:
            raise ValidationError("a call to a colleague's extension has no contact", field="contact_id")
        own = actor.user.extension
        if not own:
            raise ConflictError("you have no PBX extension: set one in your profile", field="extension")
        if extension == own:
            raise ValidationError("this is your own extension", field="to")
        users = self._storage.users(actor.tenant_id)
        user_id = users.find_id_by_extension(extension)
        colleague = users.get(user_id) if user_id else None
        if colleague is None or colleague.status is UserStatus.DEACTIVATED or colleague.extension != extension:
            raise ValidationError(f"no colleague in this CRM has the extension {extension}", field="to")
        if self._phone_now(actor) is Phone.WEBPHONE:  # the web phone dials the extension itself
            return Dialled(own, extension, None, colleague.id, via=Phone.WEBPHONE)
        client = self._client(actor)
        with pbx_errors("to"):
            client.internal_call(own, extension)
        return Dialled(own, extension, None, colleague.id)

    # --- the web phone (TE-7) and transfers (TE-5) -----------------------------------------------

    def webphone(self, actor: Actor) -> WebphoneAccess:
        """The caller's own WebRTC key, kept per user (AP148) and renewed from the PBX once
        older than WEBPHONE_KEY_RENEW_AFTER (or when their extension changed); a kept key still
        valid is served when the PBX cannot be reached to renew it."""
        user = actor.user
        extension = user.extension
        if not extension:
            raise ConflictError("you have no PBX extension: set one in your profile", field="extension")
        keys = self._storage.webphone_keys(actor.tenant_id)
        now = self._clock()
        kept = keys.get(actor.user_id)
        usable = kept if kept is not None and kept.extension == extension else None
        if usable is None or not webphone_key_fresh(usable.fetched_at, now):
            try:
                client = self._client(actor)
                with pbx_errors("extension"):
                    fresh = WebphoneKey(client.webrtc_key(extension), extension, now)
            except (UnavailableError, RateLimitedError):
                if usable is None or not webphone_key_valid(usable.fetched_at, now):
                    raise
            else:
                keys.save(actor.user_id, fresh)
                usable = fresh
        return WebphoneAccess(
            key=usable.key,
            extension=extension,
            expires_at=usable.fetched_at + WEBPHONE_KEY_LIFETIME,
            widget=self._pbx.webphone_widget(),
            mode=user.telephony_mode,
            phone=self._phone_now(actor),
        )

    def transfer(self, actor: Actor, call_id: str, to_user_id: str, *, attended: bool = False) -> Transferred:
        """Hand the live call to a colleague (TE-5): recorded in the call's history and its feed
        line; the phone on the call (the web phone, or the softphone's user) sends the PBX's
        transfer key presses, which the answer gives."""
        call = self.call(actor, call_id)
        if call.status is not None:
            raise ConflictError("this call has ended", field="call_id")
        if call.direction is CallDirection.INCOMING and call.user_id not in (None, actor.user_id):
            raise ForbiddenError("only who is on the call can transfer it")
        if call.direction is not CallDirection.INCOMING and call.user_id != actor.user_id:
            raise ForbiddenError("only who is on the call can transfer it")
        if to_user_id == actor.user_id:
            raise ValidationError("you are already on this call", field="user_id")
        colleague = self._storage.users(actor.tenant_id).get(to_user_id)
        if colleague is None or colleague.status is UserStatus.DEACTIVATED:
            raise ValidationError("no such colleague in this CRM", field="user_id")
        if not colleague.extension:
            raise ValidationError("this colleague has no PBX extension", field="user_id")
        transfer = Transfer(self._clock(), actor.user_id, colleague.id, colleague.extension, attended)
        repo = self._storage.calls(actor.tenant_id)
        recorded = repo.add_transfer(call.id, transfer)
        if recorded is None:
            raise NotFoundError("no such call in this CRM")
        repo.write_feed_entry(recorded)
        digits = self._pbx.transfer_digits(colleague.extension, attended=attended)
        return Transferred(recorded, colleague.id, colleague.extension, attended, digits)

    def contact_from_call(self, actor: Actor, call_id: str, kind: ContactKind, name: str) -> tuple[Contact, Call]:
        """Create a client or lead for the unknown number of a call, and link the call (TE-6)."""
        from chalicelib.services.contacts import ContactInput

        call = self.call(actor, call_id)
        if call.contact_id is not None:
            raise ConflictError("this call already belongs to a contact", field="call_id")
        if not call.phone or not call.phone.startswith("+"):
            raise ConflictError("this call has no outside number", field="call_id")
        data = ContactInput(name=name, phones=[(call.phone, ChannelType.WORK)])
        repo = self._storage.calls(actor.tenant_id)
        # The contact and the call's link to it in one transaction: nothing half-made.
        contact = self._contacts.create(
            actor, kind, data, also=lambda c: [repo.link_write(call.id, c.kind.value, c.id, c.name)]
        )
        linked = repo.get(call.id, consistent=True)  # just written: not a stale copy
        if linked is None:
            raise NotFoundError("no such call in this CRM")
        repo.write_feed_entry(linked)
        repo.index(linked.id, call_terms(linked.phone, contact.name, None))
        return contact, linked

    def extensions(self, actor: Actor) -> list[ExtensionStatus]:
        """Colleagues with an extension and whether the PBX sees it online (TM-1, TE-5). The PBX
        is asked only about statuses older than STATUS_FRESH (the rest come from AP48), so the
        team list costs the PBX account about one request per extension and per interval,
        however many people look at it (two lists read at the same instant may both ask)."""
        users, cursor = [], None
        repo = self._storage.users(actor.tenant_id)
        while True:
            page = repo.list_by_name(limit=100, cursor=cursor)
            users += [u for u in page.items if u.extension and u.status is UserStatus.ACTIVE]
            cursor = page.next_cursor
            if cursor is None or len(users) >= MAX_EXTENSIONS_CHECKED:
                break
        users = users[:MAX_EXTENSIONS_CHECKED]
        cache = self._storage.extension_statuses(actor.tenant_id)
        known = cache.get()
        now = self._clock()
        stale = [u.extension for u in users if u.extension and (u.extension not in known
                 or now - known[u.extension].at >= STATUS_FRESH)]  # fmt: skip
        if stale:
            client = self._client(actor)
            limited = False
            for extension in stale:
                if limited:  # keep what was known, and do not ask again for a minute: more 429s
                    previous = known.get(extension)
                    known[extension] = KnownStatus(previous.online if previous else None, now)
                    continue
                try:
                    online: bool | None = client.extension_status(extension)
                except PbxRateLimitedError:
                    limited = True
                    previous = known.get(extension)
                    online = previous.online if previous else None
                except PbxError:
                    online = None
                known[extension] = KnownStatus(online, now)
            cache.save({u.extension: known[u.extension] for u in users if u.extension in known})
        return [
            ExtensionStatus(u.id, u.name, u.extension, known[u.extension].online if u.extension in known else None)
            for u in users
            if u.extension
        ]

    def _client(self, actor: Actor) -> PbxClient:
        client = self._pbx.client(actor.tenant_id)
        if client is None:
            raise ConflictError("the PBX API keys are not set (telephony settings)", field="pbx_api_key")
        return client

    def _contact(self, actor: Actor, contact_id: str) -> Contact:
        contact = self._storage.contacts(actor.tenant_id).get(contact_id)
        if contact is None or not can_see(actor, contact):
            raise ValidationError("no such client or lead in this CRM", field="contact_id")
        return contact

    def _crm(self, actor: Actor) -> Crm:
        crm = self._storage.crms.get(actor.tenant_id)
        if crm is None:
            raise NotFoundError("no such CRM")
        return crm


def settings_view(crm: Crm) -> dict[str, Any]:
    """The settings as the API shows them: keys are write-only (only whether they are set)."""
    values: dict[str, Any] = {name: getattr(crm.telephony, name) for name in SETTING_FLAGS}
    return {
        **values,
        "pbx_timezone": crm.pbx_timezone,
        "pbx_keys_set": crm.has_pbx_credentials,
        "webhook_path": f"/v1/webhooks/zadarma/{crm.slug}",
        "version": crm.version,
    }


__all__ = [
    "Dialled",
    "ExtensionStatus",
    "TelephonyService",
    "TelephonySettings",
    "Transferred",
    "WebphoneAccess",
    "pbx_errors",
    "settings_view",
]
