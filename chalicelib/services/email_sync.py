"""Polling mailboxes (EM-2): every 10 minutes (EventBridge) and on "sync now".

Each mailbox is read under a lease (a conditional update of the integration), so two runs never
read it at once. Per folder (INBOX and Sent) a cursor keeps UIDVALIDITY and the last UID stored:
a UIDVALIDITY change (a mailbox rebuilt) reads the folder again from the start, and the Message-ID
guard of the archive keeps anything from being stored twice. A run reads at most `batch`
messages of a mailbox; the rest waits for the next run, which takes the mailbox first (catch-up).
Delivery reports (DSN) go to the bounce sink and are not archived. Every run ends with the
mailbox's status (`ok` or `error` with the reason), its last sync time and its message count.
"""

from __future__ import annotations

import logging
import time
from datetime import timedelta
from typing import TYPE_CHECKING, NamedTuple

from chalicelib.domain.emails import Direction, FolderCursor
from chalicelib.domain.errors import NotFoundError, ValidationError
from chalicelib.domain.mailboxes import SyncStatus, secret_name
from chalicelib.ports.notifications import NoNotifier
from chalicelib.ports.results import MailboxProbeError

if TYPE_CHECKING:
    from chalicelib.domain.actor import Actor
    from chalicelib.domain.mailboxes import Integration
    from chalicelib.ports.notifications import Notifier
    from chalicelib.ports.outside import BounceSink, Clock, MailboxReader, MailboxSession, SecretStore
    from chalicelib.ports.storage import Storage
    from chalicelib.services.email_sending import MailArchive

log = logging.getLogger(__name__)

POLL_EVERY = timedelta(minutes=10)
LEASE = timedelta(minutes=5)  # longer than a run of one mailbox can take (timeouts and batch bound it)
BATCH = 100  # messages read from one mailbox in one run
SYNC_NOW_BATCH = 25  # in a request: well inside its time limit
FETCH_CHUNK = 20  # messages fetched by one IMAP command; the cursor moves after each chunk
DUE_PER_RUN = 50  # mailboxes one scheduled run takes
FOLDERS = {"inbox": Direction.IN, "sent": Direction.OUT}

_WORDS = {
    "auth": "authentication failed",
    "unreachable": "host unreachable",
    "tls": "TLS failed",
    "protocol": "not an IMAP server",
}


class PollResult(NamedTuple):
    integration_id: str
    stored: int
    status: SyncStatus
    error: str | None = None
    more: bool = False  # messages left for the next run


class EmailSync:
    def __init__(
        self,
        storage: Storage,
        clock: Clock,
        secrets: SecretStore,
        reader: MailboxReader,
        archive: MailArchive,
        bounces: BounceSink,
        *,
        batch: int = BATCH,
        notifier: Notifier | None = None,
    ) -> None:
        self._storage = storage
        self._clock = clock
        self._secrets = secrets
        self._reader = reader
        self._archive = archive
        self._bounces = bounces
        self._batch = batch
        self._notifier = notifier or NoNotifier()

    def run_due(self, *, limit: int = DUE_PER_RUN, time_budget: float | None = None) -> list[PollResult]:
        """The scheduled run: the mailboxes due now (AP94), longest waiting first, each under its
        lease; past `time_budget` seconds no other mailbox is started (they stay due)."""
        started = time.monotonic()
        results = []
        for tenant_id, integration_id in self._storage.mail_polls.due(self._clock(), limit=limit):
            if time_budget is not None and time.monotonic() - started > time_budget:
                break
            result = self.poll(tenant_id, integration_id)
            if result is not None:
                results.append(result)
        return results

    def sync_now(self, actor: Actor, integration_id: str) -> PollResult | None:
        """ "Sync now" (`POST /v1/email/integrations/{id}/sync`): a short poll at once; None when
        a run holds the mailbox (it is reading it already)."""
        from chalicelib.domain.rights import Access  # the API's path, not the scheduled run's

        actor.require(Access.ANY_USER)
        repo = self._storage.mailboxes(actor.tenant_id)
        integration = repo.get(integration_id)
        if integration is None or not integration.visible_to(actor.user_id, admin=actor.is_admin):
            raise NotFoundError("no such email integration in this CRM")
        return self.poll(actor.tenant_id, integration_id, batch=SYNC_NOW_BATCH)

    def poll(self, tenant_id: str, integration_id: str, *, batch: int | None = None) -> PollResult | None:
        """Read one mailbox's new mail; None when another run holds it (or it is gone)."""
        repo = self._storage.mailboxes(tenant_id)
        now = self._clock()
        until = now + LEASE
        integration = repo.claim(integration_id, now, until)
        if integration is None:
            return None
        stored, more, error = 0, False, None
        try:
            stored, more = self._read(tenant_id, integration, batch or self._batch)
        except MailboxProbeError as failure:
            error = f"IMAP {integration.imap.host}:{integration.imap.port}: {_WORDS.get(failure.kind, failure.kind)}"
            error += f" ({failure.detail})"
        except Exception as failure:
            log.exception("email poll failed", extra={"tenant_id": tenant_id, "integration_id": integration_id})
            error = f"the mailbox could not be read ({type(failure).__name__})"
        status = SyncStatus.ERROR if error else SyncStatus.OK
        finished = self._clock()
        repo.finish(
            integration_id,
            held_until=until,
            status=status,
            error=error,
            at=finished,
            added=stored,
            next_poll=now if more else now + POLL_EVERY,
        )
        if error and integration.status is not SyncStatus.ERROR:  # it worked before: say so, once
            from chalicelib.domain.notifications import NotificationKind, mailbox_error_title

            self._notifier.notify(
                tenant_id,
                integration.owner_id,
                NotificationKind.INTEGRATION_ERROR,
                mailbox_error_title(integration.name, error),
                None,
                at=finished,
                once=f"mailbox-error:{integration_id}:{finished.isoformat()}",
            )
        return PollResult(integration_id, stored, status, error, more)

    # --- reading -----------------------------------------------------------------------------

    def _read(self, tenant_id: str, integration: Integration, budget: int) -> tuple[int, bool]:
        secret = self._secrets.get(tenant_id, secret_name(integration.id)) or {}
        password = secret.get("imap")
        if not password:
            raise MailboxProbeError("auth", "no password is stored for this mailbox")
        session = self._reader.open(integration.imap, password)
        try:
            cursors = self._storage.emails(tenant_id).cursors(integration.id)
            stored, more = 0, False
            for role, folder in session.folders().items():
                if role not in FOLDERS:
                    continue
                added, left, budget = self._folder(
                    tenant_id, integration, session, role, folder, cursors.get(role), budget
                )
                stored += added
                more = more or left
            return stored, more
        finally:
            session.close()

    def _folder(
        self,
        tenant_id: str,
        integration: Integration,
        session: MailboxSession,
        role: str,
        folder: str,
        cursor: FolderCursor | None,
        budget: int,
    ) -> tuple[int, bool, int]:
        """(stored, more left, budget left) for one folder."""
        emails = self._storage.emails(tenant_id)
        validity = session.select(folder)
        # Another UIDVALIDITY: the folder's UIDs start over; read it again (the guard dedupes).
        last = cursor.last_uid if cursor is not None and cursor.uidvalidity == validity else 0
        # `UID n:*` answers the last message even below n (RFC 3501): never read one twice.
        uids = sorted(u for u in session.uids_after(last) if u > last)
        taken = uids[: max(0, budget)]
        stored = 0
        saved = cursor
        for start in range(0, len(taken), FETCH_CHUNK):
            chunk = taken[start : start + FETCH_CHUNK]
            for _, raw in session.fetch(chunk):
                stored += self._ingest(tenant_id, integration, raw, FOLDERS[role])
            saved = FolderCursor(validity, chunk[-1])
            emails.save_cursor(integration.id, role, saved)
        if saved != FolderCursor(validity, last) and not taken:
            emails.save_cursor(integration.id, role, FolderCursor(validity, last))
        return stored, len(uids) > len(taken), budget - len(taken)

    def _ingest(self, tenant_id: str, integration: Integration, raw: bytes, direction: Direction) -> int:
        """1 when the message was archived; DSNs go to the bounce sink; unreadable mail is skipped."""
        # Parsing loads with the first message read (a run that finds no new mail needs none of it).
        from chalicelib.domain.email.bounces import BounceKind, dsn_original_message_id, parse_dsn
        from chalicelib.domain.email.message import MalformedMessageError

        try:
            bounces = parse_dsn(raw)
        except MalformedMessageError:
            bounces = ()
        if bounces:
            original = dsn_original_message_id(raw)
            for bounce in bounces:
                if bounce.kind is BounceKind.HARD:
                    self._bounces.bounced(tenant_id, original, bounce.recipient, bounce.status, bounce.diagnostic)
            return 0
        try:
            stored = self._archive.store(tenant_id, integration, raw, direction=direction)
        except ValidationError as error:
            log.warning("unreadable email skipped", extra={"integration_id": integration.id, "reason": str(error)})
            return 0
        return 1 if stored is not None else 0
