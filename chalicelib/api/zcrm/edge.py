"""The Teamsale API's edge: authentication, parameters, envelopes and errors, once.

- Authentication: `Authorization: <userKey>:<signature>`, Zadarma's REST signature over the path
  as requested + the parameters as the client signed them (http_build_query after a top-level
  ksort) + their md5 (domain/zadarma_signing.py, the code the PBX client signs with). The user
  key is a `teamsale` API key's id; the owner's rights apply; 100 requests a minute (429).
- Parameters: the query string (GET, DELETE) or the body (POST, PUT), form-encoded with PHP
  bracket names (`lead[phones][0][phone]=...`, what every Zadarma client sends) or JSON (what the
  published description declares; signed as the same parameters would be form-encoded).
- Ids: Teamsale's small integers, per CRM (api/zcrm/ids.py): the handler's answer is resolved
  (every id numbered in one go) inside the request's id context.
- Answers: `{"status": "success", "data": <object>}` as the real service answers (the published
  description shows the inner object only: zadarma.md §3.1); a write without a result answers
  `{"status": "success"}`. Errors: `{"status": "error", "message": ...}` (400, 401, 403, 404, 429;
  a validation error also carries `data.validation_errors`, a used phone or email "Already used").
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any, cast
from urllib.parse import parse_qsl

from chalice import Response

from chalicelib.api.errors import status_of
from chalicelib.api.middleware import current_request
from chalicelib.api.routing import API_PREFIX, MAX_JSON_BODY_BYTES, VIEWS, Method, nesting
from chalicelib.api.zcrm.ids import request_ids, resolve
from chalicelib.bootstrap import services
from chalicelib.domain.errors import (
    ConflictError,
    DomainError,
    DuplicateError,
    NotFoundError,
    RateLimitedError,
    UnauthorizedError,
    ValidationError,
)
from chalicelib.domain.rights import Right
from chalicelib.domain.zadarma_signing import build_query, query_of_pairs
from chalicelib.observability import logger

if TYPE_CHECKING:
    from chalice.app import Request


ZCRM = "/zcrm"
# (module, method, path under API_PREFIX, handler's name) of every Teamsale operation, as the
# zcrm modules declare them; api/route_table.ZCRM_ROUTE_TABLE is its static copy.
ZCRM_ROUTES: list[tuple[str, str, str, str]] = []
_BRACKETS = re.compile(r"\[([^\]]*)\]")
MAX_INDEX = 100
Params = dict[str, Any]


class ZcrmRouter:
    """Declares Teamsale operations; their views go through `_serve`."""

    def __init__(self, import_name: str) -> None:
        self.module = import_name.removeprefix("chalicelib.api.")

    def route(self, path: str, method: Method, *, right: Right) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        def decorate(handler: Callable[..., Any]) -> Callable[..., Any]:
            full = API_PREFIX + ZCRM + path
            ZCRM_ROUTES.append((self.module, method, ZCRM + path, handler.__name__))

            @functools.wraps(handler)
            def view(**path_params: str) -> Response:
                return _serve(handler, method, full, right, path_params)

            VIEWS[(method, full)] = view
            return handler

        return decorate


def _serve(
    handler: Callable[..., Any], method: str, template: str, right: Right, path_params: Mapping[str, str]
) -> Response:
    from chalicelib.api.routing import _app

    request = cast("Request", current_request() or _app[0].current_request)
    try:
        params, signed = read_params(request, method)
        path = template
        for name, value in path_params.items():
            path = path.replace("{" + name + "}", value)
        actor, key = services().api_keys.authenticate_signed(request.headers.get("authorization"), path, signed)
        logger.thread_safe_append_keys(tenant_id=actor.tenant_id, user_id=actor.user_id, api_key_id=key.id)
        actor.require(right)
        with request_ids(actor):
            result = resolve(handler(actor=actor, params=params, **path_params))
    except DomainError as exc:
        return error(exc)
    except Exception:  # noqa: BLE001 - the last line of defence: log, answer 500
        logger.exception("unhandled error", extra={"route": handler.__name__})
        return _json(500, {"status": "error", "message": "Internal error"})
    if result is None:
        return _json(200, {"status": "success"})
    return _json(200, {"status": "success", "data": result})


def _json(status: int, body: Any, headers: Mapping[str, str] | None = None) -> Response:
    return Response(
        json.dumps(body, ensure_ascii=False),
        headers={"Content-Type": "application/json", **(headers or {})},
        status_code=status,
    )


def error(exc: DomainError) -> Response:
    """The Teamsale error envelope. A used phone or email and a failed validation are 400s (the
    real service answers them so, `validation_errors` naming the field); other conflicts too."""
    if isinstance(exc, UnauthorizedError):
        return _json(401, {"status": "error", "message": "Auth error"})
    if isinstance(exc, RateLimitedError):
        retry = {"Retry-After": str(exc.retry_after)} if exc.retry_after else {}
        return _json(429, {"status": "error", "message": "You exceeded the rate limit"}, retry)
    body: dict[str, Any] = {"status": "error", "message": str(exc)}
    if isinstance(exc, DuplicateError):
        field = "phones" if "phone" in (exc.field or "") else "contacts"
        body["message"] = "Already used"
        body["data"] = {"validation_errors": {field: ["Already used"]}}
        return _json(400, body)
    if isinstance(exc, ValidationError | ConflictError):
        if exc.field:
            body["data"] = {"validation_errors": {exc.field: [str(exc)]}}
        return _json(400, body)
    status, _ = status_of(exc)
    return _json(status if status < 500 else 503, body)


# --- parameters ------------------------------------------------------------------------------


def read_params(request: Request, method: str) -> tuple[Params, str]:
    """The request's parameters (nested as PHP reads bracket names) and the string they were
    signed as."""
    if method in ("GET", "DELETE"):
        query = request.query_params
        pairs: list[tuple[str, str]] = []
        if query is not None:
            getlist = getattr(query, "getlist", None)
            for name in query:
                values = getlist(name) if getlist is not None else [query[name]]
                pairs.extend((name, v) for v in values)
        return unflatten(pairs), query_of_pairs(pairs)
    raw = request.raw_body or b""
    if len(raw) > MAX_JSON_BODY_BYTES:
        raise ValidationError("the body is too large", field="body")
    text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw
    content_type = (request.headers.get("content-type") or "").lower()
    stripped = text.strip()
    if "json" in content_type or stripped.startswith(("{", "[")):
        try:
            data = json.loads(stripped) if stripped else {}
        except (ValueError, RecursionError):
            raise ValidationError("the body is not valid JSON", field="body") from None
        if not isinstance(data, dict) or nesting(data) > 16:
            raise ValidationError("the body must be a JSON object", field="body")
        return data, build_query(data)
    body_pairs = parse_qsl(text, keep_blank_values=True)
    return unflatten(body_pairs), query_of_pairs(body_pairs)


def unflatten(pairs: Iterable[tuple[str, str]]) -> Params:
    """`a[b][0][c]=v` pairs as PHP's `$_POST` reads them: nested dicts (numeric keys kept as
    strings; `as_list` turns them into lists where a list is expected)."""
    root: Params = {}
    for name, value in pairs:
        head, _, rest = name.partition("[")
        keys = [head, *_BRACKETS.findall("[" + rest)] if rest else [head]
        node: Any = root
        for i, key in enumerate(keys):
            last = i == len(keys) - 1
            if key == "":
                key = str(len(node)) if isinstance(node, dict) else "0"
            if not isinstance(node, dict):
                break
            if last:
                node[key] = value
            else:
                child = node.get(key)
                if not isinstance(child, dict):
                    child = {}
                    node[key] = child
                node = child
    return root


def as_list(value: Any, field: str) -> list[Any]:
    """A list parameter given as a JSON array or as PHP indexed brackets."""
    if value is None or value == "":
        return []
    if isinstance(value, list):
        return value
    if isinstance(value, dict):
        return [value[k] for k in sorted(value, key=lambda k: int(k) if str(k).isdigit() else MAX_INDEX)]
    raise ValidationError(f"{field} must be a list", field=field)


def as_dict(value: Any, field: str) -> Params:
    if value is None or value == "":
        return {}
    if isinstance(value, dict):
        return value
    raise ValidationError(f"{field} must be an object", field=field)


def text(params: Mapping[str, Any], name: str, *, max_length: int = 2000) -> str | None:
    value = params.get(name)
    if value is None:
        return None
    if isinstance(value, dict | list):
        raise ValidationError(f"{name} must be a string", field=name)
    result = str(value) if not isinstance(value, bool) else ("1" if value else "0")
    if len(result) > max_length:
        raise ValidationError(f"{name} is longer than {max_length} characters", field=name)
    return result


def integer(
    params: Mapping[str, Any], name: str, default: int | None = None, *, low: int = 0, high: int = 10**9
) -> int | None:
    value = params.get(name)
    if value is None or value == "":
        return default
    if isinstance(value, bool | dict | list):
        raise ValidationError(f"{name} must be an integer", field=name)
    try:
        number = int(str(value).strip())
    except ValueError:
        raise ValidationError(f"{name} must be an integer", field=name) from None
    if not low <= number <= high:
        raise ValidationError(f"{name} must be between {low} and {high}", field=name)
    return number


def paging(params: Mapping[str, Any]) -> tuple[int, int]:
    """`take` (default 20, at most 100) and `skip`."""
    take = integer(params, "take", 20, low=0, high=10**6) or 0
    skip = integer(params, "skip", 0, low=0, high=10**6) or 0
    return min(take, 100), skip


def not_found(what: str) -> NotFoundError:
    return NotFoundError(f"{what} not found")
