"""The scheduled sweep rolls back CRMs whose creation stopped half-way."""

from __future__ import annotations

import json

import boto3

from chalicelib.bootstrap import services
from chalicelib.db.repositories.crms import CrmRepository
from chalicelib.domain.users import principal_name
from functions.registry import FUNCTIONS
from infra.local import lambda_glue, resources
from infra.local.scheduler import scheduled_event
from tests.harness import REGION, Api, LocalAws, crm_payload


def half_created_crm(api: Api, aws: LocalAws, monkeypatch, name: str) -> dict:
    """A CRM whose Lambda died after the first write: written, login created, never activated."""
    monkeypatch.setattr(services().storage.crms, "mark_active", lambda tenant_id: None)
    created = api.post("/v1/crms", crm_payload(name, pbx={"api_key": "k", "api_secret": "s"})).json
    monkeypatch.undo()
    return created


def invoke_sweeper(aws: LocalAws) -> dict:
    """Through moto's Lambda and the in-process glue, as the local stack's scheduler does."""
    lambda_glue.install()
    client = boto3.client("lambda", region_name=REGION)
    resources.register_functions(client, boto3.client("iam", region_name=REGION))
    sweeper = next(fn for fn in FUNCTIONS if fn.name == "ProvisioningSweeper")
    result = client.invoke(FunctionName=sweeper.name, Payload=json.dumps(scheduled_event(sweeper, REGION)))
    assert "FunctionError" not in result, result["Payload"].read()
    return json.loads(result["Payload"].read())


def test_sweep_leaves_recent_and_active_crms_alone(api: Api, aws: LocalAws, monkeypatch) -> None:
    half_created_crm(api, aws, monkeypatch, "Still Creating")
    assert api.post("/v1/crms", crm_payload("Finished Fine")).status == 201

    assert invoke_sweeper(aws) == {"rolled_back": 0}
    assert CrmRepository().resolve_slug("still-creating") is not None


def test_sweep_rolls_back_a_crm_stuck_in_provisioning(api: Api, aws: LocalAws, monkeypatch) -> None:
    created = half_created_crm(api, aws, monkeypatch, "Half Made")
    tenant_id = created["crm"]["id"]
    aws.clock.advance(minutes=20)

    assert invoke_sweeper(aws) == {"rolled_back": 1}

    assert CrmRepository().resolve_slug("half-made") is None
    assert CrmRepository().get(tenant_id) is None
    usernames = [u["Username"] for u in aws.cognito.list_users(UserPoolId=aws.pool_id)["Users"]]
    assert principal_name(tenant_id, created["admin"]["id"]) not in usernames
    assert aws.ssm.get_parameters_by_path(Path=f"/crm/test/tenants/{tenant_id}")["Parameters"] == []
