"""The embedded local stack: one process, no AWS account, no Docker (DESIGN.md "Local stack").

start(): moto server (Step Functions execution on, Lambda glue) -> resources from the same
sources as CDK -> restore the previous run's data -> demo seed -> Chalice on :8000 -> scheduler.
stop(): scheduler, HTTP server, save data, moto — every thread ends.
"""

from __future__ import annotations

import logging
import socket
import threading
import time
from collections.abc import Callable
from typing import Any

import boto3
import requests
from chalice.config import Config
from chalice.local import LocalDevServer
from moto.server import ThreadedMotoServer

from infra.local import journal, lambda_glue, moto_atomic, resources
from infra.local.environment import REGION, ROOT, WEB_DIST, Options
from infra.local.outbox import Outbox
from infra.local.persistence import StateFile
from infra.local.scheduler import Scheduler
from infra.local.smtp_catcher import SmtpCatcher

AUTOSAVE_SECONDS = 60.0
# Locally the webhook outbox is read every few seconds (every minute in AWS): a webhook or a Zap
# tried on a laptop fires while one watches. An idle run costs a GetItem and a Query.
LOCAL_PERIODS_SECONDS = {"WebhookDelivery": 3.0}
PLAYED_CALL_PAUSE = 3.0  # seconds between the events of a call the fake PBX plays


class PortTakenError(RuntimeError):
    """A port the local stack needs is already in use."""


def check_port_free(host: str, port: int, what: str) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        # As the servers themselves do: a previous run's TIME_WAIT sockets do not block a restart.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            raise PortTakenError(
                f"port {port} ({what}) on {host} is already in use - is another `make run` still running? "
                f"Stop it, or choose other ports: make run PORT=8080 MOTO_PORT=8081"
            ) from None


class LocalStack:
    def __init__(self, options: Options) -> None:
        self.options = options
        self._moto: ThreadedMotoServer | None = None
        self._http: LocalDevServer | None = None
        self._http_thread: threading.Thread | None = None
        self._scheduler: Scheduler | None = None
        self._state: StateFile | None = None
        self._clients: dict[str, Any] = {}
        self.restored: dict[str, int] = {}
        self._pbx: Any = None
        self._smtp: SmtpCatcher | None = None
        self._google: Any = None
        self.seeded = False
        self.reindexed = 0  # CRMs whose indexes the start-up reindex checked
        self._mailbox: Any = None

    def start(self) -> None:
        opts = self.options
        check_port_free(opts.host, opts.port, "the CRM API")
        check_port_free(opts.host, opts.moto_port, "the embedded AWS (moto)")
        check_port_free(opts.host, opts.smtp_port, "the local SMTP server")
        from infra.local.demo_mailbox import DemoMailbox

        if DemoMailbox.available():
            check_port_free(opts.host, opts.imap_port, "the demo mailbox (IMAP)")
            self._mailbox = DemoMailbox(opts.host, opts.imap_port)
            self._mailbox.start()  # a child process; waited for in the background only

        lambda_glue.install()
        moto_atomic.install()
        journal.install()  # records nothing until the state is restored
        from infra.local.fake_zadarma import FakeZadarma
        from infra.local.seed import PBX_ACCOUNTS

        # A stand-in for api.zadarma.com (click-to-call, SMS, recordings), checking signatures.
        self._pbx = FakeZadarma(PBX_ACCOUNTS, host=opts.host)
        import os

        os.environ["ZADARMA_API_URL"] = self._pbx.start()
        self._start_fake_google()
        self._pbx.on_callback = self._play_requested_call
        # The SMTP server the demo mailbox sends through: what the CRM sends is caught and shown.
        self._smtp = SmtpCatcher(opts.host, opts.smtp_port).start()
        # moto's werkzeug access log would drown the CRM's own request log.
        logging.getLogger("werkzeug").setLevel(logging.ERROR)
        self._moto = ThreadedMotoServer(ip_address=opts.host, port=opts.moto_port, verbose=False)
        self._moto.start()
        requests.post(f"{opts.moto_endpoint}/moto-api/config", json=_MOTO_CONFIG, timeout=10).raise_for_status()

        pool = self._bootstrap_aws()
        if opts.persist:
            from chalicelib.config import get_settings

            self._state = StateFile(
                opts.state_file,
                region=REGION,
                table_name=_table_name(),
                pool_id=pool.pool_id,
                ssm_prefix="/crm/local",
                bucket=get_settings().files_bucket,
            )
            # A RestoreError goes up to the caller; `save` then never writes over the file.
            self.restored = self._state.restore(self._client("cognito-idp"), self._client("ssm"), self._client("s3"))
            if self._state.replayed:
                self._state.save()  # the journal's lines are now in the snapshot
            self.reindexed = reindex_every_crm()
        if opts.seed:
            from infra.local.seed import seed_demo

            self.seeded = seed_demo()
        self._serve_api()
        from functions.registry import FUNCTIONS

        outbox = Outbox(
            REGION,
            sms=lambda: self._pbx.sent_sms if self._pbx else [],
            mail=lambda: self._smtp.taken() if self._smtp else [],
        )
        jobs: tuple[tuple[float, Callable[[], object]], ...] = ((1.0, outbox.show_new),)
        if self._state:
            jobs += ((AUTOSAVE_SECONDS, self._state.save_if_written),)
        self._scheduler = Scheduler(
            self._client("lambda"), FUNCTIONS, REGION, extra_jobs=jobs, periods=LOCAL_PERIODS_SECONDS
        )
        self._scheduler.start()
        if self.seeded or opts.demo_call:
            threading.Thread(target=self._demo_calls, name="demo-calls", daemon=True).start()
        if self.seeded:
            threading.Thread(target=self._demo_history, name="demo-history", daemon=True).start()
        if self._mailbox is not None:
            threading.Thread(target=self._demo_mail, name="demo-mail", daemon=True).start()

    def _start_fake_google(self) -> None:
        """A stand-in for Google's OAuth and Calendar API (issue 19): "Connect Google Calendar"
        consents at once and the sync runs against it, offline."""
        import os

        from infra.local.fake_google import FakeGoogle

        self._google = FakeGoogle(host=self.options.host).start()
        url = self._google.url
        os.environ.update(
            {
                "GOOGLE_CLIENT_ID": "local-client",
                "GOOGLE_CLIENT_SECRET": "local-secret",
                "GOOGLE_AUTH_URI": f"{url}o/oauth2/auth",
                "GOOGLE_TOKEN_URI": f"{url}token",
                "GOOGLE_REVOKE_URI": f"{url}revoke",
                "GOOGLE_API_ENDPOINT": url,
                "CALENDAR_SYNC_FUNCTION": "CalendarSync",  # "sync now" runs the worker at once
                # The fake posts its change notifications here (Google wants public HTTPS).
                "GOOGLE_WEBHOOK_URL": f"http://{self.options.host}:{self.options.port}/v1/webhooks/google",
            }
        )

    def _play_requested_call(self, callback: Any) -> None:
        """The fake PBX's side of a click-to-call, a colleague call or an autodial dial: played
        into the CRM whose PBX key asked for it (`requested_call`), answered and ended a few
        seconds later, as its webhooks say (so autodial moves on)."""
        from chalicelib.observability import logger
        from infra.local.replay import post_event

        def play() -> None:
            try:
                assert self._pbx is not None
                played = requested_call(callback, self._pbx.secret_of)
                if played is None:
                    logger.warning("the fake PBX knows no CRM with this key", extra={"api_key": callback.api_key})
                    return
                slug, secret, events = played
                for i, fields in enumerate(events):
                    if i:
                        time.sleep(PLAYED_CALL_PAUSE)
                    post_event(f"http://{self.options.host}:{self.options.port}", slug, secret, fields)
            except Exception:  # noqa: BLE001 - a demo must never take the local stack down
                logger.exception("the fake PBX could not play the requested call")

        threading.Thread(target=play, name="fake-pbx-call", daemon=True).start()

    @property
    def pbx_url(self) -> str:
        return str(self._pbx.base_url) if self._pbx is not None else "(not started)"

    def _demo_calls(self) -> None:
        """Two scripted calls a few seconds after start: the demo client's, and an unknown number's
        (which becomes a lead), so the call log, the feeds and recordings have something to show."""
        from chalicelib.db.repositories.crms import CrmRepository
        from chalicelib.observability import logger
        from infra.local.replay import replay_call
        from infra.local.seed import DEMO_CLIENT_PHONE, DEMO_SLUG, PBX_ACCOUNTS

        if self._pbx is None or CrmRepository().resolve_slug(DEMO_SLUG) is None:
            return
        base = f"http://{self.options.host}:{self.options.port}"
        try:
            for caller in (DEMO_CLIENT_PHONE, "+33698765432"):
                replay_call(base, DEMO_SLUG, PBX_ACCOUNTS["demo-key"], self._pbx, caller=caller)
        except Exception:  # noqa: BLE001 - a demo must never take the local stack down
            logger.exception("the scripted demo call failed")

    def _demo_history(self) -> None:
        """Weeks of past work for the dashboard and analytics, written beside the running API
        (it takes a few seconds; the app is usable meanwhile)."""
        from chalicelib.observability import logger
        from infra.local.seed import seed_demo_history

        try:
            seed_demo_history()
        except Exception:  # noqa: BLE001 - a demo must never take the local stack down
            logger.exception("the demo history failed")

    def _demo_mail(self) -> None:
        """The demo mailbox's messages delivered (again: pymap keeps nothing), the demo CRM's
        integration pointed at it, and a first poll, so the client's feed shows mail at once."""
        from chalicelib.domain.clock import utcnow
        from chalicelib.observability import logger
        from infra.local.demo_mailbox import connect_demo_crm, demo_messages, poll_now

        try:
            assert self._mailbox is not None
            self._mailbox.deliver(demo_messages(utcnow()))
            if connect_demo_crm(self.options.host, self.options.imap_port) is not None:
                stored = poll_now()
                logger.info("demo mailbox read", extra={"stored": stored})
        except Exception:  # noqa: BLE001 - a demo must never take the local stack down
            logger.exception("the demo mailbox failed")

    def _bootstrap_aws(self) -> resources.UserPool:
        import os

        from chalicelib.config import get_settings

        pool = resources.create_user_pool(self._client("cognito-idp"))
        os.environ["COGNITO_POOL_ID"] = pool.pool_id
        os.environ["COGNITO_CLIENT_ID"] = pool.client_id
        os.environ["COGNITO_JWKS_URL"] = f"{self.options.moto_endpoint}/{pool.pool_id}/.well-known/jwks.json"
        get_settings.cache_clear()  # read once more, now with the pool's ids
        resources.create_table()
        resources.create_mail_identity(self._client("sesv2"), get_settings().mail_from)
        resources.create_files_bucket(self._client("s3"), get_settings().files_bucket, REGION)
        function_arns = resources.register_functions(self._client("lambda"), self._client("iam"))
        resources.create_state_machines(self._client("stepfunctions"), function_arns)
        return pool

    def _serve_api(self) -> None:
        from app import app
        from infra.local.api_server import create_server

        # Unknown paths and methods answer 404/405 in the API's envelope; the web app is served
        # beside the API when it is built (api_server.py).
        self._http = create_server(
            app,
            Config.create(chalice_stage="dev", project_dir=str(ROOT)),
            self.options.host,
            self.options.port,
            web_root=WEB_DIST,
        )
        self._http_thread = threading.Thread(target=self._http.server.serve_forever, name="chalice", daemon=True)
        self._http_thread.start()

    def save(self) -> dict[str, int]:
        return self._state.save() if self._state is not None else {}

    def stop(self) -> dict[str, int]:
        """Stop everything; returns what was saved."""
        if self._scheduler is not None:
            self._scheduler.stop()
        if self._http is not None:
            self._http.shutdown()
            self._http.server.server_close()
        if self._http_thread is not None:
            self._http_thread.join(timeout=5)
        saved = self.save() if self._moto is not None else {}
        if self._state is not None:
            self._state.close()
        if self._moto is not None:
            self._moto.stop()
        if self._pbx is not None:
            self._pbx.stop()
        if self._smtp is not None:
            self._smtp.stop()
        if self._mailbox is not None:
            self._mailbox.stop()
        if self._google is not None:
            self._google.stop()
        return saved

    def _client(self, service: str) -> Any:
        if service not in self._clients:
            self._clients[service] = boto3.client(service, region_name=REGION, endpoint_url=self.options.moto_endpoint)
        return self._clients[service]


_MOTO_CONFIG = {"stepfunctions": {"execute_state_machine": True}, "lambda": {"use_docker": False}}


def is_extension(number: str) -> bool:
    """A PBX extension (2-6 digits, as the API's `to` of a colleague call), not a phone number."""
    return number.isdigit() and 2 <= len(number) <= 6


def requested_call(
    callback: Any, secret_of: Callable[[str], str | None]
) -> tuple[str, str, list[dict[str, str]]] | None:
    """What the fake PBX plays for a requested call: the CRM (slug) whose PBX key asked, the
    secret its webhooks are signed with, and the events: a colleague's extension as `to` is an
    internal call (NOTIFY_INTERNAL...), a number an outgoing one. None: no CRM has that key."""
    from infra.local.replay import internal_events, outgoing_events

    target = requested_call_target(callback.api_key, callback.from_)
    secret = secret_of(callback.api_key)
    if target is None or secret is None:
        return None
    slug, timezone = target
    if is_extension(callback.to):  # ZadarmaClient.internal_call
        events = internal_events(callback.from_, callback.to, timezone=timezone, seconds=int(PLAYED_CALL_PAUSE))
    else:
        events = outgoing_events(callback.from_, f"+{callback.to}", timezone=timezone, seconds=int(PLAYED_CALL_PAUSE))
    return slug, secret, events


def requested_call_target(api_key: str, extension: str) -> tuple[str, str] | None:
    """(slug, PBX time zone) of the CRM whose PBX account `api_key` is: the one where `extension`
    is a user's when several CRMs share the key (the README's example key), else the newest."""
    from chalicelib.bootstrap import services
    from chalicelib.db.repositories.crms import CrmRepository
    from chalicelib.db.repositories.users import UserRepository

    crms, matches, after = CrmRepository(), [], None
    while True:
        tenants, after = crms.page(limit=100, after=after)
        matches += [t for t in tenants if (services().pbx.credentials(t, max_age=0) or ("",))[0] == api_key]
        if after is None:
            break
    if not matches:
        return None
    mine = [t for t in matches if UserRepository(t).find_id_by_extension(extension)]
    crm = crms.get((mine or matches)[-1])
    return (crm.slug, crm.pbx_timezone) if crm is not None else None


def reindex_every_crm() -> int:
    """Fill indexes a newer version keeps for data an older one stored (README, Upgrading):
    the restored store may predate them. Idempotent, so every start runs it; returns the CRMs."""
    from chalicelib.bootstrap import services

    cursor, crms = None, 0
    while True:
        progress = services().maintenance.reindex_all(cursor, steps=500)
        crms += progress.crms
        if progress.done:
            return crms
        cursor = progress.cursor


def _table_name() -> str:
    from chalicelib.config import get_settings

    return get_settings().table_name
