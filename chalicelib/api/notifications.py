"""The notification center (API.md "Notifications", NT-1): the caller's own notifications."""

from __future__ import annotations

from pydantic import Field

from chalicelib.api.routing import Router
from chalicelib.api.schemas import Id, Input, Output, PageOut, PageQuery, UtcDateTime
from chalicelib.bootstrap import services
from chalicelib.domain.actor import Actor
from chalicelib.domain.errors import ValidationError
from chalicelib.domain.notifications import MAX_READ_IDS, LinkType, NotificationKind
from chalicelib.domain.rights import Access
from chalicelib.services.notifications import Shown

router = Router(__name__, tag="Notifications")


class NotificationQuery(PageQuery):
    unread: bool = Field(False, description="true: only the unread ones; false (default): all of them")


class LinkOut(Output):
    type: LinkType
    id: str


class NotificationOut(Output):
    id: str
    kind: NotificationKind
    time: UtcDateTime
    read: bool
    title: str = Field(description="In the language of the user told (their profile's, when it was made)")
    link: LinkOut | None = Field(None, description="The record it opens; absent when there is none")

    @classmethod
    def of(cls, shown: Shown) -> NotificationOut:
        n = shown.notification
        link = LinkOut(type=n.link.type, id=n.link.id) if n.link else None
        return cls(id=n.id, kind=n.kind, time=n.time, read=shown.read, title=n.title, link=link)


class NotificationList(PageOut):
    items: list[NotificationOut]
    unread_count: int = Field(description="The caller's unread notifications (whatever the filter)")


class UnreadOut(Output):
    unread: int


class ReadIn(Input):
    ids: list[Id] | None = Field(
        None, max_length=MAX_READ_IDS, description="Notifications to mark read; ids of none of yours are ignored"
    )
    all: bool | None = Field(None, description="true: mark every notification read")


@router.route("/notifications", "GET", right=Access.ANY_USER, query=NotificationQuery, response=NotificationList)
def list_notifications(actor: Actor, query: NotificationQuery) -> NotificationList:
    """Your notifications, newest first (the last 90 days), and your unread count."""
    listing = services().notifications.page(actor, unread=query.unread, limit=query.limit, cursor=query.cursor)
    return NotificationList(
        items=[NotificationOut.of(s) for s in listing.page.items],
        next_cursor=listing.page.next_cursor,
        unread_count=listing.unread_count,
    )


@router.route("/notifications/unread-count", "GET", right=Access.ANY_USER, response=UnreadOut)
def unread_count(actor: Actor) -> UnreadOut:
    """Your unread count (one read of a counter)."""
    return UnreadOut(unread=services().notifications.unread_count(actor))


@router.route("/notifications/read", "POST", right=Access.ANY_USER, body=ReadIn, response=UnreadOut)
def read_notifications(actor: Actor, body: ReadIn) -> UnreadOut:
    """Mark notifications read: `{"ids": [...]}` (at most 100) or `{"all": true}`; answers the
    unread count."""
    if body.ids is not None and body.all is not None:
        raise ValidationError("give either ids or all, not both", field="all")
    if body.all is not None:
        if not body.all:
            raise ValidationError("all is true when given", field="all")
        return UnreadOut(unread=services().notifications.read_all(actor))
    if body.ids is None:
        raise ValidationError('give "ids" (a list) or "all": true', field="ids")
    return UnreadOut(unread=services().notifications.read(actor, body.ids))
