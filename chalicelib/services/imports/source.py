"""The import's file: the content a request brings, the file read as rows (streamed from a
scratch copy), and the split of those rows into chunk files of JSON lines."""

from __future__ import annotations

import base64
import binascii
import json
import os
import tempfile
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from chalicelib.domain.errors import ConflictError, PayloadTooLargeError, ValidationError
from chalicelib.domain.imports import MAX_COLUMNS, MAX_DIRECT_BYTES, MAX_FILE_BYTES, Import, import_part_key

if TYPE_CHECKING:
    from chalicelib.ports.outside import FileStore

PREVIEW_BYTES = 512 * 1024  # a CSV's preview reads this much of the file, not all of it

Rows = Iterator[tuple[int, list[str]]]  # (row number in the file, cells)


class OpenedFile:
    """The import's file, copied to a scratch directory and read as rows (streamed)."""

    def __init__(self, files: FileStore, record: Import, preview: bool = False) -> None:
        self._files = files
        self._record = record
        self._preview = preview
        self._scratch: tempfile.TemporaryDirectory[str] | None = None
        self._rows: Rows | None = None

    def __enter__(self) -> tuple[Any, Rows]:
        from chalicelib.formats.spreadsheets import FileFormat, detect_format, open_rows

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


def split(files: FileStore, tenant_id: str, record: Import, chunk_rows: int) -> tuple[list[str], int, int]:
    """Read the file once, into chunk files of `chunk_rows` rows (JSON lines): (headers, rows, chunks)."""
    from chalicelib.domain.import_rows import column_names  # a worker's: the API's previews open files only

    with OpenedFile(files, record) as (_, rows):
        header = next(rows, None)
        if header is None:
            raise ValidationError("the file is empty", field="file")
        if len(header[1]) > MAX_COLUMNS:
            raise ValidationError(f"a file has at most {MAX_COLUMNS} columns", field="file")
        headers = column_names(header[1])
        total = chunks = 0
        for chunk in batched(rows, chunk_rows):
            lines = "".join(json.dumps([n, fit(cells, len(headers))], ensure_ascii=False) + "\n"
                            for n, cells in chunk)  # fmt: skip
            files.put(import_part_key(tenant_id, record.id, "rows", chunks), lines.encode(), "text/plain")
            total += len(chunk)
            chunks += 1
    return headers, total, chunks


def read_chunk(files: FileStore, tenant_id: str, record: Import, index: int) -> list[tuple[int, list[str]]]:
    """The rows of one chunk file, as `split` wrote them."""
    raw = files.get(import_part_key(tenant_id, record.id, "rows", index)) or b""
    return [(number, cells) for number, cells in (json.loads(line) for line in raw.decode().splitlines() if line)]


def decoded(content_base64: str) -> bytes:
    """The file a request brings in `content_base64` (small files only)."""
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


def fit(cells: list[str], width: int) -> list[str]:
    """A row's cells padded or cut to the header's width."""
    return (cells + [""] * width)[:width]


def take(rows: Rows, n: int) -> list[tuple[int, list[str]]]:
    taken = []
    for row in rows:
        taken.append(row)
        if len(taken) == n:
            break
    return taken


def batched(rows: Rows, size: int) -> Iterator[list[tuple[int, list[str]]]]:
    batch: list[tuple[int, list[str]]] = []
    for row in rows:
        batch.append(row)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch
