"""The due-actions worker (TK-4, SM-4): task reminders by email and deferred SMS, on time, once;
and, at a task's end, marking it overdue if it is not done (the rollups count it).

A scheduled function runs `DueWorker.run` every minute. Each run reads the hours from the
watermark (the oldest hour that may still hold work) to now, one Query per hour, so a run after
downtime catches up on everything it missed (up to CATCH_UP back). Each action is claimed with
a conditional update (a lease) before it fires: two runs at once, or a run repeated, fire it
once. A failure gives it back with a backoff; after MAX_ATTEMPTS it is dropped and, for an SMS,
the failure is written to the task and the linked contacts' feeds.

The one gap left is a crash between the provider accepting an SMS and the run recording it: the
lease then expires and the SMS is sent again. The SMS API has no idempotency key to close it.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from chalicelib.domain.errors import StaleVersionError, UnavailableError
from chalicelib.domain.tasks import SMS_MAX_LATENESS, DueKind, SmsState, Task, TaskStatus, due_hour, mark_overdue
from chalicelib.observability import logger
from chalicelib.ports.failures import SmsOutcomeUnknownError, SmsRejectedError
from chalicelib.ports.notifications import NoNotifier, Notifier

if TYPE_CHECKING:
    from chalicelib.ports.outside import Clock, Mailer, SmsSender
    from chalicelib.ports.queries.tasks import DueRecord
    from chalicelib.ports.storage import Storage

LEASE = timedelta(minutes=5)
MAX_ATTEMPTS = 5
# How far back a run looks when the watermark is missing or older (a very long outage).
CATCH_UP = timedelta(days=7)
FIRST_RUN_LOOKBACK = timedelta(hours=1)
WRITE_MARGIN = timedelta(minutes=5)


@dataclass(slots=True)
class RunReport:
    hours: int = 0
    fired: int = 0  # reminders and SMS
    overdue: int = 0  # tasks marked overdue at their end
    dropped: int = 0  # no longer wanted (task moved, completed or deleted)
    retried: int = 0
    failed: int = 0  # given up after MAX_ATTEMPTS, or refused for good
    busy: int = 0  # held by another run
    out_of_time: bool = False  # stopped early; the next run goes on
    errors: list[str] = field(default_factory=list)


class _RetryLaterError(Exception):
    """A transient failure: give the action back and try again later."""


class DueWorker:
    def __init__(
        self,
        storage: Storage,
        clock: Clock,
        mailer: Mailer,
        sms: SmsSender,
        app_url: str,
        *,
        notifier: Notifier | None = None,
    ) -> None:
        self._notifier = notifier or NoNotifier()
        self._storage = storage
        self._due = storage.due_actions
        self._clock = clock
        self._mailer = mailer
        self._sms = sms
        self._app_url = app_url

    def run(self, time_budget: float | None = None) -> RunReport:
        """Fire what is due; with a `time_budget` (seconds), stop claiming once it is spent and
        leave the rest to the next run (a Lambda about to time out would strand its leases)."""
        now = self._clock()
        deadline = None if time_budget is None else time.monotonic() + time_budget
        report = RunReport()
        current = due_hour(now)
        oldest_allowed = due_hour(now - CATCH_UP)
        stored = self._due.watermark()
        start = max(stored or due_hour(now - FIRST_RUN_LOOKBACK), oldest_allowed)
        behind: datetime | None = None  # the oldest hour still holding work after this run
        for hour in _hours(start, current):
            report.hours += 1
            for record in self._due.due(hour, now):
                if deadline is not None and time.monotonic() > deadline:
                    report.out_of_time = True
                    behind = behind or hour
                    break
                if not self._handle(record, now, report):
                    behind = behind or hour
            if report.out_of_time:
                break
        # A write racing this run may schedule an action at `now` in the hour this run just left:
        # the watermark stays a few minutes behind, so the next run reads that hour again.
        watermark = min(behind or current, due_hour(now - WRITE_MARGIN))
        # Compared with what is stored, not with `start`: a first run just after the hour has
        # start == watermark and must still write it, or the next run starts from its own lookback.
        if watermark != stored:
            self._due.set_watermark(watermark)
        return report

    def _handle(self, record: DueRecord, now: datetime, report: RunReport) -> bool:
        """Claim and fire one action; False when it stays for a later run."""
        if record.claimed_until is not None and record.claimed_until > now:
            report.busy += 1
            return False
        if not self._due.claim(record, now, LEASE):
            report.busy += 1
            return False
        action = record.action
        try:
            fired = self._fire(record, now)
        except Exception as exc:  # noqa: BLE001 - one action's failure must not stop the others
            if not isinstance(exc, _RetryLaterError):
                logger.exception("due action failed", extra={"action": str(action)})
            if record.attempts + 1 >= MAX_ATTEMPTS:
                logger.error("due action given up", extra={"action": str(action), "error": str(exc)})
                self._give_up(record, now, str(exc))
                report.failed += 1
                self._due.finish(record)
                return True
            backoff = timedelta(minutes=2**record.attempts)
            self._due.release(record, str(exc), now + backoff)
            report.retried += 1
            report.errors.append(str(exc))
            return False
        self._due.finish(record)
        if fired and action.kind is DueKind.OVERDUE:
            report.overdue += 1
        elif fired:
            report.fired += 1
        else:
            report.dropped += 1
        return True

    def _fire(self, record: DueRecord, now: datetime) -> bool:
        """Do the action if its task still wants it; False if it no longer does."""
        action = record.action
        task = self._storage.tasks(action.tenant_id).get(action.task_id, consistent=True)
        if task is None or not task.wants(action):
            return False
        if action.kind is DueKind.REMIND:
            return self._remind(action.tenant_id, task, now)
        if action.kind is DueKind.OVERDUE:
            return self._mark_overdue(record, task)
        return self._send_sms(action.tenant_id, task, now)

    def _mark_overdue(self, record: DueRecord, task: Task) -> bool:
        """The task's end has come and it is not done: mark it overdue through the normal task
        write (the rollups' delta goes in the same transaction). Fired twice, or after the task
        was completed or moved, it finds nothing to do (`Task.wants`, `mark_overdue`)."""
        action = record.action
        repo = self._storage.tasks(action.tenant_id)
        for _ in range(3):
            marked = mark_overdue(task)
            if marked is None:
                return False
            try:
                repo.save_changes(task, marked)  # updated_at kept: bookkeeping, not an edit
                return True
            except StaleVersionError:
                fresh = repo.get(task.id, consistent=True)
                if fresh is None or not fresh.wants(action):
                    return False
                task = fresh
        raise _RetryLaterError(f"task {task.id} kept changing while being marked overdue")

    def _remind(self, tenant_id: str, task: Task, now: datetime) -> bool:
        # Here, not at the top: most runs remind nobody, and a cold start need not load it.
        from zoneinfo import ZoneInfo

        from chalicelib.domain.notifications import Link, LinkType, NotificationKind, task_due_title

        user = self._storage.users(tenant_id).get(task.responsible_user_id)
        crm = self._storage.crms.get(tenant_id)
        if user is None or not user.active or crm is None:
            return False
        tz = ZoneInfo(user.timezone or crm.timezone)
        when = task.start.astimezone(tz)
        late = task.start <= now
        # In the app too; `once`: a run retried after a failed email does not notify again.
        self._notifier.notify(
            tenant_id, user.id, NotificationKind.TASK_DUE, task_due_title(task.title, late=late),
            Link(LinkType.TASK, task.id), at=task.remind_at or now, once=f"{task.id}:{task.remind_at}",
        )  # fmt: skip
        subject = f"{'Overdue' if late else 'Reminder'}: {task.title} at {when:%H:%M} ({when:%a %d %b})"
        lines = [
            f"{task.title}",
            f"{'Was due' if late else 'Due'}: {when:%A %d %B %Y, %H:%M} ({tz.key})",
            f"Type: {task.type.value}",
        ]
        if task.phone:
            lines.append(f"Phone: {task.phone}")
        if task.meeting_url:
            lines.append(f"Meeting link: {task.meeting_url}")
        if task.description:
            lines += ["", task.description]
        lines += ["", f"Open the task: {self._app_url}/tasks/{task.id}"]
        try:
            self._mailer.send(user.email, subject, "\n".join(lines))
        except UnavailableError as exc:
            raise _RetryLaterError(f"the reminder email could not be sent: {exc}") from exc
        return True

    def _send_sms(self, tenant_id: str, task: Task, now: datetime) -> bool:
        if task.sms_at is None:  # only a task that wants an SMS is sent one
            raise RuntimeError(f"task {task.id} has no SMS time")
        if now - task.sms_at > SMS_MAX_LATENESS:
            late_by = int((now - task.sms_at).total_seconds() // 60)
            self._record_sms(tenant_id, task, now, None, f"not sent: {late_by} minutes after its time")
            return True
        if task.phone is None or task.sms_text is None:  # an SMS task always has a phone and a text
            raise RuntimeError(f"SMS task {task.id} has no phone or no text")
        try:
            receipt = self._sms.send(tenant_id, task.phone, task.sms_text)
        except SmsRejectedError as exc:
            self._record_sms(tenant_id, task, now, None, f"refused by the provider: {exc}")
            return True
        except SmsOutcomeUnknownError as exc:
            self._record_sms(tenant_id, task, now, None, f"outcome unknown, not sent again: {exc}")
            return True
        except UnavailableError as exc:
            raise _RetryLaterError(f"the SMS provider is unavailable: {exc}") from exc
        try:
            self._record_sms(tenant_id, task, now, receipt.message_id, None)
        except Exception:  # noqa: BLE001 - the SMS is out: never send it again for a bookkeeping error
            logger.exception("SMS sent but not recorded", extra={"task_id": task.id})
        return True

    def _give_up(self, record: DueRecord, now: datetime, error: str) -> None:
        if record.action.kind is not DueKind.SMS:
            return
        task = self._storage.tasks(record.action.tenant_id).get(record.action.task_id, consistent=True)
        if task is not None and task.wants(record.action):
            reason = f"not sent after {MAX_ATTEMPTS} attempts: {error}"
            self._record_sms(record.action.tenant_id, task, now, None, reason)

    def _record_sms(self, tenant_id: str, task: Task, now: datetime, message_id: str | None, error: str | None) -> None:
        """The outcome on the task (sent: done) and in the linked contacts' feeds, at once.

        A user may edit the task at the same moment: the write is retried on a fresh read, so
        the outcome is never lost to a version conflict.
        """
        # Here, not at the top: few runs send an SMS (the feed lines load with the first one).
        from chalicelib.domain.feed import FeedKind
        from chalicelib.services.task_feed import task_feed_writes

        repo = self._storage.tasks(tenant_id)
        for _ in range(3):
            if error is None:
                sent = replace(task, sms_status=SmsState.SENT, sms_error=None, status=TaskStatus.DONE, completed_at=now)
                after = sent.with_schedule(task, now)
            else:
                after = replace(task, sms_status=SmsState.FAILED, sms_error=error, sms_at=None)
            data = {
                "event": "sms_sent" if error is None else "sms_failed",
                "direction": "outgoing",
                "phone": task.phone,
                "text": task.sms_text,
                "message_id": message_id,
                "reason": error,
            }
            feed = task_feed_writes(
                self._storage, tenant_id, None, after, now, data, after.contact_ids, after.deal_id, FeedKind.SMS
            )
            try:
                repo.save_changes(task, replace(after, updated_at=now), feed)
                return
            except StaleVersionError:
                fresh = repo.get(task.id, consistent=True)
                if fresh is None:
                    return
                task = fresh
        logger.error("SMS outcome not recorded on the task", extra={"task_id": task.id, "error": error})


def _hours(first: datetime, last: datetime) -> list[datetime]:
    """Every hour from `first` to `last` (starts of hours), inclusive."""
    hours = []
    while first <= last:
        hours.append(first)
        first += timedelta(hours=1)
    return hours
