"""Undo logs written before the contact codec was shared still undo their import."""

from __future__ import annotations

import base64
import json

from tests.harness import Api, NoWorkflows, admin_actor


def _old_format(values: dict) -> dict:
    """A snapshot as undo logs kept it: phones and emails as pairs, no lead source or conversion."""
    old = {k: v for k, v in values.items() if k not in ("lead_source", "converted_at")}
    old["phones"] = [[p["phone"], p["type"]] for p in values["phones"]]
    old["emails"] = [[e["email"], e["type"]] for e in values["emails"]]
    return old


def test_an_undo_log_in_the_earlier_format_restores_the_updated_contact(api: Api, make_crm) -> None:
    from chalicelib.bootstrap import services
    from chalicelib.db.repositories.imports import ImportRepository
    from chalicelib.domain.contacts import ContactKind
    from chalicelib.domain.imports import DuplicatePolicy, import_part_key
    from chalicelib.services.imports import ImportService

    crm = make_crm(country="FR")
    kept = api.post("/v1/clients", {"name": "Kept", "phones": [{"phone": "+33600000001", "type": "mobile"}],
                                    "emails": [{"email": "kept@example.com"}], "comment": "mine"},
                    token=crm.token).json  # fmt: skip
    actor, files = admin_actor(crm), services().files
    imports = ImportService(services().storage, services().clock, files, NoWorkflows())
    content = "name,phone,comment\nKept,+33600000001,from the file\nNew,+33611110000,\n"
    record, _ = imports.create(
        actor, ContactKind.CLIENT, "c.csv", "text/csv", base64.b64encode(content.encode()).decode()
    )
    imports.start(
        actor, record.id, {"name": "name", "phone": "phone:work", "comment": "comment"}, DuplicatePolicy.UPDATE
    )
    job = {"tenant_id": crm.id, "import_id": record.id, "action": "import"}
    while not imports.step(job)["done"]:
        pass
    assert api.get(f"/v1/clients/{kept['id']}", token=crm.token).json["comment"] == "from the file"

    key = import_part_key(crm.id, record.id, "undo", 0)
    log = json.loads(files.get(key) or b"")
    [update] = log["updated"]
    assert update["before"]["phones"] == [{"phone": "+33600000001", "type": "mobile"}]  # the record's shape
    update["before"], update["after"] = _old_format(update["before"]), _old_format(update["after"])
    files.put(key, json.dumps(log).encode(), "application/json")

    imports.undo(actor, record.id)
    while not imports.step({**job, "action": "undo"})["done"]:
        pass

    undone = ImportRepository(crm.id).get(record.id, consistent=True)
    assert undone is not None
    assert (undone.status.value, undone.deleted, undone.restored) == ("undone", 1, 1)
    card = api.get(f"/v1/clients/{kept['id']}", token=crm.token).json
    assert (card["comment"], card["phones"], card["emails"]) == (
        "mine",
        [{"phone": "+33600000001", "type": "mobile"}],
        [{"email": "kept@example.com", "type": "work"}],
    )
