"""The chunked reconciliation on moto: a company time zone change starts the RollupRebuild state
machine, whose ReconcileStep rebuilds the CRM's rollups (docs/analytics.md)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from chalicelib.db.storage import DynamoStorage
from chalicelib.domain import metrics as m
from chalicelib.services import rollups as rollups_module
from chalicelib.services.rollups import REBUILD_MACHINE, RollupService
from tests.fakes.clock import ManualClock
from tests.harness import Api, CrmSession, aws_client, reset_caches
from tests.pbx import wait_for_workflows


@pytest.fixture
def workflows(api: Api, clock: ManualClock, monkeypatch: pytest.MonkeyPatch) -> Iterator[Api]:
    from infra.local import lambda_glue, resources

    monkeypatch.setattr(rollups_module, "SETTLE_S", 0)
    lambda_glue.install()
    arns = resources.register_functions(aws_client("lambda"), aws_client("iam"))
    resources.create_state_machines(aws_client("stepfunctions"), arns)
    reset_caches()
    try:
        yield api
    finally:
        reset_caches()


def test_a_time_zone_change_rebuilds_the_rollups(workflows: Api, make_crm, clock: ManualClock) -> None:
    api = workflows
    crm: CrmSession = make_crm()
    for name in ("Ada", "Bob"):
        assert api.post("/v1/clients", {"name": name}, token=crm.token).status == 201
    DynamoStorage().rollups(crm.id).add({(m.ALL, m.NOW, m.CLIENTS_TOTAL): 3})  # drifted
    settings = api.get("/v1/settings/company", token=crm.token).json
    zone = "Pacific/Kiritimati" if settings["timezone"] != "Pacific/Kiritimati" else "Pacific/Niue"
    body = {**{k: settings[k] for k in ("name", "country", "base_currency", "currencies")}, "timezone": zone}
    reply = api.request("PUT", "/v1/settings/company", body, token=crm.token)
    assert reply.status == 200, reply.json

    [execution] = [e for e in wait_for_workflows(timeout=60, machine=REBUILD_MACHINE) if crm.id in e["name"]]
    assert execution["status"] == "SUCCEEDED", execution
    report = RollupService(DynamoStorage(), clock).reconcile(crm.id)
    assert report.clean, report.differences
    assert DynamoStorage().rollups(crm.id).gauges([m.ALL])[m.ALL][m.CLIENTS_TOTAL] == 2
