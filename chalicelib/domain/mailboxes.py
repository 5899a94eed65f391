"""Email integrations (SPEC EM-1): a mailbox reached over IMAP (reading) and SMTP (sending).

Plain data and rules: who may see and manage an integration, the provider presets, the checks of
the server settings. Passwords are never part of these records: they live in the SecretStore.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import NamedTuple

from chalicelib.domain.errors import ValidationError
from chalicelib.domain.records import record

MAX_INTEGRATIONS = 20  # per CRM (EM-1)
MAX_NAME = 100
MAX_HOST = 253
MAX_USERNAME = 320
MAX_PASSWORD = 1000


class Security(StrEnum):
    SSL = "ssl"  # TLS from the first byte (IMAPS 993, SMTPS 465)
    STARTTLS = "starttls"  # plain, then upgraded (IMAP 143, submission 587)
    NONE = "none"  # plain text; only for local or test servers


class CreateLeads(StrEnum):
    NONE = "none"
    RECEIVED = "received"
    RECEIVED_AND_SENT = "received_and_sent"


class SyncStatus(StrEnum):
    OK = "ok"
    ERROR = "error"
    SYNCING = "syncing"


# `shared_with`: every user of the CRM, or these users (none: the owner's personal mailbox).
SHARED_WITH_ALL = "all"


class Server(NamedTuple):
    """One side of a mailbox (IMAP or SMTP) without its password."""

    host: str
    port: int
    security: Security
    username: str


@record(frozen=True, slots=True)
class Integration:
    """An email integration (EM-1): a mailbox the CRM reads and sends with, personal or shared."""

    id: str
    owner_id: str  # who added it; a personal integration is theirs alone
    name: str
    email: str
    imap: Server
    smtp: Server
    shared_with: str | tuple[str, ...]  # SHARED_WITH_ALL or user ids; () is personal
    create_leads: CreateLeads
    created_at: datetime
    status: SyncStatus = SyncStatus.SYNCING
    last_sync_at: datetime | None = None
    last_error: str | None = None
    messages: int = 0
    version: int = 1

    @property
    def personal(self) -> bool:
        return self.shared_with == ()

    def visible_to(self, user_id: str, *, admin: bool) -> bool:
        """Admins see every integration; others their own and those shared with them."""
        if admin or self.owner_id == user_id or self.shared_with == SHARED_WITH_ALL:
            return True
        return user_id in self.shared_with

    def manageable_by(self, user_id: str, *, admin: bool) -> bool:
        """Admins manage every integration; a user only the personal ones they added."""
        return admin or (self.personal and self.owner_id == user_id)


def secret_name(integration_id: str) -> str:
    """The SecretStore name holding an integration's IMAP and SMTP passwords."""
    return f"email-integration-{integration_id}"


class Preset(NamedTuple):
    id: str
    name: str
    imap: tuple[str, int, Security]
    smtp: tuple[str, int, Security]
    note: str | None = None
    keeps_sent: bool = False  # the provider files what its SMTP sends in Sent itself (no IMAP APPEND)


# Known providers (their published IMAP/SMTP settings). Most require an app password when the
# account has two-factor authentication; `note` says so where the provider insists.
PRESETS: tuple[Preset, ...] = (
    Preset(
        "gmail",
        "Gmail / Google Workspace",
        ("imap.gmail.com", 993, Security.SSL),
        ("smtp.gmail.com", 465, Security.SSL),
        "IMAP must be enabled; use an app password",
        keeps_sent=True,
    ),
    Preset(
        "outlook",
        "Outlook.com / Microsoft 365",
        ("outlook.office365.com", 993, Security.SSL),
        ("smtp.office365.com", 587, Security.STARTTLS),
        "basic authentication must be allowed for the mailbox",
        keeps_sent=True,
    ),
    Preset(
        "yahoo",
        "Yahoo Mail",
        ("imap.mail.yahoo.com", 993, Security.SSL),
        ("smtp.mail.yahoo.com", 465, Security.SSL),
        "use an app password",
    ),
    Preset(
        "icloud",
        "iCloud Mail",
        ("imap.mail.me.com", 993, Security.SSL),
        ("smtp.mail.me.com", 587, Security.STARTTLS),
        "use an app-specific password",
    ),
    Preset("zoho", "Zoho Mail", ("imap.zoho.com", 993, Security.SSL), ("smtp.zoho.com", 465, Security.SSL)),
    Preset("ovh", "OVHcloud", ("ssl0.ovh.net", 993, Security.SSL), ("ssl0.ovh.net", 465, Security.SSL)),
    Preset("orange", "Orange", ("imap.orange.fr", 993, Security.SSL), ("smtp.orange.fr", 465, Security.SSL)),
)


def check_name(name: str) -> str:
    name = name.strip()
    if not name or len(name) > MAX_NAME:
        raise ValidationError(f"name has 1 to {MAX_NAME} characters", field="name")
    return name


def check_server(host: str, port: int, username: str, field: str) -> tuple[str, int, str]:
    """Host, port and username of one side; `field` is `imap` or `smtp` (errors name the part)."""
    host = host.strip().rstrip(".").lower()
    if not host or len(host) > MAX_HOST or any(c.isspace() or c in "/@:" for c in host):
        raise ValidationError("a host name or IP address", field=f"{field}.host")
    if not 1 <= port <= 65535:
        raise ValidationError("a port from 1 to 65535", field=f"{field}.port")
    username = username.strip()
    if not username or len(username) > MAX_USERNAME:
        raise ValidationError(f"username has 1 to {MAX_USERNAME} characters", field=f"{field}.username")
    return host, port, username


def check_password(password: str, field: str) -> str:
    if not password or len(password) > MAX_PASSWORD:
        raise ValidationError(f"password has 1 to {MAX_PASSWORD} characters", field=f"{field}.password")
    return password


def keeps_sent(integration: Integration) -> bool:
    """Whether the provider files sent mail in Sent itself (Gmail, Microsoft 365): matched on the
    SMTP host of the presets; any other server gets an IMAP APPEND from the CRM."""
    return any(p.keeps_sent and p.smtp[0] == integration.smtp.host for p in PRESETS)
