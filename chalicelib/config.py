"""Settings read from the environment once per process.

Every environment variable the application reads is named here and nowhere else; CDK sets them
in AWS, the local stack (`infra/local`) and the test harness set them on a laptop. `STAGE` says
which: only `local` and `test` fall back to laptop defaults; any other stage that lacks a setting
stops at its first use (the composition root, before any work) with the names of what is missing.
Nothing reads the settings at import time.
"""

import functools
import os
from collections.abc import Mapping
from typing import NamedTuple
from urllib.parse import urlsplit

# Only these stages may fall back to laptop defaults (localhost, example.com, moto's names); any
# other stage is a deployment and must say where everything is.
DEFAULTED_STAGES = frozenset({"local", "test"})
# What a deployed stage must set (the CDK stack sets all of them; AWS_REGION comes from Lambda).
REQUIRED = (
    "TABLE_NAME",
    "COGNITO_POOL_ID",
    "COGNITO_CLIENT_ID",
    "SECRETS_PREFIX",
    "APP_URL",
    "MAIL_FROM",
    "FILES_BUCKET",
    "SMS_PROVIDER",
    "STATE_MACHINE_ARN_PREFIX",
)
SMS_PROVIDERS = ("zadarma", "none")


class ConfigurationError(RuntimeError):
    """The environment lacks settings the stage needs: the Lambda stops before doing anything."""


# A NamedTuple, not a dataclass: defined at a Lambda's cold start, where a dataclass costs ~10x more.
# No `from __future__ import annotations` in this module: NamedTuple compiles each field's annotation
# when it is a string (~0.3 ms for these fields at every cold start), not when it is a type.
class Settings(NamedTuple):
    """Deployment settings of one stage."""

    stage: str
    region: str
    table_name: str
    cognito_pool_id: str
    cognito_client_id: str
    # Where to fetch the pool's signing keys. In AWS it is derived from the issuer; the local
    # stack points it at moto, the tests at a file (moto's static key set).
    cognito_jwks_url_override: str | None
    secrets_prefix: str
    # The web app's address, for links in emails (invitations).
    app_url: str
    # Sender of the CRM's own emails; its domain must be a verified SES identity.
    mail_from: str
    # Private bucket for files (avatars now; recordings, imports and exports later).
    files_bucket: str
    # Who sends SMS: "zadarma" (each CRM's PBX account; the fake Zadarma API on a laptop), or
    # "none", which refuses every SMS visibly.
    sms_provider: str
    # The PBX's REST API (the local stack and tests point it at the fake Zadarma server).
    zadarma_api_url: str
    # State machine ARNs are this prefix + the registry name (set by CDK and the local stack).
    state_machine_arn_prefix: str
    # Zadarma advises fetching a recording ~40 s after the event; tests set 0 (no sleeping).
    recording_delay_seconds: int
    recording_retry_seconds: int
    transcript_retry_seconds: int
    # First backoff of a broadcast batch the SMS provider could not finish (doubles each time).
    broadcast_retry_seconds: int
    # AD-2: the pause after a refused or unanswered call; and how long a dial waits for the
    # PBX's end of call before giving up on it.
    autodial_gap_seconds: int
    autodial_answer_timeout_seconds: int
    # Rows an import step reads and writes at a time (tests make it small to see several chunks).
    import_chunk_rows: int
    # Webhooks (docs/webhooks.md): in AWS only https to public addresses; the local stack and
    # the tests also allow http to loopback (WEBHOOKS_ALLOW_LOOPBACK_HTTP, default on there only).
    webhooks_allow_loopback_http: bool = False
    webhook_timeout_seconds: int = 10
    # How long a container keeps a CRM's slug, settings and call routing for the PBX's events
    # (docs/telephony.md): a settings change reaches call handling within this time.
    pbx_cache_seconds: int = 60
    # Google Calendar sync (issue 19): the OAuth client; empty: the feature answers 503. The
    # endpoints are Google's unless a fake one is configured (local stack, tests).
    google_client_id: str = ""
    google_client_secret: str = ""
    google_auth_uri: str = "https://accounts.google.com/o/oauth2/auth"
    google_token_uri: str = "https://oauth2.googleapis.com/token"
    google_revoke_uri: str = "https://oauth2.googleapis.com/revoke"
    google_api_endpoint: str | None = None
    # Where Google sends the consent back (`GET /v1/google/callback` of this API).
    google_redirect_uri: str = ""
    # The public HTTPS address of POST /v1/webhooks/google: Google tells it when a connected
    # calendar changes (events.watch); empty: the schedule alone syncs.
    google_webhook_url: str = ""
    # The calendar sync worker, invoked at once by "sync now" (empty: the schedule takes it).
    calendar_sync_function: str = ""

    @property
    def token_issuer(self) -> str:
        return f"https://cognito-idp.{self.region}.amazonaws.com/{self.cognito_pool_id}"

    @property
    def cognito_jwks_url(self) -> str:
        return self.cognito_jwks_url_override or f"{self.token_issuer}/.well-known/jwks.json"

    @property
    def app_origin(self) -> str:
        """The web app's origin: the one origin the API allows (CORS)."""
        return origin_of(self.app_url)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> "Settings":
        """The settings of the environment; outside local and test every deployment setting must be set.

        Raises ConfigurationError naming every missing or malformed variable at once.
        """
        env = os.environ if env is None else env
        stage = env.get("STAGE", "").strip()
        problems: list[str] = []
        if not stage:
            problems.append("STAGE is not set (the CDK stack sets it; use STAGE=local on a laptop)")
        elif stage not in DEFAULTED_STAGES:
            missing = [name for name in REQUIRED if not env.get(name, "").strip()]
            if not (env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION")):
                missing.append("AWS_REGION")
            if missing:
                problems.append(f"missing {', '.join(missing)} (stage {stage!r})")

        def number(name: str, default: int) -> int:
            raw = env.get(name, "").strip()
            if not raw:
                return default
            try:
                return int(raw)
            except ValueError:
                problems.append(f"{name}={raw!r} is not a whole number")
                return default

        settings = cls(
            stage=stage,
            region=env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION") or "eu-west-1",
            table_name=env.get("TABLE_NAME", "crm"),
            cognito_pool_id=env.get("COGNITO_POOL_ID", ""),
            cognito_client_id=env.get("COGNITO_CLIENT_ID", ""),
            cognito_jwks_url_override=env.get("COGNITO_JWKS_URL") or None,
            secrets_prefix=env.get("SECRETS_PREFIX", f"/crm/{stage}").rstrip("/"),
            app_url=env.get("APP_URL", "http://127.0.0.1:8000").rstrip("/"),
            mail_from=env.get("MAIL_FROM", "CRM <no-reply@example.com>"),
            files_bucket=env.get("FILES_BUCKET", f"crm-{stage}-files"),
            sms_provider=env.get("SMS_PROVIDER", "zadarma"),
            zadarma_api_url=env.get("ZADARMA_API_URL", "https://api.zadarma.com").rstrip("/"),
            state_machine_arn_prefix=env.get("STATE_MACHINE_ARN_PREFIX", ""),
            recording_delay_seconds=number("RECORDING_DELAY_SECONDS", 40),
            recording_retry_seconds=number("RECORDING_RETRY_SECONDS", 15),
            transcript_retry_seconds=number("TRANSCRIPT_RETRY_SECONDS", 60),
            broadcast_retry_seconds=number("BROADCAST_RETRY_SECONDS", 10),
            autodial_gap_seconds=number("AUTODIAL_GAP_SECONDS", 5),
            autodial_answer_timeout_seconds=number("AUTODIAL_ANSWER_TIMEOUT_SECONDS", 7200),
            import_chunk_rows=number("IMPORT_CHUNK_ROWS", 1000),
            webhooks_allow_loopback_http=env.get(
                "WEBHOOKS_ALLOW_LOOPBACK_HTTP", "1" if stage in DEFAULTED_STAGES else "0"
            )
            .strip()
            .lower()
            in ("1", "true", "yes"),
            webhook_timeout_seconds=number("WEBHOOK_TIMEOUT_SECONDS", 10),
            pbx_cache_seconds=number("PBX_CACHE_SECONDS", 60),
            google_client_id=env.get("GOOGLE_CLIENT_ID", ""),
            google_client_secret=env.get("GOOGLE_CLIENT_SECRET", ""),
            google_auth_uri=env.get("GOOGLE_AUTH_URI") or "https://accounts.google.com/o/oauth2/auth",
            google_token_uri=env.get("GOOGLE_TOKEN_URI") or "https://oauth2.googleapis.com/token",
            google_revoke_uri=env.get("GOOGLE_REVOKE_URI") or "https://oauth2.googleapis.com/revoke",
            google_api_endpoint=env.get("GOOGLE_API_ENDPOINT") or None,
            google_redirect_uri=env.get("GOOGLE_REDIRECT_URI")
            or f"{env.get('APP_URL', 'http://127.0.0.1:8000').rstrip('/')}/v1/google/callback",
            calendar_sync_function=env.get("CALENDAR_SYNC_FUNCTION", ""),
            google_webhook_url=env.get("GOOGLE_WEBHOOK_URL", ""),
        )
        if settings.sms_provider not in SMS_PROVIDERS:
            problems.append(f"SMS_PROVIDER={settings.sms_provider!r} is not one of: {', '.join(SMS_PROVIDERS)}")
        try:
            origin_of(settings.app_url)
        except ValueError as error:
            problems.append(f"APP_URL: {error}")
        if problems:
            raise ConfigurationError("the CRM cannot start: " + "; ".join(problems))
        return settings


def origin_of(url: str) -> str:
    """`scheme://host[:port]` of an http(s) address (what browsers send as Origin)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"{url!r} is not an http(s) address")
    return f"{parts.scheme}://{parts.netloc}"


@functools.cache
def get_settings() -> Settings:
    """The process-wide settings (tests call `get_settings.cache_clear()` after changing env)."""
    return Settings.from_env()
