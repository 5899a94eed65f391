"""The import service: what the API asks (create, preview, start, undo, history) and the
ContactImport workflow's two tasks (`step`, `fail`), which hand the work to the importer and
the undoer one chunk at a time."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace
from functools import cached_property
from typing import TYPE_CHECKING, Any

from chalicelib.domain.errors import ConflictError, NotFoundError, UnavailableError, ValidationError
from chalicelib.domain.ids import new_id
from chalicelib.domain.imports import (
    CHUNK_ROWS,
    MAX_FILE_BYTES,
    PREVIEW_ROWS,
    DuplicatePolicy,
    Import,
    ImportStatus,
    import_file_key,
    import_part_key,
    import_right,
)
from chalicelib.domain.paging import Page
from chalicelib.domain.records import record
from chalicelib.observability import logger
from chalicelib.ports.failures import failure_reason
from chalicelib.ports.notifications import NoNotifier, Notifier
from chalicelib.services.imports.source import OpenedFile, decoded, fit, take

if TYPE_CHECKING:
    from chalicelib.domain.actor import Actor
    from chalicelib.domain.contact_kinds import ContactKind
    from chalicelib.ports.outside import Clock, FileStore, Workflows
    from chalicelib.ports.storage import Storage
    from chalicelib.services.imports.importing import Importer
    from chalicelib.services.imports.undo import Undoer

IMPORT_MACHINE = "ContactImport"


@record(frozen=True, slots=True)
class UploadTarget:
    """Where the browser sends the file: a presigned PUT (`put_url`), or a presigned POST
    (`url` + form fields, whose policy caps the size). A PUT's size cannot be capped, so the
    importer checks the file's size before reading it."""

    put_url: str
    url: str
    fields: dict[str, str]
    max_bytes: int
    expires_in: int


@record(frozen=True, slots=True)
class Preview:
    """The file's header and first rows, and the mapping suggested for them."""

    format: str
    encoding: str | None
    delimiter: str | None
    headers: list[str]
    rows: list[list[str]]
    suggested_mapping: dict[str, str | None]
    targets: list[str]


class ImportService:
    """Imports of clients and leads: the API's calls and the ContactImport workflow's tasks."""

    def __init__(
        self,
        storage: Storage,
        clock: Clock,
        files: FileStore,
        workflows: Workflows,
        chunk_rows: int = CHUNK_ROWS,
        *,
        notifier: Notifier | None = None,
    ) -> None:
        self._notifier = notifier or NoNotifier()
        self._storage = storage
        self._clock = clock
        self._files = files
        self._workflows = workflows
        self._chunk_rows = chunk_rows

    # The workflow's steps, built with the first one: an import's rows (contacts, users, the
    # planner) are neither an undo's nor a failure's nor the API's to load.
    @cached_property
    def _importer(self) -> Importer:
        from chalicelib.services.imports.importing import Importer

        return Importer(self._storage, self._files, self._clock, self._chunk_rows, self._notifier)

    @cached_property
    def _undoer(self) -> Undoer:
        from chalicelib.services.imports.undo import Undoer

        return Undoer(self._storage, self._files, self._clock, self._chunk_rows)

    # --- the API ---------------------------------------------------------------------------------

    def create(
        self, actor: Actor, kind: ContactKind, filename: str, content_type: str, content_base64: str | None = None
    ) -> tuple[Import, UploadTarget | None]:
        """A new import; the file is either in the request (small files) or uploaded to the
        presigned PUT or POST returned (any size up to MAX_FILE_BYTES)."""
        from chalicelib.formats.spreadsheets import detect_format

        actor.require(import_right(kind))
        filename = filename.strip()
        if not 1 <= len(filename) <= 255 or "/" in filename or "\\" in filename:
            raise ValidationError("a file name has 1 to 255 characters and no slashes", field="filename")
        content = decoded(content_base64) if content_base64 is not None else None
        detect_format(filename, content_type, content[:8] if content else b"")
        import_id = new_id()
        record = Import(
            id=import_id,
            entity=kind,
            filename=filename,
            content_type=content_type,
            status=ImportStatus.UPLOADED,
            created_by=actor.user_id,
            created_at=self._clock(),
            file_key=import_file_key(actor.tenant_id, import_id, filename),
        )
        upload = None
        if content is not None:
            self._files.put(record.file_key, content, content_type)
        else:
            post = self._files.upload(record.file_key, content_type, MAX_FILE_BYTES, expires_in=3600)
            put_url = self._files.upload_put(record.file_key, expires_in=3600)
            upload = UploadTarget(put_url, post.url, post.fields, MAX_FILE_BYTES, post.expires_in)
        self._storage.imports(actor.tenant_id).create(record)
        return record, upload

    def get(self, actor: Actor, import_id: str) -> Import:
        return self._visible(actor, self._storage.imports(actor.tenant_id).get(import_id, consistent=True))

    def errors_url(self, actor: Actor, record: Import) -> str | None:
        """The report of rows not imported as they were, once the import has run (a CSV)."""
        if record.errors == 0 or record.status in (ImportStatus.UPLOADED, ImportStatus.RUNNING):
            return None
        name = f"{record.filename.rsplit('.', 1)[0]}-errors.csv"
        return self._files.url(import_part_key(actor.tenant_id, record.id, "errors.csv"), 3600, download_as=name)

    def history(self, actor: Actor, *, limit: int, cursor: str | None) -> Page[Import]:
        """The CRM's imports, newest first, of the kinds the caller may import."""
        from chalicelib.domain.contact_kinds import ContactKind  # the API's (the workers' records bring it)

        kinds = [k for k in ContactKind if actor.can(import_right(k))]
        if not kinds:
            return Page([], None)  # nothing this user may import: an empty history, not an error
        page = self._storage.imports(actor.tenant_id).history(limit=limit, cursor=cursor)
        return Page([i for i in page.items if i.entity in kinds], page.next_cursor)

    def preview(self, actor: Actor, import_id: str) -> Preview:
        """The header, the first rows, a suggested mapping and every target a column can take."""
        from chalicelib.domain.import_mapping import suggest_mapping, target_choices  # the API's, not the worker's
        from chalicelib.domain.import_rows import column_names
        from chalicelib.formats.spreadsheets import FileFormat

        record = self.get(actor, import_id)
        properties = self._storage.properties(actor.tenant_id).list_all()
        with OpenedFile(self._files, record, preview=True) as (info, rows):
            header = next(rows, None)
            if header is None:
                raise ValidationError("the file is empty", field="file")
            headers = column_names(header[1])
            first = [fit(cells, len(headers)) for _, cells in take(rows, PREVIEW_ROWS)]
        return Preview(
            format=info.format.value,
            encoding=info.encoding if info.format is FileFormat.CSV else None,
            delimiter=info.delimiter,
            headers=headers,
            rows=first,
            suggested_mapping=suggest_mapping(headers, properties),
            targets=target_choices(properties),
        )

    def start(
        self, actor: Actor, import_id: str, mapping: dict[str, str | None], on_duplicate: DuplicatePolicy
    ) -> Import:
        """Check the mapping against the file's header and start importing (202)."""
        from chalicelib.domain.import_rows import check_mapping, column_names  # the API's, not the worker's

        repo = self._storage.imports(actor.tenant_id)
        record = self.get(actor, import_id)
        if record.status is not ImportStatus.UPLOADED:
            raise ConflictError(f"this import is {record.status.value}; start a new one", field="status")
        properties = {p.key: p for p in self._storage.properties(actor.tenant_id).list_all()}
        with OpenedFile(self._files, record, preview=True) as (_, rows):
            header = next(rows, None)
        if header is None:
            raise ValidationError("the file is empty", field="file")
        headers = column_names(header[1])
        check_mapping(mapping, headers, properties)
        started = replace(
            record,
            status=ImportStatus.RUNNING,
            mapping=dict(mapping),
            on_duplicate=on_duplicate,
            started_at=self._clock(),
        )
        started = repo.save(record, started, status_was=[ImportStatus.UPLOADED])
        self._run(actor.tenant_id, started, "import")
        return started

    def undo(self, actor: Actor, import_id: str) -> Import:
        """Delete what the import created and give updated contacts their values back (202)."""
        repo = self._storage.imports(actor.tenant_id)
        record = self.get(actor, import_id)
        if not record.undoable:
            raise ConflictError(f"an import that is {record.status.value} cannot be undone", field="status")
        undoing = repo.save(
            record,
            replace(record, status=ImportStatus.UNDOING, error=None),
            status_was=[ImportStatus.COMPLETED, ImportStatus.FAILED],
        )
        self._run(actor.tenant_id, undoing, "undo")
        return undoing

    def _run(self, tenant_id: str, record: Import, action: str) -> None:
        payload = {"tenant_id": tenant_id, "import_id": record.id, "action": action}
        # The version makes the name unique per attempt: an undo retried after a failure starts anew.
        name = f"{tenant_id}-{record.id}-{action}-{record.version}"
        try:
            self._workflows.start(IMPORT_MACHINE, name, payload)
        except UnavailableError:
            failed = replace(record, status=ImportStatus.FAILED, error="the background work could not start")
            self._storage.imports(tenant_id).save(record, failed)
            raise

    def _visible(self, actor: Actor, record: Import | None) -> Import:
        if record is None or not actor.can(import_right(record.entity)):
            raise NotFoundError("no such import in this CRM")
        return record

    # --- the workflow's tasks --------------------------------------------------------------------

    def step(self, job: dict[str, Any], time_left: Callable[[], float] | None = None) -> dict[str, Any]:
        """Do the next part of an import or an undo; `done` once there is nothing left. With
        `time_left` (seconds), several chunks go in one call while time remains."""
        tenant_id, import_id, action = job["tenant_id"], job["import_id"], job.get("action", "import")
        repo = self._storage.imports(tenant_id)
        while True:
            record = repo.get(import_id, consistent=True)
            if record is None:
                return {**job, "done": True, "status": "missing"}
            wanted = ImportStatus.RUNNING if action == "import" else ImportStatus.UNDOING
            if record.status is not wanted:
                return {**job, "done": True, "status": record.status.value}
            began = time.monotonic()
            step = self._importer.step if action == "import" else self._undoer.step
            done = step(tenant_id, record)
            if done:
                final = repo.get(import_id, consistent=True)
                return {**job, "done": True, "status": final.status.value if final else "missing"}
            spent = time.monotonic() - began
            if time_left is None or time_left() < 3 * spent + 10:
                return {**job, "done": False}

    def fail(self, job: dict[str, Any]) -> dict[str, Any]:
        """Record why an import (or its undo) stopped; the counts so far stay right."""
        tenant_id, import_id = job["tenant_id"], job["import_id"]
        reason = failure_reason(job.get("error"))
        repo = self._storage.imports(tenant_id)
        for _ in range(3):
            record = repo.get(import_id, consistent=True)
            if record is None or record.status not in (ImportStatus.RUNNING, ImportStatus.UNDOING):
                break
            prefix = "undo stopped: " if record.status is ImportStatus.UNDOING else ""
            failed = replace(record, status=ImportStatus.FAILED, error=f"{prefix}{reason}", finished_at=self._clock())
            try:
                repo.save(record, failed)
            except ConflictError:
                continue
            from chalicelib.services.imports.importing import notify_finished  # a failure's only

            notify_finished(self._notifier, tenant_id, failed)
            break
        logger.warning("import failed", extra={"import_id": import_id, "reason": reason})
        return {**job, "status": "failed", "reason": reason}
