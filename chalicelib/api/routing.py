"""Route declaration: authentication, parsing, validation, rendering and error mapping, once.

A route module declares its endpoints with `Router.route(...)` and writes only the call to the
service. The wrapper:
- verifies the bearer token, loads the caller and checks the route's declared right (every
  route must declare one: a permission flag, or Access.PUBLIC / ANY_USER / ADMIN),
- parses the JSON body and the query string into the declared pydantic models (400 naming the
  field on bad input), then calls the handler with `actor=`, `body=`, `query=` and path params,
- renders the returned model as JSON with the declared status,
- maps domain errors to the error envelope and any other exception to a logged 500.
Every declaration is recorded in `ROUTES`, from which the OpenAPI document is generated.

Route modules load lazily: `install` registers on the app, from the static `ROUTE_TABLE`
(api/route_table.py), one view per endpoint that imports its module on the first request it
serves. A cold Lambda thus builds only the models and services of the route it answers.
`all_routes()` loads every module (the OpenAPI document, tests); a test checks the table against
the modules' declarations.
"""

from __future__ import annotations

import functools
import importlib
import json
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Literal, TypeVar, cast

import pydantic
from chalice import CORSConfig, Response

from chalicelib.api.auth import verifier
from chalicelib.api.errors import error_response, internal_error_response
from chalicelib.api.middleware import current_request
from chalicelib.api.route_table import MODULES, ROUTE_TABLE, ZCRM_ROUTE_TABLE
from chalicelib.bootstrap import services
from chalicelib.config import get_settings
from chalicelib.domain.errors import (
    DomainError,
    ForbiddenError,
    NotFoundError,
    PayloadTooLargeError,
    ValidationError,
)
from chalicelib.domain.ids import MAX_ID_LENGTH
from chalicelib.domain.rights import Access, Right
from chalicelib.observability import logger

if TYPE_CHECKING:
    from chalice import Chalice
    from chalice.app import Request

    from chalicelib.domain.actor import Actor
    from chalicelib.domain.api_keys import ApiKey

API_PREFIX = "/v1"
MAX_JSON_BODY_BYTES = 1_000_000
# No request body of this API nests anywhere near this deep; deeper ones are refused before
# pydantic or a JSON attribute would recurse through them.
MAX_JSON_DEPTH = 32
# A string: pydantic.BaseModel (pydantic.main) loads with the first route module, not at start.
M = TypeVar("M", bound="pydantic.BaseModel")
Method = Literal["GET", "POST", "PUT", "PATCH", "DELETE"]


class AppOriginCors(CORSConfig):
    """CORS for the web app's origin only (`APP_URL`), read from the settings when a response (or
    `chalice package`'s preflight) needs it rather than at import time."""

    def get_access_control_headers(self) -> dict[str, str]:
        return {**super().get_access_control_headers(), "Access-Control-Allow-Origin": get_settings().app_origin}


CORS = AppOriginCors(
    allow_headers=["Authorization", "Content-Type", "X-Api-Key"],
    expose_headers=["X-Request-Id"],
    max_age=600,
)
# Website forms are posted from other sites' pages: their preflight (which carries no key, so
# cannot name one) is open to any origin; the POST checks the key's own allowed origins (403).
FORMS_CORS = CORSConfig(
    allow_origin="*",
    allow_headers=["Content-Type", "X-Api-Key"],
    expose_headers=["X-Request-Id", "Retry-After"],
    max_age=600,
)
FORM_PATHS = frozenset({"/forms/leads"})


@dataclass(frozen=True, slots=True)
class RouteSpec:
    """One endpoint as declared: the source of routing, validation and the OpenAPI document."""

    method: Method
    path: str
    name: str
    summary: str
    tag: str
    right: Right
    body: type[pydantic.BaseModel] | None
    query: type[pydantic.BaseModel] | None
    response: type[pydantic.BaseModel] | None
    status: int
    # Statuses the route answers besides its own and the errors every route may answer (a public
    # route's 401, a redirect...), each with its description, for the OpenAPI document.
    responses: tuple[tuple[int, str], ...] = ()
    # The route module declaring it (`contacts` for chalicelib.api.contacts).
    module: str = ""


ROUTES: list[RouteSpec] = []
# The wrapped view of each declared endpoint, by (method, path with API_PREFIX).
VIEWS: dict[tuple[str, str], Callable[..., Response]] = {}
_app: list[Chalice] = []


def is_public(spec: RouteSpec) -> bool:
    return spec.right is Access.PUBLIC


class Router:
    """A Chalice Blueprint whose routes go through the wrapper above."""

    def __init__(self, import_name: str, tag: str) -> None:
        self.module = import_name.rsplit(".", 1)[-1]
        self.tag = tag

    def route(
        self,
        path: str,
        method: Method,
        *,
        right: Right,
        body: type[pydantic.BaseModel] | None = None,
        query: type[pydantic.BaseModel] | None = None,
        response: type[pydantic.BaseModel] | None = None,
        status: int = 200,
        raw: bool = False,
        responses: Mapping[int, str] | None = None,
        form: bool = False,
    ) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        """`raw=True` hands the handler the request itself (`request=`), for bodies that are not
        JSON (the PBX's form-encoded webhooks); the handler then answers with a chalice Response.
        `responses`: other statuses it answers ({401: "bad credentials"} on a public route).
        `form=True`: a website-form route (its path in FORM_PATHS), which `forms` keys open too;
        the handler gets the key (`api_key=`, None for a bearer token)."""

        def decorate(handler: Callable[..., Any]) -> Callable[..., Any]:
            spec = RouteSpec(
                method=method,
                path=API_PREFIX + path,
                name=handler.__name__,
                summary=(handler.__doc__ or handler.__name__).strip().splitlines()[0],
                tag=self.tag,
                right=right,
                body=body,
                query=query,
                response=response,
                status=status,
                responses=tuple(sorted((responses or {}).items())),
                module=self.module,
            )
            ROUTES.append(spec)

            @functools.wraps(handler)
            def view(**path_params: str) -> Response:
                request = cast("Request", current_request() or _app[0].current_request)
                try:
                    kwargs: dict[str, Any] = dict(path_params)
                    if right is not Access.PUBLIC:
                        actor, api_key = caller(request, form=form)
                        # Declared on the route, checked before the body is even parsed.
                        actor.require(right)
                        kwargs["actor"] = actor
                        if form:
                            kwargs["api_key"] = api_key
                    check_path_params(path_params)
                    if body is not None:
                        kwargs["body"] = parse_body(request.raw_body, body)
                    if query is not None:
                        kwargs["query"] = parse_query(request.query_params, query)
                    if raw:
                        kwargs["request"] = request
                    return render(handler(**kwargs), status)
                except DomainError as exc:
                    return error_response(exc)
                except Exception:  # noqa: BLE001 - the last line of defence: log, answer 500
                    logger.exception("unhandled error", extra={"route": spec.name})
                    return internal_error_response()

            VIEWS[(method, spec.path)] = view
            return handler

        return decorate


class LazyView:
    """An endpoint's view as Chalice holds it: imports the route module on its first call.
    Chalice's OpenAPI export (`chalice package`) reads the handler's docstring through `__doc__`."""

    def __init__(self, module: str, method: str, path: str, name: str) -> None:
        self.module, self.method, self.path, self.__name__ = module, method, path, name

    def target(self) -> Callable[..., Response]:
        view = VIEWS.get((self.method, self.path))
        if view is None:
            importlib.import_module(f"{__package__}.{self.module}")
            view = VIEWS[(self.method, self.path)]
        return view

    def __call__(self, **path_params: str) -> Response:
        return self.target()(**path_params)

    @property
    def __doc__(self) -> str | None:  # type: ignore[override]
        return self.target().__doc__


def install(app: Chalice) -> None:
    """Register every endpoint of ROUTE_TABLE on the app, each loading its module when called."""
    _app[:] = [app]
    for module, method, path, name in ROUTE_TABLE:
        # Every content type reaches the view, which parses JSON itself: clients that
        # forget the header (curl -d) still work, and errors keep the API's envelope.
        view = LazyView(module, method, API_PREFIX + path, name)
        url = "/".join([API_PREFIX.rstrip("/"), path.strip("/")]).rstrip("/")  # as a Blueprint's url_prefix
        cors = FORMS_CORS if path in FORM_PATHS else CORS
        app.route(url, methods=[method], name=name, content_types=["*/*"], cors=cors)(view)
    # The Teamsale-compatible API (api/zcrm): called by servers, not browsers (no CORS).
    for module, method, path, name in ZCRM_ROUTE_TABLE:
        view = LazyView(module, method, API_PREFIX + path, name)
        app.route(API_PREFIX + path, methods=[method], name=name, content_types=["*/*"])(view)


def all_routes() -> list[RouteSpec]:
    """Every declared endpoint (all route modules loaded), in ROUTE_TABLE's order."""
    for module in MODULES:
        importlib.import_module(f"{__package__}.{module}")
    order = {(API_PREFIX + path, method): i for i, (_, method, path, _) in enumerate(ROUTE_TABLE)}
    return sorted(ROUTES, key=lambda spec: order.get((spec.path, spec.method), len(order)))


def declared_table() -> tuple[tuple[str, str, str, str], ...]:
    """ROUTE_TABLE as the route modules declare it (module order of MODULES, then declaration)."""
    specs = all_routes()
    return tuple(
        (spec.module, spec.method, spec.path.removeprefix(API_PREFIX), spec.name)
        for module in MODULES
        for spec in specs
        if spec.module == module
    )


def caller(request: Request, *, form: bool = False) -> tuple[Actor, ApiKey | None]:
    """Who makes the request: the owner of the `X-Api-Key` when one is given (with the key),
    else the user of the `Authorization: Bearer` token. A `forms` key opens only form routes."""
    presented = request.headers.get("x-api-key")
    if presented is None:
        return authenticate(request.headers.get("authorization")), None
    from chalicelib.domain.api_keys import ApiKeyScope

    actor, key = services().api_keys.authenticate(presented)
    logger.thread_safe_append_keys(tenant_id=actor.tenant_id, user_id=actor.user_id, api_key_id=key.id)
    if key.scope is ApiKeyScope.FORMS and not form:
        raise ForbiddenError("this key's scope is 'forms': it opens only POST /v1/forms/leads")
    return actor, key


def authenticate(authorization: str | None) -> Actor:
    """The caller behind an Authorization header (verified token, active user, group rights)."""
    actor = services().auth.actor(verifier().principal(authorization))
    logger.thread_safe_append_keys(tenant_id=actor.tenant_id, user_id=actor.user_id)
    return actor


def check_path_params(params: Mapping[str, str]) -> None:
    """A path id longer than any id handed out names nothing (and would exceed a DynamoDB key)."""
    for name, value in params.items():
        if len(value) > MAX_ID_LENGTH:
            raise NotFoundError(f"no such {name.removesuffix('_id').replace('_', ' ')}", field=name)


def parse_body(raw: str | bytes | None, model: type[M]) -> M:
    if raw is not None and len(raw) > MAX_JSON_BODY_BYTES:
        raise PayloadTooLargeError(f"the body is larger than {MAX_JSON_BODY_BYTES} bytes", field="body")
    if not raw or not raw.strip():
        if any(f.is_required() for f in model.model_fields.values()):
            raise ValidationError("a JSON body is required", field="body")
        return validate(model, {})
    try:
        data = json.loads(raw, parse_float=exact_float)
    except RecursionError:
        raise ValidationError(f"the body nests deeper than {MAX_JSON_DEPTH} levels", field="body") from None
    except (ValueError, UnicodeDecodeError):
        raise ValidationError("the body is not valid JSON", field="body") from None
    if not isinstance(data, dict):
        raise ValidationError("the body must be a JSON object", field="body")
    if nesting(data) > MAX_JSON_DEPTH:
        raise ValidationError(f"the body nests deeper than {MAX_JSON_DEPTH} levels", field="body")
    return validate(model, data)


def exact_float(text: str) -> float | Decimal:
    """A JSON number with a fraction or exponent: a float, unless a float cannot hold it
    (`1e-999999999` is not 0, `1e999999999` not infinity): then the exact Decimal, which the
    field then refuses as out of range instead of reading another number."""
    number = float(text)
    if number == 0.0 or math.isinf(number):
        exact = Decimal(text)
        if exact != 0 and (number == 0.0 or exact.is_finite()):
            return exact
    return number


def nesting(value: Any) -> int:
    """How deep objects and arrays nest in a parsed JSON value (iterative: no recursion limit)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict | list):
            deepest = max(deepest, depth)
            stack.extend((child, depth + 1) for child in (node.values() if isinstance(node, dict) else node))
    return deepest


def parse_query(params: Mapping[str, str] | None, model: type[M]) -> M:
    """A parameter given twice (`?tag=a&tag=b`) is a 400 naming it: no filter takes a list, and
    silently keeping one of the values would answer another question than the one asked."""
    getlist = getattr(params, "getlist", None)
    for name in params or {}:
        if getlist is not None and len(getlist(name)) > 1:
            raise ValidationError(f"{name}: given more than once; it takes one value", field=name)
    return validate(model, dict(params or {}), query=True)


def validate(model: type[M], data: dict[str, Any], *, query: bool = False) -> M:
    """`query`: the values are a query string's (its booleans are written `true`/`false`)."""
    try:
        return model.model_validate(data, context={"query": query})
    except pydantic.ValidationError as exc:
        raise validation_error(exc) from None
    except RecursionError:
        raise ValidationError("the input nests too deeply", field="body") from None


def validation_error(exc: pydantic.ValidationError) -> ValidationError:
    """The first problem pydantic found, with its location as an API field path (`users[1].email`)."""
    first = exc.errors(include_input=False, include_url=False)[0]
    path = field_path(first["loc"])
    message = first["msg"]
    return ValidationError(f"{path}: {message}" if path else message, field=path or "body")


def field_path(loc: tuple[int | str, ...]) -> str:
    path = ""
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path


def render(result: Any, status: int) -> Response:
    if isinstance(result, Response):
        return result
    if result is None:
        return Response("", status_code=status)
    if isinstance(result, pydantic.BaseModel):
        return Response(result.model_dump_json(), headers={"Content-Type": "application/json"}, status_code=status)
    return Response(json.dumps(result), headers={"Content-Type": "application/json"}, status_code=status)
