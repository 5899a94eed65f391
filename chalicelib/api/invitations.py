"""Invitations by email and shareable links (SPEC TM-3)."""

from __future__ import annotations

from pydantic import EmailStr, Field, SecretStr

from chalicelib.api.routing import Router
from chalicelib.api.schemas import Id, Input, Output, UserOut, UtcDateTime
from chalicelib.bootstrap import services
from chalicelib.domain.actor import Actor
from chalicelib.domain.invitations import MAX_EMAILS_PER_REQUEST
from chalicelib.domain.rights import Access, Permission
from chalicelib.domain.users import PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH

router = Router(__name__, tag="Team")


class InvitationsIn(Input):
    emails: list[EmailStr] = Field(min_length=1, max_length=MAX_EMAILS_PER_REQUEST)
    group_id: Id | None = Field(None, description="Default: the Managers group")


class InvitationSent(Output):
    email: str
    status: str = Field(description="sent | already_member | failed (the email could not be sent; retry)")
    user_id: str | None
    expires_at: UtcDateTime | None


class InvitationsSent(Output):
    items: list[InvitationSent]


class PendingInvitation(Output):
    id: str
    email: str | None = Field(description="null for a shareable link")
    group_id: str
    created_by: str
    created_at: UtcDateTime
    expires_at: UtcDateTime


class PendingInvitations(Output):
    items: list[PendingInvitation]
    next_cursor: None = Field(None, description="Always null: the pending invitations (at most 100) are one page")


class PendingQuery(Input):
    """No parameters: the list is one page, so a `cursor` (of another list, say) is a 400, not ignored."""


class LinkIn(Input):
    group_id: Id | None = Field(None, description="Default: the Managers group")


class LinkOut(Output):
    url: str
    token: str
    expires_at: UtcDateTime


class AcceptIn(Input):
    token: SecretStr = Field(min_length=1, max_length=200)
    name: str = Field(min_length=1, max_length=100)
    password: SecretStr = Field(min_length=PASSWORD_MIN_LENGTH, max_length=PASSWORD_MAX_LENGTH)
    email: EmailStr | None = Field(None, description="Required for a shared link; an emailed invitation fixes it")


@router.route(
    "/invitations", "POST", right=Permission.TEAM_ADD, body=InvitationsIn, response=InvitationsSent, status=201
)
def invite(actor: Actor, body: InvitationsIn) -> InvitationsSent:
    """Invite several people at once; each receives an email with a single-use link."""
    results = services().invitations.invite(actor, list(body.emails), body.group_id)
    return InvitationsSent(items=[InvitationSent.model_validate(r) for r in results])


@router.route("/invitations", "GET", right=Permission.TEAM_ADD, query=PendingQuery, response=PendingInvitations)
def list_invitations(actor: Actor, query: PendingQuery) -> PendingInvitations:
    """Invitations not accepted yet, newest first."""
    pending = services().invitations.list_pending(actor)
    return PendingInvitations(items=[PendingInvitation.model_validate(i) for i in pending])


@router.route("/invitation-links", "POST", right=Permission.TEAM_ADD, body=LinkIn, response=LinkOut, status=201)
def create_invitation_link(actor: Actor, body: LinkIn) -> LinkOut:
    """A shareable single-use link into one group."""
    link = services().invitations.create_link(actor, body.group_id)
    return LinkOut(url=link.url, token=link.token, expires_at=link.expires_at)


@router.route("/invitations/accept", "POST", right=Access.PUBLIC, body=AcceptIn, response=UserOut, status=201)
def accept_invitation(body: AcceptIn) -> UserOut:
    """Join a CRM: choose a password (and give an email for a shared link)."""
    user = services().invitations.accept(
        body.token.get_secret_value(), body.name, body.password.get_secret_value(), body.email
    )
    return UserOut.of(user)
