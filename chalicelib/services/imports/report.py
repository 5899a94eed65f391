"""The report of the rows not imported as they were: each chunk writes its part (CSV lines),
the last step joins the parts into `errors.csv` (streamed, at most MAX_ERRORS_KEPT lines)."""

from __future__ import annotations

import csv
import io
import os
import tempfile
from collections.abc import Sequence
from typing import TYPE_CHECKING

from chalicelib.domain.imports import MAX_ERRORS_KEPT, Import, import_part_key
from chalicelib.domain.records import record

if TYPE_CHECKING:
    from chalicelib.ports.outside import FileStore

REPORT_HEADER = ["row", "column", "reason", "outcome"]


@record(frozen=True, slots=True)
class ReportLine:
    """A row not imported as it was: which cell and why."""

    row: int
    column: str
    reason: str
    outcome: str  # "failed" | "skipped" | "created" (a value left off) | "updated" (idem)


def report_csv(lines: Sequence[ReportLine]) -> bytes:
    """One chunk's part of the report, its lines in the file's order (no header)."""
    out = io.StringIO()
    writer = csv.writer(out)
    for line in sorted(lines, key=lambda x: x.row):
        writer.writerow([line.row, line.column, line.reason, line.outcome])
    return out.getvalue().encode()


def join_report(files: FileStore, tenant_id: str, record: Import) -> None:
    """Join the chunks' parts into `errors.csv`, with a header, through a scratch file."""
    if record.chunks is None:
        raise RuntimeError(f"import {record.id} has no chunks to report on")
    with tempfile.TemporaryDirectory() as scratch:
        path = os.path.join(scratch, "errors.csv")
        with open(path, "w", encoding="utf-8-sig", newline="") as out:
            writer = csv.writer(out)
            writer.writerow(REPORT_HEADER)
            written = 0
            for index in range(record.chunks):
                part = files.get(import_part_key(tenant_id, record.id, "errors", index)) or b""
                for line in csv.reader(io.StringIO(part.decode())):
                    if written < MAX_ERRORS_KEPT:
                        writer.writerow(line)
                    written += 1
        files.upload_file(path, import_part_key(tenant_id, record.id, "errors.csv"), "text/csv")
