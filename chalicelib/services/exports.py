"""Exports of clients and leads (SPEC IM-4, CL-9): the list's filters, to CSV or XLSX, in S3.

`create` checks the right and the filters, then starts the ContactExport workflow; its task
pages through the same list the API shows (same filters, same rights: the exporting user's), writes
rows to a scratch file as they come (flat memory) and uploads it. `get` hands out a short-lived
download link once the file is there.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from chalicelib.domain.clock import isoformat_z
from chalicelib.domain.contacts import ChannelType, Contact, ContactKind
from chalicelib.domain.errors import NotFoundError, UnavailableError, ValidationError
from chalicelib.domain.ids import new_id
from chalicelib.domain.imports import (
    EXPORT_RETENTION,
    EXPORT_RETENTION_DAYS,
    RETENTION_TAG,
    Export,
    ExportFormat,
    ExportStatus,
    export_file_key,
    import_right,
)
from chalicelib.observability import logger
from chalicelib.ports.failures import failure_reason
from chalicelib.services.acting import acting_user
from chalicelib.services.contact_lists import ContactLists, ListQuery

if TYPE_CHECKING:
    from chalicelib.domain.actor import Actor
    from chalicelib.ports.outside import Clock, FileStore, Workflows
    from chalicelib.ports.storage import Storage

EXPORT_MACHINE = "ContactExport"
PAGE = 100
CONTENT_TYPES = {
    ExportFormat.CSV: "text/csv",
    ExportFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


class ExportService:
    def __init__(
        self,
        storage: Storage,
        clock: Clock,
        lists: ContactLists,
        files: FileStore,
        workflows: Workflows,
        page: int = PAGE,
    ) -> None:
        self._storage = storage
        self._clock = clock
        self._lists = lists
        self._files = files
        self._workflows = workflows
        self._page = page

    def create(self, actor: Actor, kind: ContactKind, fmt: ExportFormat, query: ListQuery) -> Export:
        """Start an export (202); the filters are checked now, on one page, so a bad one is a 400."""
        actor.require(import_right(kind))
        try:
            next(self._pages(actor, kind, query, limit=1), None)
        except ValidationError as exc:  # the filters sit in the body's `filters`
            raise ValidationError(exc.message, field=f"filters.{exc.field}" if exc.field else "filters") from None
        export_id = new_id()
        record = Export(
            id=export_id,
            entity=kind,
            format=fmt,
            filters=query.to_record(),
            status=ExportStatus.RUNNING,
            created_by=actor.user_id,
            created_at=self._clock(),
            file_key=export_file_key(actor.tenant_id, export_id, fmt),
        )
        repo = self._storage.exports(actor.tenant_id)
        repo.create(record)
        payload = {"tenant_id": actor.tenant_id, "export_id": export_id}
        try:
            self._workflows.start(EXPORT_MACHINE, f"{actor.tenant_id}-{export_id}", payload)
        except UnavailableError:
            repo.finish(record, ExportStatus.FAILED, rows=None, error="the background work could not start",
                        at=self._clock())  # fmt: skip
            raise
        return record

    def get(self, actor: Actor, export_id: str) -> tuple[Export, str | None]:
        """The export and, once written, a link to download it (valid for an hour)."""
        record = self._storage.exports(actor.tenant_id).get(export_id, consistent=True)
        if record is None or (record.created_by != actor.user_id and not actor.is_admin):
            raise NotFoundError("no such export in this CRM")
        if record.status is not ExportStatus.COMPLETED:
            return record, None
        if self._clock() - (record.finished_at or record.created_at) >= timedelta(days=EXPORT_RETENTION_DAYS):
            return replace(record, status=ExportStatus.EXPIRED), None  # its file is gone: export again
        stamp = record.created_at.strftime("%Y-%m-%d")
        name = f"{record.entity.value}s-{stamp}.{record.format.value}"
        return record, self._files.url(record.file_key, 3600, download_as=name)

    # --- the workflow's tasks --------------------------------------------------------------------

    def run(self, job: dict[str, Any]) -> dict[str, Any]:
        from chalicelib.formats.spreadsheets import write_csv, write_xlsx

        tenant_id, export_id = job["tenant_id"], job["export_id"]
        repo = self._storage.exports(tenant_id)
        record = repo.get(export_id, consistent=True)
        if record is None or record.status is not ExportStatus.RUNNING:
            return {**job, "status": record.status.value if record else "missing"}
        actor = acting_user(self._storage, tenant_id, record.created_by, "export")
        query = ListQuery.from_record(record.filters)
        columns = _Columns(self._storage, tenant_id)
        rows = (columns.row(c) for page in self._pages(actor, record.entity, query, limit=self._page) for c in page)
        with tempfile.TemporaryDirectory() as scratch:
            path = os.path.join(scratch, f"export.{record.format.value}")
            write = write_csv if record.format is ExportFormat.CSV else write_xlsx
            count = write(path, columns.header, rows)
            self._files.upload_file(path, record.file_key, CONTENT_TYPES[record.format],
                                    tags={RETENTION_TAG: EXPORT_RETENTION})  # fmt: skip
        repo.finish(record, ExportStatus.COMPLETED, rows=count, error=None, at=self._clock())
        return {**job, "status": "completed", "rows": count}

    def fail(self, job: dict[str, Any]) -> dict[str, Any]:
        tenant_id, export_id = job["tenant_id"], job["export_id"]
        reason = failure_reason(job.get("error"))
        repo = self._storage.exports(tenant_id)
        record = repo.get(export_id, consistent=True)
        if record is not None:
            repo.finish(record, ExportStatus.FAILED, rows=None, error=reason, at=self._clock())
        logger.warning("export failed", extra={"export_id": export_id, "reason": reason})
        return {**job, "status": "failed", "reason": reason}

    def _pages(self, actor: Actor, kind: ContactKind, query: ListQuery, *, limit: int) -> Iterator[list[Contact]]:
        """Every page of the list, through the list's own service (its rights, indexes and
        filters); a page may be short (filters checked on the records), the cursor goes on."""
        cursor: str | None = None
        while True:
            page = self._lists.page(actor, kind, query, limit=limit, cursor=cursor)
            yield list(page.items)
            cursor = page.next_cursor
            if cursor is None:
                return


class _Columns:
    """The export's columns: the import's field names, so an export imports back as it is."""

    def __init__(self, storage: Storage, tenant_id: str) -> None:
        self._users = storage.users(tenant_id)
        self._emails: dict[str, str] = {}
        self._properties = [p.key for p in storage.properties(tenant_id).list_all()]
        channels = [c.value for c in ChannelType]
        self.header = [
            "id", "name", "status", "type",
            *(f"phone:{c}" for c in channels), *(f"email:{c}" for c in channels),
            "address", "website", "comment", "tags", "responsible_email", "lead_status", "lead_source",
            "created_at", "updated_at",
            *(f"property:{k}" for k in self._properties),
        ]  # fmt: skip

    def row(self, contact: Contact) -> list[str]:
        channels = list(ChannelType)
        phones = [", ".join(p.phone for p in contact.phones if p.type is c) for c in channels]
        emails = [", ".join(e.email for e in contact.emails if e.type is c) for c in channels]
        return [
            contact.id,
            contact.name,
            contact.status.value,
            contact.type.value,
            *phones,
            *emails,
            contact.address or "",
            contact.website or "",
            contact.comment or "",
            ", ".join(contact.tags),
            self._email(contact.responsible_user_id),
            contact.lead_status.value if contact.lead_status else "",
            contact.lead_source.value if contact.lead_source else "",
            isoformat_z(contact.created_at),
            isoformat_z(contact.updated_at),
            *(str(contact.properties.get(k, "")) for k in self._properties),
        ]

    def _email(self, user_id: str | None) -> str:
        if user_id is None:
            return ""
        if user_id not in self._emails:
            user = self._users.get(user_id)
            self._emails[user_id] = user.email if user else ""
        return self._emails[user_id]
