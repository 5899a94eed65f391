"""The OpenAPI 3.1 document, generated from the declared routes and their pydantic models."""

from __future__ import annotations

import re
from typing import Any

import pydantic
from pydantic.json_schema import models_json_schema

from chalicelib.api.errors import ERROR_CODES
from chalicelib.api.routing import RouteSpec, all_routes, is_public
from chalicelib.api.schemas import MAX_ID_LENGTH, ErrorEnvelope
from chalicelib.domain.clock import EARLIEST_YEAR, LATEST_YEAR
from chalicelib.domain.properties import KEY_PATTERN, MAX_TEXT

_REF = "#/components/schemas/{model}"
_SUCCESS = {201: "Created", 202: "Accepted: it goes on in the background", 204: "Done; no content"}
_PATH_PARAM = re.compile(r"{(\w+)}")


def document(title: str = "CRM API", version: str = "1.0.0") -> dict[str, Any]:
    """Build the document for every route (this loads every route module)."""
    routes = all_routes()
    models: list[tuple[type[pydantic.BaseModel], str]] = [(ErrorEnvelope, "serialization")]
    for spec in routes:
        if spec.body is not None:
            models.append((spec.body, "validation"))
        if spec.response is not None:
            models.append((spec.response, "serialization"))
    refs, definitions = models_json_schema(_unique(models), ref_template=_REF)
    components = definitions.get("$defs", {})
    for spec in routes:
        if spec.query is not None:  # enums used only in a query string live in its own $defs
            components.update(spec.query.model_json_schema(ref_template=_REF).get("$defs", {}))
    for component in components.values():
        for name, prop in component.get("properties", {}).items():
            component["properties"][name] = _with_date_bounds(prop)

    paths: dict[str, dict[str, Any]] = {}
    for spec in routes:
        paths.setdefault(spec.path, {})[spec.method.lower()] = _operation(spec, refs)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": title,
            "version": version,
            "description": "Serverless CRM for sales teams on the phone. Errors share one envelope: "
            '{"error": {"code", "message", "field"?}}.',
        },
        "servers": [{"url": "/"}],
        "paths": paths,
        "components": {
            "schemas": components,
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"},
                # An API key acts as its owner (scope `forms`: only POST /v1/forms/leads).
                "apiKey": {"type": "apiKey", "in": "header", "name": "X-Api-Key"},
            },
        },
    }


def _operation(spec: RouteSpec, refs: dict[Any, dict[str, Any]]) -> dict[str, Any]:
    operation: dict[str, Any] = {
        "operationId": spec.name,
        "summary": spec.summary,
        "tags": [spec.tag],
        # The right the caller's group needs: a permission flag, or public / any_user / admin.
        "x-required-right": spec.right.value,
    }
    # A longer path id names nothing: 404 (routing.check_path_params).
    parameters = [
        {"name": name, "in": "path", "required": True, "schema": {"type": "string", "maxLength": MAX_ID_LENGTH}}
        for name in _PATH_PARAM.findall(spec.path)
    ]
    if spec.query is not None:
        schema = spec.query.model_json_schema(ref_template=_REF)
        required = set(schema.get("required", []))
        parameters += [
            {"name": name, "in": "query", "required": name in required, "schema": _with_date_bounds(prop)}
            for name, prop in schema.get("properties", {}).items()
        ]
        if getattr(spec.query, "PROPERTY_FILTERS", False):
            parameters.append(_PROPERTY_FILTERS)
    if parameters:
        operation["parameters"] = parameters
    if spec.body is not None:
        operation["requestBody"] = {
            # As routing.parse_body: an absent body is the empty object unless a field is required.
            "required": any(f.is_required() for f in spec.body.model_fields.values()),
            "content": {"application/json": {"schema": refs[(spec.body, "validation")]}},
        }
    declared = dict(spec.responses)
    success: dict[str, Any] = {"description": declared.pop(spec.status, _SUCCESS.get(spec.status, "Success"))}
    if spec.response is not None:
        success["content"] = {"application/json": {"schema": refs[(spec.response, "serialization")]}}
    responses: dict[str, Any] = {str(spec.status): success}
    error = {"application/json": {"schema": {"$ref": _REF.format(model="ErrorEnvelope")}}}
    for status, codes in ERROR_CODES.items():
        # Without a token there is no caller to refuse: a public route answers 401/403 only
        # when it says so (login's bad credentials, a webhook's bad signature).
        if is_public(spec) and status in (401, 403) and status not in declared:
            continue
        description = " | ".join(codes) + (f": {declared.pop(status)}" if status in declared else "")
        responses[str(status)] = {"description": description, "content": error}
    for status, description in declared.items():
        responses[str(status)] = {"description": description}
    operation["responses"] = dict(sorted(responses.items()))
    if not is_public(spec):
        operation["security"] = [{"bearer": []}, {"apiKey": []}]
    return operation


# `property.<key>=<value>` filters of the client and lead lists: an object exploded into the
# query string (form style), each of its members one parameter named `property.<key>`.
_PROPERTY_FILTERS: dict[str, Any] = {
    "name": "property",
    "in": "query",
    "required": False,
    "style": "form",
    "explode": True,
    "description": "Custom property filters: `property.<key>=<value>` (a defined property's key; a text value "
    "matches ignoring case and accents, others exactly). Combine with any other filter.",
    "schema": {
        "type": "object",
        "patternProperties": {
            rf"^property\.{KEY_PATTERN.pattern.lstrip('^')}": {"type": "string", "maxLength": MAX_TEXT}
        },
        "additionalProperties": False,
    },
}


def _with_date_bounds(prop: dict[str, Any]) -> dict[str, Any]:
    """A date or date-time property says which years the API accepts (schemas.Input checks them)."""
    branches = [prop, *prop.get("anyOf", [])]
    if not any(b.get("format") in ("date", "date-time") for b in branches):
        return prop
    bounds = f"Years {EARLIEST_YEAR} to {LATEST_YEAR}."
    description = prop.get("description")
    return {**prop, "description": f"{description.rstrip('.')}. {bounds}" if description else bounds}


def _unique(models: list[tuple[type[pydantic.BaseModel], str]]) -> list[tuple[type[pydantic.BaseModel], Any]]:
    seen: dict[tuple[type[pydantic.BaseModel], str], None] = {}
    for model in models:
        seen.setdefault(model, None)
    return list(seen)
