"""Creating a CRM (public onboarding, SPEC ON-1..3)."""

from __future__ import annotations

from pydantic import EmailStr, Field, SecretStr

from chalicelib.api.routing import Router
from chalicelib.api.schemas import Input, Output, UserOut
from chalicelib.bootstrap import services
from chalicelib.domain.crm import NAME_MAX_LENGTH
from chalicelib.domain.rights import Access
from chalicelib.domain.users import EXTENSION_PATTERN, PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH
from chalicelib.services.crms import MAX_EXTRA_USERS, NewCrm, NewUser, PbxCredentials

router = Router(__name__, tag="CRMs")


class NewUserIn(Input):
    name: str = Field(min_length=1, max_length=100)
    email: EmailStr
    extension: str | None = Field(None, pattern=EXTENSION_PATTERN.pattern, examples=["101"])


class AdminIn(Input):
    name: str = Field(min_length=1, max_length=100)
    email: EmailStr
    password: SecretStr = Field(min_length=PASSWORD_MIN_LENGTH, max_length=PASSWORD_MAX_LENGTH)
    extension: str = Field(pattern=EXTENSION_PATTERN.pattern, examples=["100"])


class PbxIn(Input):
    api_key: str = Field(min_length=1, max_length=200)
    api_secret: SecretStr = Field(min_length=1, max_length=200, description="Also verifies the PBX's webhooks")


class CreateCrmIn(Input):
    name: str = Field(
        min_length=1,
        max_length=NAME_MAX_LENGTH,
        description="Latin letters, digits, spaces and hyphens; becomes the CRM's unique slug",
        examples=["Acme Sales"],
    )
    admin: AdminIn
    users: list[NewUserIn] = Field(default_factory=list, max_length=MAX_EXTRA_USERS)
    country: str = Field("FR", min_length=2, max_length=2, description="ISO 3166 alpha-2; default region for phones")
    timezone: str = Field("Europe/Paris", description="IANA time zone")
    pbx: PbxIn | None = None


class CrmOut(Output):
    id: str
    slug: str
    name: str
    country: str
    timezone: str
    has_pbx_credentials: bool


class CreateCrmOut(Output):
    crm: CrmOut
    admin: UserOut
    users: list[UserOut]


@router.route("/crms", "POST", right=Access.PUBLIC, body=CreateCrmIn, response=CreateCrmOut, status=201)
def create_crm(body: CreateCrmIn) -> CreateCrmOut:
    """Create a CRM with its administrator, optional users and PBX credentials."""
    created = services().crms.create(
        NewCrm(
            name=body.name,
            admin=NewUser(name=body.admin.name, email=body.admin.email, extension=body.admin.extension),
            admin_password=body.admin.password.get_secret_value(),
            users=tuple(NewUser(name=u.name, email=u.email, extension=u.extension) for u in body.users),
            country=body.country,
            timezone=body.timezone,
            pbx=(
                PbxCredentials(api_key=body.pbx.api_key, api_secret=body.pbx.api_secret.get_secret_value())
                if body.pbx
                else None
            ),
        )
    )
    return CreateCrmOut(
        crm=CrmOut.model_validate(created.crm),
        admin=UserOut.of(created.admin),
        users=[UserOut.of(u) for u in created.users],
    )
