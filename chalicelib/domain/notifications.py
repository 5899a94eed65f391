"""The notification center (NT-1): what a user is told, and what of it they have read.

A notification belongs to one user. Its id is a ULID made from its time, so ids sort by time
and the time of an id is known without reading it. It is read when it was marked read itself,
or when it is not newer than the user's "read up to" watermark (`mark all read` moves only
that), or once it has left the RETENTION window (DynamoDB's TTL then deletes it).

The unread count is kept per UTC day of the notifications' times (`Inbox.unread_by_day`), so
that what the TTL deletes leaves the count with it: only the days of the window are summed.
docs/data-model.md ("Notifications") describes the storage.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import field
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum

from chalicelib.domain.records import record

# How long a notification is kept: it is shown while its UTC day is in the last RETENTION
# days, and DynamoDB deletes it after that day has left the window (`expires_at`).
RETENTION = timedelta(days=90)
MAX_TITLE = 200
# The most ids one `POST /v1/notifications/read` takes.
MAX_READ_IDS = 100


class NotificationKind(StrEnum):
    """API.md "Notifications" (the web app labels each kind; the title is in the user's language)."""

    LEAD_ASSIGNED = "lead_assigned"
    TASK_ASSIGNED = "task_assigned"
    TASK_DUE = "task_due"
    MISSED_CALL = "missed_call"
    EMAIL_RECEIVED = "email_received"
    IMPORT_FINISHED = "import_finished"
    INTEGRATION_ERROR = "integration_error"


class LinkType(StrEnum):
    CLIENT = "client"
    LEAD = "lead"
    DEAL = "deal"
    TASK = "task"
    CALL = "call"
    IMPORT = "import"


@record(frozen=True, slots=True)
class Link:
    """The record a notification opens."""

    type: LinkType
    id: str


@record(frozen=True, slots=True)
class Notification:
    """A user's notification."""

    id: str
    user_id: str
    kind: NotificationKind
    time: datetime
    title: str
    link: Link | None = None
    # Marked read on its own (`POST /read` with its id); see `Inbox.is_read` for the whole rule.
    marked_read: bool = False


@record(frozen=True, slots=True)
class Inbox:
    """A user's unread state: one item, one GetItem."""

    read_before: datetime | None = None  # "mark all read": everything up to this time is read
    unread_by_day: Mapping[date, int] = field(default_factory=dict)

    def unread(self, now: datetime) -> int:
        first = first_day(now)
        return max(0, sum(n for day, n in self.unread_by_day.items() if day >= first))

    def stale_days(self, now: datetime) -> list[date]:
        """Days counted that have left the window (their notifications are gone)."""
        first = first_day(now)
        return sorted(day for day in self.unread_by_day if day < first)

    def is_read(self, notification: Notification, now: datetime) -> bool:
        return (
            notification.marked_read
            or (self.read_before is not None and notification.time <= self.read_before)
            or notification.time.date() < first_day(now)
        )

    def unread_since(self, now: datetime) -> datetime:
        """The unread notifications are those after this time (not read one by one)."""
        start = window_start(now)
        if self.read_before is not None and self.read_before >= start:
            return self.read_before + timedelta(milliseconds=1)
        return start


def first_day(now: datetime) -> date:
    """The oldest UTC day whose notifications are still shown."""
    return (now.astimezone(UTC) - RETENTION).date()


def window_start(now: datetime) -> datetime:
    return datetime.combine(first_day(now), time(), tzinfo=UTC)


def expires_at(moment: datetime) -> datetime:
    """When DynamoDB may delete a notification of this time: once its day has left the window."""
    return datetime.combine(moment.astimezone(UTC).date() + RETENTION + timedelta(days=1), time(), tzinfo=UTC)


def to_millis(moment: datetime) -> datetime:
    """Notification times and the watermark are kept to the millisecond (a ULID's precision)."""
    moment = moment.astimezone(UTC)
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


def notification_id(moment: datetime, key: str) -> str:
    """A ULID of `moment` (ms) whose random part comes from `key`: a fresh key for each new
    notification, or a stable one (`once`) so a repeated event makes the same id."""
    from ulid import ULID

    millis = int(to_millis(moment).timestamp() * 1000).to_bytes(6, "big")
    return str(ULID.from_bytes(millis + hashlib.sha256(key.encode()).digest()[:10]))


def id_bound(moment: datetime, *, high: bool) -> str:
    """The lowest (or highest) id a notification of this millisecond can have: the key bound
    of a time range."""
    from ulid import ULID

    millis = int(to_millis(moment).timestamp() * 1000).to_bytes(6, "big")
    return str(ULID.from_bytes(millis + (b"\xff" if high else b"\x00") * 10))


def time_of(notification_id: str) -> datetime | None:
    """The time a notification id encodes; None for a string that is not a ULID."""
    from ulid import ULID

    if len(notification_id) != 26:
        return None
    try:
        return ULID.from_str(notification_id.upper()).datetime.astimezone(UTC)
    except ValueError:
        return None


def clip_title(title: str) -> str:
    title = " ".join(title.split())
    return title if len(title) <= MAX_TITLE else title[: MAX_TITLE - 1] + "\u2026"


# --- titles: written in the recipient's language (the profile's `language`) -------------------


@record(frozen=True, slots=True)
class Title:
    """A notification's title in each language the web app speaks; the notification center
    stores it in the recipient's, which it reads anyway to check they are active."""

    en: str
    fr: str

    def in_language(self, language: str | None) -> str:
        return clip_title(self.fr if (language or "").lower().startswith("fr") else self.en)


def plain_title(text: str) -> Title:
    """A title that is the same in every language (a provider's own error message)."""
    return Title(text, text)


def lead_assigned_title(lead_name: str) -> Title:
    return Title(f"Lead assigned to you: {lead_name}", f"Prospect qui vous est attribué : {lead_name}")


def webhook_disabled_title(event: str, url: str) -> Title:
    return Title(
        f"Webhook disabled after days of failed deliveries: {event} to {url}",
        f"Webhook désactivé après plusieurs jours d'échecs : {event} vers {url}",
    )


def task_assigned_title(task_title: str) -> Title:
    return Title(f"Task assigned to you: {task_title}", f"Tâche qui vous est attribuée : {task_title}")


def task_due_title(task_title: str, *, late: bool) -> Title:
    if late:
        return Title(f"Overdue: {task_title}", f"En retard : {task_title}")
    return Title(f"Due soon: {task_title}", f"Bientôt : {task_title}")


def missed_call_title(caller: str | None) -> Title:
    if caller:
        return Title(f"Missed call from {caller}", f"Appel manqué de {caller}")
    return Title("Missed call from an unknown number", "Appel manqué d'un numéro inconnu")


def import_finished_title(filename: str, *, failed: bool) -> Title:
    if failed:
        return Title(f"Import of {filename} failed", f"Échec de l'import de {filename}")
    return Title(f"Import of {filename} finished", f"Import de {filename} terminé")


def email_received_title(sender: str, subject: str) -> Title:
    about = f": {subject}" if subject else ""
    return Title(f"New email from {sender}{about}", f"Nouvel e-mail de {sender}{about}")


def mailbox_error_title(mailbox: str, reason: str) -> Title:
    return Title(f"Mailbox {mailbox} cannot be read: {reason}", f"La boîte {mailbox} est illisible : {reason}")
