"""Calls (SPEC TE-1, TE-2, TE-5, TE-6, TE-8, TM-1), autodial (AD-1..5) and SMS (SM-1..5)."""

from __future__ import annotations

from typing import Any, Literal

from chalice import Response
from pydantic import AwareDatetime, Field

from chalicelib.api.contacts import ClientOut, LeadOut
from chalicelib.api.records import CallOut
from chalicelib.api.routing import Router
from chalicelib.api.schemas import MAX_CURSOR_LENGTH, Id, Input, Output, PageOut, PageQuery, UtcDateTime, VersionIn
from chalicelib.bootstrap import services
from chalicelib.domain.actor import Actor
from chalicelib.domain.autodial import MAX_NUMBERS, CallList, ListItem, Outcome
from chalicelib.domain.broadcasts import MAX_RECIPIENTS, Broadcast, Recipient, RecipientStatus
from chalicelib.domain.contacts import ContactKind
from chalicelib.domain.paging import Page
from chalicelib.domain.rights import Access
from chalicelib.domain.sms import MAX_TEXT
from chalicelib.domain.telephony import CallDirection, CallStatus

router = Router(__name__, tag="Calls and SMS")


class CurrentCallOut(Output):
    call: CallOut | None = Field(description="The incoming call going on for you, or null")


class CallPage(PageOut):
    items: list[CallOut]


class CallQuery(PageQuery):
    user_id: Id | None = Field(None, description="Someone else's calls need calls_other_users_access")
    direction: CallDirection | None = None
    status: CallStatus | None = None
    from_: AwareDatetime | None = Field(None, alias="from", description="Started at or after")
    to: AwareDatetime | None = Field(None, description="Started before")
    q: str | None = Field(None, min_length=2, max_length=100, description="Number, contact name or words said")


class DialIn(Input):
    to: str | None = Field(
        None,
        max_length=40,
        description="A number (default: the contact's first one), or a colleague's extension (2 to 6 digits)",
        examples=["+33612345678", "101"],
    )
    contact_id: Id | None = None


class DialOut(Output):
    status: Literal["requested"] = "requested"
    extension: str = Field(description="Your extension: the PBX rings it first, then the number")
    to: str = Field(description="The number dialled (E.164), or the colleague's extension")
    contact_id: str | None
    user_id: str | None = Field(None, description="The colleague called, when `to` is an extension")
    via: Literal["softphone", "webphone"] = Field(
        "softphone",
        description="Your telephony mode now (TE-7): softphone = the PBX rings your extension, then "
        "`to`; webphone = nothing was asked of the PBX, your web phone dials `to`",
    )


class WebphoneOut(Output):
    key: str = Field(description="Your WebRTC key of the PBX (yours only; never share it)")
    extension: str = Field(description="The extension the web phone registers as")
    expires_at: UtcDateTime = Field(description="The key is renewed before this (ask again after a day)")
    widget: str = Field(description="zadarma: the vendor's WebRTC widget; stand_in: the local stack's stand-in phone")
    mode: str = Field(description="Your telephony_mode")
    phone: Literal["softphone", "webphone"] = Field(description="The phone your calls use now (mode + working hours)")


class TransferIn(Input):
    user_id: Id = Field(description="The colleague (active, with an extension) who takes the call")
    attended: bool = Field(False, description="true: talk to the colleague first; false: blind")


class TransferOut(Output):
    call: CallOut
    to_user_id: str
    to_extension: str
    attended: bool
    digits: str = Field(description="The key presses (DTMF) the phone on the call sends to make the PBX transfer it")


class CallContactIn(Input):
    type: ContactKind = Field(description="client | lead")
    name: str = Field(min_length=1, max_length=200)


class CallContactOut(Output):
    contact: dict[str, Any] = Field(description="The new client or lead, as GET /v1/clients|leads/{id} shows it")
    call: CallOut


class ExtensionOut(Output):
    user_id: str
    name: str
    extension: str
    online: bool | None = Field(description="As the PBX sees the extension; null if it did not say")


class ExtensionList(Output):
    items: list[ExtensionOut]


class SmsIn(Input):
    to: str | None = Field(None, max_length=40, description="Default: the contact's first number")
    contact_id: Id | None = None
    text: str | None = Field(None, min_length=1, max_length=MAX_TEXT)
    template_id: Id | None = Field(None, description="Instead of `text`; {name} becomes the contact's name")


class SmsOut(Output):
    id: str = Field(description="The SMS's entry in the contact's feed")
    status: Literal["sent"] = "sent"
    to: str
    contact_id: str | None
    text: str
    parts: int


class SmsTemplateIn(Input):
    title: str = Field(min_length=1, max_length=100)
    text: str = Field(min_length=1, max_length=MAX_TEXT)


class SmsTemplatePatch(Input):
    version: VersionIn = None
    title: str | None = Field(None, min_length=1, max_length=100)
    text: str | None = Field(None, min_length=1, max_length=MAX_TEXT)


class SmsTemplateOut(Output):
    id: str
    title: str
    text: str
    created_at: UtcDateTime
    version: int


class SmsTemplateList(PageOut):
    items: list[SmsTemplateOut]


@router.route("/calls", "GET", right=Access.ANY_USER, query=CallQuery, response=CallPage)
def list_calls(actor: Actor, query: CallQuery) -> CallPage:
    """The call log, newest first: yours, or everyone's with calls_other_users_access."""
    page = services().telephony.calls(
        actor,
        user_id=query.user_id,
        direction=query.direction,
        status=query.status,
        start_from=query.from_,
        start_to=query.to,
        q=query.q,
        limit=query.limit,
        cursor=query.cursor,
    )
    return CallPage(items=[CallOut.of(c) for c in page.items], next_cursor=page.next_cursor)


@router.route("/calls", "POST", right=Access.ANY_USER, body=DialIn, response=DialOut, status=202)
def dial(actor: Actor, body: DialIn) -> DialOut:
    """Click-to-call: the PBX rings your extension, then the number or the colleague's extension."""
    dialled = services().telephony.dial(actor, body.to, body.contact_id)
    return DialOut(
        extension=dialled.extension,
        to=dialled.to,
        contact_id=dialled.contact_id,
        user_id=dialled.user_id,
        via="webphone" if dialled.via.value == "webphone" else "softphone",
    )


@router.route("/calls/current", "GET", right=Access.ANY_USER, response=CurrentCallOut)
def current_call(actor: Actor) -> CurrentCallOut:
    """The incoming call going on for you (the incoming call panel polls it): answered by your
    extension, or ringing from a caller you are responsible for or that nobody is; its
    `contact` is the identified caller (null: an unknown number)."""
    call = services().telephony.current_call(actor)
    return CurrentCallOut(call=CallOut.of(call) if call else None)


@router.route("/calls/{call_id}", "GET", right=Access.ANY_USER, response=CallOut)
def get_call(actor: Actor, call_id: str) -> CallOut:
    """A call, with its transcript when there is one."""
    return CallOut.of(services().telephony.call(actor, call_id))


@router.route(
    "/calls/{call_id}/recording",
    "GET",
    right=Access.ANY_USER,
    status=302,
    responses={302: "Location: a short-lived link to the recording"},
)
def call_recording(actor: Actor, call_id: str) -> Response:
    """The call's recording: a redirect to a short-lived link (15 minutes)."""
    url = services().telephony.recording_url(actor, call_id)
    return Response("", headers={"Location": url}, status_code=302)


@router.route("/calls/{call_id}/transfer", "POST", right=Access.ANY_USER, body=TransferIn, response=TransferOut)
def transfer_call(actor: Actor, call_id: str, body: TransferIn) -> TransferOut:
    """Hand the live call to a colleague (TE-5), blind or attended: recorded in the call's
    `transfers` and its feed line; your phone sends the returned `digits` to the PBX."""
    done = services().telephony.transfer(actor, call_id, body.user_id, attended=body.attended)
    return TransferOut(
        call=CallOut.of(done.call),
        to_user_id=done.to_user_id,
        to_extension=done.to_extension,
        attended=done.attended,
        digits=done.digits,
    )


@router.route("/me/webphone", "GET", right=Access.ANY_USER, response=WebphoneOut)
def get_webphone(actor: Actor) -> WebphoneOut:
    """Your web phone (TE-7): the PBX's WebRTC key for your extension, kept and renewed for you."""
    access = services().telephony.webphone(actor)
    return WebphoneOut(
        key=access.key,
        extension=access.extension,
        expires_at=access.expires_at,
        widget=access.widget,
        mode=access.mode.value,
        phone="webphone" if access.phone.value == "webphone" else "softphone",
    )


@router.route("/calls/{call_id}/contact", "POST", right=Access.ANY_USER, body=CallContactIn,
              response=CallContactOut, status=201)  # fmt: skip
def contact_from_call(actor: Actor, call_id: str, body: CallContactIn) -> CallContactOut:
    """Create a client or lead from an unknown caller, linked to the call (TE-6)."""
    contact, call = services().telephony.contact_from_call(actor, call_id, body.type, body.name)
    shown = (ClientOut if contact.kind is ContactKind.CLIENT else LeadOut).model_validate(contact)
    return CallContactOut(contact=shown.model_dump(mode="json"), call=CallOut.of(call))


@router.route("/telephony/extensions", "GET", right=Access.ANY_USER, response=ExtensionList)
def extensions(actor: Actor) -> ExtensionList:
    """Colleagues with a PBX extension and whether it is online (the call widget's team list)."""
    items = [
        ExtensionOut(user_id=e.user_id, name=e.name, extension=e.extension, online=e.online)
        for e in services().telephony.extensions(actor)
    ]
    return ExtensionList(items=items)


@router.route("/sms", "POST", right=Access.ANY_USER, body=SmsIn, response=SmsOut, status=201)
def send_sms(actor: Actor, body: SmsIn) -> SmsOut:
    """Send an SMS to a number or a contact, from a text or a template (SM-1)."""
    sent = services().sms.send(
        actor, to=body.to, contact_id=body.contact_id, text=body.text, template_id=body.template_id
    )
    return SmsOut(id=sent.id, to=sent.to, contact_id=sent.contact_id, text=sent.text, parts=sent.parts)


@router.route("/sms-templates", "GET", right=Access.ANY_USER, query=PageQuery, response=SmsTemplateList)
def list_sms_templates(actor: Actor, query: PageQuery) -> SmsTemplateList:
    """The CRM's SMS templates, in creation order."""
    page = services().sms.templates(actor, limit=query.limit, cursor=query.cursor)
    return SmsTemplateList.model_validate(page)


@router.route("/sms-templates", "POST", right=Access.ADMIN, body=SmsTemplateIn, response=SmsTemplateOut, status=201)
def create_sms_template(actor: Actor, body: SmsTemplateIn) -> SmsTemplateOut:
    """Add an SMS template (SM-3)."""
    return SmsTemplateOut.model_validate(services().sms.create_template(actor, body.title, body.text))


@router.route("/sms-templates/{template_id}", "PATCH", right=Access.ADMIN, body=SmsTemplatePatch,
              response=SmsTemplateOut)  # fmt: skip
def update_sms_template(actor: Actor, template_id: str, body: SmsTemplatePatch) -> SmsTemplateOut:
    """Edit an SMS template."""
    template = services().sms.update_template(actor, template_id, body.version, body.title, body.text)
    return SmsTemplateOut.model_validate(template)


@router.route("/sms-templates/{template_id}", "DELETE", right=Access.ADMIN, status=204)
def delete_sms_template(actor: Actor, template_id: str) -> None:
    """Delete an SMS template."""
    services().sms.delete_template(actor, template_id)


class BroadcastIn(Input):
    contact_ids: list[Id] = Field(min_length=1, max_length=MAX_RECIPIENTS)
    text: str | None = Field(None, min_length=1, max_length=MAX_TEXT)
    template_id: Id | None = Field(None, description="Instead of `text`; {name} becomes each contact's name")


class BroadcastStarted(Output):
    id: str
    status: str


class RecipientOut(Output):
    contact_id: str | None
    phone: str
    status: Literal["pending", "sent", "delivered", "failed"] = Field(
        description="delivered only where the SMS provider reports deliveries (Zadarma does not)"
    )
    in_progress: bool = Field(description="Being sent right now (status pending until the provider answers)")
    reason: str | None = None

    @classmethod
    def of(cls, r: Recipient) -> RecipientOut:
        sending = r.status is RecipientStatus.SENDING
        status = RecipientStatus.PENDING if sending else r.status
        return cls(contact_id=r.contact_id, phone=r.phone, status=status.value, in_progress=sending, reason=r.reason)


class BroadcastOut(Output):
    id: str
    status: str = Field(description="running | completed | failed | canceled")
    total: int
    sent: int
    failed: int
    created_at: UtcDateTime
    finished_at: UtcDateTime | None
    error: str | None
    recipients: list[RecipientOut]
    recipients_next_cursor: str | None = Field(description="?cursor= for more recipients")

    @classmethod
    def of(cls, broadcast: Broadcast, recipients: Page[Recipient]) -> BroadcastOut:
        return cls(
            id=broadcast.id,
            status=broadcast.status.value,
            total=broadcast.total,
            sent=broadcast.sent,
            failed=broadcast.failed,
            created_at=broadcast.created_at,
            finished_at=broadcast.finished_at,
            error=broadcast.error,
            recipients=[RecipientOut.of(r) for r in recipients.items],
            recipients_next_cursor=recipients.next_cursor,
        )


class BroadcastQuery(Input):
    limit: int = Field(1000, ge=1, le=1000, description="Recipients per page")
    cursor: str | None = Field(None, max_length=MAX_CURSOR_LENGTH)


@router.route("/sms-broadcasts", "POST", right=Access.ANY_USER, body=BroadcastIn, response=BroadcastStarted,
              status=202)  # fmt: skip
def create_broadcast(actor: Actor, body: BroadcastIn) -> BroadcastStarted:
    """Send one SMS to many contacts (SM-2): runs in the background; follow it with GET."""
    broadcast = services().broadcasts.create(actor, body.contact_ids, body.text, body.template_id)
    return BroadcastStarted(id=broadcast.id, status=broadcast.status.value)


class BroadcastSummary(Output):
    id: str
    status: str = Field(description="running | completed | failed | canceled")
    total: int
    sent: int
    failed: int
    text: str | None = Field(description="The text sent, when not from a template")
    template_id: str | None
    created_by: str
    created_at: UtcDateTime
    finished_at: UtcDateTime | None
    error: str | None

    @classmethod
    def of(cls, b: Broadcast) -> BroadcastSummary:
        return cls(
            id=b.id, status=b.status.value, total=b.total, sent=b.sent, failed=b.failed, text=b.text,
            template_id=b.template_id, created_by=b.created_by, created_at=b.created_at,
            finished_at=b.finished_at, error=b.error,
        )  # fmt: skip


class BroadcastList(PageOut):
    items: list[BroadcastSummary]


@router.route("/sms-broadcasts", "GET", right=Access.ANY_USER, query=PageQuery, response=BroadcastList)
def list_broadcasts(actor: Actor, query: PageQuery) -> BroadcastList:
    """Broadcasts newest first: the caller's own, or the whole CRM's for an administrator."""
    page = services().broadcasts.history(actor, limit=query.limit, cursor=query.cursor)
    return BroadcastList(items=[BroadcastSummary.of(b) for b in page.items], next_cursor=page.next_cursor)


@router.route("/sms-broadcasts/{broadcast_id}", "GET", right=Access.ANY_USER, query=BroadcastQuery,
              response=BroadcastOut)  # fmt: skip
def get_broadcast(actor: Actor, broadcast_id: str, query: BroadcastQuery) -> BroadcastOut:
    """A broadcast's progress and report, per recipient (its creator, or an administrator)."""
    broadcast, recipients = services().broadcasts.get(actor, broadcast_id, limit=query.limit, cursor=query.cursor)
    return BroadcastOut.of(broadcast, recipients)


@router.route("/sms-broadcasts/{broadcast_id}/cancel", "POST", right=Access.ANY_USER, response=BroadcastStarted)
def cancel_broadcast(actor: Actor, broadcast_id: str) -> BroadcastStarted:
    """Stop a running broadcast before its next SMS; what was sent stays sent."""
    broadcast = services().broadcasts.cancel(actor, broadcast_id)
    return BroadcastStarted(id=broadcast.id, status=broadcast.status.value)


class CallListIn(Input):
    contact_ids: list[Id] | None = Field(None, max_length=MAX_NUMBERS, description="All or first numbers per ST-4")
    phones: list[str] | None = Field(None, max_length=MAX_NUMBERS)


class CallListStarted(Output):
    id: str
    status: str


class ListItemOut(Output):
    phone: str
    contact_id: str | None
    outcome: Literal["pending", "answer", "noanswer", "busy", "cancel", "failed"]
    in_progress: bool = Field(description="Being dialled right now (outcome pending until the call ends)")
    reason: str | None = None
    call_id: str | None = None

    @classmethod
    def of(cls, i: ListItem) -> ListItemOut:
        dialing = i.outcome is Outcome.DIALING
        outcome = Outcome.PENDING if dialing else i.outcome
        return cls(phone=i.phone, contact_id=i.contact_id, outcome=outcome.value, in_progress=dialing,
                   reason=i.reason, call_id=i.call_id)  # fmt: skip


class CallListOut(Output):
    id: str
    status: str = Field(description="running | paused | completed | canceled | failed")
    total: int
    done: int
    extension: str = Field(description="The extension the numbers are dialled from")
    created_at: UtcDateTime
    error: str | None
    items: list[ListItemOut]
    next_cursor: str | None = Field(description="?cursor= for more numbers")

    @classmethod
    def of(cls, call_list: CallList, items: Page[ListItem]) -> CallListOut:
        return cls(
            id=call_list.id,
            status=call_list.status.value,
            total=call_list.total,
            done=call_list.done,
            extension=call_list.extension,
            created_at=call_list.created_at,
            error=call_list.error,
            items=[ListItemOut.of(i) for i in items.items],
            next_cursor=items.next_cursor,
        )


class CallListQuery(Input):
    limit: int = Field(1000, ge=1, le=1000, description="Numbers per page")
    cursor: str | None = Field(None, max_length=MAX_CURSOR_LENGTH)


@router.route("/call-lists", "POST", right=Access.ANY_USER, body=CallListIn, response=CallListStarted, status=202)
def create_call_list(actor: Actor, body: CallListIn) -> CallListStarted:
    """Autodial (AD-1): dial contacts' numbers or given numbers in order from your extension."""
    call_list = services().autodial.create(actor, body.contact_ids, body.phones)
    return CallListStarted(id=call_list.id, status=call_list.status.value)


class CallListSummary(Output):
    id: str
    status: str = Field(description="running | paused | completed | canceled | failed")
    total: int
    done: int
    extension: str = Field(description="The extension the numbers are dialled from")
    user_id: str = Field(description="Who started it")
    created_at: UtcDateTime
    error: str | None

    @classmethod
    def of(cls, c: CallList) -> CallListSummary:
        return cls(
            id=c.id, status=c.status.value, total=c.total, done=c.done, extension=c.extension, user_id=c.user_id,
            created_at=c.created_at, error=c.error,
        )  # fmt: skip


class CallListList(PageOut):
    items: list[CallListSummary]


@router.route("/call-lists", "GET", right=Access.ANY_USER, query=PageQuery, response=CallListList)
def list_call_lists(actor: Actor, query: PageQuery) -> CallListList:
    """Call lists newest first: the caller's own, or the whole CRM's for an administrator."""
    page = services().autodial.history(actor, limit=query.limit, cursor=query.cursor)
    return CallListList(items=[CallListSummary.of(c) for c in page.items], next_cursor=page.next_cursor)


@router.route("/call-lists/{list_id}", "GET", right=Access.ANY_USER, query=CallListQuery, response=CallListOut)
def get_call_list(actor: Actor, list_id: str, query: CallListQuery) -> CallListOut:
    """A call list's progress and each number's outcome (AD-3)."""
    call_list, items = services().autodial.get(actor, list_id, limit=query.limit, cursor=query.cursor)
    return CallListOut.of(call_list, items)


@router.route("/call-lists/{list_id}/pause", "POST", right=Access.ANY_USER, response=CallListStarted)
def pause_call_list(actor: Actor, list_id: str) -> CallListStarted:
    """Stop before the next number (the call going on is not cut)."""
    call_list = services().autodial.pause(actor, list_id)
    return CallListStarted(id=call_list.id, status=call_list.status.value)


@router.route("/call-lists/{list_id}/resume", "POST", right=Access.ANY_USER, response=CallListStarted)
def resume_call_list(actor: Actor, list_id: str) -> CallListStarted:
    """Go on where the list stopped."""
    call_list = services().autodial.resume(actor, list_id)
    return CallListStarted(id=call_list.id, status=call_list.status.value)


@router.route("/call-lists/{list_id}/cancel", "POST", right=Access.ANY_USER, response=CallListStarted)
def cancel_call_list(actor: Actor, list_id: str) -> CallListStarted:
    """Stop for good."""
    call_list = services().autodial.cancel(actor, list_id)
    return CallListStarted(id=call_list.id, status=call_list.status.value)
