"""Imports of clients and leads (SPEC IM-1..3, IM-5, CL-9), driven by the ContactImport workflow.

The API creates an import and hands out where to upload the file; `preview` reads its header
and first rows and suggests a mapping; `start` checks the mapping and starts the workflow. The
workflow calls `step` until it says done:
1. the first step reads the whole file once (CSV in any common encoding, or .xlsx, streamed)
   into chunk files of CHUNK_ROWS rows in S3 and counts them (`total`, for progress);
2. each next step imports one chunk: rows are read and checked, their phones and emails looked
   up in one BatchGetItem per 100 values, the chunk's undo log is written to S3, the new contacts'
   guards are claimed in conditional transactions of 100 and everything else is written with
   BatchWriteItem (25 items a request); rows matching a contact follow the duplicate policy;
   bad rows go to the chunk's part of the report; then one conditional update counts the chunk;
3. the last step joins the report parts into `errors.csv` and closes the import.
A step repeated after a crash writes the same items again (contact ids derive from the import and
the row) and its chunk is counted once. Undo walks the undo logs the same way, chunk by chunk.
"""

from __future__ import annotations

import base64
import binascii
import csv
import io
import json
import os
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from chalicelib.db.pagination import Page
from chalicelib.db.repositories.contacts import ContactRepository, counted
from chalicelib.db.repositories.crms import CrmRepository
from chalicelib.db.repositories.imports import ImportRepository
from chalicelib.db.repositories.properties import PropertyRepository
from chalicelib.db.repositories.users import UserRepository
from chalicelib.db.writes import MAX_TRANSACTION_ITEMS, Update
from chalicelib.domain.actor import Actor
from chalicelib.domain.clock import utcnow
from chalicelib.domain.contacts import (
    MAX_EMAILS,
    MAX_PHONES,
    ChannelType,
    ClientType,
    Contact,
    ContactKind,
    ContactStatus,
    Email,
    FeedEntry,
    FeedKind,
    LeadSource,
    LeadStatus,
    Phone,
    can_see,
    edit_right,
)
from chalicelib.domain.errors import (
    ConflictError,
    DomainError,
    NotFoundError,
    PayloadTooLargeError,
    UnavailableError,
    ValidationError,
)
from chalicelib.domain.ids import derived_id, new_id
from chalicelib.domain.imports import (
    CHUNK_ROWS,
    MAX_COLUMNS,
    MAX_DIRECT_BYTES,
    MAX_ERRORS_KEPT,
    MAX_FILE_BYTES,
    MAX_TAGS,
    PREVIEW_ROWS,
    Counts,
    DuplicatePolicy,
    Import,
    ImportStatus,
    RowContext,
    RowFields,
    check_mapping,
    column_names,
    import_file_key,
    import_part_key,
    read_row,
    suggest_mapping,
    target_choices,
)
from chalicelib.domain.rights import Permission
from chalicelib.domain.users import UserStatus
from chalicelib.integrations.ports import FileStore, Workflows
from chalicelib.integrations.workflows import failure_reason
from chalicelib.observability import logger
from chalicelib.services.acting import acting_user
from chalicelib.services.contacts import EDITABLE, changes_between

IMPORT_MACHINE = "ContactImport"
# Counter updates per transaction, next to the import record's own update.
COUNTERS_PER_COMMIT = MAX_TRANSACTION_ITEMS - 1
PREVIEW_BYTES = 512 * 1024  # a CSV's preview reads this much of the file, not all of it
REPORT_HEADER = ["row", "column", "reason", "outcome"]


def import_right(kind: ContactKind) -> Permission:
    return Permission.LEADS_IMPORT_EXPORT if kind is ContactKind.LEAD else Permission.CUSTOMERS_IMPORT_EXPORT


class UndoLogMissingError(Exception):
    """A chunk the import wrote has no undo log (its file was deleted from the bucket)."""


@dataclass(frozen=True, slots=True)
class UploadTarget:
    """Where the browser sends the file: a presigned PUT (`put_url`), or a presigned POST
    (`url` + form fields, whose policy caps the size). A PUT's size cannot be capped, so the
    importer checks the file's size before reading it."""

    put_url: str
    url: str
    fields: dict[str, str]
    max_bytes: int
    expires_in: int


@dataclass(frozen=True, slots=True)
class Preview:
    format: str
    encoding: str | None
    delimiter: str | None
    headers: list[str]
    rows: list[list[str]]
    suggested_mapping: dict[str, str | None]
    targets: list[str]


@dataclass(frozen=True, slots=True)
class ReportLine:
    row: int
    column: str
    reason: str
    outcome: str  # "failed" | "skipped" | "created" (a value left off) | "updated" (idem)


@dataclass(slots=True)
class _Chunk:
    """What one chunk's rows come to, before anything is written."""

    created: list[Contact] = field(default_factory=list)
    updates: dict[str, tuple[Contact, Contact, int]] = field(default_factory=dict)  # id -> before, after, row
    report: list[ReportLine] = field(default_factory=list)
    counts: Counter[str] = field(default_factory=Counter)


class ImportService:
    def __init__(
        self,
        crms: CrmRepository,
        files: FileStore,
        workflows: Workflows,
        clock: Callable[[], datetime] = utcnow,
        chunk_rows: int = CHUNK_ROWS,
    ) -> None:
        self._crms = crms
        self._files = files
        self._workflows = workflows
        self._clock = clock
        self._chunk_rows = chunk_rows

    # --- the API ---------------------------------------------------------------------------------

    def create(
        self, actor: Actor, kind: ContactKind, filename: str, content_type: str, content_base64: str | None = None
    ) -> tuple[Import, UploadTarget | None]:
        """A new import; the file is either in the request (small files) or uploaded to the
        presigned PUT or POST returned (any size up to MAX_FILE_BYTES)."""
        from chalicelib.domain.spreadsheets import detect_format

        actor.require(import_right(kind))
        filename = filename.strip()
        if not 1 <= len(filename) <= 255 or "/" in filename or "\\" in filename:
            raise ValidationError("a file name has 1 to 255 characters and no slashes", field="filename")
        content = _decoded(content_base64) if content_base64 is not None else None
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
        ImportRepository(actor.tenant_id).create(record)
        return record, upload

    def get(self, actor: Actor, import_id: str) -> Import:
        return self._visible(actor, ImportRepository(actor.tenant_id).get(import_id, consistent=True))

    def errors_url(self, actor: Actor, record: Import) -> str | None:
        """The report of rows not imported as they were, once the import has run (a CSV)."""
        if record.errors == 0 or record.status in (ImportStatus.UPLOADED, ImportStatus.RUNNING):
            return None
        name = f"{record.filename.rsplit('.', 1)[0]}-errors.csv"
        return self._files.url(import_part_key(actor.tenant_id, record.id, "errors.csv"), 3600, download_as=name)

    def history(self, actor: Actor, *, limit: int, cursor: str | None) -> Page[Import]:
        """The CRM's imports, newest first, of the kinds the caller may import."""
        kinds = [k for k in ContactKind if actor.can(import_right(k))]
        if not kinds:
            return Page([], None)  # nothing this user may import: an empty history, not an error
        page = ImportRepository(actor.tenant_id).history(limit=limit, cursor=cursor)
        return Page([i for i in page.items if i.entity in kinds], page.next_cursor)

    def preview(self, actor: Actor, import_id: str) -> Preview:
        """The header, the first rows, a suggested mapping and every target a column can take."""
        from chalicelib.domain.spreadsheets import FileFormat

        record = self.get(actor, import_id)
        properties = PropertyRepository(actor.tenant_id).list()
        with self._opened(record, preview=True) as (info, rows):
            header = next(rows, None)
            if header is None:
                raise ValidationError("the file is empty", field="file")
            headers = column_names(header[1])
            first = [_fit(cells, len(headers)) for _, cells in _take(rows, PREVIEW_ROWS)]
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
        repo = ImportRepository(actor.tenant_id)
        record = self.get(actor, import_id)
        if record.status is not ImportStatus.UPLOADED:
            raise ConflictError(f"this import is {record.status.value}; start a new one", field="status")
        properties = {p.key: p for p in PropertyRepository(actor.tenant_id).list()}
        with self._opened(record, preview=True) as (_, rows):
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
        repo = ImportRepository(actor.tenant_id)
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
            ImportRepository(tenant_id).save(record, failed)
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
        repo = ImportRepository(tenant_id)
        while True:
            record = repo.get(import_id, consistent=True)
            if record is None:
                return {**job, "done": True, "status": "missing"}
            wanted = ImportStatus.RUNNING if action == "import" else ImportStatus.UNDOING
            if record.status is not wanted:
                return {**job, "done": True, "status": record.status.value}
            began = time.monotonic()
            done = self._import_step(tenant_id, record) if action == "import" else self._undo_step(tenant_id, record)
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
        repo = ImportRepository(tenant_id)
        for _ in range(3):
            record = repo.get(import_id, consistent=True)
            if record is None or record.status not in (ImportStatus.RUNNING, ImportStatus.UNDOING):
                break
            prefix = "undo stopped: " if record.status is ImportStatus.UNDOING else ""
            try:
                repo.save(record, replace(record, status=ImportStatus.FAILED, error=f"{prefix}{reason}",
                                          finished_at=self._clock()))  # fmt: skip
                break
            except ConflictError:
                continue
        logger.warning("import failed", extra={"import_id": import_id, "reason": reason})
        return {**job, "status": "failed", "reason": reason}

    # --- importing -------------------------------------------------------------------------------

    def _import_step(self, tenant_id: str, record: Import) -> bool:
        if record.chunks is None:
            self._split(tenant_id, record)
            return False
        if record.next_chunk < record.chunks:
            self._import_chunk(tenant_id, record, record.next_chunk)
            return False
        self._close(tenant_id, record)
        return True

    def _split(self, tenant_id: str, record: Import) -> None:
        """Read the file once, into chunk files of rows (JSON lines), and count its rows."""
        repo = ImportRepository(tenant_id)
        with self._opened(record) as (_, rows):
            header = next(rows, None)
            if header is None:
                raise ValidationError("the file is empty", field="file")
            if len(header[1]) > MAX_COLUMNS:
                raise ValidationError(f"a file has at most {MAX_COLUMNS} columns", field="file")
            headers = column_names(header[1])
            total = chunks = 0
            for chunk in _batched(rows, self._chunk_rows):
                lines = "".join(json.dumps([n, _fit(cells, len(headers))], ensure_ascii=False) + "\n"
                                for n, cells in chunk)  # fmt: skip
                self._files.put(import_part_key(tenant_id, record.id, "rows", chunks), lines.encode(), "text/plain")
                total += len(chunk)
                chunks += 1
        repo.save(record, replace(record, headers=headers, total=total, chunks=chunks))

    def _import_chunk(self, tenant_id: str, record: Import, index: int) -> None:
        assert record.headers is not None
        assert record.mapping is not None
        assert record.on_duplicate is not None
        contacts = ContactRepository(tenant_id)
        actor = acting_user(tenant_id, record.created_by, "import")
        properties = {p.key: p for p in PropertyRepository(tenant_id).list()}
        mapping = check_mapping(record.mapping, record.headers, properties)
        crm = self._crms.get(tenant_id)
        context = RowContext(crm.country if crm else None, properties, _users_by_email(tenant_id))
        raw = self._files.get(import_part_key(tenant_id, record.id, "rows", index)) or b""
        rows = [json.loads(line) for line in raw.decode().splitlines() if line]

        chunk = _Chunk()
        parsed: list[RowFields] = []
        for number, cells in rows:
            fields, errors = read_row(number, cells, mapping, record.headers, context)
            if errors:
                chunk.counts["failed"] += 1
                chunk.report += [ReportLine(e.row, e.column, e.reason, "failed") for e in errors]
            else:
                parsed.append(fields)
        owners = contacts.owners(
            {p.phone for f in parsed for p in f.phones}, {e.email for f in parsed for e in f.emails}
        )
        matched = contacts.get_many(sorted({o for o in owners.values() if o not in self._row_ids(record, parsed)}))
        planner = _Planner(record, actor, owners, {c.id: c for c in matched}, chunk, mapping, record.headers)
        for fields in parsed:
            planner.plan(fields)
        undo_log = self._undo_log(tenant_id, record, index, chunk)

        undo_key = import_part_key(tenant_id, record.id, "undo", index)
        refused = contacts.claim_guards(chunk.created)
        for contact in chunk.created:
            if contact.id in refused:
                row = planner.row_of[contact.id]
                chunk.report.append(ReportLine(row, "", "a phone or email of this row was just given to another "
                                               "contact; import the row again", "failed"))  # fmt: skip
                chunk.counts["failed"] += 1
                chunk.counts["created"] -= 1
        created = [c for c in chunk.created if c.id not in refused]
        deltas = contacts.bulk_create([(c, [_created_entry(record, c)]) for c in created])
        kept = len(undo_log["updated"])
        self._apply_updates(contacts, record, chunk, undo_log)
        if len(undo_log["updated"]) != kept:  # an update refused: its undo must not touch that contact
            self._files.put(undo_key, json.dumps(undo_log, ensure_ascii=False).encode(), "application/json")

        self._files.put(import_part_key(tenant_id, record.id, "errors", index), _report_csv(chunk.report),
                        "text/csv")  # fmt: skip
        counts = Counts(
            processed=len(rows),
            created=chunk.counts["created"],
            updated=chunk.counts["updated"],
            skipped=chunk.counts["skipped"],
            failed=chunk.counts["failed"],
        )
        self._commit(
            tenant_id, record, contacts.counter_updates(deltas), record.chunk_part,
            lambda rec, part, counters, last: ImportRepository(tenant_id).commit_chunk(
                rec, index, part, counts, len(chunk.report), counters, last
            ),
        )  # fmt: skip

    def _row_ids(self, record: Import, parsed: Sequence[RowFields]) -> set[str]:
        return {_contact_id(record, f.row) for f in parsed}

    def _apply_updates(
        self, contacts: ContactRepository, record: Import, chunk: _Chunk, undo_log: dict[str, Any]
    ) -> None:
        """Write the chunk's updates, one transaction each (their rows are the exceptions)."""
        for contact_id, (before, after, row) in chunk.updates.items():
            current = contacts.get(contact_id, consistent=True)
            if current is None:
                chunk.report.append(ReportLine(row, "", "the matching contact was deleted meanwhile", "failed"))
                chunk.counts["updated"] -= 1
                chunk.counts["failed"] += 1
                continue
            if current.version != before.version:
                # Written by an earlier run of this chunk (the undo log has the values before it),
                # or edited meanwhile: the row's values go on top of what is there now.
                after = _merge_onto(current, before, after)
            changes = changes_between(current, after)
            if not changes:
                continue
            entry = FeedEntry(
                id=derived_id(record.started_at or record.created_at, f"{record.id}#update#{row}"),
                kind=FeedKind.EVENT,
                time=self._clock(),
                user_id=record.created_by,
                data={"event": "updated", "changes": changes, "import_id": record.id},
            )
            try:
                contacts.save_changes(current, replace(after, updated_at=self._clock()), [entry])
            except DomainError as exc:
                reason = exc.message if exc.message else "the contact changed meanwhile"
                chunk.report.append(ReportLine(row, "", f"not updated: {reason}", "failed"))
                chunk.counts["updated"] -= 1
                chunk.counts["failed"] += 1
                undo_log["updated"] = [u for u in undo_log["updated"] if u["id"] != contact_id]

    def _undo_log(self, tenant_id: str, record: Import, index: int, chunk: _Chunk) -> dict[str, Any]:
        """Write the chunk's undo log before its writes; a log left by an earlier run of this chunk
        keeps the values that were there before that run."""
        key = import_part_key(tenant_id, record.id, "undo", index)
        earlier = self._files.get(key)
        before_of = {u["id"]: u["before"] for u in json.loads(earlier)["updated"]} if earlier else {}
        log = {
            "created": [c.id for c in chunk.created],
            "updated": [
                {"id": cid, "before": before_of.get(cid) or contact_json(before), "after": contact_json(after)}
                for cid, (before, after, _) in chunk.updates.items()
            ],
        }
        self._files.put(key, json.dumps(log, ensure_ascii=False).encode(), "application/json")
        return log

    def _close(self, tenant_id: str, record: Import) -> None:
        """Join the report parts into one CSV (streamed) and mark the import completed."""
        assert record.chunks is not None
        if record.errors:
            with tempfile.TemporaryDirectory() as scratch:
                path = os.path.join(scratch, "errors.csv")
                with open(path, "w", encoding="utf-8-sig", newline="") as out:
                    writer = csv.writer(out)
                    writer.writerow(REPORT_HEADER)
                    written = 0
                    for index in range(record.chunks):
                        part = self._files.get(import_part_key(tenant_id, record.id, "errors", index)) or b""
                        for line in csv.reader(io.StringIO(part.decode())):
                            if written < MAX_ERRORS_KEPT:
                                writer.writerow(line)
                            written += 1
                self._files.upload_file(path, import_part_key(tenant_id, record.id, "errors.csv"), "text/csv")
        ImportRepository(tenant_id).save(
            record, replace(record, status=ImportStatus.COMPLETED, finished_at=self._clock()),
            status_was=[ImportStatus.RUNNING],
        )  # fmt: skip

    # --- undoing ---------------------------------------------------------------------------------

    def _undo_step(self, tenant_id: str, record: Import) -> bool:
        # A chunk that was being written when the import stopped has an undo log too.
        last = min(record.next_chunk, (record.chunks or 1) - 1) if record.chunks else -1
        if record.undo_next_chunk <= last:
            self._undo_chunk(tenant_id, record, record.undo_next_chunk)
            return False
        ImportRepository(tenant_id).save(
            record, replace(record, status=ImportStatus.UNDONE, undone_at=self._clock()),
            status_was=[ImportStatus.UNDOING],
        )  # fmt: skip
        return True

    def _undo_chunk(self, tenant_id: str, record: Import, index: int) -> None:
        contacts = ContactRepository(tenant_id)
        raw = self._files.get(import_part_key(tenant_id, record.id, "undo", index))
        if raw is None and index < record.next_chunk:
            # A written chunk always has its log: without it, the undo would silently keep its rows.
            first = index * self._chunk_rows + 1
            raise UndoLogMissingError(f"the undo log of rows {first} to {first + self._chunk_rows - 1} is missing")
        log = json.loads(raw) if raw else {"created": [], "updated": []}
        # The plan (what is deleted, and the counters that go with it) is fixed by the first run
        # of this chunk: a run after a crash deletes what is left and counts the same.
        plan_key = import_part_key(tenant_id, record.id, "undo-plan", index)
        planned = self._files.get(plan_key)
        partitions = contacts.partitions(log["created"])
        if planned:
            plan = json.loads(planned)
        else:
            deltas: Counter[tuple[str, str, str]] = Counter()
            for contact, _ in partitions:
                deltas.update(counted(contact))
            plan = {"deleted": len(partitions), "counters": [[*k, v] for k, v in sorted(deltas.items())]}
            self._files.put(plan_key, json.dumps(plan).encode(), "application/json")
        contacts.bulk_delete(partitions)
        restored = 0
        for update in log["updated"]:
            restored += self._restore(contacts, record, update)
        counters = contacts.counter_updates({(a, b, c): -int(v) for a, b, c, v in plan["counters"]})
        self._commit(
            tenant_id, record, counters, record.undo_part,
            lambda rec, part, batch, last: ImportRepository(tenant_id).commit_undo(
                rec, index, part, int(plan["deleted"]), restored, batch, last
            ),
        )  # fmt: skip

    def _restore(self, contacts: ContactRepository, record: Import, update: dict[str, Any]) -> int:
        """Give a contact the values it had before the import, field by field, where it still has
        what the import gave it (a later edit by someone is kept)."""
        current = contacts.get(update["id"], consistent=True)
        if current is None:
            return 0
        before, after = contact_from_json(update["before"]), contact_from_json(update["after"])
        restored = _merge_onto(current, after, before)
        changes = changes_between(current, restored)
        if not changes:
            return 0
        entry = FeedEntry(
            id=new_id(),
            kind=FeedKind.EVENT,
            time=self._clock(),
            user_id=record.created_by,
            data={"event": "updated", "changes": changes, "import_id": record.id, "undo": True},
        )
        try:
            contacts.save_changes(current, replace(restored, updated_at=self._clock()), [entry])
        except DomainError as exc:  # a value taken back by someone else meanwhile: keep the contact as is
            logger.warning("import undo kept a contact", extra={"contact_id": current.id, "reason": exc.message})
            return 0
        return 1

    # --- helpers ---------------------------------------------------------------------------------

    def _commit(
        self,
        tenant_id: str,
        record: Import,
        counters: list[Update],
        first_part: int,
        commit: Callable[[Import, int, list[Update], bool], bool],
    ) -> None:
        """Count a chunk with its counters, in parts of COUNTERS_PER_COMMIT (each part counted once:
        a run after a crash goes on from the part the record says)."""
        parts = [counters[i : i + COUNTERS_PER_COMMIT] for i in range(0, len(counters), COUNTERS_PER_COMMIT)] or [[]]
        current = record
        for part in range(first_part, len(parts)):
            if not commit(current, part, parts[part], part == len(parts) - 1):
                return  # another run counted it
            current = replace(current, version=current.version + 1)

    def _opened(self, record: Import, *, preview: bool = False) -> _OpenedFile:
        return _OpenedFile(self._files, record, preview)


class _OpenedFile:
    """The import's file, copied to a scratch directory and read as rows (streamed)."""

    def __init__(self, files: FileStore, record: Import, preview: bool) -> None:
        self._files = files
        self._record = record
        self._preview = preview
        self._scratch: tempfile.TemporaryDirectory[str] | None = None
        self._rows: Iterator[tuple[int, list[str]]] | None = None

    def __enter__(self) -> tuple[Any, Iterator[tuple[int, list[str]]]]:
        from chalicelib.domain.spreadsheets import FileFormat, detect_format, open_rows

        size = self._files.size(self._record.file_key)
        if size is None:
            raise ConflictError("the file has not been uploaded yet", field="file")
        if size > MAX_FILE_BYTES:
            # A presigned PUT has no size cap (the POST's policy has): refuse before reading.
            raise PayloadTooLargeError(
                f"the file is {size} bytes; an import takes files of at most {MAX_FILE_BYTES // (1024 * 1024)} MB",
                field="file",
            )
        head = self._files.get(self._record.file_key, max_bytes=8) or b""
        fmt = detect_format(self._record.filename, self._record.content_type, head)
        self._scratch = tempfile.TemporaryDirectory()
        # openpyxl goes by the extension: the copy is named for what the file is.
        path = os.path.join(self._scratch.name, f"source.{fmt.value}")
        if self._preview and fmt is FileFormat.CSV and size > PREVIEW_BYTES:
            # The first rows are all a preview needs; an .xlsx is a zip, read whole.
            with open(path, "wb") as out:
                out.write(self._files.get(self._record.file_key, max_bytes=PREVIEW_BYTES) or b"")
        else:
            self._files.download(self._record.file_key, path)
        info, rows = open_rows(path, fmt)
        self._rows = rows
        return info, rows

    def __exit__(self, *exc: object) -> None:
        close = getattr(self._rows, "close", None)
        if close is not None:
            close()
        if self._scratch is not None:
            self._scratch.cleanup()


class _Planner:
    """Decides, row by row, what a chunk writes: a new contact, an update, or a report line."""

    def __init__(
        self,
        record: Import,
        actor: Actor,
        owners: dict[tuple[str, str], str],
        matched: dict[str, Contact],
        chunk: _Chunk,
        mapping: dict[int, Any],
        headers: Sequence[str],
    ) -> None:
        self._record = record
        self._actor = actor
        self._owners = dict(owners)
        self._matched = matched
        self._chunk = chunk
        self._new: dict[str, Contact] = {}  # contacts this chunk creates, by id
        self.row_of: dict[str, int] = {}
        self._columns = {t.field: headers[i] for i, t in mapping.items()}

    def plan(self, fields: RowFields) -> None:
        own_id = _contact_id(self._record, fields.row)
        values = [("phone", p.phone) for p in fields.phones] + [("email", e.email) for e in fields.emails]
        # Owners other than this row's own contact (a chunk written again finds its own guards).
        holders = {v: o for v in values if (o := self._owners.get(v)) is not None and o != own_id}
        if not holders:
            self._create(fields, own_id)
            return
        policy = self._record.on_duplicate
        if policy is DuplicatePolicy.CREATE_ANYWAY:
            kept = replace(
                fields,
                phones=[p for p in fields.phones if ("phone", p.phone) not in holders],
                emails=[e for e in fields.emails if ("email", e.email) not in holders],
            )
            for channel, value in holders:
                self._line(fields.row, channel, f"{value} belongs to {self._who(holders[(channel, value)])}; "
                           "the new contact was created without it", "created")  # fmt: skip
            self._create(kept, own_id)
            return
        targets = set(holders.values())
        (channel, value), holder = next(iter(holders.items()))
        if policy is DuplicatePolicy.SKIP:
            self._line(fields.row, channel, f"{value} belongs to {self._who(holder)}", "skipped")
            self._chunk.counts["skipped"] += 1
            return
        if len(targets) > 1:
            names = " and ".join(sorted(self._who(t) for t in targets))
            self._line(fields.row, channel, f"the row matches {names}; not updated", "failed")
            self._chunk.counts["failed"] += 1
            return
        self._update(fields, holder, channel, value)

    def _create(self, fields: RowFields, contact_id: str) -> None:
        assert fields.name is not None  # read_row reports a row without one
        record = self._record
        at = (record.started_at or record.created_at) + timedelta(milliseconds=fields.row)
        lead = record.entity is ContactKind.LEAD
        contact = Contact(
            id=contact_id,
            kind=record.entity,
            name=fields.name,
            created_at=at,
            created_by=record.created_by,
            updated_at=at,
            status=fields.status or ContactStatus.INDIVIDUAL,
            type=fields.type or ClientType.POTENTIAL,
            phones=tuple(fields.phones),
            emails=tuple(fields.emails),
            address=fields.address,
            website=fields.website,
            comment=fields.comment,
            responsible_user_id=fields.responsible_user_id or record.created_by,
            tags=tuple(fields.tags),
            properties=dict(fields.properties),
            lead_status=LeadStatus.NOT_PROCESSED if lead else None,
            lead_source=LeadSource.IMPORT if lead else None,
        )
        self._new[contact.id] = contact
        self.row_of[contact.id] = fields.row
        self._chunk.created.append(contact)
        self._chunk.counts["created"] += 1
        for p in contact.phones:
            self._owners[("phone", p.phone)] = contact.id
        for e in contact.emails:
            self._owners[("email", e.email)] = contact.id

    def _update(self, fields: RowFields, holder: str, channel: str, value: str) -> None:
        if holder in self._new:  # a row repeating an earlier row of this chunk: merged into it
            merged, problem = _filled(self._new[holder], fields)
            if problem:
                self._line(fields.row, channel, problem, "failed")
                self._chunk.counts["failed"] += 1
                return
            index = self._chunk.created.index(self._new[holder])
            self._chunk.created[index] = self._new[holder] = merged
            # Counted once, as created: the file repeats a contact it brings.
            self._line(fields.row, channel, f"{value} is also on row {self.row_of[holder]}; the two rows "
                       "were merged into one contact", "updated")  # fmt: skip
            for p in merged.phones:
                self._owners.setdefault(("phone", p.phone), holder)
            for e in merged.emails:
                self._owners.setdefault(("email", e.email), holder)
            return
        existing = self._chunk.updates[holder][1] if holder in self._chunk.updates else self._matched.get(holder)
        if existing is None:
            self._line(fields.row, channel, f"{value} belongs to a contact that no longer exists", "failed")
            self._chunk.counts["failed"] += 1
            return
        if existing.kind is not self._record.entity:
            self._line(fields.row, channel, f"{value} belongs to {self._who(holder)}, not a "
                       f"{self._record.entity.value}; not updated", "skipped")  # fmt: skip
            self._chunk.counts["skipped"] += 1
            return
        right = edit_right(existing, self._actor)
        if not can_see(self._actor, existing) or (right is not None and not self._actor.can(right)):
            self._line(fields.row, channel, f"{value} belongs to a contact you may not change", "failed")
            self._chunk.counts["failed"] += 1
            return
        merged, problem = _filled(existing, fields)
        if problem:
            self._line(fields.row, channel, problem, "failed")
            self._chunk.counts["failed"] += 1
            return
        before = self._chunk.updates[holder][0] if holder in self._chunk.updates else existing
        self._chunk.updates[holder] = (before, merged, fields.row)
        self._chunk.counts["updated"] += 1
        for p in merged.phones:
            self._owners.setdefault(("phone", p.phone), holder)
        for e in merged.emails:
            self._owners.setdefault(("email", e.email), holder)

    def _who(self, contact_id: str) -> str:
        contact = self._new.get(contact_id) or self._matched.get(contact_id)
        if contact is None:
            return "another contact"
        if contact.id in self._new:
            return f"row {self.row_of[contact.id]} of this file"
        # A contact the importer may not see is not named.
        return f"the {contact.kind.value} '{contact.name}'" if can_see(self._actor, contact) else "another contact"

    def _line(self, row: int, channel: str, reason: str, outcome: str) -> None:
        column = self._columns.get(channel, "")
        self._chunk.report.append(ReportLine(row, column, reason, outcome))


def _filled(contact: Contact, fields: RowFields) -> tuple[Contact, str | None]:
    """`contact` with the row's values: given fields replace, phones, emails, tags and properties
    are added; (contact, why not) when the result would break a limit."""
    phones = list(contact.phones) + [p for p in fields.phones if p.phone not in {q.phone for q in contact.phones}]
    emails = list(contact.emails) + [e for e in fields.emails if e.email not in {f.email for f in contact.emails}]
    tags = list(dict.fromkeys([*contact.tags, *fields.tags]))
    if len(phones) > MAX_PHONES:
        return contact, f"the contact would have more than {MAX_PHONES} phone numbers; not updated"
    if len(emails) > MAX_EMAILS:
        return contact, f"the contact would have more than {MAX_EMAILS} emails; not updated"
    if len(tags) > MAX_TAGS:
        return contact, f"the contact would have more than {MAX_TAGS} tags; not updated"
    changes: dict[str, Any] = {"phones": tuple(phones), "emails": tuple(emails), "tags": tuple(tags)}
    for name in ("name", "status", "type", "address", "website", "comment", "responsible_user_id"):
        value = getattr(fields, name)
        if value is not None:
            changes[name] = value
    if fields.properties:
        changes["properties"] = {**contact.properties, **fields.properties}
    return replace(contact, **changes), None


_RESTORABLE = (*EDITABLE, "responsible_user_id")


def _merge_onto(current: Contact, expected: Contact, wanted: Contact) -> Contact:
    """`current` with each field that still equals `expected` set to `wanted`'s value."""
    changes = {
        name: getattr(wanted, name)
        for name in _RESTORABLE
        if getattr(current, name) == getattr(expected, name) and getattr(wanted, name) != getattr(expected, name)
    }
    return replace(current, **changes)


def _contact_id(record: Import, row: int) -> str:
    """The id the contact of a row gets: the same on every run of the chunk (idempotent writes),
    ordered like the file's rows."""
    at = (record.started_at or record.created_at) + timedelta(milliseconds=row)
    return derived_id(at, f"{record.id}#{row}")


def _created_entry(record: Import, contact: Contact) -> FeedEntry:
    return FeedEntry(
        id=derived_id(contact.created_at, f"{record.id}#created#{contact.id}"),
        kind=FeedKind.EVENT,
        time=contact.created_at,
        user_id=record.created_by,
        data={"event": "created", "name": contact.name, "import_id": record.id, "filename": record.filename},
    )


def _users_by_email(tenant_id: str) -> Callable[[str], str | None]:
    """An active user's id by email, each email read once per chunk."""
    users = UserRepository(tenant_id)
    cache: dict[str, str | None] = {}

    def find(email: str) -> str | None:
        if email not in cache:
            user_id = users.find_id_by_email(email)
            user = users.get(user_id) if user_id else None
            cache[email] = user.id if user is not None and user.status is UserStatus.ACTIVE else None
        return cache[email]

    return find


def _report_csv(lines: Sequence[ReportLine]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    for line in sorted(lines, key=lambda x: x.row):
        writer.writerow([line.row, line.column, line.reason, line.outcome])
    return out.getvalue().encode()


def _decoded(content_base64: str) -> bytes:
    try:
        content = base64.b64decode(content_base64, validate=True)
    except (binascii.Error, ValueError):
        raise ValidationError("the content is not valid base64", field="content_base64") from None
    if not content:
        raise ValidationError("the file is empty", field="content_base64")
    if len(content) > MAX_DIRECT_BYTES:
        raise ValidationError(
            f"files over {MAX_DIRECT_BYTES // 1024} KB go through upload_url, not in the request",
            field="content_base64",
        )
    return content


def _fit(cells: list[str], width: int) -> list[str]:
    return (cells + [""] * width)[:width]


def _take(rows: Iterator[tuple[int, list[str]]], n: int) -> list[tuple[int, list[str]]]:
    taken = []
    for row in rows:
        taken.append(row)
        if len(taken) == n:
            break
    return taken


def _batched(rows: Iterator[tuple[int, list[str]]], size: int) -> Iterator[list[tuple[int, list[str]]]]:
    batch: list[tuple[int, list[str]]] = []
    for row in rows:
        batch.append(row)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


# --- contacts in undo logs ---------------------------------------------------------------------


def contact_json(contact: Contact) -> dict[str, Any]:
    """The fields an import changes and an undo restores, as JSON."""
    return {
        "id": contact.id,
        "kind": contact.kind.value,
        "name": contact.name,
        "created_at": contact.created_at.isoformat(),
        "created_by": contact.created_by,
        "updated_at": contact.updated_at.isoformat(),
        "status": contact.status.value,
        "type": contact.type.value,
        "phones": [[p.phone, p.type.value] for p in contact.phones],
        "emails": [[e.email, e.type.value] for e in contact.emails],
        "address": contact.address,
        "website": contact.website,
        "comment": contact.comment,
        "responsible_user_id": contact.responsible_user_id,
        "tags": list(contact.tags),
        "source_tag_ids": list(contact.source_tag_ids),
        "properties": contact.properties,
        "lead_status": contact.lead_status.value if contact.lead_status else None,
        "version": contact.version,
    }


def contact_from_json(data: dict[str, Any]) -> Contact:
    return Contact(
        id=data["id"],
        kind=ContactKind(data["kind"]),
        name=data["name"],
        created_at=datetime.fromisoformat(data["created_at"]),
        created_by=data["created_by"],
        updated_at=datetime.fromisoformat(data["updated_at"]),
        status=ContactStatus(data["status"]),
        type=ClientType(data["type"]),
        phones=tuple(Phone(p, ChannelType(t)) for p, t in data["phones"]),
        emails=tuple(Email(e, ChannelType(t)) for e, t in data["emails"]),
        address=data["address"],
        website=data["website"],
        comment=data["comment"],
        responsible_user_id=data["responsible_user_id"],
        tags=tuple(data["tags"]),
        source_tag_ids=tuple(data["source_tag_ids"]),
        properties=dict(data["properties"]),
        lead_status=LeadStatus(data["lead_status"]) if data["lead_status"] else None,
        version=int(data["version"]),
    )
