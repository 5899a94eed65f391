"""The local stack's process environment, set before any application module is imported.

Only the standard library here: `chalicelib` reads its settings at import time.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
WEB_DIST = ROOT / "web" / "dist"  # the built web app (`make run` builds it), served at /
REGION = "eu-west-1"


@dataclass(frozen=True, slots=True)
class Options:
    host: str = "127.0.0.1"
    port: int = 8000
    moto_port: int = 8001
    # The SMTP server catching what the CRM's mailboxes send (infra/local/smtp_catcher.py).
    smtp_port: int = 8025
    imap_port: int = 8143  # the demo mailbox (pymap), read by the CRM's email poller
    state_file: Path = ROOT / ".local" / "state.json"
    persist: bool = True
    seed: bool = True
    demo_call: bool = False  # replay the scripted calls on this start (they run on the first anyway)

    @property
    def moto_endpoint(self) -> str:
        return f"http://{self.host}:{self.moto_port}"


def configure(options: Options) -> None:
    """Point every AWS client (boto3, botocore, PynamoDB) at the embedded moto server."""
    os.environ.update(
        {
            "AWS_ENDPOINT_URL": options.moto_endpoint,
            "AWS_ACCESS_KEY_ID": "local",
            "AWS_SECRET_ACCESS_KEY": "local",
            "AWS_DEFAULT_REGION": REGION,
            "AWS_REGION": REGION,
            # moto's Step Functions worker calls Lambda on this port.
            "MOTO_PORT": str(options.moto_port),
            # Where the demo mailbox sends (any login accepted; nothing leaves the machine).
            "LOCAL_SMTP_HOST": options.host,
            "LOCAL_SMTP_PORT": str(options.smtp_port),
            # Same pool and client ids on every start, so tokens survive a restart.
            "MOTO_COGNITO_IDP_USER_POOL_ID_STRATEGY": "HASH",
            "MOTO_COGNITO_IDP_USER_POOL_CLIENT_ID_STRATEGY": "HASH",
            "STAGE": "local",
            "TABLE_NAME": "crm-local",
            "SECRETS_PREFIX": "/crm/local",
            "FILES_BUCKET": "crm-local-files",
            "MAIL_FROM": "CRM <no-reply@example.com>",
            "APP_URL": f"http://{options.host}:{options.port}",
            # The recording workflow's state machine (moto's account and region).
            "STATE_MACHINE_ARN_PREFIX": f"arn:aws:states:{REGION}:123456789012:stateMachine:",
            # The fake PBX has recordings at once: no need for Zadarma's 40 s on a laptop.
            "RECORDING_DELAY_SECONDS": "3",
            "RECORDING_RETRY_SECONDS": "3",
            "TRANSCRIPT_RETRY_SECONDS": "10",
            "SMS_PROVIDER": "zadarma",
            # One process on a laptop: a telephony settings change reaches the PBX's events in
            # seconds rather than the minute a Lambda container keeps them.
            "PBX_CACHE_SECONDS": os.environ.get("PBX_CACHE_SECONDS", "5"),
            "POWERTOOLS_SERVICE_NAME": "crm-local",
            "POWERTOOLS_METRICS_DISABLED": "true",
            "POWERTOOLS_LOG_LEVEL": os.environ.get("LOG_LEVEL", "INFO"),
        }
    )
    # Every setting above is explicit, so nothing inherited from the shell can point elsewhere.
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN", "COGNITO_JWKS_URL"):
        os.environ.pop(name, None)
