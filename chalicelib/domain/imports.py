"""Imports and exports of clients and leads (SPEC IM-1..5, CL-9) as records: their states,
counts, files and the right they need.

Mapping the columns of a file and reading its rows is `import_rows.py`: an export needs none of it.
"""

from __future__ import annotations

import re
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from chalicelib.domain.records import record

if TYPE_CHECKING:
    from chalicelib.domain.contact_kinds import ContactKind
    from chalicelib.domain.rights import Permission

# Rows per chunk: one step of the workflow reads, checks and writes this many rows.
CHUNK_ROWS = 1000
PREVIEW_ROWS = 10
MAX_FILE_BYTES = 200 * 1024 * 1024
# A file posted inside the JSON body (base64) stays well under the API's 1 MB body limit.
MAX_DIRECT_BYTES = 700 * 1024
MAX_COLUMNS = 200
MAX_ERRORS_KEPT = 100_000  # lines of the errors file; beyond it, only the count goes on


class ImportStatus(StrEnum):
    UPLOADED = "uploaded"
    RUNNING = "running"
    COMPLETED = "completed"
    FAILED = "failed"
    UNDOING = "undoing"
    UNDONE = "undone"


class DuplicatePolicy(StrEnum):
    """What to do with a row whose phone or email belongs to a contact already."""

    SKIP = "skip"
    UPDATE = "update"  # fill the existing contact with the row's values
    # A new contact; the numbers and emails another contact holds are left off it (each one
    # belongs to one contact, or calls and emails could not be matched), and the row says so.
    CREATE_ANYWAY = "create_anyway"


class ExportStatus(StrEnum):
    RUNNING = "running"
    COMPLETED = "completed"
    FAILED = "failed"
    EXPIRED = "expired"  # shown, never stored: a completed export whose file was deleted


# An export is a copy of the company's contacts: its file is deleted after this many days (an S3
# lifecycle rule on files tagged RETENTION_TAG=EXPORT_RETENTION in AWS).
EXPORT_RETENTION_DAYS = 7
RETENTION_TAG = "crm-retention"
EXPORT_RETENTION = "export"


class ExportFormat(StrEnum):
    CSV = "csv"
    XLSX = "xlsx"


# --- imports and exports as records ----------------------------------------------------------


@record(frozen=True, slots=True)
class Counts:
    """What an import did with its rows so far."""

    processed: int = 0
    created: int = 0
    updated: int = 0
    skipped: int = 0
    failed: int = 0

    def __add__(self, other: Counts) -> Counts:
        return Counts(*(a + b for a, b in zip(self.as_tuple(), other.as_tuple(), strict=True)))

    def as_tuple(self) -> tuple[int, int, int, int, int]:
        return (self.processed, self.created, self.updated, self.skipped, self.failed)


@record(frozen=True, slots=True)
class Import:
    """An import of clients or leads from a file, and its progress."""

    id: str
    entity: ContactKind
    filename: str
    content_type: str
    status: ImportStatus
    created_by: str
    created_at: datetime
    file_key: str
    mapping: dict[str, str | None] | None = None
    headers: list[str] | None = None  # the file's column names, once it is read
    on_duplicate: DuplicatePolicy | None = None
    started_at: datetime | None = None
    finished_at: datetime | None = None
    total: int | None = None  # data rows, known once the file is read
    chunks: int | None = None
    next_chunk: int = 0  # the first chunk not yet written (progress)
    chunk_part: int = 0  # counter transactions of `next_chunk` already applied
    counts: Counts = Counts()
    errors: int = 0  # error lines (a failed row may have several)
    error: str | None = None  # why a failed import stopped
    undo_next_chunk: int = 0
    undo_part: int = 0
    deleted: int = 0  # undo: contacts removed
    restored: int = 0  # undo: updated contacts given their previous values back
    undone_at: datetime | None = None
    version: int = 1

    @property
    def undoable(self) -> bool:
        return self.status in (ImportStatus.COMPLETED, ImportStatus.FAILED) and self.started_at is not None


@record(frozen=True, slots=True)
class Export:
    """An export of clients or leads to a file."""

    id: str
    entity: ContactKind
    format: ExportFormat
    filters: dict[str, str]
    status: ExportStatus
    created_by: str
    created_at: datetime
    file_key: str
    rows: int | None = None
    finished_at: datetime | None = None
    error: str | None = None


def import_file_key(tenant_id: str, import_id: str, filename: str) -> str:
    """Where the uploaded file lives; the extension is kept for people browsing the bucket."""
    suffix = re.sub(r"[^a-z0-9]", "", filename.rsplit(".", 1)[-1].lower())[:8] if "." in filename else "bin"
    return f"tenants/{tenant_id}/imports/{import_id}/source.{suffix or 'bin'}"


def import_part_key(tenant_id: str, import_id: str, part: str, index: int | None = None) -> str:
    """The import's working files: `rows/<n>.jsonl`, `undo/<n>.json`, `errors/<n>.csv`, `errors.csv`."""
    base = f"tenants/{tenant_id}/imports/{import_id}"
    return f"{base}/{part}" if index is None else f"{base}/{part}/{index:06d}"


def export_file_key(tenant_id: str, export_id: str, fmt: ExportFormat) -> str:
    return f"tenants/{tenant_id}/exports/{export_id}.{fmt.value}"


def import_right(kind: ContactKind) -> Permission:
    """The right to import and export contacts of a kind."""
    # The API's check: a worker loads these with its acting user and its records.
    from chalicelib.domain.contact_kinds import ContactKind
    from chalicelib.domain.rights import Permission

    return Permission.LEADS_IMPORT_EXPORT if kind is ContactKind.LEAD else Permission.CUSTOMERS_IMPORT_EXPORT
