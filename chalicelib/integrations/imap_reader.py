"""Reading a mailbox over IMAP (EM-2) with imapclient: UID commands only, read-only selects, a
socket timeout on every call so a dead or silent server fails the run in seconds.

`UID n:*` always returns the last message even when its UID is below n (RFC 3501): UIDs at or
below the cursor are dropped here. The Sent folder is the one flagged SPECIAL-USE `\\Sent`
(RFC 6154), else the first of the usual names.
"""

from __future__ import annotations

import contextlib
import imaplib
import logging
import ssl
from typing import TYPE_CHECKING, Any

from chalicelib.domain.mailboxes import Security
from chalicelib.integrations.mail_failures import ERRORS as _ERRORS
from chalicelib.integrations.mail_failures import failure as _failure
from chalicelib.integrations.mail_failures import text as _text
from chalicelib.integrations.tls import default_tls
from chalicelib.ports.results import MailboxProbeError

if TYPE_CHECKING:
    from chalicelib.domain.mailboxes import Server

# A message larger than this is not downloaded (providers cap mail at 25-50 MB; the parser at 50).
MAX_MESSAGE_BYTES = 30 * 1024 * 1024
TIMEOUT_S = 15.0  # a silent server fails the run well within 30 s
log = logging.getLogger(__name__)
_SENT_NAMES = ("Sent", "Sent Items", "Sent Messages", "INBOX.Sent", "[Gmail]/Sent Mail", "Sent Mail", "Envoyés")


class ImapSession:
    def __init__(self, client: Any) -> None:
        self._client = client

    def _call(self, name: str, *args: Any, **kwargs: Any) -> Any:
        try:
            return getattr(self._client, name)(*args, **kwargs)
        except MailboxProbeError:
            raise
        except _ERRORS as error:
            raise _failure(error) from None

    def folders(self) -> dict[str, str]:
        found: dict[str, str] = {"inbox": "INBOX"}
        listed = self._call("list_folders")
        names: list[str] = []
        for flags, _, name in listed:
            text = name.decode(errors="replace") if isinstance(name, bytes) else str(name)
            names.append(text)
            if b"\\Sent" in flags or "\\Sent" in {f.decode() if isinstance(f, bytes) else f for f in flags}:
                found.setdefault("sent", text)
        if "sent" not in found:
            lowered = {n.lower(): n for n in names}
            for candidate in _SENT_NAMES:
                if candidate.lower() in lowered:
                    found["sent"] = lowered[candidate.lower()]
                    break
        return found

    def select(self, folder: str) -> int:
        reply = self._call("select_folder", folder, readonly=True)
        return int(reply.get(b"UIDVALIDITY", 0))

    def uids_after(self, last_uid: int) -> list[int]:
        found = self._call("search", ["UID", f"{last_uid + 1}:*"])
        return sorted(int(uid) for uid in found if int(uid) > last_uid)

    def fetch(self, uids: list[int]) -> list[tuple[int, bytes]]:
        if not uids:
            return []
        sizes = self._call("fetch", uids, ["RFC822.SIZE"])
        wanted = [u for u in uids if int(sizes.get(u, {}).get(b"RFC822.SIZE", 0)) <= MAX_MESSAGE_BYTES]
        if len(wanted) < len(uids):
            log.warning("messages over the size cap skipped", extra={"uids": sorted(set(uids) - set(wanted))})
        if not wanted:
            return []
        reply = self._call("fetch", wanted, ["BODY.PEEK[]"])
        found = []
        for uid in sorted(reply):
            data = reply[uid]
            raw = data.get(b"BODY[]") or data.get(b"RFC822")
            if isinstance(raw, bytes) and int(uid) in uids:
                found.append((int(uid), raw))
        return found

    def close(self) -> None:
        with contextlib.suppress(*_ERRORS):
            self._client.logout()


class ImapReader:
    def __init__(self, *, timeout: float = TIMEOUT_S, tls_context: ssl.SSLContext | None = None) -> None:
        self._timeout = timeout
        self._given_tls = tls_context

    @property
    def _tls(self) -> ssl.SSLContext:
        """The context given, else the process's default one (see `integrations.tls`)."""
        return self._given_tls or default_tls()

    def open(self, server: Server, password: str) -> ImapSession:
        """Connected and logged in; MailboxProbeError (auth, unreachable, tls, protocol) on failure."""
        from imapclient import IMAPClient
        from imapclient.exceptions import CapabilityError, LoginError

        try:
            client = IMAPClient(
                server.host,
                port=server.port,
                ssl=server.security is Security.SSL,
                ssl_context=self._tls,
                timeout=self._timeout,
            )
        except _ERRORS as error:
            raise _failure(error) from None
        session = ImapSession(client)
        try:
            if server.security is Security.STARTTLS:
                try:
                    client.starttls(self._tls)
                except CapabilityError:
                    raise MailboxProbeError("tls", "the server does not offer STARTTLS") from None
            try:
                client.login(server.username, password)
            except LoginError as error:
                raise MailboxProbeError("auth", _text(error) or "login refused") from None
        except MailboxProbeError:
            session.close()
            raise
        except (*_ERRORS, imaplib.IMAP4.abort) as error:
            session.close()
            raise _failure(error) from None
        return session
