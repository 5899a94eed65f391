"""Imports and exports of clients and leads (IM-1..5, CL-9): the real ASL run by moto, files in S3.

Chunks are made small (IMPORT_CHUNK_ROWS) so that a few dozen rows already take several steps.
"""

from __future__ import annotations

import base64
import csv
import io
import os
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

import pytest
import requests

from chalicelib.db.repositories.imports import ImportRepository
from chalicelib.domain.rights import Permission
from tests.fakes.clock import ManualClock
from tests.harness import FILES_BUCKET, Api, CrmSession, NoWorkflows, add_member, admin_actor, aws_client, reset_caches
from tests.meter import dynamodb_calls
from tests.pbx import output, wait_for_workflows

CHUNK = 7


@pytest.fixture
def workflows(api: Api, clock: ManualClock) -> Iterator[Api]:
    """The import and export workflows registered in moto, their tasks run by the Lambda glue."""
    from infra.local import lambda_glue, resources

    lambda_glue.install()
    arns = resources.register_functions(aws_client("lambda"), aws_client("iam"))
    resources.create_state_machines(aws_client("stepfunctions"), arns)
    os.environ["IMPORT_CHUNK_ROWS"] = str(CHUNK)
    reset_caches()  # the new composition root keeps the test's clock
    try:
        yield api
    finally:
        os.environ.pop("IMPORT_CHUNK_ROWS", None)
        reset_caches()


def upload(api: Api, crm: CrmSession, content: bytes, filename: str = "clients.csv", entity: str = "clients",
           token: str | None = None) -> str:  # fmt: skip
    created = api.post(
        "/v1/imports",
        {"entity": entity, "filename": filename, "content_base64": base64.b64encode(content).decode()},
        token=token or crm.token,
    )
    assert created.status == 201, created.json
    return str(created.json["id"])


def run(api: Api, crm: CrmSession, import_id: str, mapping: dict[str, Any], on_duplicate: str = "skip",
        token: str | None = None) -> dict[str, Any]:  # fmt: skip
    started = api.post(f"/v1/imports/{import_id}/start", {"mapping": mapping, "on_duplicate": on_duplicate},
                       token=token or crm.token)  # fmt: skip
    assert started.status == 202, started.json
    [execution] = [e for e in wait_for_workflows(timeout=60, machine="ContactImport") if import_id in e["name"]][-1:]
    assert execution["status"] == "SUCCEEDED", execution
    shown = api.get(f"/v1/imports/{import_id}", token=token or crm.token)
    assert shown.status == 200
    return dict(shown.json)


def undo(api: Api, crm: CrmSession, import_id: str) -> dict[str, Any]:
    started = api.post(f"/v1/imports/{import_id}/undo", token=crm.token)
    assert (started.status, started.json["status"]) == (202, "undoing"), started.json
    executions = [e for e in wait_for_workflows(timeout=60, machine="ContactImport") if "undo" in e["name"]]
    assert executions
    assert all(e["status"] == "SUCCEEDED" for e in executions), executions
    return dict(api.get(f"/v1/imports/{import_id}", token=crm.token).json)


def path(base: str, **params: Any) -> str:
    return f"{base}?{urlencode(params)}"


def report_rows(url: str) -> list[list[str]]:
    text = requests.get(url, timeout=5).content.decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def clients(api: Api, crm: CrmSession) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    cursor = None
    while True:
        page = api.get(path("/v1/clients", limit=100, **({"cursor": cursor} if cursor else {})), token=crm.token)
        found += page.json["items"]
        cursor = page.json["next_cursor"]
        if not cursor:
            return found


FRENCH = (
    "Nom;Téléphone;E-mail;Étiquettes;Commentaire\r\n"
    "Hélène Lefèvre;06 12 34 56 78;helene@example.fr;VIP, Paris;Rappeler lundi\r\n"
    "Société Générale;+33 1 42 14 20 00, +33 1 42 14 20 01;contact@socgen.example;Banque;\r\n"
    ";06 11 11 11 11;sans-nom@example.fr;;pas de nom\r\n"
    "Jean Dupont;pas un numéro;jean@example.fr;;\r\n"
    "Zoé Martin;07 98 76 54 32;zoe-at-example.fr;;\r\n"
    "Marc Petit;0611223344;marc@example.fr;Paris;\r\n"
)


def test_a_file_with_bad_rows_imports_the_good_ones_and_reports_the_bad_ones_exactly(workflows: Api, make_crm) -> None:
    api, crm = workflows, make_crm(country="FR")
    import_id = upload(api, crm, FRENCH.encode("cp1252"))
    preview = api.get(f"/v1/imports/{import_id}/preview", token=crm.token).json
    assert (preview["format"], preview["delimiter"], preview["encoding"]) == ("csv", ";", "cp1252")
    assert preview["headers"] == ["Nom", "Téléphone", "E-mail", "Étiquettes", "Commentaire"]
    assert preview["rows"][0][0] == "Hélène Lefèvre"
    assert preview["suggested_mapping"] == {
        "Nom": "name", "Téléphone": "phone:work", "E-mail": "email:work", "Étiquettes": "tags",
        "Commentaire": "comment",
    }  # fmt: skip

    done = run(api, crm, import_id, preview["suggested_mapping"])

    assert {k: done[k] for k in ("status", "total", "processed", "created", "failed", "skipped")} == {
        "status": "completed", "total": 6, "processed": 6, "created": 3, "failed": 3, "skipped": 0,
    }  # fmt: skip
    assert report_rows(done["errors_url"]) == [
        ["row", "column", "reason", "outcome"],
        ["4", "Nom", "a contact needs a name; this cell is empty", "failed"],
        ["5", "Téléphone", "'pas un numéro' is not a phone number we can read (write it with its country code: "
         "+33...)", "failed"],
        ["6", "E-mail", "'zoe-at-example.fr' is not an email address", "failed"],
    ]  # fmt: skip
    imported = {c["name"]: c for c in clients(api, crm)}
    assert sorted(imported) == ["Hélène Lefèvre", "Marc Petit", "Société Générale"]
    helene = imported["Hélène Lefèvre"]
    assert [p["phone"] for p in helene["phones"]] == ["+33612345678"]
    assert (helene["tags"], helene["comment"], helene["responsible_user_id"]) == (
        ["VIP", "Paris"], "Rappeler lundi", crm.admin["id"],
    )  # fmt: skip
    assert [p["phone"] for p in imported["Société Générale"]["phones"]] == ["+33142142000", "+33142142001"]
    # The imported contacts are like any other: found by phone, listed by tag, counted.
    found = api.get(path("/v1/contacts/identify", phone="+33611223344"), token=crm.token).json
    assert found["name"] == "Marc Petit"
    tagged = api.get(path("/v1/clients", tag="Paris"), token=crm.token).json["items"]
    assert sorted(c["name"] for c in tagged) == ["Hélène Lefèvre", "Marc Petit"]
    counts = {t["tag"]: t["clients"] for t in api.get("/v1/tags", token=crm.token).json["items"]}
    assert counts == {"VIP": 1, "Paris": 2, "Banque": 1}
    feed = api.get(f"/v1/clients/{helene['id']}/feed", token=crm.token).json["items"]
    assert [(e["kind"], e["data"]["event"], e["data"]["import_id"]) for e in feed] == [("event", "created", import_id)]


def test_duplicates_are_skipped_updated_or_created_without_the_taken_values(workflows: Api, make_crm) -> None:
    api, crm = workflows, make_crm(country="FR")
    existing = api.post("/v1/clients", {"name": "Acme", "phones": [{"phone": "+33612345678"}], "tags": ["old"]},
                        token=crm.token).json  # fmt: skip
    rows = "name,phone,email,tags\nAcme SA,+33612345678,acme@example.com,new\nBeta,+33698765432,,\n"
    mapping = {"name": "name", "phone": "phone:mobile", "email": "email:work", "tags": "tags"}

    skipped = run(api, crm, upload(api, crm, rows.encode()), mapping, "skip")
    assert (skipped["created"], skipped["skipped"], skipped["updated"]) == (1, 1, 0)
    assert report_rows(skipped["errors_url"])[1] == ["2", "phone", "+33612345678 belongs to the client 'Acme'",
                                                     "skipped"]  # fmt: skip

    rows = rows.replace("Beta", "Gamma").replace("+33698765432", "+33655555555")
    updated = run(api, crm, upload(api, crm, rows.encode()), mapping, "update")
    assert (updated["created"], updated["skipped"], updated["updated"]) == (1, 0, 1)
    acme = api.get(f"/v1/clients/{existing['id']}", token=crm.token).json
    assert (acme["name"], acme["tags"], [e["email"] for e in acme["emails"]]) == (
        "Acme SA", ["old", "new"], ["acme@example.com"],
    )  # fmt: skip
    assert acme["feed"]["items"][0]["data"]["event"] == "updated"

    rows = rows.replace("Gamma", "Delta").replace("+33655555555", "+33644444444")
    anyway = run(api, crm, upload(api, crm, rows.encode()), mapping, "create_anyway")
    assert (anyway["created"], anyway["skipped"], anyway["updated"]) == (2, 0, 0)
    copies = [c for c in clients(api, crm) if c["name"] == "Acme SA" and c["id"] != existing["id"]]
    assert [(c["phones"], c["emails"]) for c in copies] == [([], [])]  # both values belong to Acme
    assert report_rows(anyway["errors_url"])[1][3] == "created"


def test_rows_repeating_a_number_in_one_file_make_one_contact(workflows: Api, make_crm) -> None:
    api, crm = workflows, make_crm(country="FR")
    rows = "name,phone,tags\n" + "".join(f"Client {i},+3361000{i:04d},a\n" for i in range(10))
    rows += "Client 3 bis,+33610000003,b\n"  # the same number as row 5, in another chunk
    done = run(api, crm, upload(api, crm, rows.encode()), {"name": "name", "phone": "phone:work", "tags": "tags"},
               "update")  # fmt: skip
    assert (done["created"], done["updated"], done["failed"]) == (10, 1, 0), report_rows(done["errors_url"])
    assert len(clients(api, crm)) == 10
    merged = api.get(path("/v1/contacts/identify", phone="+33610000003"), token=crm.token).json
    assert merged["name"] == "Client 3 bis"


def test_undo_deletes_what_the_import_created_and_restores_what_it_updated(workflows: Api, make_crm) -> None:
    api, crm = workflows, make_crm(country="FR")
    kept = api.post("/v1/clients", {"name": "Kept", "phones": [{"phone": "+33600000001"}], "comment": "mine"},
                    token=crm.token).json  # fmt: skip
    rows = "name,phone,comment,tags\nKept,+33600000001,from the file,x\n"
    rows += "".join(f"New {i},+3361111{i:04d},,x\n" for i in range(20))
    import_id = upload(api, crm, rows.encode())
    done = run(api, crm, import_id, {"name": "name", "phone": "phone:work", "comment": "comment", "tags": "tags"},
               "update")  # fmt: skip
    assert (done["created"], done["updated"]) == (20, 1)
    assert api.get(f"/v1/clients/{kept['id']}", token=crm.token).json["comment"] == "from the file"

    undone = undo(api, crm, import_id)

    assert (undone["status"], undone["deleted"], undone["restored"]) == ("undone", 20, 1)
    assert [c["name"] for c in clients(api, crm)] == ["Kept"]
    card = api.get(f"/v1/clients/{kept['id']}", token=crm.token).json
    assert (card["comment"], card["tags"]) == ("mine", [])
    assert api.get("/v1/tags", token=crm.token).json["items"] == []  # the counters came back down
    missing = api.get(path("/v1/contacts/identify", phone="+33611110005"), token=crm.token)
    assert missing.status == 404  # the guards went with the contacts: the numbers are free again
    again = api.post("/v1/clients", {"name": "New 5", "phones": [{"phone": "+33611110005"}]}, token=crm.token)
    assert again.status == 201
    history = api.get("/v1/imports", token=crm.token).json["items"]
    assert [(i["id"], i["status"]) for i in history] == [(import_id, "undone")]
    twice = api.post(f"/v1/imports/{import_id}/undo", token=crm.token)
    assert (twice.status, twice.error["code"]) == (409, "conflict")


def test_a_chunk_written_twice_after_a_crash_is_counted_once(
    workflows: Api, make_crm, monkeypatch: pytest.MonkeyPatch
) -> None:
    api, crm = workflows, make_crm(country="FR")
    rows = "name,phone,tags\n" + "".join(f"Client {i},+3362222{i:04d},t{i % 3}\n" for i in range(CHUNK * 2))
    # The step dies once after writing the second chunk, before counting it (a Lambda timeout);
    # the workflow retries it: the same items are written again, and counted once.
    commit = ImportRepository.commit_chunk
    crashes = []

    def crash_once(self: ImportRepository, record: Any, chunk: int, *args: Any) -> bool:
        if chunk == 1 and not crashes:
            crashes.append(chunk)
            raise RuntimeError("Task timed out after 900.00 seconds")
        return commit(self, record, chunk, *args)

    monkeypatch.setattr(ImportRepository, "commit_chunk", crash_once)
    done = run(api, crm, upload(api, crm, rows.encode()), {"name": "name", "phone": "phone:work", "tags": "tags"})

    assert crashes == [1]
    assert (done["status"], done["processed"], done["created"], done["failed"]) == ("completed", 14, 14, 0)
    assert len(clients(api, crm)) == CHUNK * 2
    counts = {t["tag"]: t["clients"] for t in api.get("/v1/tags", token=crm.token).json["items"]}
    assert counts == {"t0": 5, "t1": 5, "t2": 4}


def test_an_xlsx_file_with_numbers_typed_as_numbers_imports(workflows: Api, make_crm, tmp_path) -> None:
    from openpyxl import Workbook

    api, crm = workflows, make_crm(country="FR")
    book = Workbook()
    sheet = book.active
    sheet.append(["Client name", "Mobile", "Email", "Budget"])
    sheet.append(["Acme", 33612345678, "acme@example.com", 1200])
    sheet.append(["Beta", "+44 20 7946 0958", None, 300.5])
    path = tmp_path / "clients.xlsx"
    book.save(path)
    api.post("/v1/properties", {"key": "budget", "title": "Budget", "kind": "number"}, token=crm.token)
    import_id = upload(api, crm, path.read_bytes(), filename="clients.xlsx")
    preview = api.get(f"/v1/imports/{import_id}/preview", token=crm.token).json
    assert preview.get("format") == "xlsx", preview
    assert preview["suggested_mapping"] == {"Client name": "name", "Mobile": "phone:mobile", "Email": "email:work",
                                            "Budget": "property:budget"}  # fmt: skip
    mapping = {**preview["suggested_mapping"], "Mobile": "phone:mobile"}
    done = run(api, crm, import_id, mapping)
    assert (done["created"], done["failed"]) == (2, 0), done
    imported = {c["name"]: c for c in clients(api, crm)}
    assert imported["Acme"]["phones"] == [{"phone": "+33612345678", "type": "mobile"}]
    assert imported["Beta"]["properties"] == {"budget": "300.5"}


def test_imports_need_the_import_right_of_their_kind(workflows: Api, make_crm) -> None:
    api, crm = workflows, make_crm()
    sales = add_member(api, crm, {Permission.LEADS_IMPORT_EXPORT})
    refused = api.post("/v1/imports", {"entity": "clients", "filename": "a.csv", "content_base64": "YQ=="},
                       token=sales.token)  # fmt: skip
    assert (refused.status, refused.error["code"]) == (403, "forbidden")
    lead_import = upload(api, crm, b"name\nA lead\n", filename="leads.csv", entity="leads", token=sales.token)
    done = run(api, crm, lead_import, {"name": "name"}, token=sales.token)
    assert done["created"] == 1
    lead = api.get("/v1/leads", token=sales.token).json["items"][0]
    assert (lead["name"], lead["lead_source"], lead["responsible_user_id"]) == ("A lead", "import", sales.id)
    client_import = upload(api, crm, b"name\nA client\n")
    assert api.get(f"/v1/imports/{client_import}", token=sales.token).status == 404
    assert [i["id"] for i in api.get("/v1/imports", token=sales.token).json["items"]] == [lead_import]


def test_bad_requests_name_the_field_and_start_nothing(workflows: Api, make_crm) -> None:
    api, crm = workflows, make_crm()
    import_id = upload(api, crm, b"Name,Phone\nA,+33612345678\n")
    cases = [
        ({"mapping": {"Nom": "name"}}, "mapping.Nom"),
        ({"mapping": {"Name": "nickname"}}, "mapping.Name"),
        ({"mapping": {"Name": "name", "Phone": "phone:fax"}}, "mapping.Phone"),
        ({"mapping": {"Phone": "phone:work"}}, "mapping"),
        ({"mapping": {"Name": "property:nope"}}, "mapping.Name"),
        ({"mapping": {"Name": "name"}, "on_duplicate": "merge"}, "on_duplicate"),
    ]
    for body, field in cases:
        reply = api.post(f"/v1/imports/{import_id}/start", body, token=crm.token)
        assert (reply.status, reply.error["field"]) == (400, field), (body, reply.json)
    assert api.get(f"/v1/imports/{import_id}", token=crm.token).json["status"] == "uploaded"
    old_excel = api.post("/v1/imports", {"entity": "clients", "filename": "a.xls"}, token=crm.token)
    assert (old_excel.status, old_excel.error["field"]) == (400, "filename")
    not_base64 = api.post("/v1/imports", {"entity": "clients", "filename": "a.csv", "content_base64": "%%"},
                          token=crm.token)  # fmt: skip
    assert (not_base64.status, not_base64.error["field"]) == (400, "content_base64")
    assert run(api, crm, import_id, {"Name": "name", "Phone": "phone:work"})["created"] == 1
    again = api.post(f"/v1/imports/{import_id}/start", {"mapping": {"Name": "name"}}, token=crm.token)
    assert (again.status, again.error["code"]) == (409, "conflict")


def test_a_large_file_goes_through_a_presigned_upload(workflows: Api, make_crm) -> None:
    api, crm = workflows, make_crm(country="FR")
    created = api.post("/v1/imports", {"entity": "clients", "filename": "big.csv", "content_type": "text/csv"},
                       token=crm.token).json  # fmt: skip
    assert set(created["upload_form"]) == {"url", "fields"}
    early = api.get(f"/v1/imports/{created['id']}/preview", token=crm.token)
    assert (early.status, early.error["field"]) == (409, "file")
    content = "name,phone\n" + "".join(f"Client {i},+3363333{i:04d}\n" for i in range(30))
    sent = requests.post(created["upload_form"]["url"], data=created["upload_form"]["fields"],
                         files={"file": ("big.csv", content.encode(), "text/csv")}, timeout=5)  # fmt: skip
    assert sent.status_code in (200, 204), sent.text
    done = run(api, crm, created["id"], {"name": "name", "phone": "phone:work"})
    assert (done["total"], done["created"], done["errors_url"]) == (30, 30, None)


def test_upload_url_takes_the_file_by_http_put(workflows: Api, make_crm) -> None:
    """API.md's flow: POST /v1/imports -> upload_url, then PUT the file there (any client, no form)."""
    api, crm = workflows, make_crm(country="FR")
    created = api.post("/v1/imports", {"entity": "clients", "filename": "put.csv", "content_type": "text/csv"},
                       token=crm.token).json  # fmt: skip
    content = "name,phone\n" + "".join(f"Put {i},+3363334{i:04d}\n" for i in range(12))
    sent = requests.put(created["upload_url"], data=content.encode(), timeout=5)
    assert sent.status_code == 200, sent.text
    preview = api.get(f"/v1/imports/{created['id']}/preview", token=crm.token).json
    assert (preview["headers"], preview["rows"][0]) == (["name", "phone"], ["Put 0", "+33633340000"])
    done = run(api, crm, created["id"], {"name": "name", "phone": "phone:work"})
    assert (done["status"], done["total"], done["created"]) == ("completed", 12, 12)


def test_a_put_file_over_the_limit_is_refused_before_it_is_read(api: Api, make_crm, monkeypatch) -> None:
    """A presigned PUT cannot cap the size (the POST's policy does): the importer checks it, at
    the preview and the start (413 on `file`) and again when the workflow reads the file (the
    URL stays valid an hour, so a bigger file may replace the one checked): the import fails
    with a clear reason and nothing is imported."""
    from chalicelib.bootstrap import services
    from chalicelib.domain.contacts import ContactKind
    from chalicelib.domain.errors import PayloadTooLargeError
    from chalicelib.domain.imports import DuplicatePolicy
    from chalicelib.services import imports as import_service
    from chalicelib.services.imports import source

    crm = make_crm(country="FR")
    small, big = b"name\nA\n", b"name\n" + b"".join(b"Client %d\n" % i for i in range(20))
    monkeypatch.setattr(source, "MAX_FILE_BYTES", len(big) - 1)  # the check reading the file makes
    created = api.post("/v1/imports", {"entity": "clients", "filename": "a.csv", "content_type": "text/csv"},
                       token=crm.token).json  # fmt: skip
    assert requests.put(created["upload_url"], data=big, timeout=5).status_code == 200
    for reply in (
        api.get(f"/v1/imports/{created['id']}/preview", token=crm.token),
        api.post(f"/v1/imports/{created['id']}/start", {"mapping": {"name": "name"}}, token=crm.token),
    ):
        assert (reply.status, reply.error["code"], reply.error["field"]) == (413, "payload_too_large", "file")
        assert "at most" in reply.error["message"]
    assert api.get(f"/v1/imports/{created['id']}", token=crm.token).json["status"] == "uploaded"

    imports = import_service.ImportService(services().storage, services().clock, services().files, NoWorkflows())
    actor = admin_actor(crm)
    record, target = imports.create(actor, ContactKind.CLIENT, "b.csv", "text/csv")
    assert target is not None
    assert requests.put(target.put_url, data=small, timeout=5).status_code == 200
    imports.start(actor, record.id, {"name": "name"}, DuplicatePolicy.SKIP)
    assert requests.put(target.put_url, data=big, timeout=5).status_code == 200  # replaced after the start
    job = {"tenant_id": crm.id, "import_id": record.id, "action": "import"}
    with pytest.raises(PayloadTooLargeError) as refused:
        imports.step(job)
    imports.fail({**job, "error": {"Error": "PayloadTooLargeError", "Cause": refused.value.message}})
    shown = api.get(f"/v1/imports/{record.id}", token=crm.token).json
    assert (shown["status"], shown["total"], shown["created"]) == ("failed", None, 0)
    assert "at most" in shown["error"]
    assert api.get("/v1/clients", token=crm.token).json["items"] == []


def test_the_import_state_is_read_with_fixed_dynamodb_calls(workflows: Api, make_crm) -> None:
    api, crm = workflows, make_crm()
    import_id = upload(api, crm, b"name\nA\n")
    with dynamodb_calls() as calls:
        assert api.get(f"/v1/imports/{import_id}", token=crm.token).status == 200
    assert calls == {"GetItem": 3}  # the caller (user, group; seen within the minute), the import


def test_an_export_has_the_list_s_rows_and_imports_back(workflows: Api, make_crm) -> None:
    api, crm = workflows, make_crm(country="FR")
    for i in range(12):
        api.post("/v1/clients", {"name": f"Client {i}", "phones": [{"phone": f"+3364444{i:04d}", "type": "mobile"}],
                                 "tags": ["vip"] if i % 2 else []}, token=crm.token)  # fmt: skip
    started = api.post("/v1/exports", {"entity": "clients", "format": "csv", "filters": {"tag": "vip"}},
                       token=crm.token)  # fmt: skip
    assert (started.status, started.json["status"]) == (202, "running"), started.json
    [execution] = wait_for_workflows(timeout=60, machine="ContactExport")
    assert output(execution)["rows"] == 6
    shown = api.get(f"/v1/exports/{started.json['id']}", token=crm.token).json
    assert (shown["status"], shown["rows"]) == ("completed", 6)
    table = report_rows(shown["download_url"])
    header = table[0]
    names = sorted(r[header.index("name")] for r in table[1:])
    assert names == sorted(f"Client {i}" for i in range(1, 12, 2))
    assert {r[header.index("phone:mobile")] for r in table[1:]} >= {"+33644440001"}
    assert all(r[header.index("tags")] == "vip" for r in table[1:])
    # A copy of the company's contacts: the file is tagged for deletion after a week...
    from chalicelib.db.repositories.imports import ExportRepository

    record = ExportRepository(crm.id).get(started.json["id"])
    assert record is not None
    tags = aws_client("s3").get_object_tagging(Bucket=FILES_BUCKET, Key=record.file_key)["TagSet"]
    assert tags == [{"Key": "crm-retention", "Value": "export"}]
    # The export's columns are the import's targets: the file maps itself.
    preview_id = upload(api, crm, requests.get(shown["download_url"], timeout=5).content, filename="back.csv")
    suggested = api.get(f"/v1/imports/{preview_id}/preview", token=crm.token).json["suggested_mapping"]
    assert (suggested["name"], suggested["phone:mobile"], suggested["tags"]) == ("name", "phone:mobile", "tags")


def test_an_export_older_than_a_week_shows_expired_without_a_link(workflows: Api, make_crm, clock: ManualClock) -> None:
    api, crm = workflows, make_crm()
    started = api.post("/v1/exports", {"entity": "clients", "format": "csv"}, token=crm.token)
    wait_for_workflows(timeout=60, machine="ContactExport")
    assert api.get(f"/v1/exports/{started.json['id']}", token=crm.token).json["status"] == "completed"
    clock.advance(days=7, minutes=1)
    shown = api.get(f"/v1/exports/{started.json['id']}", token=crm.token).json
    assert (shown["status"], shown["download_url"]) == ("expired", None)


def test_an_xlsx_export_and_export_rights(workflows: Api, make_crm) -> None:
    from openpyxl import load_workbook

    api, crm = workflows, make_crm()
    api.post("/v1/leads", {"name": '=HYPERLINK("http://evil")'}, token=crm.token)
    started = api.post("/v1/exports", {"entity": "leads", "format": "xlsx"}, token=crm.token)
    assert started.status == 202
    wait_for_workflows(timeout=60, machine="ContactExport")
    shown = api.get(f"/v1/exports/{started.json['id']}", token=crm.token).json
    book = load_workbook(io.BytesIO(requests.get(shown["download_url"], timeout=5).content), read_only=True)
    rows = list(book.active.iter_rows(values_only=True))
    assert rows[1][1] == '=HYPERLINK("http://evil")'  # kept as text, never a formula
    assert book.active["B2"].data_type == "s"
    sales = add_member(api, crm)
    refused = api.post("/v1/exports", {"entity": "leads"}, token=sales.token)
    assert (refused.status, refused.error["code"]) == (403, "forbidden")
    assert api.get(f"/v1/exports/{started.json['id']}", token=sales.token).status == 404
    bad = api.post("/v1/exports", {"entity": "clients", "filters": {"type": "alien"}}, token=crm.token)
    assert (bad.status, bad.error["field"]) == (400, "filters.type")


def test_an_export_takes_the_lists_combined_filters(workflows: Api, make_crm) -> None:
    api, crm = workflows, make_crm()
    api.post("/v1/properties", {"key": "city", "title": "City", "kind": "text"}, token=crm.token)
    for i in range(8):
        api.post("/v1/clients", {"name": f"Client {i}", "tags": ["vip"] if i % 2 else [],
                                 "type": "partner" if i % 3 else "client",
                                 "properties": {"city": "Lyon" if i < 6 else "Paris"}}, token=crm.token)  # fmt: skip
    filters = {"tag": "vip", "type": "partner", "property.city": "lyon", "q": "client"}
    started = api.post("/v1/exports", {"entity": "clients", "filters": filters}, token=crm.token)
    assert started.status == 202, started.json
    [execution] = wait_for_workflows(timeout=60, machine="ContactExport")
    assert output(execution)["rows"] == 2
    shown = api.get(f"/v1/exports/{started.json['id']}", token=crm.token).json
    table = report_rows(shown["download_url"])
    assert sorted(r[table[0].index("name")] for r in table[1:]) == ["Client 1", "Client 5"]


def test_an_export_filter_with_an_empty_or_unknown_key_is_a_400_naming_a_real_field(api: Api, make_crm) -> None:
    crm = make_crm()
    for filters, field in (
        ({"": "x"}, "filters"),
        ({"property.": "x"}, "filters"),
        ({"colour": "red"}, "filters.colour"),
        ({"property.colour": "red"}, "filters.property.colour"),
        ({"updated_from": "yesterday"}, "filters.updated_from"),
        ({"created_from": "2026-02-01T00:00:00Z", "created_to": "2026-01-01T00:00:00Z"}, "filters.created_to"),
    ):
        reply = api.post("/v1/exports", {"entity": "clients", "filters": filters}, token=crm.token)
        assert (reply.status, reply.error["code"], reply.error["field"]) == (400, "validation_error", field), filters


def test_an_import_and_its_undo_write_within_10_percent_of_the_fewest_requests_possible(api: Api, make_crm) -> None:
    """DESIGN's import budget, ceil(items / 25) write requests, on a small file in the suite;
    `make bench` measures it on 10,000 and 100,000 rows."""
    import math

    from chalicelib.bootstrap import services
    from chalicelib.domain.contacts import ContactKind
    from chalicelib.domain.imports import DuplicatePolicy
    from chalicelib.services.imports import ImportService

    crm = make_crm(country="FR")
    actor = admin_actor(crm)
    imports = ImportService(services().storage, services().clock, services().files, NoWorkflows(), chunk_rows=150)
    rows = "".join(f"Client {i},+336{i:08d},c{i}@example.com,tag{i % 7}\r\n" for i in range(450))
    content = base64.b64encode(("Nom,Téléphone,E-mail,Étiquettes\r\n" + rows).encode()).decode()
    record, _ = imports.create(actor, ContactKind.CLIENT, "clients.csv", "text/csv", content)
    mapping = {"Nom": "name", "Téléphone": "phone:mobile", "E-mail": "email:work", "Étiquettes": "tags"}
    imports.start(actor, record.id, mapping, DuplicatePolicy.SKIP)
    job = {"tenant_id": crm.id, "import_id": record.id, "action": "import"}

    with dynamodb_calls() as imported:
        while not imports.step(job)["done"]:
            pass
    imports.undo(actor, record.id)
    with dynamodb_calls() as undone:
        while not imports.step({**job, "action": "undo"})["done"]:
            pass

    done = ImportRepository(crm.id).get(record.id, consistent=True)
    assert done is not None
    assert (done.status.value, done.counts.created, done.deleted) == ("undone", 450, 450)
    for calls in (imported, undone):
        writes = sum(calls[op] for op in ("BatchWriteItem", "TransactWriteItems", "PutItem", "UpdateItem",
                                           "DeleteItem"))  # fmt: skip
        assert calls.items_written > 450 * 10  # record, guards, search and filter entries, feed...
        assert writes <= 1.1 * math.ceil(calls.items_written / 25), calls


def test_ap44_partitions_are_read_in_parallel_in_order_and_under_the_callers_access(api: Api, make_crm) -> None:
    """What an undo deletes: each contact's record and whole feed (notes added since included)."""
    from pynamodb.exceptions import QueryError

    from chalicelib.db.repositories.contacts import ContactRepository
    from functions.registry import LambdaFunction
    from infra.local.iam import acting_as

    crm = make_crm()
    ids = [api.post("/v1/clients", {"name": f"C{i}"}, token=crm.token).json["id"] for i in range(12)]
    api.post(f"/v1/clients/{ids[3]}/notes", {"text": "called back"}, token=crm.token)
    wanted = [ids[0], "missing", *ids[1:]]

    found = ContactRepository(crm.id).partitions(wanted)

    assert [c.id for c, _ in found] == ids  # the caller's order, the missing one left out
    sort_keys = {c.id: sks for c, sks in found}
    assert len(sort_keys[ids[3]]) == len(sort_keys[ids[0]]) + 1  # the note too
    nothing = LambdaFunction(name="NoAccess", handler="x.y", description="test")
    with acting_as(nothing), pytest.raises(QueryError, match="not authorized to perform dynamodb:Query"):
        ContactRepository(crm.id).partitions(wanted)  # the worker threads run with the caller's access
