"""Website forms (SPEC LD-4, API-1): `POST /v1/forms/leads` with an API key (services/forms.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from chalice import Response
from pydantic import Field

from chalicelib.api.contacts import LeadOut
from chalicelib.api.routing import Router
from chalicelib.api.schemas import Input, Output
from chalicelib.bootstrap import services
from chalicelib.domain.actor import Actor
from chalicelib.domain.api_keys import ApiKey
from chalicelib.domain.rights import Access
from chalicelib.services.forms import UTM_PARAMS, FormInput

if TYPE_CHECKING:
    from chalice.app import Request

router = Router(__name__, tag="Integrations")

_UTM = Field(None, max_length=200)


class FormLeadIn(Input):
    name: str = Field(min_length=1, max_length=200)
    phone: str | None = Field(None, max_length=50)
    email: str | None = Field(None, max_length=254)
    comment: str | None = Field(None, max_length=5000)
    utm_source: str | None = _UTM
    utm_medium: str | None = _UTM
    utm_campaign: str | None = _UTM
    utm_content: str | None = _UTM
    utm_term: str | None = _UTM
    gotcha: str | None = Field(
        None,
        alias="_gotcha",
        max_length=1000,
        description="The honeypot: a field hidden from people. Filled, the post is answered as "
        "a new lead but nothing is stored",
    )

    def to_input(self) -> FormInput:
        utm = tuple((p, v) for p in UTM_PARAMS if (v := getattr(self, p.value)))
        return FormInput(
            name=self.name, phone=self.phone, email=self.email, comment=self.comment, utm=utm, honeypot=self.gotcha
        )


class FormMatchOut(Output):
    id: str = Field(description="The existing client or lead the submission was added to")
    kind: str = Field(description="client | lead")
    created: bool = Field(False, description="Always false: no new lead was created")


@router.route(
    "/forms/leads",
    "POST",
    right=Access.ANY_USER,
    body=FormLeadIn,
    response=LeadOut,
    status=201,
    raw=True,
    form=True,
    responses={200: "A returning person (same phone or email): the submission was added to the feed of their contact"},
)
def post_form_lead(actor: Actor, api_key: ApiKey | None, body: FormLeadIn, request: Request) -> LeadOut | Response:
    """A website form's lead (X-Api-Key of scope forms), in the unsorted pool; a returning
    person's submission goes to the feed of their contact instead (200). A user's token (or an
    `api` key) may post too."""
    origin = request.headers.get("origin")
    result = services().forms.submit(actor, api_key, origin, body.to_input())
    headers: dict[str, str | list[str]] = {"Content-Type": "application/json"}
    if origin:
        headers["Access-Control-Allow-Origin"] = origin
        headers["Vary"] = "Origin"
    if not result.created:
        match = FormMatchOut(id=result.contact.id, kind=result.contact.kind.value)
        return Response(match.model_dump_json(), headers=headers, status_code=200)
    return Response(LeadOut.model_validate(result.contact).model_dump_json(), headers=headers, status_code=201)
