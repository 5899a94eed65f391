"""Polling rules at the service tier (a fake IMAP reader): cursors, UIDVALIDITY, the lease, the
batch and catch-up, DSNs to the bounce sink, a failure as the mailbox's status."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from chalicelib.domain.mailboxes import Server, SyncStatus, secret_name
from chalicelib.ports.results import MailboxProbeError
from chalicelib.services.email_archive import EmailArchive
from chalicelib.services.email_sync import EmailSync
from tests.email.helpers import mailbox, message
from tests.fakes.outside import FakeFiles, FakeSecrets
from tests.services.world import World

DSN = (Path(__file__).parent.parent / "fixtures" / "email" / "dsn_511.eml").read_bytes()


@dataclass
class Folder:
    validity: int
    messages: dict[int, bytes] = field(default_factory=dict)


@dataclass
class FakeImap:
    folders_by_name: dict[str, Folder] = field(default_factory=dict)
    failure: MailboxProbeError | None = None
    selected: str = ""
    fetched: list[int] = field(default_factory=list)

    def open(self, server: Server, password: str) -> FakeImap:
        if self.failure is not None:
            raise self.failure
        return self

    def folders(self) -> dict[str, str]:
        return {"inbox": "INBOX", **({"sent": "Sent"} if "Sent" in self.folders_by_name else {})}

    def select(self, folder: str) -> int:
        self.selected = folder
        return self.folders_by_name[folder].validity

    def uids_after(self, last_uid: int) -> list[int]:
        # As a server answers `UID n:*`: the last message even when below n.
        uids = sorted(self.folders_by_name[self.selected].messages)
        return [u for u in uids if u > last_uid] or uids[-1:]

    def fetch(self, uids: list[int]) -> list[tuple[int, bytes]]:
        self.fetched += uids
        found = self.folders_by_name[self.selected].messages
        return [(u, found[u]) for u in uids if u in found]

    def close(self) -> None:
        return None


@dataclass
class Sink:
    got: list[tuple[str, str]] = field(default_factory=list)

    def bounced(self, tenant_id: str, original: str | None, address: str, status: str, diagnostic: str) -> None:
        self.got.append((address, status))


def setup(world: World, imap: FakeImap, batch: int = 100) -> tuple[EmailSync, str, Sink]:
    box = mailbox(world.admin.user_id, leads="none")
    world.storage.mailboxes(world.tenant_id).create(box, 20)
    secrets = FakeSecrets()
    secrets.put(world.tenant_id, secret_name(box.id), {"imap": "pw", "smtp": "pw"})
    sink = Sink()
    archive = EmailArchive(world.storage, world.clock, FakeFiles())
    return EmailSync(world.storage, world.clock, secrets, imap, archive, sink, batch=batch), box.id, sink


def test_uids_at_or_below_the_cursor_are_never_read_again(world: World) -> None:
    imap = FakeImap({"INBOX": Folder(7, {1: message("a@example.org"), 2: message("b@example.org")})})
    sync, box_id, _ = setup(world, imap)
    assert sync.poll(world.tenant_id, box_id).stored == 2  # type: ignore[union-attr]
    imap.fetched.clear()
    assert sync.poll(world.tenant_id, box_id).stored == 0  # type: ignore[union-attr]
    assert imap.fetched == []  # `UID 3:*` answered 2: dropped, not fetched


def test_a_new_uidvalidity_reads_the_folder_again_and_stores_only_the_new(world: World) -> None:
    old = [message(f"p{i}@example.org") for i in range(3)]
    imap = FakeImap({"INBOX": Folder(1, {10: old[0], 11: old[1], 12: old[2]})})
    sync, box_id, _ = setup(world, imap)
    assert sync.poll(world.tenant_id, box_id).stored == 3  # type: ignore[union-attr]
    imap.folders_by_name["INBOX"] = Folder(2, {1: old[0], 2: old[1], 3: old[2], 4: message("new@example.org")})
    result = sync.poll(world.tenant_id, box_id)
    assert result is not None
    assert result.stored == 1
    assert world.storage.emails(world.tenant_id).cursors(box_id)["inbox"].uidvalidity == 2


def test_a_batch_then_catch_up_and_the_dsn_to_the_sink(world: World) -> None:
    imap = FakeImap({"INBOX": Folder(1, {i: message(f"x{i}@example.org") for i in range(1, 6)}), "Sent": Folder(3)})
    imap.folders_by_name["Sent"].messages[1] = DSN
    sync, box_id, sink = setup(world, imap, batch=4)
    first = sync.poll(world.tenant_id, box_id)
    assert first is not None
    assert (first.stored, first.more) == (4, True)
    assert (world.tenant_id, box_id) in world.storage.mail_polls.due(world.clock(), limit=10)
    [second] = sync.run_due()
    assert (second.stored, second.more) == (1, False)
    assert sink.got  # the DSN: its failed recipients
    assert all(status.startswith("5.") for _, status in sink.got)
    assert world.storage.mailboxes(world.tenant_id).get(box_id).messages == 5  # type: ignore[union-attr]


def test_a_failure_is_the_mailboxs_status_and_a_held_mailbox_is_left(world: World) -> None:
    imap = FakeImap(failure=MailboxProbeError("auth", "LOGIN refused"))
    sync, box_id, _ = setup(world, imap)
    result = sync.poll(world.tenant_id, box_id)
    assert result is not None
    assert result.status is SyncStatus.ERROR
    saved = world.storage.mailboxes(world.tenant_id).get(box_id)
    assert saved is not None
    assert saved.status is SyncStatus.ERROR
    assert saved.last_error == "IMAP 127.0.0.1:993: authentication failed (LOGIN refused)"
    repo = world.storage.mailboxes(world.tenant_id)
    now = world.clock()
    from datetime import timedelta

    assert repo.claim(box_id, now, now + timedelta(minutes=5)) is not None
    assert sync.poll(world.tenant_id, box_id) is None
