"""The rollups over the real table (moto): a CRM with some history reconciles with no difference."""

from __future__ import annotations

from typing import Any

from chalicelib.db.storage import DynamoStorage
from chalicelib.domain import metrics as m
from chalicelib.services.rollups import RollupService
from tests.api.test_deals import deal, setup_crm
from tests.api.test_tasks import at
from tests.harness import Api, LocalAws


def test_a_crm_with_history_reconciles_with_no_difference(api: Api, make_crm: Any, aws: LocalAws) -> None:
    crm, client_id = setup_crm(api, make_crm)
    token = crm.token
    pooled = api.post("/v1/leads", {"name": "Pia Pool", "unsorted": True}, token=token).json
    mine = api.post("/v1/leads", {"name": "Ned New"}, token=token).json
    poor = api.post("/v1/leads", {"name": "Paul Poor"}, token=token).json
    assert api.post(f"/v1/leads/{pooled['id']}/take", token=token).status == 200
    assert api.post(f"/v1/leads/{mine['id']}/close", {"outcome": "client"}, token=token).status == 200
    assert api.post(f"/v1/leads/{poor['id']}/close", {"outcome": "poor_quality"}, token=token).status in (200, 204)
    won = deal(api, crm, client_id, "Won", "100.00", "USD")
    lost = deal(api, crm, client_id, "Lost", "50.00")
    for item, status in ((won, "success"), (lost, "canceled")):
        reply = api.request(
            "PATCH", f"/v1/deals/{item['id']}", {"status": status, "version": item["version"]}, token=token
        )
        assert reply.status == 200, reply.json
    task = api.post("/v1/tasks", {"title": "Call back", "start": at()}, token=token).json
    assert api.post(f"/v1/tasks/{task['id']}/complete", {}, token=token).status == 200
    service = RollupService(DynamoStorage(), aws.clock)
    report = service.reconcile(crm.id)
    assert report.records >= 7
    assert report.differences == {}
    gauges = DynamoStorage().rollups(crm.id).gauges([m.ALL])[m.ALL]
    assert gauges[m.CLIENTS_TOTAL] == 2
    assert m.UNSORTED not in gauges  # the pool lead was taken
    DynamoStorage().rollups(crm.id).add({(m.ALL, m.NOW, m.CLIENTS_TOTAL): 5})
    assert service.reconcile(crm.id).differences == {(m.ALL, m.NOW, m.CLIENTS_TOTAL): (7, 2)}
    assert service.reconcile(crm.id, repair=True).repaired
    assert service.reconcile(crm.id).clean
