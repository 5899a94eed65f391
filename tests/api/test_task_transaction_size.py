"""The largest task the API accepts stays one transaction of at most 100 items (DynamoDB's
limit), with everything that rides along: list copies, due actions, rollups, feed lines, the
webhook outbox and the Google Calendar pending pushes of every participant."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from chalicelib.db import keys
from chalicelib.db.models.calendar import CalendarPushersItem
from chalicelib.domain.tasks import MAX_CONTACTS, MAX_MEMBERS
from tests.harness import Api, CrmSession, add_member


def test_the_largest_task_moved_and_completed_with_every_participant_pushing_to_google(api: Api, make_crm) -> None:
    crm: CrmSession = make_crm()
    members = [add_member(api, crm).id for _ in range(MAX_MEMBERS)]
    clients = [api.post("/v1/clients", {"name": f"C{n}"}, token=crm.token).json["id"] for n in range(MAX_CONTACTS)]
    deal = api.post(
        "/v1/deals",
        {"title": "Big", "client_id": clients[0], "value": {"amount": "1.00", "currency": "EUR"}},
        token=crm.token,
    ).json["id"]
    for event in ("task.created", "task.completed"):  # their outbox items ride in the same transaction
        hook = api.post("/v1/hooks", {"event": event, "target_url": "http://127.0.0.1:9/hook"}, token=crm.token)
        assert hook.status == 201, hook.json
    pushers = {crm.admin["id"], *members}
    CalendarPushersItem(keys.tenant_pk(crm.id), keys.GCAL_PUSHERS).update(
        actions=[CalendarPushersItem.users.add(pushers)]
    )
    start = datetime.now(UTC) + timedelta(days=2)
    body = {
        "title": "Everyone",
        "start": start.isoformat(),
        "member_ids": members,
        "contact_ids": clients,
        "deal_id": deal,
        "type": "task",
    }
    created = api.post("/v1/tasks", body, token=crm.token)
    assert created.status == 201, created.json
    task = created.json
    later = (start + timedelta(days=1)).isoformat()
    moved = api.request("PATCH", f"/v1/tasks/{task['id']}", {"start": later, "title": "Moved"}, token=crm.token)
    assert moved.status == 200, moved.json
    done = api.post(f"/v1/tasks/{task['id']}/complete", {"comment": "All done"}, token=crm.token)
    assert done.status == 200, done.json
    gone = api.request("DELETE", f"/v1/tasks/{task['id']}", None, token=crm.token)
    assert gone.status in (200, 204), gone.json
