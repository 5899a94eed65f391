"""The import's steps: the first splits the file into chunk files, each next one imports a chunk
(rows read and checked, matches looked up in bulk, the undo log written, then the writes and one
conditional update that counts the chunk), the last joins the report and closes the import."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from chalicelib.domain.contacts import Contact, FeedEntry, FeedKind
from chalicelib.domain.errors import DomainError
from chalicelib.domain.ids import derived_id
from chalicelib.domain.import_rows import RowContext, RowFields, check_mapping, read_row
from chalicelib.domain.imports import Counts, Import, ImportStatus, import_part_key
from chalicelib.domain.users import UserStatus
from chalicelib.ports.notifications import NoNotifier, Notifier
from chalicelib.services.acting import acting_user
from chalicelib.services.contact_changes import changes_between
from chalicelib.services.imports.planner import Chunk, Planner, merge_onto, row_contact_id
from chalicelib.services.imports.progress import commit_in_parts
from chalicelib.services.imports.report import ReportLine, join_report, report_csv
from chalicelib.services.imports.source import read_chunk, split
from chalicelib.services.imports.undo import save_undo_log, write_undo_log

if TYPE_CHECKING:
    from chalicelib.ports.outside import Clock, FileStore
    from chalicelib.ports.storage import Contacts, Storage, Users


class Importer:
    """The workflow's import steps, one chunk each."""

    def __init__(
        self, storage: Storage, files: FileStore, clock: Clock, chunk_rows: int, notifier: Notifier | None = None
    ) -> None:
        self._notifier = notifier or NoNotifier()
        self._storage = storage
        self._files = files
        self._clock = clock
        self._chunk_rows = chunk_rows

    def step(self, tenant_id: str, record: Import) -> bool:
        """Split the file, or import the next chunk, or close the import (True: done)."""
        if record.chunks is None:
            headers, total, chunks = split(self._files, tenant_id, record, self._chunk_rows)
            self._storage.imports(tenant_id).save(record, replace(record, headers=headers, total=total, chunks=chunks))
            return False
        if record.next_chunk < record.chunks:
            self._import_chunk(tenant_id, record, record.next_chunk)
            return False
        self._close(tenant_id, record)
        return True

    def _import_chunk(self, tenant_id: str, record: Import, index: int) -> None:
        if record.headers is None or record.mapping is None or record.on_duplicate is None:
            raise RuntimeError(f"import {record.id} is run before its headers, mapping and policy are set")
        contacts = self._storage.contacts(tenant_id)
        actor = acting_user(self._storage, tenant_id, record.created_by, "import")
        properties = {p.key: p for p in self._storage.properties(tenant_id).list_all()}
        mapping = check_mapping(record.mapping, record.headers, properties)
        crm = self._storage.crms.get(tenant_id)
        context = RowContext(crm.country if crm else None, properties, _users_by_email(self._storage.users(tenant_id)))
        rows = read_chunk(self._files, tenant_id, record, index)

        chunk = Chunk()
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
        planner = Planner(record, actor, owners, {c.id: c for c in matched}, chunk, mapping, record.headers)
        for fields in parsed:
            planner.plan(fields)
        undo_log = write_undo_log(self._files, tenant_id, record, index, chunk)

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
            save_undo_log(self._files, tenant_id, record, index, undo_log)

        self._files.put(import_part_key(tenant_id, record.id, "errors", index), report_csv(chunk.report),
                        "text/csv")  # fmt: skip
        counts = Counts(
            processed=len(rows),
            created=chunk.counts["created"],
            updated=chunk.counts["updated"],
            skipped=chunk.counts["skipped"],
            failed=chunk.counts["failed"],
        )
        commit_in_parts(
            record, contacts.counter_updates(deltas), record.chunk_part,
            lambda rec, part, counters, last: self._storage.imports(tenant_id).commit_chunk(
                rec, index, part, counts, len(chunk.report), counters, last
            ),
        )  # fmt: skip

    def _row_ids(self, record: Import, parsed: Sequence[RowFields]) -> set[str]:
        return {row_contact_id(record, f.row) for f in parsed}

    def _apply_updates(self, contacts: Contacts, record: Import, chunk: Chunk, undo_log: dict[str, Any]) -> None:
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
                after = merge_onto(current, before, after)
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

    def _close(self, tenant_id: str, record: Import) -> None:
        """Join the report parts into one CSV and mark the import completed."""
        if record.errors:
            join_report(self._files, tenant_id, record)
        finished = replace(record, status=ImportStatus.COMPLETED, finished_at=self._clock())
        self._storage.imports(tenant_id).save(record, finished, status_was=[ImportStatus.RUNNING])
        notify_finished(self._notifier, tenant_id, finished)


def notify_finished(notifier: Notifier, tenant_id: str, record: Import) -> None:
    """Tell the user who started the import that it completed or failed."""
    # Once per import, at its end: the notifications' domain is not on the worker's cold start.
    from chalicelib.domain.notifications import Link, LinkType, NotificationKind, import_finished_title

    title = import_finished_title(record.filename, failed=record.status is ImportStatus.FAILED)
    notifier.notify(
        tenant_id, record.created_by, NotificationKind.IMPORT_FINISHED, title,
        Link(LinkType.IMPORT, record.id), at=record.finished_at, once=f"{record.id}:{record.version}",
    )  # fmt: skip


def _created_entry(record: Import, contact: Contact) -> FeedEntry:
    return FeedEntry(
        id=derived_id(contact.created_at, f"{record.id}#created#{contact.id}"),
        kind=FeedKind.EVENT,
        time=contact.created_at,
        user_id=record.created_by,
        data={"event": "created", "name": contact.name, "import_id": record.id, "filename": record.filename},
    )


def _users_by_email(users: Users) -> Callable[[str], str | None]:
    """An active user's id by email, each email read once per chunk."""
    cache: dict[str, str | None] = {}

    def find(email: str) -> str | None:
        if email not in cache:
            user_id = users.find_id_by_email(email)
            user = users.get(user_id) if user_id else None
            cache[email] = user.id if user is not None and user.status is UserStatus.ACTIVE else None
        return cache[email]

    return find
