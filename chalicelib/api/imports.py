"""Import and export of clients and leads (SPEC IM-1..5, CL-9)."""

from __future__ import annotations

from typing import Literal

import pydantic
from pydantic import Field

from chalicelib.api.contacts import ClientQuery, LeadQuery
from chalicelib.api.routing import Router
from chalicelib.api.schemas import Input, Output, PageOut, PageQuery, UtcDateTime
from chalicelib.bootstrap import services
from chalicelib.domain.actor import Actor
from chalicelib.domain.contacts import ContactKind
from chalicelib.domain.errors import ValidationError
from chalicelib.domain.imports import MAX_FILE_BYTES, DuplicatePolicy, Export, ExportFormat, Import
from chalicelib.domain.rights import Access
from chalicelib.services.contacts import ListQuery

router = Router(__name__, tag="Import and export")
Entity = Literal["clients", "leads"]
KINDS = {"clients": ContactKind.CLIENT, "leads": ContactKind.LEAD}
ENTITIES = {v: k for k, v in KINDS.items()}


class ImportIn(Input):
    entity: Entity
    filename: str = Field(min_length=1, max_length=255, examples=["clients.xlsx", "export-leads.csv"])
    content_type: str = Field("application/octet-stream", min_length=1, max_length=200)
    content_base64: str | None = Field(
        None, description="A small file (up to 700 KB) sent in the request instead of to upload_url"
    )


class UploadFormOut(Output):
    url: str = Field(description="POST the file here as multipart/form-data, `fields` first, the file last")
    fields: dict[str, str] = Field(description="Form fields to send before the file (they cap its size)")


class ImportCreated(Output):
    id: str
    status: str
    upload_url: str | None = Field(
        description="PUT the file's bytes here (a presigned URL valid for an hour); null when the file came in "
        "content_base64. A file over max_bytes is refused when the import reads it"
    )
    upload_form: UploadFormOut | None = Field(
        description="Or upload it by a browser form: a presigned POST whose policy refuses a file over max_bytes"
    )
    max_bytes: int = MAX_FILE_BYTES


class PreviewOut(Output):
    format: str = Field(description="csv | xlsx")
    encoding: str | None = Field(description="The text encoding a CSV was read in")
    delimiter: str | None
    headers: list[str] = Field(description="Column names as the mapping names them")
    rows: list[list[str]] = Field(description="The first rows under the header")
    suggested_mapping: dict[str, str | None] = Field(description="column -> target, from the header names")
    targets: list[str] = Field(description="Every target a column can be mapped to")


class StartIn(Input):
    mapping: dict[str, str | None] = Field(
        description="column -> name | status | type | phone:<type> | email:<type> | address | website | comment "
        "| tags | responsible_email | property:<key>; null or a missing column: not imported",
        examples=[{"Nom": "name", "Téléphone": "phone:work", "E-mail": "email:work"}],
    )
    on_duplicate: DuplicatePolicy = Field(
        DuplicatePolicy.SKIP, description="For rows whose phone or email belongs to a contact already"
    )


class ImportOut(Output):
    id: str
    entity: str
    filename: str
    status: str = Field(description="uploaded | running | completed | failed | undoing | undone")
    on_duplicate: str | None
    mapping: dict[str, str | None] | None
    total: int | None = Field(description="Rows under the header; null until the file has been read")
    processed: int
    created: int
    updated: int
    skipped: int
    failed: int
    errors: int = Field(description="Lines in the errors file (a bad row may have several)")
    errors_url: str | None = Field(description="CSV of rows not imported as they were: row, column, reason, outcome")
    error: str | None = Field(description="Why a failed import (or undo) stopped")
    deleted: int = Field(description="Undo: contacts the import had created, removed")
    restored: int = Field(description="Undo: updated contacts given their previous values back")
    created_by: str
    created_at: UtcDateTime
    started_at: UtcDateTime | None
    finished_at: UtcDateTime | None
    undone_at: UtcDateTime | None

    @classmethod
    def of(cls, record: Import, errors_url: str | None = None) -> ImportOut:
        counts = record.counts
        return cls(
            id=record.id,
            entity=ENTITIES[record.entity],
            filename=record.filename,
            status=record.status.value,
            on_duplicate=record.on_duplicate.value if record.on_duplicate else None,
            mapping=record.mapping,
            total=record.total,
            processed=counts.processed,
            created=counts.created,
            updated=counts.updated,
            skipped=counts.skipped,
            failed=counts.failed,
            errors=record.errors,
            errors_url=errors_url,
            error=record.error,
            deleted=record.deleted,
            restored=record.restored,
            created_by=record.created_by,
            created_at=record.created_at,
            started_at=record.started_at,
            finished_at=record.finished_at,
            undone_at=record.undone_at,
        )


class ImportList(PageOut):
    items: list[ImportOut]


class ExportIn(Input):
    entity: Entity
    format: ExportFormat = ExportFormat.CSV
    filters: dict[str, str] = Field(
        default_factory=dict,
        description="The list's query parameters as strings, in any combination (scope, q, tag, type, status, "
        "source_tag_id, responsible_user_id, created_from, created_to, updated_from, updated_to, property.<key>, sort)",
    )


class ExportOut(Output):
    id: str
    entity: str
    format: str
    status: str = Field(description="running | completed | failed | expired (the file is deleted 7 days after)")
    rows: int | None
    download_url: str | None = Field(description="A link valid for an hour, once completed (until expired)")
    error: str | None
    created_at: UtcDateTime
    finished_at: UtcDateTime | None

    @classmethod
    def of(cls, record: Export, url: str | None = None) -> ExportOut:
        return cls(
            id=record.id,
            entity=ENTITIES[record.entity],
            format=record.format.value,
            status=record.status.value,
            rows=record.rows,
            download_url=url,
            error=record.error,
            created_at=record.created_at,
            finished_at=record.finished_at,
        )


@router.route("/imports", "POST", right=Access.ANY_USER, body=ImportIn, response=ImportCreated, status=201)
def create_import(actor: Actor, body: ImportIn) -> ImportCreated:
    """Start an import: PUT the file to upload_url (or POST it with upload_form, or send a small one in
    content_base64)."""
    record, upload = services().imports.create(
        actor, KINDS[body.entity], body.filename, body.content_type, body.content_base64
    )
    return ImportCreated(
        id=record.id,
        status=record.status.value,
        upload_url=upload.put_url if upload else None,
        upload_form=UploadFormOut(url=upload.url, fields=upload.fields) if upload else None,
    )


@router.route("/imports", "GET", right=Access.ANY_USER, query=PageQuery, response=ImportList)
def list_imports(actor: Actor, query: PageQuery) -> ImportList:
    """The history of imports, newest first (who, when, counts, status)."""
    page = services().imports.history(actor, limit=query.limit, cursor=query.cursor)
    return ImportList(items=[ImportOut.of(i) for i in page.items], next_cursor=page.next_cursor)


@router.route("/imports/{import_id}", "GET", right=Access.ANY_USER, response=ImportOut)
def get_import(actor: Actor, import_id: str) -> ImportOut:
    """An import's progress and counts; errors_url once it has run."""
    imports = services().imports
    record = imports.get(actor, import_id)
    return ImportOut.of(record, imports.errors_url(actor, record))


@router.route("/imports/{import_id}/preview", "GET", right=Access.ANY_USER, response=PreviewOut)
def preview_import(actor: Actor, import_id: str) -> PreviewOut:
    """The uploaded file's header, first rows and a suggested mapping."""
    preview = services().imports.preview(actor, import_id)
    return PreviewOut(
        format=preview.format,
        encoding=preview.encoding,
        delimiter=preview.delimiter,
        headers=preview.headers,
        rows=preview.rows,
        suggested_mapping=preview.suggested_mapping,
        targets=preview.targets,
    )


@router.route("/imports/{import_id}/start", "POST", right=Access.ANY_USER, body=StartIn, response=ImportOut,
              status=202)  # fmt: skip
def start_import(actor: Actor, import_id: str, body: StartIn) -> ImportOut:
    """Import the file with this mapping, in the background; follow it with GET."""
    return ImportOut.of(services().imports.start(actor, import_id, body.mapping, body.on_duplicate))


@router.route("/imports/{import_id}/undo", "POST", right=Access.ANY_USER, response=ImportOut, status=202)
def undo_import(actor: Actor, import_id: str) -> ImportOut:
    """Delete the contacts the import created and restore those it updated, in the background."""
    return ImportOut.of(services().imports.undo(actor, import_id))


@router.route("/exports", "POST", right=Access.ANY_USER, body=ExportIn, response=ExportOut, status=202)
def create_export(actor: Actor, body: ExportIn) -> ExportOut:
    """Export clients or leads with the list's filters to CSV or XLSX, in the background."""
    kind = KINDS[body.entity]
    return ExportOut.of(services().exports.create(actor, kind, body.format, _export_query(kind, body.filters)))


@router.route("/exports/{export_id}", "GET", right=Access.ANY_USER, response=ExportOut)
def get_export(actor: Actor, export_id: str) -> ExportOut:
    """An export's status and, once written, its download_url."""
    record, url = services().exports.get(actor, export_id)
    return ExportOut.of(record, url)


def _export_query(kind: ContactKind, filters: dict[str, str]) -> ListQuery:
    """The filters as the list endpoint reads them (same model, names, checks and errors): each
    a string, as in a query string (a number, null, list or object is a 400 naming it)."""
    model = LeadQuery if kind is ContactKind.LEAD else ClientQuery
    if "limit" in filters or "cursor" in filters:
        raise ValidationError("an export takes the whole list: no limit or cursor", field="filters")
    for name, value in filters.items():
        if not isinstance(value, str):
            raise ValidationError(f"filters.{name}: a filter value is a string, as in the list's query string",
                                  field=f"filters.{name}" if name else "filters")  # fmt: skip
    try:
        query = model.model_validate(filters, context={"query": True})
    except pydantic.ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"] if p != "")
        raise ValidationError(
            f"{where or 'filters'}: {first['msg']}", field=f"filters.{where}" if where else "filters"
        ) from None
    return query.list_query(field_prefix="filters")
