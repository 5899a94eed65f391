"""API.md conventions on every route: error envelope, JSON parsing, versions, OpenAPI, logs."""

from __future__ import annotations

import json

import pytest
from openapi_spec_validator import validate

from chalicelib.api import route_table
from chalicelib.api.routing import all_routes, declared_table, is_public
from tests.harness import Api, CrmSession

ROUTES = all_routes()


def test_the_route_table_is_what_the_route_modules_declare() -> None:
    # The API Lambda registers its routes from the table and loads a module on first use.
    assert declared_table() == route_table.ROUTE_TABLE, (
        "chalicelib/api/route_table.py is stale: `python -m chalicelib.api.route_table` prints it"
    )


def test_health_is_public(api: Api) -> None:
    assert api.get("/v1/health").json == {"status": "ok"}


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ('{"name": ', "the body is not valid JSON"),
        ("[1, 2]", "the body must be a JSON object"),
        (b"\xff\xfe", "the body is not valid JSON"),
    ],
)
def test_malformed_bodies_are_400_on_body(api: Api, body: str | bytes, message: str) -> None:
    reply = api.post("/v1/crms", body)
    assert reply.status == 400
    assert reply.json == {"error": {"code": "validation_error", "message": message, "field": "body"}}


def test_a_missing_body_is_refused_and_an_empty_object_names_the_first_missing_field(api: Api) -> None:
    assert (api.post("/v1/crms").status, api.post("/v1/crms").error["field"]) == (400, "body")
    reply = api.post("/v1/crms", {})
    assert (reply.status, reply.error["field"]) == (400, "name")


def test_json_is_accepted_whatever_the_content_type_header(api: Api) -> None:
    login = api.post(
        "/v1/auth/login",
        json.dumps({"crm": "x-y-z", "email": "a@example.com", "password": "p"}),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert (login.status, login.error["code"]) == (401, "unauthorized")  # parsed, not a 415


def test_oversized_body_is_413(api: Api) -> None:
    reply = api.post("/v1/crms", {"name": "x" * 1_100_000})
    assert (reply.status, reply.error["code"]) == (413, "payload_too_large")


def test_every_response_carries_a_request_id(api: Api) -> None:
    assert api.get("/v1/health").headers["X-Request-Id"]
    assert api.get("/v1/me").headers["X-Request-Id"]


def test_profile_update_with_the_current_version_applies(api: Api, make_crm) -> None:
    crm: CrmSession = make_crm()
    version = api.get("/v1/me", token=crm.token).json["version"]

    reply = api.request(
        "PATCH", "/v1/me", {"version": version, "name": "Ada Lovelace", "language": "fr"}, token=crm.token
    )

    assert reply.status == 200
    assert (reply.json["name"], reply.json["language"], reply.json["version"]) == ("Ada Lovelace", "fr", version + 1)
    assert api.get("/v1/me", token=crm.token).json["name"] == "Ada Lovelace"


def test_profile_update_with_a_stale_version_is_409_and_changes_nothing(api: Api, make_crm) -> None:
    crm: CrmSession = make_crm()
    version = api.get("/v1/me", token=crm.token).json["version"]
    api.request("PATCH", "/v1/me", {"version": version, "name": "First Edit"}, token=crm.token)

    reply = api.request("PATCH", "/v1/me", {"version": version, "name": "Lost Edit"}, token=crm.token)

    assert reply.status == 409
    assert (reply.error["code"], reply.error["field"]) == ("conflict", "version")
    assert api.get("/v1/me", token=crm.token).json["name"] == "First Edit"


@pytest.mark.parametrize(
    ("change", "field"),
    [({"timezone": "Nowhere/City"}, "timezone"), ({"week_start": "friday"}, "week_start"), ({"version": 0}, "version")],
)
def test_profile_update_validates_fields(api: Api, make_crm, change: dict, field: str) -> None:
    crm: CrmSession = make_crm()
    reply = api.request("PATCH", "/v1/me", {"version": 1, **change}, token=crm.token)
    assert (reply.status, reply.error["field"]) == (400, field)


def test_openapi_document_is_valid_and_describes_every_route(api: Api) -> None:
    doc = api.get("/v1/openapi.json").json

    validate(doc)  # OpenAPI 3.1 schema validation

    declared = {(spec.path, spec.method.lower()) for spec in ROUTES}
    described = {(path, method) for path, item in doc["paths"].items() for method in item}
    assert described == declared
    for spec in ROUTES:
        operation = doc["paths"][spec.path][spec.method.lower()]
        assert ("security" in operation) is not is_public(spec), spec.path
        assert str(spec.status) in operation["responses"]


def test_openapi_uses_the_same_models_as_validation(api: Api) -> None:
    doc = api.get("/v1/openapi.json").json
    create = doc["paths"]["/v1/crms"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    schema = doc["components"]["schemas"][create["$ref"].rsplit("/", 1)[1]]
    assert set(schema["required"]) == {"name", "admin"}
    assert schema["additionalProperties"] is False
    admin = doc["components"]["schemas"]["AdminIn"]
    assert admin["properties"]["password"]["minLength"] == 8


def test_path_parameters_have_one_name_per_position_as_api_gateway_requires(api: Api) -> None:
    # /clients/{client_id} beside /clients/{id}/feed would synthesize, then fail to deploy.
    names: dict[tuple[str, ...], set[str]] = {}
    for spec in ROUTES:
        parts = spec.path.strip("/").split("/")
        for i, part in enumerate(parts):
            if part.startswith("{"):
                names.setdefault(tuple(parts[:i]), set()).add(part)
    assert {prefix: found for prefix, found in names.items() if len(found) > 1} == {}


def test_a_request_body_is_declared_required_exactly_when_an_absent_body_is_refused(api: Api, make_crm) -> None:
    crm: CrmSession = make_crm()
    doc = api.get("/v1/openapi.json").json
    for path, method in [("/v1/me", "patch"), ("/v1/settings/telephony", "put"), ("/v1/invitation-links", "post"),
                         ("/v1/clients/{client_id}", "patch")]:  # fmt: skip
        assert doc["paths"][path][method]["requestBody"]["required"] is False, path
    assert doc["paths"]["/v1/crms"]["post"]["requestBody"]["required"] is True
    assert api.request("PATCH", "/v1/me", token=crm.token).status == 200
    assert api.post("/v1/invitation-links", token=crm.token).status == 201
    for spec in ROUTES:
        if spec.body is not None:
            required = any(f.is_required() for f in spec.body.model_fields.values())
            assert doc["paths"][spec.path][spec.method.lower()]["requestBody"]["required"] is required, spec.path


def test_openapi_describes_ids_bounds_and_the_property_filters(api: Api) -> None:
    doc = api.get("/v1/openapi.json").json
    for path in ("/v1/clients", "/v1/leads"):
        parameters = {p["name"]: p for p in doc["paths"][path]["get"]["parameters"]}
        prop = parameters["property"]
        assert (prop["in"], prop["style"], prop["explode"]) == ("query", "form", True)
        assert list(prop["schema"]["patternProperties"]) == [r"^property\.[a-z][a-z0-9_]{0,39}$"]
        assert parameters["responsible_user_id"]["schema"]["anyOf"][0]["maxLength"] == 128
    client_path = doc["paths"]["/v1/clients/{client_id}"]["get"]["parameters"][0]
    assert client_path["schema"] == {"type": "string", "maxLength": 128}
    assert doc["components"]["schemas"]["ClientIn"]["properties"]["tags"]["anyOf"][0]["items"]["maxLength"] == 50
