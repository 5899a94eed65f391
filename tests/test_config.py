"""Settings fail fast outside local and test, are read at first use only, and set the CORS origin."""

from __future__ import annotations

import subprocess
import sys

import pytest

from chalicelib.config import REQUIRED, ConfigurationError, Settings
from tests.harness import ROOT, Api, reset_caches

DEPLOYED = {
    "STAGE": "prod",
    "AWS_REGION": "eu-west-3",
    "TABLE_NAME": "crm-prod-Table",
    "COGNITO_POOL_ID": "eu-west-3_abc",
    "COGNITO_CLIENT_ID": "client",
    "SECRETS_PREFIX": "/crm/prod",
    "APP_URL": "https://crm.acme.example/",
    "MAIL_FROM": "CRM <crm@acme.example>",
    "FILES_BUCKET": "crm-prod-files",
    "SMS_PROVIDER": "zadarma",
    "STATE_MACHINE_ARN_PREFIX": "arn:aws:states:eu-west-3:1:stateMachine:crm-prod-",
}


def test_a_deployed_stage_with_every_setting_starts() -> None:
    settings = Settings.from_env(DEPLOYED)
    assert (settings.table_name, settings.region, settings.app_origin) == (
        "crm-prod-Table",
        "eu-west-3",
        "https://crm.acme.example",
    )


def test_a_deployed_stage_missing_settings_names_every_one_of_them() -> None:
    env = {k: v for k, v in DEPLOYED.items() if k not in {"TABLE_NAME", "APP_URL", "COGNITO_POOL_ID"}}
    with pytest.raises(ConfigurationError) as raised:
        Settings.from_env(env)
    message = str(raised.value)
    for name in ("TABLE_NAME", "APP_URL", "COGNITO_POOL_ID"):
        assert name in message
    assert "MAIL_FROM" not in message  # only what is missing
    assert "'prod'" in message


def test_an_empty_deployed_stage_lists_all_required_settings_and_the_region() -> None:
    with pytest.raises(ConfigurationError) as raised:
        Settings.from_env({"STAGE": "dev"})
    assert all(name in str(raised.value) for name in (*REQUIRED, "AWS_REGION"))


def test_no_stage_is_an_error_rather_than_a_guess() -> None:
    with pytest.raises(ConfigurationError, match="STAGE is not set"):
        Settings.from_env({k: v for k, v in DEPLOYED.items() if k != "STAGE"})


def test_malformed_values_are_named() -> None:
    env = {**DEPLOYED, "IMPORT_CHUNK_ROWS": "lots", "SMS_PROVIDER": "pigeon", "APP_URL": "crm.acme.example"}
    with pytest.raises(ConfigurationError) as raised:
        Settings.from_env(env)
    assert all(part in str(raised.value) for part in ("IMPORT_CHUNK_ROWS='lots'", "SMS_PROVIDER='pigeon'", "APP_URL"))


def test_the_pbx_cache_lasts_a_minute_unless_set() -> None:
    assert Settings.from_env(DEPLOYED).pbx_cache_seconds == 60
    assert Settings.from_env({**DEPLOYED, "PBX_CACHE_SECONDS": "5"}).pbx_cache_seconds == 5
    with pytest.raises(ConfigurationError, match="PBX_CACHE_SECONDS='soon'"):
        Settings.from_env({**DEPLOYED, "PBX_CACHE_SECONDS": "soon"})


@pytest.mark.parametrize("stage", ["local", "test"])
def test_local_and_test_stages_still_default(stage: str) -> None:
    settings = Settings.from_env({"STAGE": stage})
    assert settings.table_name == "crm"
    assert settings.app_origin == "http://127.0.0.1:8000"
    assert settings.mail_from.endswith("@example.com>")
    assert settings.files_bucket == f"crm-{stage}-files"


def test_a_misconfigured_lambda_stops_at_its_first_use_with_the_missing_names() -> None:
    """Importing a handler reads nothing; its first invocation stops before any work, naming what is missing."""
    probe = (
        "import functions.due\n"
        "try:\n"
        "    functions.due.handler({}, None)\n"
        "except Exception as error:\n"
        "    print(type(error).__name__, error)\n"
    )
    env = {"PATH": "/usr/bin:/bin", "STAGE": "prod", "AWS_REGION": "eu-west-3", "PYTHONPATH": str(ROOT)}
    out = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    assert out.stdout.startswith("ConfigurationError the CRM cannot start: missing TABLE_NAME, COGNITO_POOL_ID")


def test_importing_the_app_reads_no_setting() -> None:
    """No environment at all: the import still succeeds (settings are read when the first request needs them)."""
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)}
    probe = "import app, functions.due, functions.imports, functions.provisioning; print('ok')"
    out = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "ok"


def test_the_api_allows_only_the_web_app_origin(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("APP_URL", "https://crm.acme.example/app/")
    reset_caches()
    reply = api.get("/v1/health", headers={"Origin": "https://crm.acme.example"})
    assert reply.status == 200
    assert reply.headers["Access-Control-Allow-Origin"] == "https://crm.acme.example"
    assert "X-Request-Id" in reply.headers["Access-Control-Expose-Headers"]
