"""Undo: each chunk's undo log (written before the chunk's writes) and the undo that walks the
logs chunk by chunk, deleting what the import created and giving updated contacts back the
values they had, where nobody changed them since."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from chalicelib.domain.contact_snapshot import from_snapshot, snapshot_json
from chalicelib.domain.contacts import FeedEntry, FeedKind
from chalicelib.domain.errors import DomainError
from chalicelib.domain.ids import new_id
from chalicelib.domain.imports import Import, ImportStatus, import_part_key
from chalicelib.observability import logger
from chalicelib.services.contact_changes import changes_between
from chalicelib.services.imports.planner import Chunk, merge_onto
from chalicelib.services.imports.progress import commit_in_parts

if TYPE_CHECKING:
    from chalicelib.ports.outside import Clock, FileStore
    from chalicelib.ports.storage import Contacts, Storage


class UndoLogMissingError(Exception):
    """A chunk the import wrote has no undo log (its file was deleted from the bucket)."""


def write_undo_log(files: FileStore, tenant_id: str, record: Import, index: int, chunk: Chunk) -> dict[str, Any]:
    """Write the chunk's undo log before its writes; a log left by an earlier run of this chunk
    keeps the values that were there before that run."""
    key = import_part_key(tenant_id, record.id, "undo", index)
    earlier = files.get(key)
    before_of = {u["id"]: u["before"] for u in json.loads(earlier)["updated"]} if earlier else {}
    log = {
        "created": [c.id for c in chunk.created],
        "updated": [
            {"id": cid, "before": before_of.get(cid) or snapshot_json(before), "after": snapshot_json(after)}
            for cid, (before, after, _) in chunk.updates.items()
        ],
    }
    save_undo_log(files, tenant_id, record, index, log)
    return log


def save_undo_log(files: FileStore, tenant_id: str, record: Import, index: int, log: dict[str, Any]) -> None:
    key = import_part_key(tenant_id, record.id, "undo", index)
    files.put(key, json.dumps(log, ensure_ascii=False).encode(), "application/json")


class Undoer:
    """The workflow's undo steps: one chunk's log at a time, then the import is undone."""

    def __init__(self, storage: Storage, files: FileStore, clock: Clock, chunk_rows: int) -> None:
        self._storage = storage
        self._files = files
        self._clock = clock
        self._chunk_rows = chunk_rows

    def step(self, tenant_id: str, record: Import) -> bool:
        """Undo the next chunk; True once the import is undone."""
        # A chunk that was being written when the import stopped has an undo log too.
        last = min(record.next_chunk, (record.chunks or 1) - 1) if record.chunks else -1
        if record.undo_next_chunk <= last:
            self._undo_chunk(tenant_id, record, record.undo_next_chunk)
            return False
        self._storage.imports(tenant_id).save(
            record, replace(record, status=ImportStatus.UNDONE, undone_at=self._clock()),
            status_was=[ImportStatus.UNDOING],
        )  # fmt: skip
        return True

    def _undo_chunk(self, tenant_id: str, record: Import, index: int) -> None:
        contacts = self._storage.contacts(tenant_id)
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
            deltas = contacts.counter_deltas(contact for contact, _ in partitions)
            plan = {"deleted": len(partitions), "counters": [[*k, v] for k, v in sorted(deltas.items())]}
            self._files.put(plan_key, json.dumps(plan).encode(), "application/json")
        contacts.bulk_delete(partitions)
        restored = 0
        for update in log["updated"]:
            restored += self._restore(contacts, record, update)
        counters = contacts.counter_updates({(a, b, c): -int(v) for a, b, c, v in plan["counters"]})
        commit_in_parts(
            record, counters, record.undo_part,
            lambda rec, part, batch, last: self._storage.imports(tenant_id).commit_undo(
                rec, index, part, int(plan["deleted"]), restored, batch, last
            ),
        )  # fmt: skip

    def _restore(self, contacts: Contacts, record: Import, update: dict[str, Any]) -> int:
        """Give a contact the values it had before the import, field by field, where it still has
        what the import gave it (a later edit by someone is kept)."""
        current = contacts.get(update["id"], consistent=True)
        if current is None:
            return 0
        before, after = from_snapshot(update["before"]), from_snapshot(update["after"])
        restored = merge_onto(current, after, before)
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
