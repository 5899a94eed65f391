"""Clients and leads (SPEC CL, LD): cards with their feed, lists, the pool, notes, identify."""

from __future__ import annotations

from dataclasses import replace
from typing import Any, ClassVar, Literal

from chalice import Response
from pydantic import AwareDatetime, ConfigDict, EmailStr, Field, field_validator

from chalicelib.api.records import ClientOut, LeadOut
from chalicelib.api.routing import Router
from chalicelib.api.schemas import Id, Input, Output, PageOut, PageQuery, Tag, UtcDateTime, VersionIn
from chalicelib.bootstrap import services
from chalicelib.domain.actor import Actor
from chalicelib.domain.contacts import (
    ChannelType,
    ClientType,
    Contact,
    ContactKind,
    ContactStatus,
    FeedEntry,
    FeedKind,
    LeadSource,
    LeadStatus,
)
from chalicelib.domain.errors import ValidationError
from chalicelib.domain.paging import Page
from chalicelib.domain.rights import Access, Permission
from chalicelib.services.contacts import ContactInput, ListQuery

router = Router(__name__, tag="Contacts")
CLIENT, LEAD = ContactKind.CLIENT, ContactKind.LEAD


# --- models ----------------------------------------------------------------------------------


class PhoneIn(Input):
    phone: str = Field(min_length=1, max_length=40, examples=["+33 6 12 34 56 78"])
    type: ChannelType = ChannelType.WORK


class EmailIn(Input):
    email: EmailStr
    type: ChannelType = ChannelType.WORK


class ContactFields(Input):
    status: ContactStatus | None = None
    type: ClientType | None = None
    phones: list[PhoneIn] | None = Field(None, max_length=5)
    emails: list[EmailIn] | None = Field(None, max_length=5)
    address: str | None = Field(None, max_length=500)
    website: str | None = Field(None, max_length=500)
    comment: str | None = Field(None, max_length=2000)
    tags: list[Tag] | None = Field(None, max_length=10)
    source_tag_ids: list[Id] | None = Field(None, max_length=5)
    properties: dict[str, Any] | None = Field(
        None, description="Custom property values by key (see /v1/properties); null removes one"
    )

    def to_input(self, name: str | None, lead_status: LeadStatus | None = None) -> ContactInput:
        return ContactInput(
            name=name,
            status=self.status,
            type=self.type,
            phones=[(p.phone, p.type) for p in self.phones] if self.phones is not None else None,
            emails=[(e.email, e.type) for e in self.emails] if self.emails is not None else None,
            address=self.address,
            website=self.website,
            comment=self.comment,
            tags=self.tags,
            source_tag_ids=self.source_tag_ids,
            properties=self.properties,
            lead_status=lead_status,
        )


class UtmIn(Input):
    """Campaign values of a web visit, as a website form or an ad's lead form gives them."""

    utm_source: str | None = Field(None, max_length=200)
    utm_medium: str | None = Field(None, max_length=200)
    utm_campaign: str | None = Field(None, max_length=200)
    utm_content: str | None = Field(None, max_length=200)
    utm_term: str | None = Field(None, max_length=200)

    @field_validator("*", mode="after")
    @classmethod
    def _blank_is_none(cls, value: str | None) -> str | None:
        """A blank value (an empty form field) brings no source tag."""
        return value.strip() or None if value is not None else None


class ClientIn(ContactFields):
    name: str = Field(min_length=1, max_length=200)
    responsible_user_id: Id | None = Field(None, description="Default: the creator")
    utm: UtmIn | None = Field(
        None,
        description="UTM values: each becomes a source tag (found, or created on first use) added to "
        "source_tag_ids, so Zapier and scripts need not know the tags' ids",
    )

    def creation_input(self, actor: Actor, lead_status: LeadStatus | None = None) -> ContactInput:
        """The contact to create, its UTM values resolved to source tags (one GetItem each when
        the tag exists; a tag created for a contact that is then refused stays, unused)."""
        data = self.to_input(self.name, lead_status)
        if self.utm is None:
            return data
        from chalicelib.services.forms import UTM_PARAMS

        found = [
            services().sources.ensure(actor.tenant_id, param, value)
            for param in UTM_PARAMS
            if (value := getattr(self.utm, param.value))
        ]
        return replace(data, source_tag_ids=[*(data.source_tag_ids or []), *found])


class LeadIn(ClientIn):
    unsorted: bool = Field(False, description="Created in the unsorted pool: not processed, nobody responsible")
    lead_status: LeadStatus | None = None
    lead_source: LeadSource = LeadSource.MANUAL


class ClientPatch(ContactFields):
    version: VersionIn = None
    name: str | None = Field(None, min_length=1, max_length=200)
    responsible_user_id: Id | None = Field(None, description="Reassign (the feed records it)")


class LeadPatch(ClientPatch):
    lead_status: LeadStatus | None = None
    responsible_user_id: Id | None = Field(None, description="Reassign; null puts the lead back in the pool")


class FeedCallOut(Output):
    """The call of a `call` feed entry, in the Call's own fields (GET /v1/calls/{id} has the rest)."""

    id: str = Field(description="The call's id (its pbx_call_id)")
    direction: str = Field(description="incoming | outgoing | internal")
    status: str | None = Field(description="answer | noanswer | cancel | busy | failed; null while going on")
    phone: str | None = Field(description="The other party")
    user_id: str | None
    started_at: UtcDateTime
    duration_s: int | None
    has_recording: bool
    transferred_to: list[str] = Field(
        default_factory=list, description="The colleagues (user ids) the call was handed to, in order (TE-5)"
    )

    @classmethod
    def of(cls, entry: FeedEntry) -> FeedCallOut | None:
        data = entry.data
        if entry.kind is not FeedKind.CALL or not data.get("call_id"):
            return None
        return cls(
            id=str(data["call_id"]),
            direction=str(data.get("direction") or "incoming"),
            status=data.get("status"),
            phone=data.get("phone"),
            user_id=data.get("user_id"),
            started_at=entry.time,  # a call's line is dated by the call's start
            duration_s=data.get("duration_s"),
            has_recording=bool(data.get("has_recording")),
            transferred_to=[str(t.get("to_user_id")) for t in data.get("transfers") or () if isinstance(t, dict)],
        )


class FeedEntryOut(Output):
    id: str
    kind: str = Field(description="note | call | sms | email | task | deal | event")
    time: UtcDateTime
    user_id: str | None
    text: str | None
    call: FeedCallOut | None = Field(None, description="Calls: the call (id, direction, status, phone, ...)")
    data: dict[str, Any] = Field(description="events: {event: created|updated|assigned|taken|converted, changes?}")
    edited_at: UtcDateTime | None

    @classmethod
    def of(cls, entry: FeedEntry) -> FeedEntryOut:
        return cls(
            id=entry.id,
            kind=entry.kind.value,
            time=entry.time,
            user_id=entry.user_id,
            text=entry.text,
            call=FeedCallOut.of(entry),
            data=entry.data,
            edited_at=entry.edited_at,
        )


class FeedPage(PageOut):
    items: list[FeedEntryOut]

    @classmethod
    def of(cls, page: Page[FeedEntry]) -> FeedPage:
        return cls(items=[FeedEntryOut.of(e) for e in page.items], next_cursor=page.next_cursor)


class ClientCard(ClientOut):
    feed: FeedPage = Field(description="The newest feed entries; GET .../feed?cursor= for more")


class LeadCard(LeadOut):
    feed: FeedPage


class ClientList(PageOut):
    items: list[ClientOut]


class LeadList(PageOut):
    items: list[LeadOut]


class ClientQuery(PageQuery):
    # `property.<key>=<value>` parameters are extra fields, checked in list_query() (and
    # described in the OpenAPI document as one exploded object parameter).
    model_config = ConfigDict(extra="allow", str_strip_whitespace=True, defer_build=True)
    PROPERTY_FILTERS: ClassVar[bool] = True

    scope: Literal["mine", "all"] | None = Field(None, description="Default: all with the view-all right, else mine")
    responsible_user_id: Id | None = None
    created_from: AwareDatetime | None = None
    created_to: AwareDatetime | None = None
    updated_from: AwareDatetime | None = Field(None, description="Last changed at or after")
    updated_to: AwareDatetime | None = None
    sort: Literal["created_at", "-created_at"] = Field(
        "-created_at", description="Creation order (with q: the search index's order, by matched word)"
    )
    q: str | None = Field(
        None, min_length=2, max_length=100, description="Name word, email or phone digits, with any other filter"
    )
    # Any combination: the narrowest one's index serves the page, the others are checked on the
    # records read (a page may then hold fewer than `limit`; follow next_cursor).
    tag: str | None = Field(None, max_length=50)
    type: ClientType | None = None
    status: ContactStatus | None = None
    source_tag_id: Id | None = None

    def list_query(self, field_prefix: str = "") -> ListQuery:
        """The filters; `property.<key>` parameters become (key, value) pairs, anything else
        is a 400 naming it (`field_prefix`: where the parameters sit, e.g. an export's filters)."""
        properties = []
        for name, value in (self.model_extra or {}).items():
            key = name.removeprefix("property.")
            if not name.startswith("property.") or not key:
                # An empty key names where the parameters sit: nothing else is a real field.
                field = ".".join(p for p in (field_prefix, name if key else "") if p) or "query"
                raise ValidationError(f"'{name}': unknown filter; give property.<key>=<value>", field=field)
            properties.append((key, str(value)))
        return ListQuery(
            scope=self.scope,
            responsible_user_id=self.responsible_user_id,
            created_from=self.created_from,
            created_to=self.created_to,
            updated_from=self.updated_from,
            updated_to=self.updated_to,
            newest_first=self.sort == "-created_at",
            tag=self.tag,
            type=self.type.value if self.type else None,
            status=self.status.value if self.status else None,
            source_tag_id=self.source_tag_id,
            properties=tuple(properties),
            q=self.q,
        )


class LeadQuery(ClientQuery):
    # Leads add the unsorted pool to the clients' scopes: a wider type for the inherited field.
    scope: Literal["mine", "unsorted", "all"] | None = Field(  # type: ignore[assignment]
        None, description="Default: all with leads_view, else mine"
    )


class TagOut(Output):
    tag: str
    clients: int = Field(description="Clients carrying it that the caller sees")
    leads: int


class TagList(PageOut):
    items: list[TagOut]


class NoteIn(Input):
    text: str = Field(min_length=1, max_length=10_000)


class CloseIn(Input):
    outcome: Literal["client", "poor_quality"]


class BulkIn(Input):
    ids: list[Id] = Field(min_length=1, max_length=500)
    action: Literal["tag", "untag", "assign", "delete"]
    tag: str | None = Field(None, max_length=50, description="For tag / untag")
    user_id: Id | None = Field(None, description="For assign: the new responsible user")


class BulkItemOut(Output):
    id: str
    status: str = Field(description="ok | not_found | forbidden | conflict | invalid")
    message: str | None


class BulkOut(Output):
    done: int
    failed: int
    results: list[BulkItemOut]


class IdentifyQuery(Input):
    phone: str = Field(min_length=2, max_length=40, description="E.164, a local number, or an extension")


class IdentifyOut(Output):
    type: str = Field(description="client | lead | user")
    id: str
    name: str
    responsible_user_id: str | None


def _page(kind: ContactKind, actor: Actor, query: ClientQuery) -> Page[Contact]:
    return services().contacts.page(actor, kind, query.list_query(), limit=query.limit, cursor=query.cursor)


def _reassign(body: ClientPatch) -> dict[str, Any]:
    if "responsible_user_id" not in body.model_fields_set:
        return {}
    return {"responsible_user_id": body.responsible_user_id, "reassign": True}


# --- clients ---------------------------------------------------------------------------------


@router.route("/clients", "GET", right=Access.ANY_USER, query=ClientQuery, response=ClientList)
def list_clients(actor: Actor, query: ClientQuery) -> ClientList:
    """Clients, newest first by default (mine, or all with customers_view_all)."""
    page = _page(CLIENT, actor, query)
    return ClientList.model_validate(page)


@router.route("/clients", "POST", right=Permission.CUSTOMERS_CREATE, body=ClientIn, response=ClientOut, status=201)
def create_client(actor: Actor, body: ClientIn) -> ClientOut:
    """Create a client; a phone or email already used by a contact is a 409 duplicate."""
    client = services().contacts.create(
        actor, CLIENT, body.creation_input(actor), responsible_user_id=body.responsible_user_id
    )
    return ClientOut.model_validate(client)


@router.route("/clients/{client_id}", "GET", right=Access.ANY_USER, response=ClientCard)
def get_client(actor: Actor, client_id: str) -> ClientCard:
    """The client's card with the newest entries of its feed."""
    card = services().contacts.card(actor, CLIENT, client_id)
    return ClientCard(**ClientOut.model_validate(card.contact).model_dump(), feed=FeedPage.of(card.feed))


@router.route("/clients/{client_id}", "PATCH", right=Permission.CUSTOMERS_EDIT, body=ClientPatch, response=ClientOut)
def update_client(actor: Actor, client_id: str, body: ClientPatch) -> ClientOut:
    """Edit a client; phones and emails move their guards at once; the feed records the change."""
    client = services().contacts.update(
        actor, CLIENT, client_id, body.version, body.to_input(body.name), **_reassign(body)
    )
    return ClientOut.model_validate(client)


@router.route("/clients/{client_id}", "DELETE", right=Permission.CUSTOMERS_DELETE, status=204)
def delete_client(actor: Actor, client_id: str) -> None:
    """Delete a client (its phones and emails become free)."""
    services().contacts.delete(actor, CLIENT, client_id)


@router.route("/clients/bulk", "POST", right=Access.ANY_USER, body=BulkIn, response=BulkOut)
def bulk_clients(actor: Actor, body: BulkIn) -> BulkOut:
    """Tag, untag, assign or delete up to 500 clients; each is checked against the caller's
    rights and reported on its own."""
    results = services().contacts.bulk(actor, CLIENT, body.ids, body.action, tag=body.tag, user_id=body.user_id)
    done = sum(r.status == "ok" for r in results)
    items = [BulkItemOut(id=r.id, status=r.status, message=r.message) for r in results]
    return BulkOut(done=done, failed=len(results) - done, results=items)


# --- leads -----------------------------------------------------------------------------------


@router.route("/leads", "GET", right=Access.ANY_USER, query=LeadQuery, response=LeadList)
def list_leads(actor: Actor, query: LeadQuery) -> LeadList:
    """Leads: mine, the unsorted pool, or all (with leads_view)."""
    page = _page(LEAD, actor, query)
    return LeadList.model_validate(page)


@router.route("/leads", "POST", right=Access.ANY_USER, body=LeadIn, response=LeadOut, status=201)
def create_lead(actor: Actor, body: LeadIn) -> LeadOut:
    """Create a lead: assigned to its creator, or unsorted (not processed, nobody responsible)."""
    lead = services().contacts.create(
        actor,
        LEAD,
        body.creation_input(actor, body.lead_status),
        responsible_user_id=body.responsible_user_id,
        unsorted=body.unsorted,
        lead_source=body.lead_source,
    )
    return LeadOut.model_validate(lead)


@router.route("/leads/{lead_id}", "GET", right=Access.ANY_USER, response=LeadCard)
def get_lead(actor: Actor, lead_id: str) -> LeadCard:
    """The lead's card with the newest entries of its feed."""
    card = services().contacts.card(actor, LEAD, lead_id)
    return LeadCard(**LeadOut.model_validate(card.contact).model_dump(), feed=FeedPage.of(card.feed))


@router.route("/leads/{lead_id}", "PATCH", right=Access.ANY_USER, body=LeadPatch, response=LeadOut)
def update_lead(actor: Actor, lead_id: str, body: LeadPatch) -> LeadOut:
    """Edit a lead (others' leads need leads_edit)."""
    lead = services().contacts.update(
        actor, LEAD, lead_id, body.version, body.to_input(body.name, body.lead_status), **_reassign(body)
    )
    return LeadOut.model_validate(lead)


@router.route("/leads/{lead_id}", "DELETE", right=Access.ANY_USER, status=204)
def delete_lead(actor: Actor, lead_id: str) -> None:
    """Delete a lead (others' leads need leads_delete)."""
    services().contacts.delete(actor, LEAD, lead_id)


@router.route("/leads/{lead_id}/take", "POST", right=Access.ANY_USER, response=LeadOut)
def take_lead(actor: Actor, lead_id: str) -> LeadOut:
    """Take a lead from the unsorted pool; if someone was faster: 409."""
    return LeadOut.model_validate(services().contacts.take(actor, lead_id))


@router.route("/leads/{lead_id}/close", "POST", right=Access.ANY_USER, body=CloseIn, response=ClientOut)
def close_lead(actor: Actor, lead_id: str, body: CloseIn) -> ClientOut | Response:
    """Close a lead: `client` makes it a client (same id, feed kept) and returns it; `poor_quality`
    deletes it (204)."""
    client = services().contacts.close(actor, lead_id, body.outcome)
    return ClientOut.model_validate(client) if client is not None else Response("", status_code=204)


# --- feed and notes, the same for clients and leads ------------------------------------------


def _feed_routes(kind: ContactKind, collection: str) -> None:
    """GET feed, POST / PATCH / DELETE notes under /<collection>/{<kind>_id}."""
    # API Gateway wants one name per path position: {client_id} / {lead_id}, as on the card routes.
    param = f"{kind.value}_id"
    base = f"/{collection}/{{{param}}}"

    def named(handler: Any, action: str) -> Any:
        handler.__name__ = f"{action}_{kind.value}"  # Chalice needs one name per handler
        handler.__doc__ = handler.__doc__.replace("contact", kind.value)
        return handler

    def feed(actor: Actor, query: PageQuery, **ids: str) -> FeedPage:
        """The contact's activity feed, newest first."""
        page = services().contacts.feed(actor, kind, ids[param], limit=query.limit, cursor=query.cursor)
        return FeedPage.of(page)

    def add_note(actor: Actor, body: NoteIn, **ids: str) -> FeedEntryOut:
        """Add a note to the contact's feed."""
        return FeedEntryOut.of(services().contacts.add_note(actor, kind, ids[param], body.text))

    def edit_note(actor: Actor, body: NoteIn, **ids: str) -> FeedEntryOut:
        """Edit one's own note on the contact."""
        return FeedEntryOut.of(services().contacts.edit_note(actor, kind, ids[param], ids["note_id"], body.text))

    def delete_note(actor: Actor, **ids: str) -> None:
        """Delete one's own note on the contact."""
        services().contacts.delete_note(actor, kind, ids[param], ids["note_id"])

    any_user = Access.ANY_USER
    router.route(f"{base}/feed", "GET", right=any_user, query=PageQuery, response=FeedPage)(named(feed, "feed"))
    router.route(f"{base}/notes", "POST", right=any_user, body=NoteIn, response=FeedEntryOut, status=201)(
        named(add_note, "add_note")
    )
    router.route(f"{base}/notes/{{note_id}}", "PATCH", right=any_user, body=NoteIn, response=FeedEntryOut)(
        named(edit_note, "edit_note")
    )
    router.route(f"{base}/notes/{{note_id}}", "DELETE", right=any_user, status=204)(named(delete_note, "delete_note"))


_feed_routes(CLIENT, "clients")
_feed_routes(LEAD, "leads")


# --- tags ------------------------------------------------------------------------------------


@router.route("/tags", "GET", right=Access.ANY_USER, query=PageQuery, response=TagList)
def list_tags(actor: Actor, query: PageQuery) -> TagList:
    """The tags in use, by tag, with the clients and leads the caller sees carrying them (a user
    without customers_view_all: their own clients'; without leads_view: their own and the
    pool's leads); a page may hold fewer than `limit`."""
    page = services().contacts.tags(actor, limit=query.limit, cursor=query.cursor)
    return TagList(items=[TagOut(tag=t, clients=c, leads=n) for t, c, n in page.items], next_cursor=page.next_cursor)


# --- identify --------------------------------------------------------------------------------


@router.route("/contacts/identify", "GET", right=Access.ANY_USER, query=IdentifyQuery, response=IdentifyOut)
def identify(actor: Actor, query: IdentifyQuery) -> IdentifyOut:
    """Who owns this number: a client, a lead, or a colleague's extension (404 if nobody)."""
    found = services().contacts.identify(actor, query.phone)
    return IdentifyOut(type=found.type, id=found.id, name=found.name, responsible_user_id=found.responsible_user_id)
