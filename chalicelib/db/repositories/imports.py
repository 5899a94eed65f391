"""Imports and exports of one CRM (AP41, AP42, AP45, AP46): records, history, progress commits.

An import's progress moves only through `commit_chunk` / `commit_undo`: a conditional update of
the record on the chunk it expects (`next_chunk`, `chunk_part`), in the same transaction as the
list counters that chunk adds. A chunk written twice (a retried step) is therefore counted once.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

from chalicelib.db import keys
from chalicelib.db.items import narrow
from chalicelib.db.models.imports import ExportItem, ImportItem
from chalicelib.db.pagination import Page, decode_cursor, encode_cursor
from chalicelib.db.writes import MAX_TRANSACTION_ITEMS, Put, Update, Write, must_exist, must_not_exist, transact
from chalicelib.domain.clock import isoformat_z
from chalicelib.domain.contacts import ContactKind
from chalicelib.domain.errors import ConflictError, StaleVersionError
from chalicelib.domain.imports import (
    Counts,
    DuplicatePolicy,
    Export,
    ExportFormat,
    ExportStatus,
    Import,
    ImportStatus,
)


class _AlreadyCommittedError(ConflictError):
    """Another run of the same step got there first."""


class ImportRepository:
    def __init__(self, tenant_id: str) -> None:
        self._tenant_id = tenant_id

    def get(self, import_id: str, *, consistent: bool = False) -> Import | None:
        """AP41."""
        try:
            item = ImportItem.get(
                keys.import_pk(self._tenant_id, import_id), keys.IMPORT_RECORD, consistent_read=consistent
            )
        except ImportItem.DoesNotExist:
            return None
        return _import(item)

    def history(self, *, limit: int, cursor: str | None) -> Page[Import]:
        """AP42: newest first."""
        hash_key = keys.imports_pk(self._tenant_id)
        result = ImportItem.gsi1.query(
            hash_key,
            scan_index_forward=False,
            limit=limit,
            last_evaluated_key=decode_cursor(cursor, self._tenant_id, index="gsi1", partition=hash_key),
        )
        return Page([_import(narrow(i, ImportItem)) for i in result], encode_cursor(result.last_evaluated_key))

    def create(self, record: Import) -> None:
        item = ImportItem(
            keys.import_pk(self._tenant_id, record.id),
            keys.IMPORT_RECORD,
            gsi1pk=keys.imports_pk(self._tenant_id),
            gsi1sk=keys.created_sk(isoformat_z(record.created_at), record.id),
            **_import_attributes(record),
        )
        transact([Put(item, condition=must_not_exist())])

    def save(self, before: Import, after: Import, *, status_was: Sequence[ImportStatus] = ()) -> Import:
        """Store `after` if the record is still `before` (version), and in one of `status_was`."""
        condition = must_exist()
        if status_was:
            condition &= ImportItem.status.is_in(*[s.value for s in status_was])
        self._update(before, after, condition, StaleVersionError("import"))
        return replace(after, version=before.version + 1)

    def commit_chunk(self, record: Import, chunk: int, part: int, counts: Counts, errors: int,
                     counters: Sequence[Update], last_part: bool) -> bool:  # fmt: skip
        """Count a written chunk (or one part of its counters) once; False if already counted."""
        # The version (PynamoDB adds its condition) is the one this step read: a twin step that
        # committed first has moved it, and this one then counts nothing.
        item = ImportItem(keys.import_pk(self._tenant_id, record.id), keys.IMPORT_RECORD, version=record.version)
        condition = (
            must_exist()
            & (ImportItem.status == ImportStatus.RUNNING.value)
            & (ImportItem.next_chunk == chunk)
            & (ImportItem.chunk_part == part)
        )
        actions: list[Any] = []
        if last_part:
            actions += [
                ImportItem.next_chunk.set(chunk + 1),
                ImportItem.chunk_part.set(0),
                ImportItem.processed.add(counts.processed),
                ImportItem.created.add(counts.created),
                ImportItem.updated.add(counts.updated),
                ImportItem.skipped.add(counts.skipped),
                ImportItem.failed.add(counts.failed),
                ImportItem.errors.add(errors),
            ]
        else:
            actions.append(ImportItem.chunk_part.set(part + 1))
        return self._commit(item, actions, condition, counters)

    def commit_undo(self, record: Import, chunk: int, part: int, deleted: int, restored: int,
                    counters: Sequence[Update], last_part: bool) -> bool:  # fmt: skip
        """Count an undone chunk (or one part of its counters) once; False if already counted."""
        item = ImportItem(keys.import_pk(self._tenant_id, record.id), keys.IMPORT_RECORD, version=record.version)
        condition = (
            must_exist()
            & (ImportItem.status == ImportStatus.UNDOING.value)
            & (ImportItem.undo_next_chunk == chunk)
            & (ImportItem.undo_part == part)
        )
        actions: list[Any] = []
        if last_part:
            actions += [
                ImportItem.undo_next_chunk.set(chunk + 1),
                ImportItem.undo_part.set(0),
                ImportItem.deleted.add(deleted),
                ImportItem.restored.add(restored),
            ]
        else:
            actions.append(ImportItem.undo_part.set(part + 1))
        return self._commit(item, actions, condition, counters)

    def _commit(self, item: ImportItem, actions: list[Any], condition: Any, counters: Sequence[Update]) -> bool:
        if len(counters) >= MAX_TRANSACTION_ITEMS:  # callers split them in parts
            raise RuntimeError(f"{len(counters)} counter updates do not fit in one transaction")
        writes: list[Write] = [Update(item, actions, condition=condition, on_conflict=_AlreadyCommittedError(""))]
        try:
            transact([*writes, *counters])
        except _AlreadyCommittedError:
            return False
        return True

    def _update(self, before: Import, after: Import, condition: Any, on_conflict: ConflictError) -> None:
        old, new = _import_attributes(before), _import_attributes(after)
        actions = [
            getattr(ImportItem, name).remove() if value is None else getattr(ImportItem, name).set(value)
            for name, value in new.items()
            if value != old[name]
        ]
        item = ImportItem(keys.import_pk(self._tenant_id, before.id), keys.IMPORT_RECORD, version=before.version)
        transact([Update(item, actions, condition=condition, on_conflict=on_conflict)])


class ExportRepository:
    def __init__(self, tenant_id: str) -> None:
        self._tenant_id = tenant_id

    def get(self, export_id: str, *, consistent: bool = False) -> Export | None:
        """AP45."""
        try:
            item = ExportItem.get(
                keys.export_pk(self._tenant_id, export_id), keys.EXPORT_RECORD, consistent_read=consistent
            )
        except ExportItem.DoesNotExist:
            return None
        return _export(item)

    def history(self, *, limit: int, cursor: str | None) -> Page[Export]:
        """AP46: newest first."""
        hash_key = keys.exports_pk(self._tenant_id)
        result = ExportItem.gsi1.query(
            hash_key,
            scan_index_forward=False,
            limit=limit,
            last_evaluated_key=decode_cursor(cursor, self._tenant_id, index="gsi1", partition=hash_key),
        )
        return Page([_export(narrow(i, ExportItem)) for i in result], encode_cursor(result.last_evaluated_key))

    def create(self, record: Export) -> None:
        ExportItem(
            keys.export_pk(self._tenant_id, record.id),
            keys.EXPORT_RECORD,
            gsi1pk=keys.exports_pk(self._tenant_id),
            gsi1sk=keys.created_sk(isoformat_z(record.created_at), record.id),
            **_export_attributes(record),
        ).save(condition=must_not_exist())

    def finish(self, record: Export, status: ExportStatus, *, rows: int | None, error: str | None,
               at: datetime) -> Export:  # fmt: skip
        """Close a running export (once: a repeated step finds it closed and changes nothing)."""
        item = ExportItem(keys.export_pk(self._tenant_id, record.id), keys.EXPORT_RECORD)
        with contextlib.suppress(_AlreadyCommittedError):
            transact(
                [
                    Update(
                        item,
                        [
                            ExportItem.status.set(status.value),
                            ExportItem.rows.set(rows) if rows is not None else ExportItem.rows.remove(),
                            ExportItem.error.set(error) if error else ExportItem.error.remove(),
                            ExportItem.finished_at.set(at),
                        ],
                        condition=must_exist() & (ExportItem.status == ExportStatus.RUNNING.value),
                        on_conflict=_AlreadyCommittedError(""),
                    )
                ]
            )
        return replace(record, status=status, rows=rows, error=error, finished_at=at)


def _import_attributes(record: Import) -> dict[str, Any]:
    counts = record.counts
    return {
        "entity": record.entity.value,
        "filename": record.filename,
        "content_type": record.content_type,
        "status": record.status.value,
        "created_by": record.created_by,
        "created_at": record.created_at,
        "file_key": record.file_key,
        "mapping": record.mapping,
        "headers": record.headers,
        "on_duplicate": record.on_duplicate.value if record.on_duplicate else None,
        "started_at": record.started_at,
        "finished_at": record.finished_at,
        "total": record.total,
        "chunks": record.chunks,
        "next_chunk": record.next_chunk,
        "chunk_part": record.chunk_part,
        "processed": counts.processed,
        "created": counts.created,
        "updated": counts.updated,
        "skipped": counts.skipped,
        "failed": counts.failed,
        "errors": record.errors,
        "error": record.error,
        "undo_next_chunk": record.undo_next_chunk,
        "undo_part": record.undo_part,
        "deleted": record.deleted,
        "restored": record.restored,
        "undone_at": record.undone_at,
    }


def _import(item: ImportItem) -> Import:
    return Import(
        id=item.pk.rsplit("#IM#", 1)[1],
        entity=ContactKind(item.entity),
        filename=item.filename,
        content_type=item.content_type,
        status=ImportStatus(item.status),
        created_by=item.created_by,
        created_at=item.created_at,
        file_key=item.file_key,
        mapping=item.mapping,
        headers=item.headers,
        on_duplicate=DuplicatePolicy(item.on_duplicate) if item.on_duplicate else None,
        started_at=item.started_at,
        finished_at=item.finished_at,
        total=int(item.total) if item.total is not None else None,
        chunks=int(item.chunks) if item.chunks is not None else None,
        next_chunk=int(item.next_chunk or 0),
        chunk_part=int(item.chunk_part or 0),
        counts=Counts(
            int(item.processed or 0),
            int(item.created or 0),
            int(item.updated or 0),
            int(item.skipped or 0),
            int(item.failed or 0),
        ),
        errors=int(item.errors or 0),
        error=item.error,
        undo_next_chunk=int(item.undo_next_chunk or 0),
        undo_part=int(item.undo_part or 0),
        deleted=int(item.deleted or 0),
        restored=int(item.restored or 0),
        undone_at=item.undone_at,
        version=item.version or 1,
    )


def _export_attributes(record: Export) -> dict[str, Any]:
    return {
        "entity": record.entity.value,
        "format": record.format.value,
        "filters": record.filters,
        "status": record.status.value,
        "created_by": record.created_by,
        "created_at": record.created_at,
        "file_key": record.file_key,
        "rows": record.rows,
        "finished_at": record.finished_at,
        "error": record.error,
    }


def _export(item: ExportItem) -> Export:
    return Export(
        id=item.pk.rsplit("#EX#", 1)[1],
        entity=ContactKind(item.entity),
        format=ExportFormat(item.format),
        filters=dict(item.filters or {}),
        status=ExportStatus(item.status),
        created_by=item.created_by,
        created_at=item.created_at,
        file_key=item.file_key,
        rows=int(item.rows) if item.rows is not None else None,
        finished_at=item.finished_at,
        error=item.error,
    )
