"""Outside ports: what the services need from outside systems (identity, mail, secrets, files,
SMS, workflows, time). Adapters in `integrations/` implement them; tests fake them."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

from chalicelib.ports.results import MailboxProbeError as MailboxProbeError
from chalicelib.ports.results import MailSendError as MailSendError  # noqa: TC001
from chalicelib.ports.results import SmsOutcomeUnknownError as SmsOutcomeUnknownError
from chalicelib.ports.results import SmsRateLimitedError as SmsRateLimitedError
from chalicelib.ports.results import SmsReceipt as SmsReceipt  # noqa: TC001
from chalicelib.ports.results import SmsRejectedError as SmsRejectedError
from chalicelib.ports.results import Tokens as Tokens  # noqa: TC001
from chalicelib.ports.results import failure_reason as failure_reason

if TYPE_CHECKING:
    from chalicelib.domain.mailboxes import Server


class Clock(Protocol):
    """The current time, aware, in UTC: the system's in production (`domain.clock.utcnow`); tests
    move it (`tests/fakes`) instead of patching a service."""

    def __call__(self) -> datetime: ...


class IdentityProvider(Protocol):
    """Logins and tokens (Amazon Cognito in AWS, moto locally)."""

    def create_login(self, principal: str, email: str, password: str) -> None:
        """Create an enabled login with a permanent password."""

    def delete_login(self, principal: str) -> None:
        """Delete a login; deleting a missing one is not an error."""

    def authenticate(self, principal: str, password: str) -> Tokens:
        """Tokens for a principal and password; UnauthorizedError if they do not match."""

    def refresh(self, refresh_token: str) -> Tokens:
        """A new access token; UnauthorizedError if the refresh token is invalid or revoked."""

    def disable_login(self, principal: str) -> None:
        """Refuse the login and revoke its refresh tokens; a missing login is not an error."""

    def enable_login(self, principal: str) -> bool:
        """Allow a disabled login again; False (not an error) when there is no such login."""


class Mailer(Protocol):
    """Transactional email the CRM sends itself (invitations, reminders)."""

    def send(self, to: str, subject: str, text: str) -> None:
        """Send a plain-text email; UnavailableError if the provider refuses it."""


class SecretStore(Protocol):
    """Encrypted per-tenant secrets (PBX keys, mailbox passwords, OAuth refresh tokens)."""

    def put(self, tenant_id: str, name: str, value: dict[str, str]) -> None: ...

    def get(self, tenant_id: str, name: str) -> dict[str, str] | None: ...

    def delete(self, tenant_id: str, name: str) -> None:
        """Delete a secret; deleting a missing one is not an error."""


class MailboxProbe(Protocol):
    """The connection test on save of an email integration (EM-1), with socket timeouts."""

    def check_imap(self, server: Server, password: str) -> None:
        """Log in and select INBOX; raise MailboxProbeError with the reason on failure."""

    def check_smtp(self, server: Server, password: str) -> None:
        """Connect (and STARTTLS) and authenticate; raise MailboxProbeError on failure."""


class MailTransport(Protocol):
    """Sends through a mailbox's SMTP server and files a copy in its Sent folder (CL-8, EM-4),
    with socket timeouts."""

    def send(self, server: Server, password: str, sender: str, recipients: list[str], message: bytes) -> None:
        """One message to its envelope recipients; MailSendError when the server refuses it all
        (auth, unreachable, sender refused) or refuses some recipients (`recipients`)."""

    def send_many(
        self, server: Server, password: str, sender: str, messages: list[tuple[list[str], bytes]]
    ) -> list[MailSendError | None]:
        """Several messages over one connection (a broadcast's batch), one outcome each; a
        failure of the connection itself (auth, unreachable) raises MailSendError."""

    def append_sent(self, server: Server, password: str, message: bytes) -> None:
        """IMAP APPEND to the Sent folder (\\Sent, else "Sent"), flagged \\Seen; MailSendError on failure."""


class MailboxSession(Protocol):
    """One IMAP connection to a mailbox, logged in (socket timeouts on every call)."""

    def folders(self) -> dict[str, str]:
        """The folders to read by role: `inbox` always, `sent` when the server has one
        (SPECIAL-USE \\Sent, else a usual name)."""

    def select(self, folder: str) -> int:
        """Open a folder read-only; its UIDVALIDITY."""

    def uids_after(self, last_uid: int) -> list[int]:
        """The UIDs above `last_uid` in the selected folder, ascending."""

    def fetch(self, uids: list[int]) -> list[tuple[int, bytes]]:
        """The raw messages of these UIDs (missing ones left out), ascending."""

    def close(self) -> None: ...


class MailboxReader(Protocol):
    """Reads mailboxes over IMAP (EM-2). Failures raise MailboxProbeError (kind + detail)."""

    def open(self, server: Server, password: str) -> MailboxSession: ...


class BounceSink(Protocol):
    """Where the poller reports hard bounces (DSN 5.x.x) it reads: the email broadcasts."""

    def bounced(
        self, tenant_id: str, original_message_id: str | None, address: str, status: str, diagnostic: str
    ) -> None: ...


class NoBounceSink:
    """Bounces noted nowhere (until the email broadcasts take them)."""

    def bounced(
        self, tenant_id: str, original_message_id: str | None, address: str, status: str, diagnostic: str
    ) -> None:
        return None


class FileStore(Protocol):
    """Files kept outside the table (avatars, recordings, imports), reached by presigned URLs."""

    def upload(self, key: str, content_type: str, max_bytes: int, expires_in: int = 600) -> Any:
        """Where and how a client uploads one file directly (an `Upload`)."""

    def upload_put(self, key: str, expires_in: int = 600) -> str:
        """A URL to which a client PUTs one file directly (its size is not capped: check it)."""

    def url(self, key: str, expires_in: int = 12 * 3600, *, download_as: str | None = None) -> str:
        """A short-lived URL to read the file (saved as `download_as` by a browser)."""

    def put(self, key: str, content: bytes, content_type: str) -> None:
        """Store a file the CRM fetched itself (server side, not through the browser)."""

    def size(self, key: str) -> int | None:
        """Bytes in the file, or None when it does not exist."""

    def get(self, key: str, *, max_bytes: int | None = None) -> bytes | None:
        """The file's content (or its first `max_bytes`), None when it does not exist."""

    def download(self, key: str, path: str) -> None:
        """Copy the file to a local path, streamed."""

    def upload_file(self, path: str, key: str, content_type: str, *, tags: Mapping[str, str] | None = None) -> None:
        """Store a local file, streamed from disk (`tags`: S3 object tags, for lifecycle rules)."""


class SmsSender(Protocol):
    """Sends an SMS on behalf of one CRM (Zadarma with telephony; a local fake until then)."""

    def send(self, tenant_id: str, to: str, text: str) -> SmsReceipt:
        """Send `text` to `to` (E.164). SmsRejectedError for a permanent refusal,
        UnavailableError when the provider cannot be reached or limits the rate (retry later)."""


class Workflows(Protocol):
    """Starts durable background work (Step Functions in AWS and in the local stack)."""

    def start(self, machine: str, name: str, payload: dict[str, Any]) -> bool:
        """Start `machine` as execution `name`; False when one of that name exists already (a
        name is the work's idempotency key)."""

    def resume(self, token: str, output: dict[str, Any]) -> bool:
        """Resume a step waiting for `token` with `output`; False if it waits no more."""

    def abort(self, token: str, error: str, cause: str) -> bool:
        """Fail a step waiting for `token`; False if it waits no more."""
