"""The one list of non-HTTP Lambdas and state machines.

CDK (`infra/stacks`) deploys exactly this list, and the local stack (`infra/local`) registers the
same functions in moto, fires the same schedules and creates the same state machines. Nothing
here imports a handler, so reading the registry is cheap.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from infra.shared import STATE_MACHINES_DIR


class Access(StrEnum):
    """What a function may touch; CDK turns each into least-privilege grants."""

    TABLE_READ = "table_read"
    TABLE_WRITE = "table_write"
    USER_POOL_ADMIN = "user_pool_admin"
    TENANT_SECRETS = "tenant_secrets"
    SEND_EMAIL = "send_email"
    FILES_WRITE = "files_write"
    FILES_READ = "files_read"


@dataclass(frozen=True, slots=True)
class LambdaFunction:
    name: str
    handler: str  # "module.function", importable from the repository root
    description: str
    access: frozenset[Access] = frozenset()
    schedule_minutes: int | None = None  # fired by EventBridge (AWS) / the scheduler thread (local)
    timeout_seconds: int = 60
    memory_mb: int = 256
    # Also invoked asynchronously (InvocationType=Event) by the API, not only by its schedule.
    invoked_async: bool = False

    @property
    def asynchronous(self) -> bool:
        """Nobody waits for its answer: CDK gives it retries and a dead-letter queue (a failed
        event is kept there, `python -m functions.replay_dlq` sends it again)."""
        return self.schedule_minutes is not None or self.invoked_async


@dataclass(frozen=True, slots=True)
class StateMachine:
    name: str
    file: str  # an ASL (JSONPath) file in infra/statemachines/
    # `${Placeholder}` in the file -> the name of a function above whose ARN replaces it.
    functions: dict[str, str] = field(default_factory=dict)

    def definition(self) -> str:
        return (STATE_MACHINES_DIR / self.file).read_text()


FUNCTIONS: tuple[LambdaFunction, ...] = (
    LambdaFunction(
        name="ProvisioningSweeper",
        handler="functions.provisioning.handler",
        description="Rolls back CRMs whose creation stopped half-way (e.g. a Lambda timeout)",
        access=frozenset({Access.TABLE_READ, Access.TABLE_WRITE, Access.USER_POOL_ADMIN, Access.TENANT_SECRETS}),
        schedule_minutes=15,
    ),
    LambdaFunction(
        name="DueActions",
        handler="functions.due.handler",
        description="Sends task reminders and deferred SMS when due; catches up after downtime",
        # The CRM's PBX keys (SSM) send its deferred SMS.
        access=frozenset({Access.TABLE_READ, Access.TABLE_WRITE, Access.SEND_EMAIL, Access.TENANT_SECRETS}),
        schedule_minutes=1,
    ),
    LambdaFunction(
        name="WebhookDelivery",
        handler="functions.hooks.handler",
        description="Delivers webhook events from the outbox (signed, retried with backoff) every minute",
        access=frozenset({Access.TABLE_READ, Access.TABLE_WRITE}),
        schedule_minutes=1,
    ),
    LambdaFunction(
        name="EmailPoll",
        handler="functions.email_poll.handler",
        description="Reads new mail of the mailboxes due (IMAP), into the feeds; each under a lease",
        # Mailbox passwords (SSM); bodies and attachments to S3.
        access=frozenset({Access.TABLE_READ, Access.TABLE_WRITE, Access.TENANT_SECRETS, Access.FILES_WRITE}),
        schedule_minutes=10,
        timeout_seconds=600,
        memory_mb=512,
    ),
    LambdaFunction(
        name="CalendarSync",
        handler="functions.calendar_sync.handler",
        description="Two-way Google Calendar sync of the connections due (issue 19); one user on 'sync now'",
        # Users' Google refresh tokens (SSM); notifications on a revoked grant.
        access=frozenset({Access.TABLE_READ, Access.TABLE_WRITE, Access.TENANT_SECRETS}),
        schedule_minutes=5,
        timeout_seconds=300,
        invoked_async=True,  # "sync now"
    ),
    LambdaFunction(
        name="FetchRecording",
        handler="functions.recordings.fetch",
        description="Copies a call recording from the PBX to S3 (one attempt; RecordingFetch retries)",
        access=frozenset({Access.TABLE_READ, Access.TABLE_WRITE, Access.TENANT_SECRETS, Access.FILES_WRITE}),
        timeout_seconds=120,
        memory_mb=512,
    ),
    LambdaFunction(
        name="FetchTranscript",
        handler="functions.recordings.transcript",
        description="Asks the PBX for a call's transcript (RecordingFetch asks again while it is in progress)",
        access=frozenset({Access.TABLE_READ, Access.TABLE_WRITE, Access.TENANT_SECRETS}),
    ),
    LambdaFunction(
        name="RecordingFailed",
        handler="functions.recordings.failed",
        description="Records on the call why its recording could not be copied",
        access=frozenset({Access.TABLE_READ, Access.TABLE_WRITE}),
    ),
    LambdaFunction(
        name="SendBroadcastBatch",
        handler="functions.broadcasts.send_batch",
        description="Sends one batch of an SMS broadcast through the CRM's PBX account",
        access=frozenset({Access.TABLE_READ, Access.TABLE_WRITE, Access.TENANT_SECRETS}),
        timeout_seconds=120,
    ),
    LambdaFunction(
        name="FinishBroadcast",
        handler="functions.broadcasts.finish",
        description="Closes an SMS broadcast with its report",
        access=frozenset({Access.TABLE_READ, Access.TABLE_WRITE}),
    ),
    LambdaFunction(
        name="FailBroadcast",
        handler="functions.broadcasts.fail",
        description="Records why an SMS broadcast stopped",
        access=frozenset({Access.TABLE_READ, Access.TABLE_WRITE}),
    ),
    LambdaFunction(
        name="SendEmailBatch",
        handler="functions.email_broadcasts.send_batch",
        description="Sends one batch of an email broadcast through the mailbox's SMTP server",
        access=frozenset({Access.TABLE_READ, Access.TABLE_WRITE, Access.TENANT_SECRETS, Access.FILES_WRITE}),
        # 10 messages over one connection, each SMTP step under a 20 s socket timeout.
        timeout_seconds=300,
    ),
    LambdaFunction(
        name="FinishEmailBroadcast",
        handler="functions.email_broadcasts.finish",
        description="Closes an email broadcast with its report",
        access=frozenset({Access.TABLE_READ, Access.TABLE_WRITE}),
    ),
    LambdaFunction(
        name="FailEmailBroadcast",
        handler="functions.email_broadcasts.fail",
        description="Records why an email broadcast stopped",
        access=frozenset({Access.TABLE_READ, Access.TABLE_WRITE}),
    ),
    LambdaFunction(
        name="AutodialNext",
        handler="functions.autodial.next_number",
        description="The next number of a call list, or why the run stops",
        access=frozenset({Access.TABLE_READ, Access.TABLE_WRITE}),
    ),
    LambdaFunction(
        name="AutodialDial",
        handler="functions.autodial.dial",
        description="Claims a call list's number and asks the PBX to connect the call",
        access=frozenset({Access.TABLE_READ, Access.TABLE_WRITE, Access.TENANT_SECRETS}),
    ),
    LambdaFunction(
        name="AutodialRecord",
        handler="functions.autodial.record",
        description="Records how an autodialled call went (and makes a lead of an unknown number that answered)",
        access=frozenset({Access.TABLE_READ, Access.TABLE_WRITE}),
    ),
    LambdaFunction(
        name="AutodialFailed",
        handler="functions.autodial.failed",
        description="Records why a call list's run stopped",
        access=frozenset({Access.TABLE_READ, Access.TABLE_WRITE}),
    ),
    LambdaFunction(
        name="ImportStep",
        handler="functions.imports.step",
        description="Reads an import's file into chunks, then imports or undoes chunks while its time lasts",
        access=frozenset({Access.TABLE_READ, Access.TABLE_WRITE, Access.FILES_READ, Access.FILES_WRITE}),
        timeout_seconds=900,
        memory_mb=1024,
    ),
    LambdaFunction(
        name="ImportFailed",
        handler="functions.imports.failed",
        description="Records why an import or its undo stopped",
        access=frozenset({Access.TABLE_READ, Access.TABLE_WRITE}),
    ),
    LambdaFunction(
        name="Reindex",
        handler="functions.maintenance.handler",
        description="Fills new indexes for data stored before an upgrade (README: Upgrading); invoke until done",
        access=frozenset({Access.TABLE_READ, Access.TABLE_WRITE}),
        timeout_seconds=900,
    ),
    LambdaFunction(
        name="ReconcileRollups",
        handler="functions.reconcile.handler",
        description="Recomputes a CRM's rollups from its records, reports (or repairs) differences; invoke by hand",
        access=frozenset({Access.TABLE_READ, Access.TABLE_WRITE}),
        timeout_seconds=900,
        memory_mb=512,
    ),
    LambdaFunction(
        name="ReconcileStep",
        handler="functions.reconcile.step",
        description="One step of a chunked rollup reconciliation: reads records while its time lasts, then compares",
        access=frozenset({Access.TABLE_READ, Access.TABLE_WRITE, Access.FILES_READ, Access.FILES_WRITE}),
        timeout_seconds=900,
        memory_mb=1024,
    ),
    LambdaFunction(
        name="ReconcileFailed",
        handler="functions.reconcile.failed",
        description="Logs why a chunked rollup reconciliation stopped (an error to alarm on)",
    ),
    LambdaFunction(
        name="ExportContacts",
        handler="functions.imports.export",
        description="Writes clients or leads with the list's filters to a CSV or XLSX file in S3",
        access=frozenset({Access.TABLE_READ, Access.TABLE_WRITE, Access.FILES_WRITE}),
        timeout_seconds=900,
        memory_mb=1024,
    ),
    LambdaFunction(
        name="ExportFailed",
        handler="functions.imports.export_failed",
        description="Records why an export stopped",
        access=frozenset({Access.TABLE_READ, Access.TABLE_WRITE}),
    ),
)

STATE_MACHINES: tuple[StateMachine, ...] = (
    StateMachine(
        name="RecordingFetch",
        file="recording.asl.json",
        functions={
            "FetchRecordingFunctionArn": "FetchRecording",
            "FetchTranscriptFunctionArn": "FetchTranscript",
            "RecordingFailedFunctionArn": "RecordingFailed",
        },
    ),
    StateMachine(
        name="SmsBroadcast",
        file="sms-broadcast.asl.json",
        functions={
            "SendBroadcastBatchFunctionArn": "SendBroadcastBatch",
            "FinishBroadcastFunctionArn": "FinishBroadcast",
            "FailBroadcastFunctionArn": "FailBroadcast",
        },
    ),
    StateMachine(
        name="EmailBroadcast",
        file="email-broadcast.asl.json",
        functions={
            "SendEmailBatchFunctionArn": "SendEmailBatch",
            "FinishEmailBroadcastFunctionArn": "FinishEmailBroadcast",
            "FailEmailBroadcastFunctionArn": "FailEmailBroadcast",
        },
    ),
    StateMachine(
        name="Autodial",
        file="autodial.asl.json",
        functions={
            "AutodialNextFunctionArn": "AutodialNext",
            "AutodialDialFunctionArn": "AutodialDial",
            "AutodialRecordFunctionArn": "AutodialRecord",
            "AutodialFailedFunctionArn": "AutodialFailed",
        },
    ),
    StateMachine(
        name="ContactImport",
        file="contact-import.asl.json",
        functions={"ImportStepFunctionArn": "ImportStep", "ImportFailedFunctionArn": "ImportFailed"},
    ),
    StateMachine(
        name="RollupRebuild",
        file="rollup-rebuild.asl.json",
        functions={"ReconcileStepFunctionArn": "ReconcileStep", "ReconcileFailedFunctionArn": "ReconcileFailed"},
    ),
    StateMachine(
        name="ContactExport",
        file="contact-export.asl.json",
        functions={"ExportContactsFunctionArn": "ExportContacts", "ExportFailedFunctionArn": "ExportFailed"},
    ),
)
