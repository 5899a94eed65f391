"""The one way services tell a user something (the notification center, NT-1).

Producers (contacts, tasks, the due worker, PBX events, imports) get a `Notifier` through
their constructor (wired in `bootstrap.py`) and call it after their own write has committed.
A notification never fails the business operation: the notifier logs its own failures.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from chalicelib.domain.notifications import Link, NotificationKind, Title


class Notifier(Protocol):
    def notify(
        self,
        tenant_id: str,
        user_id: str,
        kind: NotificationKind,
        title: Title,
        link: Link | None,
        *,
        by: str | None = None,
        at: datetime | None = None,
        once: str | None = None,
    ) -> None:
        """Tell `user_id` (unless `by`, the user who acted, is that user; unless the user is not
        active), with `title` in their language. `at`: the event's time (default now); `once`: a
        key making a repeated event (a webhook delivered twice, a retried step) one notification.
        Never raises."""


class NoNotifier:
    """Tells nobody (services built without the notification center, e.g. in a test)."""

    def notify(
        self,
        tenant_id: str,
        user_id: str,
        kind: NotificationKind,
        title: Title,
        link: Link | None,
        *,
        by: str | None = None,
        at: datetime | None = None,
        once: str | None = None,
    ) -> None:
        return None
