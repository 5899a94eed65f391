"""The IMAP reader's choices without a server: the Sent folder by SPECIAL-USE or by name, UIDs
at or below the cursor dropped (`UID n:*`), oversized messages not downloaded."""

from __future__ import annotations

from typing import Any

from chalicelib.integrations.imap_reader import MAX_MESSAGE_BYTES, ImapSession


class Client:
    def __init__(self, folders: list[tuple[tuple[bytes, ...], bytes, str]], sizes: dict[int, int] | None = None):
        self._folders = folders
        self._sizes = sizes or {}
        self.fetched: list[list[int]] = []

    def list_folders(self) -> list[tuple[tuple[bytes, ...], bytes, str]]:
        return self._folders

    def search(self, criteria: list[str]) -> list[int]:
        return [7]  # `UID 8:*` when the last message is 7: the server answers 7

    def fetch(self, uids: list[int], items: list[str]) -> dict[int, dict[bytes, Any]]:
        if items == ["RFC822.SIZE"]:
            return {u: {b"RFC822.SIZE": self._sizes.get(u, 10)} for u in uids}
        self.fetched.append(uids)
        return {u: {b"BODY[]": b"Subject: x\r\n\r\nbody"} for u in uids}


def test_sent_by_special_use_first_then_by_name() -> None:
    flagged = Client([((b"\\HasNoChildren",), b"/", "INBOX"), ((b"\\Sent",), b"/", "Gesendet"),
                      ((), b"/", "Sent")])  # fmt: skip
    assert ImapSession(flagged).folders() == {"inbox": "INBOX", "sent": "Gesendet"}
    named = Client([((), b"/", "INBOX"), ((), b"/", "Sent Items")])
    assert ImapSession(named).folders() == {"inbox": "INBOX", "sent": "Sent Items"}
    assert ImapSession(Client([((), b"/", "INBOX")])).folders() == {"inbox": "INBOX"}


def test_uids_at_or_below_the_cursor_are_dropped() -> None:
    assert ImapSession(Client([])).uids_after(7) == []
    assert ImapSession(Client([])).uids_after(6) == [7]


def test_oversized_messages_are_not_downloaded() -> None:
    client = Client([], sizes={2: MAX_MESSAGE_BYTES + 1})
    got = ImapSession(client).fetch([1, 2, 3])
    assert [uid for uid, _ in got] == [1, 3]
    assert client.fetched == [[1, 3]]
