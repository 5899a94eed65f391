"""Create the stack's AWS resources in moto from the same sources as CDK.

Used by the local stack (`make run`) and by the test harness, so both run against the table,
user pool, functions and state machines that CDK deploys.
"""

from __future__ import annotations

import contextlib
import io
import json
import re
import zipfile
from dataclasses import dataclass
from email.utils import parseaddr
from typing import Any

from chalicelib.bootstrap import bind_storage
from chalicelib.db.items import Item
from functions.registry import FUNCTIONS, STATE_MACHINES, LambdaFunction, StateMachine
from infra import shared

ACCOUNT_ID = "123456789012"  # moto's default account
_PLACEHOLDER = re.compile(r"\$\{(\w+)\}")


@dataclass(frozen=True, slots=True)
class UserPool:
    pool_id: str
    client_id: str


def create_table() -> None:
    """The one table, with its indexes generated from the models, and TTL on."""
    bind_storage()  # the table of the settings now in the environment
    if not Item.exists():
        Item.create_table(wait=True, billing_mode="PAY_PER_REQUEST")
    client: Any = Item._get_connection().connection.client  # untyped in the stubs: a DynamoDB client
    client.update_time_to_live(
        TableName=Item.Meta.table_name,
        TimeToLiveSpecification={"Enabled": True, "AttributeName": shared.TTL_ATTRIBUTE},
    )


def create_user_pool(cognito: Any) -> UserPool:
    """The Cognito user pool and app client (idempotent by name)."""
    pools = cognito.list_user_pools(MaxResults=60)["UserPools"]
    pool_id = next((p["Id"] for p in pools if p["Name"] == shared.USER_POOL_NAME), None)
    if pool_id is None:
        pool_id = cognito.create_user_pool(
            PoolName=shared.USER_POOL_NAME,
            Policies={
                "PasswordPolicy": {
                    "MinimumLength": shared.USER_POOL_PASSWORD_MIN_LENGTH,
                    "RequireUppercase": False,
                    "RequireLowercase": False,
                    "RequireNumbers": False,
                    "RequireSymbols": False,
                }
            },
            AdminCreateUserConfig={"AllowAdminCreateUserOnly": True},
        )["UserPool"]["Id"]
    clients = cognito.list_user_pool_clients(UserPoolId=pool_id, MaxResults=60)["UserPoolClients"]
    client_id = next((c["ClientId"] for c in clients if c["ClientName"] == shared.USER_POOL_CLIENT_NAME), None)
    if client_id is None:
        client_id = cognito.create_user_pool_client(
            UserPoolId=pool_id,
            ClientName=shared.USER_POOL_CLIENT_NAME,
            GenerateSecret=False,
            ExplicitAuthFlows=list(shared.USER_POOL_AUTH_FLOWS),
            AccessTokenValidity=shared.ACCESS_TOKEN_MINUTES,
            RefreshTokenValidity=shared.REFRESH_TOKEN_DAYS,
            TokenValidityUnits={"AccessToken": "minutes", "RefreshToken": "days"},
            PreventUserExistenceErrors="ENABLED",
        )["UserPoolClient"]["ClientId"]
    return UserPool(pool_id=pool_id, client_id=client_id)


FILES_CORS = {
    "CORSRules": [
        {
            "AllowedMethods": list(shared.FILES_CORS_METHODS),
            "AllowedOrigins": ["*"],
            "AllowedHeaders": ["*"],
            "MaxAgeSeconds": shared.FILES_CORS_MAX_AGE,
        }
    ]
}


def create_files_bucket(s3: Any, name: str, region: str) -> None:
    """The private files bucket (avatars, later recordings and imports), with CORS for browsers."""
    with contextlib.suppress(s3.exceptions.BucketAlreadyOwnedByYou, s3.exceptions.BucketAlreadyExists):
        s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": region})
    s3.put_bucket_cors(Bucket=name, CORSConfiguration=FILES_CORS)


def create_mail_identity(sesv2: Any, sender: str) -> None:
    """Verify the sender's domain in SES (moto refuses mail from unverified identities)."""
    domain = parseaddr(sender)[1].rpartition("@")[2]
    with contextlib.suppress(sesv2.exceptions.AlreadyExistsException):
        sesv2.create_email_identity(EmailIdentity=domain)


def register_functions(
    lambda_client: Any, iam: Any, functions: tuple[LambdaFunction, ...] = FUNCTIONS
) -> dict[str, str]:
    """Register the registry's Lambdas in moto (run in-process by the glue); name -> ARN."""
    role_arn = _execution_role(iam)
    arns: dict[str, str] = {}
    for fn in functions:
        try:
            arns[fn.name] = lambda_client.get_function(FunctionName=fn.name)["Configuration"]["FunctionArn"]
            continue
        except lambda_client.exceptions.ResourceNotFoundException:
            pass
        arns[fn.name] = lambda_client.create_function(
            FunctionName=fn.name,
            Runtime="python3.12",
            Role=role_arn,
            Handler=fn.handler,
            Code={"ZipFile": _empty_zip()},
            Timeout=fn.timeout_seconds,
        )["FunctionArn"]
    return arns


def create_state_machines(
    sfn: Any,
    function_arns: dict[str, str],
    machines: tuple[StateMachine, ...] = STATE_MACHINES,
    overrides: dict[str, str] | None = None,
) -> dict[str, str]:
    """Create the state machines from their ASL files, placeholders substituted; name -> ARN."""
    existing = {m["name"]: m["stateMachineArn"] for m in sfn.list_state_machines()["stateMachines"]}
    arns: dict[str, str] = {}
    for machine in machines:
        values = {**{key: function_arns[fn] for key, fn in machine.functions.items()}, **(overrides or {})}
        definition = substitute(machine.definition(), values)
        if machine.name in existing:
            sfn.update_state_machine(stateMachineArn=existing[machine.name], definition=definition)
            arns[machine.name] = existing[machine.name]
        else:
            arns[machine.name] = sfn.create_state_machine(
                name=machine.name,
                definition=definition,
                roleArn=f"arn:aws:iam::{ACCOUNT_ID}:role/{machine.name}",
            )["stateMachineArn"]
    return arns


def substitute(definition: str, values: dict[str, str]) -> str:
    """Replace `${Name}` placeholders like CDK's definition_substitutions; all must be known."""
    missing = sorted(set(_PLACEHOLDER.findall(definition)) - set(values))
    if missing:
        raise KeyError(f"no value for the state machine placeholders {missing}")
    return _PLACEHOLDER.sub(lambda m: values[m.group(1)], definition)


def _execution_role(iam: Any) -> str:
    """One role for every local function: moto checks it exists, never what it allows."""
    name = "crm-local-functions"
    try:
        return str(iam.get_role(RoleName=name)["Role"]["Arn"])
    except iam.exceptions.NoSuchEntityException:
        policy = {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
            ],
        }
        return str(iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(policy))["Role"]["Arn"])


def _empty_zip() -> bytes:
    # moto stores the code but never runs it: the glue imports the handler from this checkout.
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("README", "code runs in-process, see infra/local/lambda_glue.py")
    return buffer.getvalue()
