"""The CRM in one stack: table, user pool, the Chalice API, `functions/`, schedules, state machines.

Everything is built from the same sources the local stack reads (the PynamoDB schema,
`infra/shared.py`, `functions/registry.py`), so AWS and a laptop cannot drift apart.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import tempfile
from collections.abc import Iterator, Mapping
from email.utils import parseaddr
from pathlib import Path
from typing import Any

from aws_cdk import ArnFormat, CfnOutput, Duration, RemovalPolicy, Stack, Tags, Token
from aws_cdk import aws_apigateway as apigateway
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sqs as sqs
from aws_cdk import aws_stepfunctions as sfn
from chalice.cdk import Chalice
from chalice.config import Config as ChaliceConfig
from constructs import Construct

from chalicelib.config import get_settings, origin_of
from chalicelib.db.items import table_schema
from chalicelib.domain.imports import EXPORT_RETENTION, EXPORT_RETENTION_DAYS, RETENTION_TAG
from functions.registry import FUNCTIONS, STATE_MACHINES, Access, LambdaFunction, StateMachine
from functions.replay_dlq import FUNCTION_TAG
from infra import bundle, shared
from infra.stacks.gateway_responses import gateway_responses
from infra.stacks.operations import DEFAULT_LOG_RETENTION_DAYS, Monitoring, give_every_function_a_log_group, log_group
from infra.stacks.table import restored_table, table_from_schema
from infra.stacks.web import WebApp

API_STAGE = "api"  # API Gateway's stage: the API is at <endpoint>/api/v1/...
# Noncurrent versions of the files bucket's objects (overwritten or deleted originals) stay this long.
NONCURRENT_VERSION_DAYS = 30
# API Gateway's access log: one JSON line per request; request_id is the app's own log key.
ACCESS_LOG_FORMAT = (
    '{"request_id":"$context.requestId","ip":"$context.identity.sourceIp","time":"$context.requestTime",'
    '"method":"$context.httpMethod","route":"$context.resourcePath","status":"$context.status",'
    '"protocol":"$context.protocol","bytes":"$context.responseLength","latency_ms":"$context.responseLatency",'
    '"integration_latency_ms":"$context.integrationLatency","error":"$context.error.message",'
    '"xray_trace_id":"$context.xrayTraceId"}'
)
XRAY_ACTIONS = ("xray:PutTraceSegments", "xray:PutTelemetryRecords")
_STAGE = re.compile(r"^[a-z][a-z0-9-]{0,30}$")
_PLACEHOLDER = re.compile(r"\$\{(\w+)\}")

_AUTH_FLOWS = {
    "ALLOW_USER_PASSWORD_AUTH": "user_password",
    "ALLOW_USER_SRP_AUTH": "user_srp",
    "ALLOW_ADMIN_USER_PASSWORD_AUTH": "admin_user_password",
    "ALLOW_CUSTOM_AUTH": "custom",
    "ALLOW_USER_AUTH": "user",
}


class RegistryError(ValueError):
    """The functions/state machines registry is inconsistent (caught before anything is built)."""


def check_registry(functions: tuple[LambdaFunction, ...], state_machines: tuple[StateMachine, ...]) -> None:
    """Every function name is unique; every ASL placeholder maps to a function of the registry."""
    names = [fn.name for fn in functions]
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        raise RegistryError(f"functions registered twice: {', '.join(duplicates)}")
    for machine in state_machines:
        placeholders = set(_PLACEHOLDER.findall(machine.definition()))
        missing = sorted(placeholders - machine.functions.keys())
        if missing:
            raise RegistryError(
                f"state machine {machine.name} ({machine.file}): no function for placeholder(s) "
                + ", ".join(f"${{{name}}}" for name in missing)
            )
        unknown = sorted({fn for fn in machine.functions.values() if fn not in names})
        if unknown:
            raise RegistryError(f"state machine {machine.name}: unknown function(s) {', '.join(unknown)}")


@contextlib.contextmanager
def scratch_workdir() -> Iterator[None]:
    """Run Chalice packaging in a temporary directory: it writes chalice.out/ into the cwd.

    Keep the context open until the app is synthesized, which copies the packages into cdk.out/.
    """
    with tempfile.TemporaryDirectory(prefix="chalice-out-") as tmp, contextlib.chdir(tmp):
        yield


@contextlib.contextmanager
def _packaging_region(region: str | None) -> Iterator[None]:
    """Give `chalice package` a region when none is configured (offline synth, CI).

    Chalice needs one only for the service principals' DNS suffix, so any region of the target
    partition gives the same template; the stack's own region or the CLI's default is preferred.
    """
    if os.environ.get("AWS_DEFAULT_REGION"):
        yield
        return
    os.environ["AWS_DEFAULT_REGION"] = (
        region or os.environ.get("AWS_REGION") or os.environ.get("CDK_DEFAULT_REGION") or "us-east-1"
    )
    try:
        yield
    finally:
        os.environ.pop("AWS_DEFAULT_REGION", None)


class ChaliceApp(Chalice):
    """Chalice's construct, packaged for the stack's runtime and rewritten to ship bytecode.

    `chalice package` picks the runtime of the Python running it and zips sources only, with the
    build's dates; here the runtime is `bundle.RUNTIME`, and both zips (the app and the managed
    layer) are rewritten reproducibly with bytecode for that runtime, the layer without the build
    tools pip leaves in it.
    """

    def _package_app(self) -> None:
        runtime = property(lambda _config: bundle.RUNTIME)
        with _patched(ChaliceConfig, "lambda_python_version", runtime):
            super()._package_app()
        python = bundle.runtime_python()
        package_dir = Path(self._sam_package_dir)
        bundle.rebuild_zip(package_dir / "deployment.zip", bundle.TASK_ROOT, python)
        layer = package_dir / "layer-deployment.zip"
        if layer.exists():
            bundle.rebuild_zip(layer, bundle.LAYER_ROOT, python, layer=True)


@contextlib.contextmanager
def _patched(owner: type, name: str, value: object) -> Iterator[None]:
    saved = owner.__dict__[name]
    setattr(owner, name, value)
    try:
        yield
    finally:
        setattr(owner, name, saved)


class CrmStack(Stack):
    """One stage of the CRM; `stage` names its secrets and tells the app where it runs."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        stage: str,
        functions: tuple[LambdaFunction, ...] = FUNCTIONS,
        state_machines: tuple[StateMachine, ...] = STATE_MACHINES,
        log_level: str = "INFO",
        app_url: str,
        mail_from: str = shared.DEFAULT_MAIL_FROM,
        throttling_rate_limit: float = 50,
        throttling_burst_limit: int = 100,
        web_dist: Path | None = None,
        web_certificate_arn: str | None = None,
        google_client_id: str | None = None,
        google_client_secret: str | None = None,
        log_retention_days: int = DEFAULT_LOG_RETENTION_DAYS,
        alarm_email: str | None = None,
        table_name: str | None = None,
        **kwargs: Any,
    ) -> None:
        if not _STAGE.match(stage):
            raise ValueError(f"stage {stage!r}: lowercase letters, digits and hyphens, starting with a letter")
        # Fail on a bad registry before Chalice spends seconds packaging.
        check_registry(functions, state_machines)
        super().__init__(scope, construct_id, **kwargs)
        self.stage = stage
        self.secrets_prefix = f"/crm/{stage}"
        self.mail_from = mail_from
        self.log_retention_days = log_retention_days
        # The web app's origin is the only one the API and the files bucket answer (CORS).
        self.app_origin = origin_of(app_url)

        # -c table_name=: a table restored from a backup instead of the stack's own (restore drill).
        self.table: dynamodb.ITable = (
            restored_table(self, "Table", table_name, table_schema())
            if table_name
            else table_from_schema(self, "Table", table_schema())
        )
        self.user_pool, self.user_pool_client = self._user_pool(stage)
        self.files = self._files_bucket()
        environment = {
            "STAGE": stage,
            "TABLE_NAME": self.table.table_name,
            "COGNITO_POOL_ID": self.user_pool.user_pool_id,
            "COGNITO_CLIENT_ID": self.user_pool_client.user_pool_client_id,
            "SECRETS_PREFIX": self.secrets_prefix,
            "FILES_BUCKET": self.files.bucket_name,
            "MAIL_FROM": mail_from,
            "APP_URL": app_url,
            # Each CRM's own Zadarma account sends its SMS (SM-1, SM-4).
            "SMS_PROVIDER": "zadarma",
            # + a registry name: the ARN of a state machine (named below) the app starts.
            "STATE_MACHINE_ARN_PREFIX": self.format_arn(
                service="states",
                resource="stateMachine",
                resource_name=f"crm-{stage}-",
                arn_format=ArnFormat.COLON_RESOURCE_NAME,
            ),
            "POWERTOOLS_METRICS_NAMESPACE": "CRM",
            "POWERTOOLS_LOG_LEVEL": log_level,
        }
        if google_client_id and google_client_secret:  # Google Calendar sync (issue 19); else 503
            environment["GOOGLE_CLIENT_ID"] = google_client_id
            environment["GOOGLE_CLIENT_SECRET"] = google_client_secret
            environment["GOOGLE_REDIRECT_URI"] = f"{app_url.rstrip('/')}/v1/google/callback"
            # Google's change notifications (events.watch) reach the API on the app's origin.
            environment["GOOGLE_WEBHOOK_URL"] = f"{app_url.rstrip('/')}/v1/webhooks/google"

        self.api = self._api(environment, throttling_rate_limit, throttling_burst_limit)
        api_role = self.api.get_role("DefaultRole")
        self.table.grant_read_write_data(api_role)
        self.user_pool.grant(api_role, *shared.API_USER_POOL_ACTIONS)
        api_role.add_to_principal_policy(self._secrets_statement())
        # Tenant files only (avatars, recordings, imports, exports); no listing, no deletes from the API.
        self.files.grant_put(api_role, "tenants/*")
        self.files.grant_read(api_role, "tenants/*")
        api_role.add_to_principal_policy(self._mail_statement(mail_from))

        # The web app (web_dist: the built files; None deploys none) with the API on its origin.
        self.web = WebApp(
            self,
            "Web",
            api_domain=f"{self.api.get_resource('RestAPI').ref}.execute-api.{self.region}.{self.url_suffix}",
            api_stage=API_STAGE,
            app_url=app_url,
            web_dist=web_dist,
            certificate_arn=web_certificate_arn,
        )

        self.functions = self._functions(functions, environment)
        sync = self.functions.get("CalendarSync")
        if sync is not None:
            # "Sync now" invokes the calendar worker for one user at once (asynchronously).
            sync.grant_invoke(api_role)
            handler = self.api.get_resource("APIHandler")
            handler.add_property_override("Environment.Variables.CALENDAR_SYNC_FUNCTION", sync.function_name)
        self.state_machines = {machine.name: self._state_machine(machine) for machine in state_machines}
        for machine in self.state_machines.values():
            # The API starts workflows (recording copies, broadcasts, call lists) and answers the
            # steps that wait for it (the PBX's end of call resumes an autodial; cancel fails it).
            machine.grant_start_execution(api_role)
            machine.grant_task_response(api_role)

        self.monitoring = Monitoring(
            self,
            "Monitoring",
            stage=stage,
            alarm_email=alarm_email,
            api_name=self.api_name,
            api_stage=API_STAGE,
            api_function_name=self.api.get_resource("APIHandler").ref,
            functions=self.functions,
            state_machines=self.state_machines,
            table=self.table,
            dead_letters=self.dead_letters,
        )
        # Last: CDK's own helper functions (the web app's deployment...) exist by now.
        give_every_function_a_log_group(self, log_retention_days)

        CfnOutput(self, "ApiUrl", value=self.api.sam_template.get_output("EndpointURL").value)
        CfnOutput(self, "TableName", value=self.table.table_name)
        CfnOutput(self, "FilesBucket", value=self.files.bucket_name)
        CfnOutput(self, "UserPoolId", value=self.user_pool.user_pool_id)
        CfnOutput(self, "UserPoolClientId", value=self.user_pool_client.user_pool_client_id)
        CfnOutput(self, "AlarmTopicArn", value=self.monitoring.topic.topic_arn)

    def _user_pool(self, stage: str) -> tuple[cognito.UserPool, cognito.UserPoolClient]:
        pool = cognito.UserPool(
            self,
            "UserPool",
            user_pool_name=f"{shared.USER_POOL_NAME}-{stage}",
            self_sign_up_enabled=False,  # the CRM creates every login (AdminCreateUser)
            sign_in_aliases=cognito.SignInAliases(username=True),
            password_policy=cognito.PasswordPolicy(
                min_length=shared.USER_POOL_PASSWORD_MIN_LENGTH,
                require_lowercase=False,
                require_uppercase=False,
                require_digits=False,
                require_symbols=False,
            ),
            account_recovery=cognito.AccountRecovery.EMAIL_ONLY,
            # The API does its own login screen and emails; Lite has everything it uses.
            feature_plan=cognito.FeaturePlan.LITE,
            removal_policy=RemovalPolicy.RETAIN,
        )
        unknown = set(shared.USER_POOL_AUTH_FLOWS) - {*_AUTH_FLOWS, "ALLOW_REFRESH_TOKEN_AUTH"}
        if unknown:
            raise ValueError(f"auth flows CDK cannot express: {sorted(unknown)}")
        flows = {_AUTH_FLOWS[flow]: True for flow in shared.USER_POOL_AUTH_FLOWS if flow in _AUTH_FLOWS}
        client = pool.add_client(
            "ApiClient",
            user_pool_client_name=shared.USER_POOL_CLIENT_NAME,
            generate_secret=False,
            auth_flows=cognito.AuthFlow(**flows),  # CDK always adds ALLOW_REFRESH_TOKEN_AUTH
            disable_o_auth=True,
            access_token_validity=Duration.minutes(shared.ACCESS_TOKEN_MINUTES),
            refresh_token_validity=Duration.days(shared.REFRESH_TOKEN_DAYS),
            prevent_user_existence_errors=True,
        )
        return pool, client

    def _api(self, environment: Mapping[str, str], rate_limit: float, burst_limit: int) -> Chalice:
        # The packaging exports the stage's variables and then reads the settings (the preflight's
        # allowed origin is APP_URL's): settings read earlier in this process must not answer.
        get_settings.cache_clear()
        with _packaging_region(None if Token.is_unresolved(self.region) else self.region):
            api = ChaliceApp(
                self,
                "Api",
                source_dir=str(shared.ROOT),
                stage_config={
                    "api_gateway_stage": API_STAGE,
                    "environment_variables": {**environment, "POWERTOOLS_SERVICE_NAME": "crm-api"},
                },
            )
        get_settings.cache_clear()  # the stage's (CDK tokens) are not this process's settings
        rest_api = api.get_resource("RestAPI")
        rest_api.add_property_override(
            "DefinitionBody.x-amazon-apigateway-gateway-responses", gateway_responses(self.app_origin)
        )
        # Named by stage: API Gateway's metrics (the alarms) are per API name and stage.
        self.api_name = f"crm-{self.stage}"
        rest_api.add_property_override("Name", self.api_name)
        rest_api.add_property_override("DefinitionBody.info.title", self.api_name)
        # X-Ray on the stage and the handler: no SDK ships, Lambda and API Gateway trace the calls.
        rest_api.add_property_override("TracingEnabled", True)
        access_logs = log_group(self, "ApiAccessLogs", self.log_retention_days)
        rest_api.add_property_override(
            "AccessLogSetting", {"DestinationArn": access_logs.log_group_arn, "Format": ACCESS_LOG_FORMAT}
        )
        rest_api.add_resource_dependency(self._api_gateway_account())
        handler = api.get_resource("APIHandler")
        handler.add_property_override("Tracing", "Active")
        handler.add_property_override(
            "LoggingConfig", {"LogGroup": log_group(self, "ApiLogs", self.log_retention_days).log_group_name}
        )
        api.get_role("DefaultRole").add_to_principal_policy(
            iam.PolicyStatement(actions=list(XRAY_ACTIONS), resources=["*"])
        )
        rest_api.add_property_override(
            "MethodSettings",
            [
                {
                    "ResourcePath": "/*",
                    "HttpMethod": "*",
                    "ThrottlingRateLimit": rate_limit,
                    "ThrottlingBurstLimit": burst_limit,
                }
            ],
        )
        return api

    def _api_gateway_account(self) -> apigateway.CfnAccount:
        """API Gateway writes access logs through the account's CloudWatch role (one per account
        and region: kept when the stack goes, as other stages may log through it)."""
        role = iam.Role(
            self,
            "ApiGatewayLogsRole",
            assumed_by=iam.ServicePrincipal("apigateway.amazonaws.com"),
            managed_policies=[
                iam.ManagedPolicy.from_aws_managed_policy_name("service-role/AmazonAPIGatewayPushToCloudWatchLogs")
            ],
        )
        role.apply_removal_policy(RemovalPolicy.RETAIN)
        account = apigateway.CfnAccount(self, "ApiGatewayAccount", cloud_watch_role_arn=role.role_arn)
        account.apply_removal_policy(RemovalPolicy.RETAIN)
        return account

    def _files_bucket(self) -> s3.Bucket:
        """Private, encrypted, TLS-only; browsers reach it only through presigned URLs."""
        return s3.Bucket(
            self,
            "Files",
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            encryption=s3.BucketEncryption.S3_MANAGED,
            enforce_ssl=True,
            # The originals (recordings, imported files, avatars): an overwrite or a delete keeps
            # the previous version for NONCURRENT_VERSION_DAYS.
            versioned=True,
            cors=[
                s3.CorsRule(
                    allowed_methods=[s3.HttpMethods(m) for m in shared.FILES_CORS_METHODS],
                    allowed_origins=[self.app_origin],
                    allowed_headers=["*"],
                    max_age=shared.FILES_CORS_MAX_AGE,
                )
            ],
            lifecycle_rules=[
                # Exports are copies of the company's contacts: gone after a week (the API then
                # shows them `expired`). Imports keep their files: undo reads them.
                s3.LifecycleRule(
                    id="ExpireExports",
                    tag_filters={RETENTION_TAG: EXPORT_RETENTION},
                    expiration=Duration.days(EXPORT_RETENTION_DAYS),
                ),
                s3.LifecycleRule(id="AbortIncompleteUploads", abort_incomplete_multipart_upload_after=Duration.days(1)),
                s3.LifecycleRule(
                    id="ExpireNoncurrentVersions",
                    noncurrent_version_expiration=Duration.days(NONCURRENT_VERSION_DAYS),
                    expired_object_delete_marker=True,
                ),
            ],
            removal_policy=RemovalPolicy.RETAIN,
        )

    def _mail_statement(self, mail_from: str) -> iam.PolicyStatement:
        """SendEmail from the sender's verified SES domain identity only."""
        domain = parseaddr(mail_from)[1].rpartition("@")[2]
        if not domain:
            raise ValueError(f"mail_from {mail_from!r} has no email address")
        identity = self.format_arn(service="ses", resource="identity", resource_name=domain)
        return iam.PolicyStatement(actions=["ses:SendEmail"], resources=[identity])

    def _secrets_statement(self) -> iam.PolicyStatement:
        # SecureStrings use the AWS-managed aws/ssm key, whose key policy already lets any
        # principal of the account use it through SSM: no KMS statement is needed.
        parameters = self.format_arn(
            service="ssm",
            resource="parameter",
            resource_name=f"{self.secrets_prefix.strip('/')}/tenants/*",
        )
        return iam.PolicyStatement(actions=list(shared.SECRET_ACTIONS), resources=[parameters])

    def _functions(
        self, functions: tuple[LambdaFunction, ...], environment: Mapping[str, str]
    ) -> dict[str, lambda_.Function]:
        self.dead_letters: dict[str, sqs.Queue] = {}
        if not functions:
            return {}
        # The managed layer holds requirements.txt built for the API's runtime (bundle.RUNTIME); a
        # function on another Python minor version would not find the packages.
        runtime = lambda_.Runtime(self.api.get_resource("APIHandler").runtime, lambda_.RuntimeFamily.PYTHON)
        layer = lambda_.LayerVersion.from_layer_version_arn(self, "Deps", self.api.get_resource("ManagedLayer").ref)
        # Only what functions/ imports, with bytecode for the runtime; built next to chalice.out/.
        code_dir = Path.cwd() / "functions.out" / self.stage
        shutil.rmtree(code_dir, ignore_errors=True)
        bundle.build_code(code_dir, bundle.FUNCTION_SOURCES, bundle.runtime_python())
        code = lambda_.Code.from_asset(str(code_dir))
        return {fn.name: self._function(fn, environment, runtime, layer, code) for fn in functions}

    def _function(
        self,
        fn: LambdaFunction,
        environment: Mapping[str, str],
        runtime: lambda_.Runtime,
        layer: lambda_.ILayerVersion,
        code: lambda_.Code,
    ) -> lambda_.Function:
        service = re.sub(r"(?<!^)(?=[A-Z])", "-", fn.name).lower()
        # Nobody waits for an asynchronous function: a run that still fails after its retries, or
        # an event EventBridge could not deliver, is kept on its dead-letter queue (README,
        # docs/operations.md: python -m functions.replay_dlq crm-<stage>-<Name>-dlq).
        name = f"crm-{self.stage}-{fn.name}"
        dead_letters = None
        if fn.asynchronous:
            dead_letters = sqs.Queue(
                self,
                f"{fn.name}DeadLetters",
                queue_name=f"{name}-dlq",
                retention_period=Duration.days(14),
                encryption=sqs.QueueEncryption.SQS_MANAGED,
                enforce_ssl=True,
            )
            Tags.of(dead_letters).add(FUNCTION_TAG, name)
            self.dead_letters[fn.name] = dead_letters
        function = lambda_.Function(
            self,
            f"{fn.name}Function",
            function_name=name,
            description=fn.description[:256],
            runtime=runtime,
            handler=fn.handler,
            code=code,
            layers=[layer],
            environment={**environment, "POWERTOOLS_SERVICE_NAME": f"crm-{service}"},
            timeout=Duration.seconds(fn.timeout_seconds),
            memory_size=fn.memory_mb,
            log_group=log_group(self, f"{fn.name}Logs", self.log_retention_days),
            tracing=lambda_.Tracing.ACTIVE,
            dead_letter_queue=dead_letters,
            # Asynchronous invocations only (a state machine's retries are in its ASL).
            retry_attempts=2 if dead_letters is not None else None,
            max_event_age=Duration.hours(6) if dead_letters is not None else None,
        )
        read, write = Access.TABLE_READ in fn.access, Access.TABLE_WRITE in fn.access
        if read and write:
            self.table.grant_read_write_data(function)
        elif read:
            self.table.grant_read_data(function)
        elif write:
            self.table.grant_write_data(function)
        if Access.USER_POOL_ADMIN in fn.access:
            self.user_pool.grant(function, *shared.USER_POOL_ADMIN_ACTIONS)
        if Access.TENANT_SECRETS in fn.access:
            function.add_to_role_policy(self._secrets_statement())
        if Access.FILES_WRITE in fn.access:
            self.files.grant_put(function, "tenants/*")
        if Access.FILES_READ in fn.access:
            self.files.grant_read(function, "tenants/*")
        if Access.SEND_EMAIL in fn.access:
            function.add_to_role_policy(self._mail_statement(self.mail_from))
        if fn.schedule_minutes is not None:
            events.Rule(
                self,
                f"{fn.name}Schedule",
                description=f"Runs {fn.name} every {fn.schedule_minutes} min",
                schedule=events.Schedule.rate(Duration.minutes(fn.schedule_minutes)),
                targets=[
                    targets.LambdaFunction(
                        function,
                        dead_letter_queue=dead_letters,
                        retry_attempts=3,
                        max_event_age=Duration.hours(1),
                    )
                ],
            )
        return function

    def _state_machine(self, machine: StateMachine) -> sfn.StateMachine:
        state_machine = sfn.StateMachine(
            self,
            f"{machine.name}StateMachine",
            state_machine_name=f"crm-{self.stage}-{machine.name}",
            definition_body=sfn.DefinitionBody.from_string(machine.definition()),
            definition_substitutions={
                placeholder: self.functions[name].function_arn for placeholder, name in machine.functions.items()
            },
            # Failed executions (and their errors) are logged; X-Ray traces every execution.
            logs=sfn.LogOptions(
                destination=log_group(
                    self,
                    f"{machine.name}Logs",
                    self.log_retention_days,
                    name=f"/aws/vendedlogs/states/crm-{self.stage}-{machine.name}",
                ),
                level=sfn.LogLevel.ERROR,
                include_execution_data=True,
            ),
            tracing_enabled=True,
        )
        for name in sorted(set(machine.functions.values())):
            self.functions[name].grant_invoke(state_machine)
        return state_machine
