"""The CDK stack synthesizes offline and matches the models, the shared settings and the registry."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

cdk = pytest.importorskip("aws_cdk", reason="the CDK app needs requirements-infra.txt")
from aws_cdk.assertions import Template  # noqa: E402

from chalicelib.db.items import table_schema  # noqa: E402
from functions.registry import FUNCTIONS, STATE_MACHINES, Access, LambdaFunction, StateMachine  # noqa: E402
from infra import bundle, shared  # noqa: E402
from infra.stacks import CrmStack, RegistryError, check_registry, scratch_workdir  # noqa: E402
from infra.stacks.crm_stack import NONCURRENT_VERSION_DAYS  # noqa: E402
from infra.stacks.operations import DEFAULT_LOG_RETENTION_DAYS, Monitoring, retention  # noqa: E402
from tests.harness import ROOT, reset_caches  # noqa: E402

# One worker builds the module's fixture once (`pytest -n`): the tests share it.
pytestmark = pytest.mark.xdist_group("cdk-synth")

FIXTURES = Path(__file__).parent / "fixtures"
WEB_DIST = FIXTURES / "web-dist"  # a stand-in for web/dist, which a fresh checkout has not built
STAGE = "test"
APP_URL = "https://crm.acme.example/app"
APP_ORIGIN = "https://crm.acme.example"
PLACEHOLDER = re.compile(r"\$\{(\w+)\}")
RUNTIME = "python3.12"  # pinned (infra/bundle.py), whatever Python synthesizes
ENV_VARS = {
    "STAGE",
    "TABLE_NAME",
    "COGNITO_POOL_ID",
    "COGNITO_CLIENT_ID",
    "SECRETS_PREFIX",
    "FILES_BUCKET",
    "MAIL_FROM",
    "APP_URL",
    "SMS_PROVIDER",
    "STATE_MACHINE_ARN_PREFIX",
    "POWERTOOLS_SERVICE_NAME",
    "POWERTOOLS_METRICS_NAMESPACE",
    "POWERTOOLS_LOG_LEVEL",
}

ECHO = LambdaFunction(name="Echo", handler="functions.provisioning.handler", description="test function")
# An absolute `file` wins over the registry's directory (pathlib), so the fixture stays in tests/.


@dataclass(frozen=True)
class Synth:
    template: Template
    raw: dict[str, Any]
    outdir: Path

    def resources(self, type_: str) -> dict[str, dict[str, Any]]:
        return {k: v for k, v in self.raw["Resources"].items() if v["Type"] == type_}

    def named(self, type_: str, prefix: str) -> tuple[str, dict[str, Any]]:
        """The one resource of `type_` whose logical id starts with `prefix` (e.g. the files bucket,
        beside the web app's)."""
        found = {k: v for k, v in self.resources(type_).items() if k.startswith(prefix)}
        assert len(found) == 1, f"expected one {type_} named {prefix}*, found {sorted(found)}"
        return next(iter(found.items()))

    def only(self, type_: str) -> tuple[str, dict[str, Any]]:
        found = self.resources(type_)
        assert len(found) == 1, f"expected one {type_}, found {sorted(found)}"
        return next(iter(found.items()))


def synthesize(outdir: Path, **registries: Any) -> Synth:
    """Synthesize one stage offline (no credentials) into `outdir`.

    Chalice's packaging exports the stage's environment variables (CDK tokens) into os.environ;
    they are put back as they were, so later tests and the processes they start never see them.
    """
    saved = dict(os.environ)
    try:
        with scratch_workdir():
            app = cdk.App(outdir=str(outdir))
            registries.setdefault("web_dist", WEB_DIST)
            stack = CrmStack(app, f"crm-{STAGE}", stage=STAGE, app_url=APP_URL, **registries)
            assembly = app.synth()
    finally:
        os.environ.clear()
        os.environ.update(saved)
        reset_caches()  # settings read meanwhile hold the synth's tokens
    raw = assembly.get_stack_by_name(stack.stack_name).template
    return Synth(Template.from_json(raw), raw, Path(assembly.directory))


@pytest.fixture(scope="session")
def real(tmp_path_factory: pytest.TempPathFactory) -> Synth:
    """The real stack, synthesized once (it takes seconds): kept for the session, as a pytest
    worker may run other modules between this module's tests."""
    return synthesize(tmp_path_factory.mktemp("cdk-real"))


def _normalized_keys(key_schema: list[dict[str, str]]) -> list[tuple[str, str]]:
    return sorted((k["KeyType"], k["AttributeName"]) for k in key_schema)


def _statements(synth: Synth) -> Iterator[dict[str, Any]]:
    for policy in synth.resources("AWS::IAM::Policy").values():
        yield from policy["Properties"]["PolicyDocument"]["Statement"]
    for role in synth.resources("AWS::IAM::Role").values():
        for policy in role["Properties"].get("Policies", []):
            yield from policy["PolicyDocument"]["Statement"]


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _function_policy(synth: Synth, logical_id: str) -> list[dict[str, Any]]:
    role = synth.raw["Resources"][logical_id]["Properties"]["Role"]["Fn::GetAtt"][0]
    return [
        statement
        for policy in synth.resources("AWS::IAM::Policy").values()
        if {"Ref": role} in policy["Properties"]["Roles"]
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]
    ]


def _lambda(synth: Synth, handler: str) -> tuple[str, dict[str, Any]]:
    found = [
        (k, v) for k, v in synth.resources("AWS::Lambda::Function").items() if v["Properties"]["Handler"] == handler
    ]
    assert len(found) == 1, f"expected one function with handler {handler}"
    return found[0]


@pytest.mark.slow
def test_table_matches_the_models(real: Synth) -> None:
    schema = table_schema()
    _, table = real.only("AWS::DynamoDB::Table")
    props = table["Properties"]

    assert _normalized_keys(props["KeySchema"]) == _normalized_keys(schema["key_schema"])
    assert sorted(props["AttributeDefinitions"], key=lambda a: a["AttributeName"]) == sorted(
        schema["attribute_definitions"], key=lambda a: a["AttributeName"]
    )
    for kind in ("global", "local"):
        expected = {
            index["index_name"]: (_normalized_keys(index["key_schema"]), index["projection"])
            for index in schema[f"{kind}_secondary_indexes"]
        }
        actual = {
            index["IndexName"]: (_normalized_keys(index["KeySchema"]), index["Projection"])
            for index in props.get(f"{kind.capitalize()}SecondaryIndexes", [])
        }
        assert actual == expected, kind
    assert props["BillingMode"] == "PAY_PER_REQUEST"
    assert props["TimeToLiveSpecification"] == {"AttributeName": shared.TTL_ATTRIBUTE, "Enabled": True}
    assert props["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
    assert props["DeletionProtectionEnabled"] is True
    assert table["DeletionPolicy"] == "Retain"


@pytest.mark.slow
def test_user_pool_follows_shared_settings(real: Synth) -> None:
    _, pool = real.only("AWS::Cognito::UserPool")
    assert pool["DeletionPolicy"] == "Retain"
    assert pool["Properties"]["AdminCreateUserConfig"] == {"AllowAdminCreateUserOnly": True}
    assert pool["Properties"]["Policies"]["PasswordPolicy"] == {
        "MinimumLength": shared.USER_POOL_PASSWORD_MIN_LENGTH,
        "RequireLowercase": False,
        "RequireNumbers": False,
        "RequireSymbols": False,
        "RequireUppercase": False,
    }
    assert "UsernameAttributes" not in pool["Properties"]  # users sign in by username

    _, client = real.only("AWS::Cognito::UserPoolClient")
    props = client["Properties"]
    assert props["ClientName"] == shared.USER_POOL_CLIENT_NAME
    assert sorted(props["ExplicitAuthFlows"]) == sorted(shared.USER_POOL_AUTH_FLOWS)
    assert props["GenerateSecret"] is False
    assert props["PreventUserExistenceErrors"] == "ENABLED"
    units = props["TokenValidityUnits"]
    minutes = {"minutes": 1, "hours": 60, "days": 24 * 60}
    assert props["AccessTokenValidity"] * minutes[units["AccessToken"]] == shared.ACCESS_TOKEN_MINUTES
    assert props["RefreshTokenValidity"] * minutes[units["RefreshToken"]] == shared.REFRESH_TOKEN_DAYS * 24 * 60


@pytest.mark.slow
def test_api_gets_its_settings_and_error_envelope(real: Synth) -> None:
    handler = real.raw["Resources"]["APIHandler"]["Properties"]
    variables = handler["Environment"]["Variables"]
    assert set(variables) >= ENV_VARS
    assert "COGNITO_JWKS_URL" not in variables  # derived from the pool's issuer in AWS
    assert variables["STAGE"] == STAGE
    assert variables["SECRETS_PREFIX"] == f"/crm/{STAGE}"
    assert variables["POWERTOOLS_METRICS_NAMESPACE"] == "CRM"
    table_id, _ = real.only("AWS::DynamoDB::Table")
    assert variables["TABLE_NAME"] == {"Ref": table_id}
    assert handler["Runtime"] == RUNTIME

    responses = real.raw["Resources"]["RestAPI"]["Properties"]["DefinitionBody"][
        "x-amazon-apigateway-gateway-responses"
    ]
    # An unknown path or method: MISSING_AUTHENTICATION_TOKEN without a token, INCOMPLETE_SIGNATURE
    # (whose own message quotes the Authorization header) with a bearer token.
    expected = {
        "MISSING_AUTHENTICATION_TOKEN": ("404", "not_found"),
        "INCOMPLETE_SIGNATURE": ("404", "not_found"),
        "INVALID_SIGNATURE": ("404", "not_found"),
        "THROTTLED": ("429", "rate_limited"),
    }
    for response_type, (status, code) in expected.items():
        assert responses[response_type]["statusCode"] == status
        body = json.loads(responses[response_type]["responseTemplates"]["application/json"])
        assert body["error"]["code"] == code
    for response_type, response in responses.items():
        # browsers need CORS on API Gateway's own errors too: the web app's origin, never *
        assert response["responseParameters"]["gatewayresponse.header.Access-Control-Allow-Origin"] == f"'{APP_ORIGIN}'"
        template = response["responseTemplates"]["application/json"]
        if response_type != "DEFAULT_5XX":  # nothing of the request (its token) is echoed back
            assert "$" not in template, response_type
            assert set(json.loads(template)["error"]) == {"code", "message"}
        assert not any(str(value).startswith("method.request") for value in response["responseParameters"].values())
    for response_type in ("DEFAULT_4XX", "DEFAULT_5XX"):
        template = responses[response_type]["responseTemplates"]["application/json"]
        # API Gateway substitutes $context.error.messageString with a quoted string.
        body = json.loads(template.replace("$context.error.messageString", '"boom"'))
        assert set(body["error"]) == {"code", "message"}

    outputs = real.raw["Outputs"]
    assert {"ApiUrl", "TableName", "UserPoolId", "UserPoolClientId"} <= set(outputs)
    assert outputs["TableName"]["Value"] == {"Ref": table_id}


@pytest.mark.slow
def test_preflight_allows_only_the_web_app_origin(real: Synth) -> None:
    """Except the website-form route: any site may post to it (its key's allowed origins are
    checked on the POST itself, since a preflight carries no key)."""
    paths = real.raw["Resources"]["RestAPI"]["Properties"]["DefinitionBody"]["paths"]

    def origins(path: dict) -> set[str]:
        return {
            value
            for response in path["options"]["x-amazon-apigateway-integration"]["responses"].values()
            for header, value in response.get("responseParameters", {}).items()
            if header.endswith("Access-Control-Allow-Origin")
        }

    found = {name: origins(path) for name, path in paths.items() if "options" in path}
    assert found.pop("/v1/forms/leads") == {"'*'"}
    assert set().union(*found.values()) == {f"'{APP_ORIGIN}'"}


@pytest.mark.slow
def test_every_registry_function_is_deployed_with_its_trigger(real: Synth) -> None:
    (layer_id, layer) = real.only("AWS::Serverless::LayerVersion")
    assert layer["Properties"]["CompatibleRuntimes"] == [RUNTIME]
    rules = real.resources("AWS::Events::Rule").values()
    for fn in FUNCTIONS:
        logical_id, resource = _lambda(real, fn.handler)
        props = resource["Properties"]
        assert props["Runtime"] == RUNTIME
        assert props["Timeout"] == fn.timeout_seconds
        assert props["MemorySize"] == fn.memory_mb
        assert props["Layers"] == [{"Ref": layer_id}]
        assert set(props["Environment"]["Variables"]) >= ENV_VARS
        targeting = [
            r for r in rules if {"Fn::GetAtt": [logical_id, "Arn"]} in [t["Arn"] for t in r["Properties"]["Targets"]]
        ]
        if fn.schedule_minutes is None:
            assert not targeting
        else:
            unit = "minute" if fn.schedule_minutes == 1 else "minutes"
            assert [r["Properties"]["ScheduleExpression"] for r in targeting] == [f"rate({fn.schedule_minutes} {unit})"]

        actions = {a for s in _function_policy(real, logical_id) for a in _as_list(s["Action"])}
        assert ("dynamodb:PutItem" in actions) == (Access.TABLE_WRITE in fn.access)
        assert ("dynamodb:Query" in actions) == (Access.TABLE_READ in fn.access)
        assert ("cognito-idp:AdminDeleteUser" in actions) == (Access.USER_POOL_ADMIN in fn.access)
        assert ("ssm:GetParameter" in actions) == (Access.TENANT_SECRETS in fn.access)
        assert ("ses:SendEmail" in actions) == (Access.SEND_EMAIL in fn.access)
        assert ("s3:PutObject" in actions) == (Access.FILES_WRITE in fn.access)
        assert "cognito-idp:InitiateAuth" not in actions  # only the API logs users in


def _pyc_header(python: str) -> bytes:
    """What every shipped .pyc starts with: the runtime's magic number, then the unchecked-hash flag."""
    magic = subprocess.run(
        [python, "-c", "import importlib.util, sys; sys.stdout.write(importlib.util.MAGIC_NUMBER.hex())"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return bytes.fromhex(magic) + (1).to_bytes(4, "little")  # flags: hash-based, source not checked


def _assert_compiled(files: dict[str, bytes], header: bytes) -> None:
    """Every module has its bytecode next to it, for the runtime, never checked against the source."""
    tag = bundle.RUNTIME.replace("python", "cpython-").replace(".", "")
    modules = [name for name in files if name.endswith(".py")]
    assert modules
    for name in modules:
        folder, _, file = name.rpartition("/")
        pyc = f"{folder}/__pycache__/{file[:-3]}.{tag}.pyc".lstrip("/")
        assert pyc in files, f"no bytecode for {name}"
        assert files[pyc][:8] == header, pyc


def _zip_files(path: Path, prefix: str = "") -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {n: archive.read(n) for n in archive.namelist() if n.startswith(prefix) and not n.endswith("/")}


def _asset_keys(synth: Synth) -> dict[str, str]:
    """Logical id -> the S3 key (content hash) of every code asset of the stack."""
    keys = {}
    for logical_id, resource in synth.raw["Resources"].items():
        props = resource.get("Properties", {})
        code = props.get("Code") or props.get("CodeUri") or props.get("ContentUri")
        if isinstance(code, dict) and ("S3Key" in code or "Key" in code):
            keys[logical_id] = code.get("S3Key") or code["Key"]
    return keys


@pytest.mark.slow
def test_function_code_holds_only_what_handlers_import_with_its_bytecode(real: Synth) -> None:
    _, resource = _lambda(real, FUNCTIONS[0].handler)
    asset = real.outdir / f"asset.{resource['Properties']['Code']['S3Key'].removesuffix('.zip')}"
    top = {p.name for p in asset.iterdir()}
    assert top == {"functions", "chalicelib", "infra"}
    assert {p.name for p in (asset / "infra").iterdir()} == {"__init__.py", "shared.py", "__pycache__"}
    files = {p.relative_to(asset).as_posix(): p.read_bytes() for p in asset.rglob("*") if p.is_file()}
    _assert_compiled(files, _pyc_header(bundle.runtime_python()))
    for fn in FUNCTIONS:
        module = fn.handler.rsplit(".", 1)[0]
        assert (asset / (module.replace(".", "/") + ".py")).is_file()


@pytest.mark.slow
def test_api_and_layer_ship_bytecode_for_the_runtime_and_no_build_tools(real: Synth) -> None:
    header = _pyc_header(bundle.runtime_python())
    api = real.outdir / f"asset.{real.raw['Resources']['APIHandler']['Properties']['CodeUri']['Key']}"
    _assert_compiled(_zip_files(api), header)
    _, layer = real.only("AWS::Serverless::LayerVersion")
    site = f"python/lib/{bundle.RUNTIME}/site-packages/"
    files = _zip_files(real.outdir / f"asset.{layer['Properties']['ContentUri']['Key']}", site)
    _assert_compiled(files, header)
    top = {name.removeprefix(site).split("/")[0] for name in files}
    assert {"pydantic", "pynamodb", "aws_lambda_powertools", "phonenumbers"} <= top
    assert not top & {"setuptools", "pkg_resources", "_distutils_hack", "pip", "wheel"}
    # phonenumberslite: the CRM parses and formats numbers; no geocoder or carrier data ships.
    assert any(name.startswith("phonenumberslite-") for name in top)
    assert not any(name.startswith("phonenumbers-") for name in top)
    assert not any("/geodata/" in name or "/carrierdata/" in name for name in files)


@pytest.mark.slow
def test_two_synths_of_one_commit_give_the_same_assets(real: Synth, tmp_path_factory: pytest.TempPathFactory) -> None:
    again = synthesize(tmp_path_factory.mktemp("cdk-again"))
    first, second = _asset_keys(real), _asset_keys(again)
    assert {"APIHandler", *(_lambda(real, fn.handler)[0] for fn in FUNCTIONS)} <= set(first)
    ours = {first["APIHandler"], first["ManagedLayer"], *(first[_lambda(real, fn.handler)[0]] for fn in FUNCTIONS)}
    assert len(ours) == 3  # the API's code, its layer, the functions' code (the rest: CDK's own)
    assert second == first


@pytest.mark.slow
def test_policies_are_least_privilege(real: Synth) -> None:
    for statement in _statements(real):
        actions = _as_list(statement["Action"])
        assert "*" not in actions, statement
        assert "dynamodb:*" not in actions, statement
        if any(a.startswith(("ssm:", "cognito-idp:", "dynamodb:")) for a in actions):
            assert "*" not in _as_list(statement["Resource"]), statement

    # The Chalice role: its policy names the role through its ARN (an imported role).
    api = [
        statement
        for policy in real.resources("AWS::IAM::Policy").values()
        if '"DefaultRole"' in json.dumps(policy["Properties"]["Roles"])
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]
    ]
    pool_id, _ = real.only("AWS::Cognito::UserPool")
    by_action = {action: s for s in api for action in _as_list(s["Action"])}
    # Every Cognito call the code makes (deactivating a user signs them out everywhere, say).
    source = (ROOT / "chalicelib" / "integrations" / "cognito.py").read_text()
    called = {"".join(w.title() for w in m.split("_")) for m in re.findall(r"self\._idp\.(\w+)\(", source)}
    assert {"AdminCreateUser", "AdminDisableUser", "AdminUserGlobalSignOut", "InitiateAuth"} <= called
    for action in called:
        assert by_action[f"cognito-idp:{action}"]["Resource"] == {"Fn::GetAtt": [pool_id, "Arn"]}, action
    for action in ("PutParameter", "GetParameter", "DeleteParameter"):
        arn = json.dumps(by_action[f"ssm:{action}"]["Resource"])
        assert f":parameter/crm/{STAGE}/tenants/*" in arn
    assert "dynamodb:Query" in by_action
    assert by_action["ses:SendEmail"]["Resource"] == {
        "Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, ":ses:", {"Ref": "AWS::Region"}, ":",
                          {"Ref": "AWS::AccountId"}, ":identity/example.com"]]
    }  # fmt: skip
    bucket_id, _ = real.named("AWS::S3::Bucket", "Files")
    for action in ("s3:PutObject", "s3:GetObject*"):
        resources = json.dumps(by_action[action]["Resource"])
        assert bucket_id in resources
        assert "/tenants/*" in resources


@pytest.mark.slow
def test_files_bucket_is_private_and_open_to_browser_uploads(real: Synth) -> None:
    _, bucket = real.named("AWS::S3::Bucket", "Files")
    props = bucket["Properties"]
    assert props["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True,
        "BlockPublicPolicy": True,
        "IgnorePublicAcls": True,
        "RestrictPublicBuckets": True,
    }
    [rule] = props["CorsConfiguration"]["CorsRules"]
    assert set(rule["AllowedMethods"]) == set(shared.FILES_CORS_METHODS)
    assert rule["AllowedOrigins"] == [APP_ORIGIN]
    rules = {r["Id"]: r for r in props["LifecycleConfiguration"]["Rules"]}
    assert rules["ExpireExports"]["TagFilters"] == [{"Key": "crm-retention", "Value": "export"}]
    assert (rules["ExpireExports"]["ExpirationInDays"], rules["ExpireExports"]["Status"]) == (7, "Enabled")
    assert "Prefix" not in rules["ExpireExports"]  # tagged exports only: import files stay for undo
    assert rules["AbortIncompleteUploads"]["AbortIncompleteMultipartUpload"] == {"DaysAfterInitiation": 1}
    assert bucket["DeletionPolicy"] == "Retain"
    # It holds the originals (recordings, imported files): versioned, old versions kept a while.
    assert props["VersioningConfiguration"] == {"Status": "Enabled"}
    noncurrent = rules["ExpireNoncurrentVersions"]
    assert noncurrent["NoncurrentVersionExpiration"] == {"NoncurrentDays": NONCURRENT_VERSION_DAYS}
    assert noncurrent["ExpiredObjectDeleteMarker"] is True


@pytest.mark.slow
def test_real_state_machines_have_every_placeholder_substituted(real: Synth) -> None:
    machines = real.resources("AWS::StepFunctions::StateMachine").values()
    assert len(machines) == len(STATE_MACHINES)
    for machine in machines:
        props = machine["Properties"]
        assert set(PLACEHOLDER.findall(props["DefinitionString"])) <= set(props.get("DefinitionSubstitutions", {}))


@pytest.mark.slow
def test_the_api_starts_the_real_state_machines_by_their_stage_names(real: Synth) -> None:
    machines = real.resources("AWS::StepFunctions::StateMachine")
    assert sorted(m["Properties"]["StateMachineName"] for m in machines.values()) == sorted(
        f"crm-{STAGE}-{m.name}" for m in STATE_MACHINES
    )
    api = [
        statement
        for policy in real.resources("AWS::IAM::Policy").values()
        if '"DefaultRole"' in json.dumps(policy["Properties"]["Roles"])
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]
    ]
    started = [r for s in api if "states:StartExecution" in _as_list(s["Action"]) for r in _as_list(s["Resource"])]
    assert sorted(r["Ref"] for r in started) == sorted(machines)
    answering = [s for s in api if "states:SendTaskSuccess" in _as_list(s["Action"])]
    assert answering
    assert all("states:SendTaskFailure" in _as_list(s["Action"]) for s in answering)


@pytest.mark.slow
def test_each_state_machine_gets_its_functions_arns_and_may_invoke_them(real: Synth) -> None:
    by_name = {f.name: f for f in FUNCTIONS}
    machines = {
        m["Properties"]["StateMachineName"]: m for m in real.resources("AWS::StepFunctions::StateMachine").values()
    }
    for registered in STATE_MACHINES:
        props = machines[f"crm-{STAGE}-{registered.name}"]["Properties"]
        definition = props["DefinitionString"]
        assert isinstance(definition, str)
        assert set(PLACEHOLDER.findall(definition)) == set(registered.functions)
        arns = {
            placeholder: {"Fn::GetAtt": [_lambda(real, by_name[function].handler)[0], "Arn"]}
            for placeholder, function in registered.functions.items()
        }
        assert props["DefinitionSubstitutions"] == arns
        role = props["RoleArn"]["Fn::GetAtt"][0]
        invokable = [
            resource
            for policy in real.resources("AWS::IAM::Policy").values()
            if {"Ref": role} in policy["Properties"]["Roles"]
            for statement in policy["Properties"]["PolicyDocument"]["Statement"]
            if "lambda:InvokeFunction" in _as_list(statement["Action"])
            for resource in _as_list(statement["Resource"])
        ]
        assert all(arn in invokable for arn in arns.values()), registered.name


def test_placeholder_without_function_fails_the_synth(tmp_path: Path) -> None:
    orphan = StateMachine(name="Echo", file=str(FIXTURES / "echo.asl.json"), functions={})
    app = cdk.App(outdir=str(tmp_path))
    with pytest.raises(RegistryError, match=r"no function for placeholder\(s\) \$\{EchoFunctionArn\}"):
        CrmStack(app, "crm-broken", stage="broken", app_url=APP_URL, functions=(ECHO,), state_machines=(orphan,))


def test_placeholder_naming_an_unknown_function_fails() -> None:
    typo = StateMachine(name="Echo", file=str(FIXTURES / "echo.asl.json"), functions={"EchoFunctionArn": "Ecko"})
    with pytest.raises(RegistryError, match=r"unknown function.*Ecko"):
        check_registry((ECHO,), (typo,))


def test_real_registry_is_consistent() -> None:
    check_registry(FUNCTIONS, STATE_MACHINES)


def test_each_gateway_response_says_the_code_of_its_status() -> None:
    """API Gateway's own errors: `validation_error` only on a 400, `forbidden` on a 403...;
    any other 4xx (kept at API Gateway's status) the generic `bad_request`."""
    from infra.stacks.gateway_responses import gateway_responses

    responses = gateway_responses("https://crm.example.com")
    codes = {400: "validation_error", 401: "unauthorized", 403: "forbidden", 404: "not_found",
             413: "payload_too_large", 415: "bad_request", 429: "rate_limited", 504: "unavailable"}  # fmt: skip
    for response_type, response in responses.items():
        template = response["responseTemplates"]["application/json"]
        body = json.loads(template.replace("$context.error.messageString", '"boom"'))
        if "statusCode" in response:
            assert body["error"]["code"] == codes[int(response["statusCode"])], response_type
    default = json.loads(responses["DEFAULT_4XX"]["responseTemplates"]["application/json"])
    assert default["error"]["code"] == "bad_request"
    assert responses["ACCESS_DENIED"]["statusCode"] == "403"


def _web_distribution(synth: Synth) -> dict[str, Any]:
    return synth.only("AWS::CloudFront::Distribution")[1]["Properties"]["DistributionConfig"]


@pytest.mark.slow
def test_web_app_is_served_from_a_private_bucket_through_origin_access_control(real: Synth) -> None:
    config = _web_distribution(real)
    default = config["DefaultCacheBehavior"]
    s3_origin = next(o for o in config["Origins"] if o["Id"] == default["TargetOriginId"])
    assert s3_origin["S3OriginConfig"] == {"OriginAccessIdentity": ""}
    assert "Fn::GetAtt" in s3_origin["OriginAccessControlId"]
    real.only("AWS::CloudFront::OriginAccessControl")
    bucket_ref = s3_origin["DomainName"]["Fn::GetAtt"][0]
    bucket = real.raw["Resources"][bucket_ref]["Properties"]
    assert bucket["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True,
        "BlockPublicPolicy": True,
        "IgnorePublicAcls": True,
        "RestrictPublicBuckets": True,
    }
    readers = [
        statement
        for policy in real.resources("AWS::S3::BucketPolicy").values()
        if policy["Properties"]["Bucket"] == {"Ref": bucket_ref}
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]
        if statement.get("Principal") == {"Service": "cloudfront.amazonaws.com"}
    ]
    assert [r["Action"] for r in readers] == ["s3:GetObject"]
    assert "AWS:SourceArn" in readers[0]["Condition"]["StringEquals"]
    assert default["ViewerProtocolPolicy"] == "redirect-to-https"
    # The built files are deployed: hashed assets cached for good, index.html asked for anew.
    deployments = real.resources("Custom::CDKBucketDeployment")
    assert len(deployments) == 2
    assert all(d["Properties"]["DestinationBucketName"] == {"Ref": bucket_ref} for d in deployments.values())
    controls = sorted(str(d["Properties"].get("SystemMetadata")) for d in deployments.values())
    assert any("immutable" in c for c in controls)
    assert any("no-cache" in c for c in controls)
    outputs = real.raw["Outputs"]
    assert any("WebUrl" in name for name in outputs)


@pytest.mark.slow
def test_the_api_is_routed_uncached_with_every_method_and_its_authorization(real: Synth) -> None:
    config = _web_distribution(real)
    (api,) = [b for b in config["CacheBehaviors"] if b["PathPattern"] == "/v1/*"]
    assert len(config["CacheBehaviors"]) == 1
    assert sorted(api["AllowedMethods"]) == sorted(["GET", "HEAD", "OPTIONS", "PUT", "PATCH", "POST", "DELETE"])
    assert api["CachePolicyId"] == "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"  # Managed-CachingDisabled
    # Managed-AllViewerExceptHostHeader: every header (Authorization too, caching being off) and
    # query string, but not Host, which API Gateway routes on.
    assert api["OriginRequestPolicyId"] == "b689b0a8-53d0-40ab-baf2-68738e2966ac"
    assert "FunctionAssociations" not in api  # the SPA fallback never touches the API
    origin = next(o for o in config["Origins"] if o["Id"] == api["TargetOriginId"])
    assert origin["OriginPath"] == "/api"
    assert origin["CustomOriginConfig"]["OriginProtocolPolicy"] == "https-only"
    assert {"Ref": "RestAPI"} in origin["DomainName"]["Fn::Join"][1]


@pytest.mark.slow
def test_spa_fallback_rewrites_app_paths_and_leaves_the_api_404s_alone(real: Synth) -> None:
    config = _web_distribution(real)
    # No custom error responses: they would answer the API's 404s with index.html too.
    assert "CustomErrorResponses" not in config
    (association,) = config["DefaultCacheBehavior"]["FunctionAssociations"]
    assert association["EventType"] == "viewer-request"
    _, function = real.only("AWS::CloudFront::Function")
    code = function["Properties"]["FunctionCode"]
    assert function["Properties"]["FunctionConfig"]["Runtime"] == "cloudfront-js-2.0"
    if shutil.which("node") is None:
        pytest.skip("node is not installed: the function's code is not run")
    paths = ["/", "/sign-in", "/deals/board", "/clients/CL-7", "/assets/index-abc.js", "/robots.txt"]
    script = code + f"\nconsole.log(JSON.stringify({json.dumps(paths)}.map(u => handler({{request: {{uri: u}}}}).uri)))"
    out = subprocess.run(["node", "-e", script], capture_output=True, text=True, check=True).stdout
    assert json.loads(out) == ["/index.html"] * 4 + ["/assets/index-abc.js", "/robots.txt"]


# --- Operations (issue 21): logs kept for a while, failures kept, alarms, tracing ---------------

LAMBDA_TYPES = ("AWS::Lambda::Function", "AWS::Serverless::Function")


def _lambdas(synth: Synth) -> dict[str, dict[str, Any]]:
    return {k: v for t in LAMBDA_TYPES for k, v in synth.resources(t).items()}


@pytest.mark.slow
def test_every_log_group_has_a_retention_and_every_lambda_logs_to_one(real: Synth) -> None:
    groups = real.resources("AWS::Logs::LogGroup")
    assert groups
    for logical_id, group in groups.items():
        assert group["Properties"]["RetentionInDays"] == DEFAULT_LOG_RETENTION_DAYS, logical_id
    # Every function (the API, the registry's, CDK's own helpers): never an implicit group.
    functions = _lambdas(real)
    assert len(functions) >= len(FUNCTIONS) + 1
    for logical_id, function in functions.items():
        target = function["Properties"]["LoggingConfig"]["LogGroup"]
        assert target["Ref"] in groups, logical_id
    # The state machines log their failed executions, with the error.
    for logical_id, machine in real.resources("AWS::StepFunctions::StateMachine").items():
        config = machine["Properties"]["LoggingConfiguration"]
        assert config["Level"] == "ERROR", logical_id
        assert config["IncludeExecutionData"] is True
        [destination] = config["Destinations"]
        assert destination["CloudWatchLogsLogGroup"]["LogGroupArn"]["Fn::GetAtt"][0] in groups
    # API Gateway's access log, one JSON line per request with the app's request_id.
    api = real.raw["Resources"]["RestAPI"]["Properties"]
    assert api["AccessLogSetting"]["DestinationArn"]["Fn::GetAtt"][0] in groups
    assert json.loads(api["AccessLogSetting"]["Format"])["request_id"] == "$context.requestId"
    _, account = real.only("AWS::ApiGateway::Account")  # API Gateway logs through the account's role
    assert account["DeletionPolicy"] == "Retain"


@pytest.mark.slow
def test_every_asynchronous_target_has_retries_and_a_dead_letter_queue(real: Synth) -> None:
    queues = real.resources("AWS::SQS::Queue")
    asynchronous = [fn for fn in FUNCTIONS if fn.asynchronous]
    assert {fn.name for fn in asynchronous} >= {"DueActions", "WebhookDelivery", "CalendarSync"}
    assert len(queues) == len(asynchronous)
    configs = real.resources("AWS::Lambda::EventInvokeConfig").values()
    for fn in FUNCTIONS:
        logical_id, function = _lambda(real, fn.handler)
        assert function["Properties"]["FunctionName"] == f"crm-{STAGE}-{fn.name}"
        invoke_configs = [c for c in configs if c["Properties"]["FunctionName"] == {"Ref": logical_id}]
        if not fn.asynchronous:  # a state machine's task, or invoked by hand: someone waits for it
            assert "DeadLetterConfig" not in function["Properties"], fn.name
            continue
        queue_id = function["Properties"]["DeadLetterConfig"]["TargetArn"]["Fn::GetAtt"][0]
        queue = queues[queue_id]["Properties"]
        assert queue["QueueName"] == f"crm-{STAGE}-{fn.name}-dlq"
        assert {"Key": "crm-function", "Value": f"crm-{STAGE}-{fn.name}"} in queue["Tags"]  # replay_dlq's
        assert queue["MessageRetentionPeriod"] == 14 * 24 * 3600
        [invoke_config] = invoke_configs
        assert invoke_config["Properties"]["MaximumRetryAttempts"] == 2
    for rule in real.resources("AWS::Events::Rule").values():
        for target in rule["Properties"]["Targets"]:
            assert target["DeadLetterConfig"]["Arn"]["Fn::GetAtt"][0] in queues
            assert target["RetryPolicy"]["MaximumRetryAttempts"] >= 1
    # EventBridge may write to the queues it targets (the queue policy), only over TLS.
    policies = json.dumps(real.resources("AWS::SQS::QueuePolicy"))
    assert "events.amazonaws.com" in policies
    for mapping in real.resources("AWS::Lambda::EventSourceMapping").values():
        assert mapping["Properties"]["DestinationConfig"]["OnFailure"]["Destination"]


def _alarm_metrics(alarm: dict[str, Any]) -> list[str]:
    props = alarm["Properties"]
    if "MetricName" in props:
        return [props["MetricName"]]
    return [q["MetricStat"]["Metric"]["MetricName"] for q in props["Metrics"] if "MetricStat" in q]


@pytest.mark.slow
def test_the_alarms_exist_and_notify_the_topic(real: Synth) -> None:
    alarms = real.resources("AWS::CloudWatch::Alarm").values()
    by_metric: dict[str, int] = {}
    for alarm in alarms:
        for name in set(_alarm_metrics(alarm)):
            by_metric[name] = by_metric.get(name, 0) + 1
    functions = len(FUNCTIONS) + 1  # and the API's
    assert by_metric["5XXError"] == 1
    assert by_metric["Latency"] == 1
    assert by_metric["Errors"] == functions
    assert by_metric["Throttles"] == functions
    assert by_metric["ExecutionsFailed"] == len(STATE_MACHINES)
    assert by_metric["ExecutionsTimedOut"] == len(STATE_MACHINES)
    assert by_metric["ReadThrottleEvents"] == by_metric["WriteThrottleEvents"] == 1
    assert by_metric["SystemErrors"] == 1
    assert by_metric["ApproximateNumberOfMessagesVisible"] == len([fn for fn in FUNCTIONS if fn.asynchronous])
    assert by_metric["PbxEventFailures"] == 1
    topic_id, _ = real.only("AWS::SNS::Topic")
    assert not real.resources("AWS::SNS::Subscription")  # no -c alarm_email
    for alarm in alarms:
        assert alarm["Properties"]["AlarmActions"] == [{"Ref": topic_id}]
        assert alarm["Properties"]["TreatMissingData"] == "notBreaching"
    api_alarm = next(a for a in alarms if _alarm_metrics(a) == ["5XXError"])
    dimensions = api_alarm["Properties"]["Metrics"][0]["MetricStat"]["Metric"]["Dimensions"]
    assert {"Name": "ApiName", "Value": f"crm-{STAGE}"} in dimensions
    assert real.raw["Resources"]["RestAPI"]["Properties"]["Name"] == f"crm-{STAGE}"
    # One dashboard: the alarms' metrics and the business metrics the code emits (EMF).
    _, dashboard = real.only("AWS::CloudWatch::Dashboard")
    body = json.dumps(dashboard["Properties"]["DashboardBody"])
    for metric in ("5XXError", "Errors", "ExecutionsFailed", "SystemErrors", "ApproximateNumberOfMessagesVisible"):
        assert metric in body, metric
    for metric in ("Requests", "ServerErrors", "PbxEvents", "PbxEventFailures"):
        assert f'\\"{metric}\\"' in body, metric


@pytest.mark.slow
def test_tracing_is_on_without_the_xray_sdk(real: Synth) -> None:
    for fn in FUNCTIONS:
        _, function = _lambda(real, fn.handler)
        assert function["Properties"]["TracingConfig"] == {"Mode": "Active"}, fn.name
    assert real.raw["Resources"]["APIHandler"]["Properties"]["Tracing"] == "Active"
    assert real.raw["Resources"]["RestAPI"]["Properties"]["TracingEnabled"] is True
    for machine in real.resources("AWS::StepFunctions::StateMachine").values():
        assert machine["Properties"]["TracingConfiguration"] == {"Enabled": True}
    requirements = (ROOT / "requirements.txt").read_text().lower()
    assert "aws-xray-sdk" not in requirements


@pytest.mark.slow
def test_cfn_lint_finds_no_error(real: Synth) -> None:
    cfn_lint = shutil.which("cfn-lint") or str(Path(sys.executable).parent / "cfn-lint")
    if not Path(cfn_lint).exists():
        pytest.skip("cfn-lint is not installed")
    template = real.outdir / f"crm-{STAGE}.template.json"
    result = subprocess.run([cfn_lint, "--format", "parseable", str(template)], capture_output=True, text=True)
    errors = [line for line in result.stdout.splitlines() if ":E" in line]
    assert errors == [], "\n".join(errors)


def test_log_retention_must_be_one_cloudwatch_accepts() -> None:
    assert retention(30) == cdk.aws_logs.RetentionDays.ONE_MONTH
    assert retention(365) == cdk.aws_logs.RetentionDays.ONE_YEAR
    with pytest.raises(ValueError, match="log_retention_days 31"):
        retention(31)


def test_alarm_email_subscribes_to_the_topic() -> None:
    """The Monitoring construct alone (a full synth takes minutes)."""
    from aws_cdk import aws_dynamodb, aws_lambda, aws_sqs, aws_stepfunctions

    stack = cdk.Stack(cdk.App())
    table = aws_dynamodb.Table(
        stack, "T", partition_key=aws_dynamodb.Attribute(name="pk", type=aws_dynamodb.AttributeType.STRING)
    )
    function = aws_lambda.Function.from_function_name(stack, "F", "crm-x-Due")
    machine = aws_stepfunctions.StateMachine.from_state_machine_name(stack, "M", "crm-x-Import")
    queue = aws_sqs.Queue(stack, "Q")
    Monitoring(stack, "Monitoring", stage="x", alarm_email="ops@acme.example", api_name="crm-x", api_stage="api",
               api_function_name="api-fn", functions={"Due": function}, state_machines={"Import": machine},
               table=table, dead_letters={"Due": queue})  # fmt: skip
    template = Template.from_stack(stack)
    template.has_resource_properties("AWS::SNS::Subscription", {"Protocol": "email", "Endpoint": "ops@acme.example"})
    # API 5xx and p99, the PBX rate, 2 functions x 2, 1 machine x 2, table x 2, 1 queue.
    template.resource_count_is("AWS::CloudWatch::Alarm", 3 + 4 + 2 + 2 + 1)


def test_a_restored_table_replaces_the_stacks_own_with_the_same_grants() -> None:
    """The restore drill's switch (-c table_name=): the table as a stack of its own builds it."""
    from aws_cdk import aws_iam

    from infra.stacks.table import restored_table

    stack = cdk.Stack(cdk.App())
    table = restored_table(stack, "Table", "crm-x-restored", table_schema())
    role = aws_iam.Role(stack, "R", assumed_by=aws_iam.ServicePrincipal("lambda.amazonaws.com"))
    table.grant_read_write_data(role)
    raw = Template.from_stack(stack).to_json()
    assert not [r for r in raw["Resources"].values() if r["Type"] == "AWS::DynamoDB::Table"]
    resources = json.dumps(raw)
    assert ":table/crm-x-restored" in resources
    assert ":table/crm-x-restored/index/*" in resources  # every index the models query
    assert table.table_name == "crm-x-restored"
