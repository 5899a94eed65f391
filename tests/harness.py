"""The in-process AWS and API harness shared by the tests and the benchmarks.

`aws_environment()` sets a fake AWS environment before the app is imported; `LocalAws` starts
moto in-process with the stack's resources created by infra/local/resources.py (the same code
the local stack runs); `Api` wraps chalice.test.Client with JSON helpers; `new_crm()` creates a
CRM through the API and logs its admin in.
"""

from __future__ import annotations

import functools
import gzip
import json
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from itertools import count
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from tests.fakes.clock import ManualClock

ROOT = Path(__file__).resolve().parent.parent
REGION = "eu-west-1"
PASSWORD = "correct-horse-42"
FILES_BUCKET = "crm-test-files"


def aws_environment() -> None:
    """Fake credentials and quiet Powertools; call before importing the app."""
    os.environ.update(
        {
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_SECURITY_TOKEN": "testing",
            "AWS_SESSION_TOKEN": "testing",
            "AWS_DEFAULT_REGION": REGION,
            "AWS_REGION": REGION,
            "TABLE_NAME": "crm-test",
            "STAGE": "test",
            "SECRETS_PREFIX": "/crm/test",
            "FILES_BUCKET": FILES_BUCKET,
            "POWERTOOLS_SERVICE_NAME": "crm-test",
            "POWERTOOLS_LOG_LEVEL": os.environ.get("POWERTOOLS_LOG_LEVEL", "WARNING"),
            "POWERTOOLS_METRICS_DISABLED": "true",
            "COGNITO_JWKS_URL": serve_jwks(),
            "STATE_MACHINE_ARN_PREFIX": f"arn:aws:states:{REGION}:123456789012:stateMachine:",
            # No sleeping in tests: the recording workflow's waits are parameterised to 0 s.
            "RECORDING_DELAY_SECONDS": "0",
            "RECORDING_RETRY_SECONDS": "0",
            "TRANSCRIPT_RETRY_SECONDS": "0",
            "BROADCAST_RETRY_SECONDS": "0",
            "AUTODIAL_GAP_SECONDS": "0",
            "SMS_PROVIDER": "zadarma",
        }
    )
    os.environ.pop("AWS_ENDPOINT_URL", None)  # in-process moto, never a server
    os.environ.pop("AWS_PROFILE", None)


@functools.cache
def serve_jwks() -> str:
    """Serve moto's public JWKS over loopback HTTP, as Cognito serves a pool's; returns its URL.

    moto signs every pool's tokens with one static key, so one server fits every test.
    """
    packed = resources.files("moto.cognitoidp").joinpath("resources/jwks-public.json.gz").read_bytes()
    jwks = gzip.decompress(packed)

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(jwks)))
            self.end_headers()
            self.wfile.write(jwks)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, name="jwks", daemon=True).start()
    return f"http://127.0.0.1:{server.server_address[1]}/.well-known/jwks.json"


def moto_private_jwk() -> dict[str, Any]:
    """moto's signing key: lets a test mint an expired or wrong-client token that is otherwise valid."""
    packed = resources.files("moto.cognitoidp").joinpath("resources/jwks-private.json.gz").read_bytes()
    data: dict[str, Any] = json.loads(gzip.decompress(packed))
    return data


def share_user_pool_key() -> None:
    """moto signs every user pool's tokens with the same RSA key, parsed again for each new pool
    (0.1 s, half of a test's set-up): parse it once. Idempotent."""
    from joserfc import jwk
    from moto.cognitoidp import models

    if getattr(models.jwk, "shared", False):
        return
    parsed: dict[str, Any] = {}

    def import_key(value: Any, *args: Any, **kwargs: Any) -> Any:
        if args or kwargs:
            return jwk.RSAKey.import_key(value, *args, **kwargs)
        text = json.dumps(value, sort_keys=True)
        if text not in parsed:
            parsed[text] = jwk.RSAKey.import_key(value)
        return parsed[text]

    models.jwk = SimpleNamespace(RSAKey=SimpleNamespace(import_key=import_key), shared=True)  # type: ignore[assignment]


def reset_caches() -> None:
    """Forget settings and clients built from the previous environment."""
    from chalicelib.api.auth import verifier
    from chalicelib.bootstrap import services
    from chalicelib.config import get_settings

    # A test's clock outlives the services rebuilt here (the `clock` fixture keeps working).
    clock = services().clock if services.cache_info().currsize else None
    get_settings.cache_clear()
    services.cache_clear()
    verifier.cache_clear()
    if isinstance(clock, ManualClock):
        services().clock = clock


@dataclass
class LocalAws:
    pool_id: str
    client_id: str
    cognito: Any
    ssm: Any
    clock: ManualClock  # the time every service sees: `aws.clock.advance(days=8)`


MOTO_CONFIG = {"stepfunctions": {"execute_state_machine": True}, "lambda": {"use_docker": False}}


@functools.cache
def aws_client(service: str) -> Any:
    """boto3 clients are slow to build (~50 ms); moto intercepts cached ones in every test."""
    import boto3

    return boto3.client(service, region_name=REGION)


@contextmanager
def local_aws() -> Iterator[LocalAws]:
    """moto in-process with the stack's table and user pool; the app configured to use them."""
    from moto import mock_aws

    from infra.local import resources as stack_resources
    from tests.fakes.mailboxes import FakeMailboxProbe

    with mock_aws(config=MOTO_CONFIG):
        cognito = aws_client("cognito-idp")
        reset_caches()  # settings another test cached (a synth's CDK tokens) must not name the table
        stack_resources.create_table()
        stack_resources.create_mail_identity(aws_client("sesv2"), "CRM <no-reply@example.com>")
        stack_resources.create_files_bucket(aws_client("s3"), FILES_BUCKET, REGION)
        pool = stack_resources.create_user_pool(cognito)
        os.environ["COGNITO_POOL_ID"] = pool.pool_id
        os.environ["COGNITO_CLIENT_ID"] = pool.client_id
        reset_caches()
        from chalicelib.bootstrap import services

        clock = ManualClock()
        services().clock = clock  # before any service is built: they all share it
        services().mailbox_probe = FakeMailboxProbe()  # no test reaches a real mail server
        try:
            yield LocalAws(pool.pool_id, pool.client_id, cognito, aws_client("ssm"), clock)
        finally:
            reset_caches()


class Seeder:
    """Saves items straight into moto's table (see `seeded`)."""

    def __init__(self) -> None:
        from moto.dynamodb.models import dynamodb_backends

        from chalicelib.db.items import Item

        self._backend = dynamodb_backends["123456789012"][REGION]
        self._table = Item.Meta.table_name

    def save(self, item: Any) -> None:
        self._backend.put_item(self._table, item.serialize())


@contextmanager
def seeded() -> Iterator[Seeder]:
    """Set-up of thousands of records (the large CRM of a budget test) written into moto's table
    directly: the same items and indexes, without a request and its answer for each (40% less
    time than a batch write). Nothing is metered or checked: for set-up, never for what a test
    asserts about writes."""
    yield Seeder()


def sent_emails() -> list[dict[str, Any]]:
    """The emails sent through SES so far in this test (moto keeps them in memory)."""
    from moto.ses.models import ses_backends

    backend = ses_backends["123456789012"][REGION]
    return [
        {"to": m.destinations["ToAddresses"], "subject": m.subject, "body": m.body, "source": m.source}
        for m in backend.sent_messages
    ]


@dataclass
class Reply:
    status: int
    body: bytes
    headers: dict[str, str]

    @property
    def json(self) -> Any:
        return json.loads(self.body) if self.body else None

    @property
    def error(self) -> dict[str, Any]:
        return self.json["error"]


class Api:
    """JSON over chalice.test.Client: `api.post("/v1/crms", {...}, token=...)`."""

    def __init__(self, client: Any) -> None:
        self._client = client

    def request(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        token: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> Reply:
        sent = {"Content-Type": "application/json", **(headers or {})}
        if token is not None:
            sent["Authorization"] = f"Bearer {token}"
        payload = body if isinstance(body, (bytes, str)) or body is None else json.dumps(body)
        kwargs: dict[str, Any] = {"headers": sent}
        if payload is not None:
            kwargs["body"] = payload
        response = getattr(self._client.http, method.lower())(path, **kwargs)
        return Reply(response.status_code, response.body, dict(response.headers))

    def get(self, path: str, **kwargs: Any) -> Reply:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, body: Any = None, **kwargs: Any) -> Reply:
        return self.request("POST", path, body, **kwargs)


_numbers = count(1)


@dataclass
class CrmSession:
    id: str
    slug: str
    admin: dict[str, Any]
    token: str
    refresh_token: str
    users: list[dict[str, Any]] = field(default_factory=list)


def crm_payload(name: str | None = None, **overrides: Any) -> dict[str, Any]:
    n = next(_numbers)
    payload: dict[str, Any] = {
        "name": name or f"Test Crm {n}",
        "admin": {"name": "Ada Admin", "email": f"ada{n}@example.com", "password": PASSWORD, "extension": "100"},
    }
    payload.update(overrides)
    return payload


def new_crm(api: Api, name: str | None = None, **overrides: Any) -> CrmSession:
    """Create a CRM through the API and log its admin in."""
    payload = crm_payload(name, **overrides)
    created = api.post("/v1/crms", payload)
    assert created.status == 201, created.json
    crm = created.json["crm"]
    login = api.post("/v1/auth/login", {"crm": crm["slug"], "email": payload["admin"]["email"], "password": PASSWORD})
    assert login.status == 200, login.json
    return CrmSession(
        id=crm["id"],
        slug=crm["slug"],
        admin=created.json["admin"],
        token=login.json["access_token"],
        refresh_token=login.json["refresh_token"],
        users=created.json["users"],
    )


@dataclass
class Member:
    id: str
    group_id: str
    email: str
    token: str


def add_member(api: Api, crm: CrmSession, permissions: Any = frozenset(), *, admin: bool = False) -> Member:
    """An active user of `crm` in a new group holding exactly `permissions` (or an admin), logged in."""
    from chalicelib.bootstrap import services
    from chalicelib.db.repositories.groups import GroupRepository
    from chalicelib.db.repositories.users import UserRepository
    from chalicelib.db.writes import transact
    from chalicelib.domain.clock import utcnow
    from chalicelib.domain.ids import new_id
    from chalicelib.domain.rights import Group, GroupType
    from chalicelib.domain.users import User, UserStatus, principal_name

    n = next(_numbers)
    if admin:
        group_id = crm.admin["group_id"]
        writes = []
    else:
        group = Group(id=new_id(), type=GroupType.CUSTOM, title=f"Group {n}", permissions=frozenset(permissions))
        group_id, writes = group.id, GroupRepository(crm.id).creation_writes(group)
    now = utcnow()
    user = User(
        id=new_id(),
        name=f"Member {n}",
        email=f"member{n}@example.com",
        extension=None,
        group_id=group_id,
        status=UserStatus.ACTIVE,
        created_at=now,
        updated_at=now,
    )
    transact([*writes, *UserRepository(crm.id).creation_writes(user)])
    services().auth._identity.create_login(principal_name(crm.id, user.id), user.email, PASSWORD)
    login = api.post("/v1/auth/login", {"crm": crm.slug, "email": user.email, "password": PASSWORD})
    assert login.status == 200, login.json
    return Member(id=user.id, group_id=group_id, email=user.email, token=login.json["access_token"])


def admin_actor(crm: CrmSession) -> Any:
    """The CRM's administrator as the services see them (for driving a service directly)."""
    from chalicelib.bootstrap import services
    from chalicelib.domain.users import principal_name

    return services().auth.actor(principal_name(crm.id, crm.admin["id"]))


class NoWorkflows:
    """A Workflows port that starts nothing: the test or benchmark drives the steps itself."""

    def start(self, machine: str, name: str, payload: dict[str, Any]) -> bool:
        return True

    def resume(self, token: str, output: dict[str, Any]) -> bool:
        return False

    def abort(self, token: str, error: str, cause: str) -> bool:
        return False
