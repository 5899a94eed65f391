"""Public API keys (SPEC API-1): each user's own keys; administrators see and revoke all."""

from __future__ import annotations

from pydantic import Field

from chalicelib.api.routing import Router
from chalicelib.api.schemas import Id, Input, Output, PageOut, PageQuery, UtcDateTime
from chalicelib.bootstrap import services
from chalicelib.domain.actor import Actor
from chalicelib.domain.api_keys import (
    DEFAULT_RATE_LIMIT,
    MAX_NAME_LENGTH,
    MAX_ORIGINS,
    MAX_RATE_LIMIT,
    ApiKey,
    ApiKeyScope,
)
from chalicelib.domain.rights import Access

router = Router(__name__, tag="Integrations")


class ApiKeyIn(Input):
    name: str = Field(min_length=1, max_length=MAX_NAME_LENGTH, examples=["Website contact form"])
    scope: ApiKeyScope = Field(
        description="`api`: every route, with your rights; `forms`: only POST /v1/forms/leads; "
        "`teamsale`: only the Teamsale-compatible API (/v1/zcrm/*, signed requests, 100 a minute)"
    )
    allowed_origins: list[str] = Field(
        default_factory=list,
        max_length=MAX_ORIGINS,
        description="Browser origins a form may be posted from (`https://shop.example`); empty: any",
    )
    rate_limit: int = Field(DEFAULT_RATE_LIMIT, ge=1, le=MAX_RATE_LIMIT, description="Requests a minute")


class ApiKeyOut(Output):
    id: str
    name: str
    scope: str
    prefix: str = Field(
        description="The key's visible beginning (`crm_<id>`), to recognise it; a Teamsale key's user key"
    )
    user_id: str = Field(description="The key's owner: requests with it act as this user")
    allowed_origins: list[str]
    rate_limit: int
    created_at: UtcDateTime
    last_used_at: UtcDateTime | None = Field(description="Refreshed at most once a minute")

    @classmethod
    def of(cls, key: ApiKey) -> ApiKeyOut:
        return cls(
            id=key.id,
            name=key.name,
            scope=key.scope.value,
            prefix=key.id if key.scope is ApiKeyScope.TEAMSALE else key.prefix,
            user_id=key.user_id,
            allowed_origins=list(key.allowed_origins),
            rate_limit=key.rate_limit,
            created_at=key.created_at,
            last_used_at=key.last_used_at,
        )


class CreatedApiKeyOut(ApiKeyOut):
    key: str = Field(description="The key itself, shown in this answer only: store it now (Teamsale: the user key)")
    secret: str | None = Field(
        None, description="A Teamsale key's secret, which signs its requests: shown in this answer only"
    )


class ApiKeyList(PageOut):
    items: list[ApiKeyOut]


class SnippetOut(Output):
    html: str = Field(description="A form posting to POST /v1/forms/leads; paste your key where it says")
    endpoint: str


@router.route("/api-keys", "GET", right=Access.ANY_USER, query=PageQuery, response=ApiKeyList)
def list_api_keys(actor: Actor, query: PageQuery) -> ApiKeyList:
    """Your API keys, newest first (an administrator's: every key of the CRM)."""
    page = services().api_keys.page(actor, limit=query.limit, cursor=query.cursor)
    return ApiKeyList(items=[ApiKeyOut.of(k) for k in page.items], next_cursor=page.next_cursor)


@router.route("/api-keys", "POST", right=Access.ANY_USER, body=ApiKeyIn, response=CreatedApiKeyOut, status=201)
def create_api_key(actor: Actor, body: ApiKeyIn) -> CreatedApiKeyOut:
    """Create an API key of your own; the key is in this answer only."""
    key, text = services().api_keys.create(
        actor, body.name, body.scope, allowed_origins=body.allowed_origins, rate_limit=body.rate_limit
    )
    if key.scope is ApiKeyScope.TEAMSALE:
        return CreatedApiKeyOut(**ApiKeyOut.of(key).model_dump(), key=key.id, secret=text)
    return CreatedApiKeyOut(**ApiKeyOut.of(key).model_dump(), key=text)


@router.route("/api-keys/{api_key_id}", "DELETE", right=Access.ANY_USER, status=204)
def delete_api_key(actor: Actor, api_key_id: Id) -> None:
    """Revoke an API key (yours, or any of the CRM's for an administrator): refused at once."""
    services().api_keys.delete(actor, api_key_id)


@router.route("/api-keys/{api_key_id}/snippet", "GET", right=Access.ANY_USER, response=SnippetOut)
def get_api_key_snippet(actor: Actor, api_key_id: Id) -> SnippetOut:
    """A ready HTML form for a website, posting leads with this key."""
    from chalicelib.api.form_snippet import snippet

    key = services().api_keys.get(actor, api_key_id)
    endpoint = services().settings.app_url.rstrip("/") + "/v1/forms/leads"
    return SnippetOut(html=snippet(endpoint, key.prefix), endpoint=endpoint)
