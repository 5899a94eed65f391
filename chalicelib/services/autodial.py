"""Autodial call lists (SPEC AD-1..5), driven by the Autodial state machine.

The API builds a list (contacts' numbers, all or the first per ST-4, or raw numbers) and starts
a run; the run's steps are `next_number`, `dial` (waits, with a task token, for the PBX's end
of call: `call_ended`, from the webhook), and `record`. Pause stops a run before its next
number; resume starts a new run where it was; cancel stops it (the call being dialled is let
go). Each run carries its number, so a superseded run ends instead of dialling.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, NamedTuple

from chalicelib.domain.autodial import (
    INTERRUPTED,
    MAX_NUMBERS,
    CallList,
    CallListStatus,
    ListItem,
    Outcome,
)
from chalicelib.domain.errors import ConflictError, NotFoundError, UnavailableError, ValidationError
from chalicelib.domain.ids import new_id
from chalicelib.domain.telephony import CallStatus, dial_number, number_lead
from chalicelib.observability import logger
from chalicelib.ports.failures import failure_reason
from chalicelib.ports.pbx import Pbx, PbxError, PbxUnavailableError
from chalicelib.ports.queries.call_lists import ClaimResult

if TYPE_CHECKING:
    from chalicelib.domain.actor import Actor
    from chalicelib.domain.paging import Page
    from chalicelib.ports.outside import Clock, Workflows
    from chalicelib.ports.storage import Storage

AUTODIAL_MACHINE = "Autodial"


# A NamedTuple, not a dataclass: defined at a Lambda's cold start, where a dataclass costs ~10x more.
class AutodialTiming(NamedTuple):
    gap_seconds: int
    answer_timeout_seconds: int


class DialRefusedError(Exception):
    """The number could not be dialled (the PBX refused, another list dials it): it fails."""


class DialSkippedError(Exception):
    """This run must not dial (paused, canceled, superseded, or the number is taken): nothing
    is recorded, and the next step decides what happens."""


class AutodialService:
    def __init__(
        self,
        storage: Storage,
        clock: Clock,
        pbx: Pbx,
        workflows: Workflows,
        timing: AutodialTiming,
    ) -> None:
        self._storage = storage
        self._pbx = pbx
        self._workflows = workflows
        self._timing = timing
        self._clock = clock

    # --- the API ---------------------------------------------------------------------------------

    def create(self, actor: Actor, contact_ids: list[str] | None, phones: list[str] | None) -> CallList:
        """A list dialled from the caller's extension, started at once (AD-1)."""
        # The API's rights load with its first request: the autodial Lambdas run the workflow only.
        from chalicelib.domain.rights import Access

        actor.require(Access.ANY_USER)
        crm = self._storage.crms.get(actor.tenant_id)
        if crm is None:
            raise NotFoundError("no such CRM")
        if not actor.user.extension:
            raise ConflictError("you have no PBX extension: set one in your profile", field="extension")
        if bool(contact_ids) == bool(phones):
            raise ValidationError("give either contact_ids or phones", field="contact_ids")
        if self._pbx.credentials(actor.tenant_id) is None:
            raise ConflictError("the PBX API keys are not set (telephony settings)", field="pbx_api_key")
        entries: list[tuple[str, str | None]] = []
        if contact_ids:
            entries = self._contact_numbers(actor, contact_ids, crm.telephony.autodial_all_numbers)
        for i, raw in enumerate(phones or []):
            number = dial_number(raw, crm.country, without_country_code=crm.telephony.dial_without_country_code,
                                 field_name=f"phones[{i}]")  # fmt: skip
            entries.append((number, None))
        unique = list(dict.fromkeys(entries))
        if not unique:
            raise ValidationError("none of these contacts has a phone number", field="contact_ids")
        if len(unique) > MAX_NUMBERS:
            raise ValidationError(f"a call list has at most {MAX_NUMBERS} numbers", field="contact_ids")
        call_list = CallList(
            id=new_id(),
            status=CallListStatus.RUNNING,
            user_id=actor.user_id,
            extension=actor.user.extension,
            total=len(unique),
            created_at=self._clock(),
        )
        items = [ListItem(i, phone, contact_id) for i, (phone, contact_id) in enumerate(unique)]
        repo = self._storage.call_lists(actor.tenant_id)
        repo.create(call_list, items)
        try:
            self._start(actor.tenant_id, call_list)
        except UnavailableError:
            repo.set_status(call_list.id, CallListStatus.FAILED, expected=[CallListStatus.RUNNING],
                            error="the workflow could not start")  # fmt: skip
            raise
        return call_list

    def get(self, actor: Actor, list_id: str, *, limit: int, cursor: str | None) -> tuple[CallList, Page[ListItem]]:
        repo = self._storage.call_lists(actor.tenant_id)
        call_list = self._visible(actor, repo.get(list_id))
        return call_list, repo.items(list_id, limit=limit, cursor=cursor)

    def history(self, actor: Actor, *, limit: int, cursor: str | None) -> Page[CallList]:
        """Call lists newest first: an administrator's are the CRM's, anyone else's are those
        they started (the same rule as `get`)."""
        from chalicelib.domain.rights import Access

        actor.require(Access.ANY_USER)
        user_id = None if actor.is_admin else actor.user_id
        return self._storage.call_lists(actor.tenant_id).history(user_id=user_id, limit=limit, cursor=cursor)

    def pause(self, actor: Actor, list_id: str) -> CallList:
        """The run stops before its next number (the call going on is not cut)."""
        repo = self._storage.call_lists(actor.tenant_id)
        self._visible(actor, repo.get(list_id))
        paused = repo.set_status(list_id, CallListStatus.PAUSED, expected=[CallListStatus.RUNNING])
        if paused is None:
            raise ConflictError("only a running list can be paused", field="status")
        return paused

    def resume(self, actor: Actor, list_id: str) -> CallList:
        """Go on where the list was: with the run still waiting for a call's end, or a new one."""
        repo = self._storage.call_lists(actor.tenant_id)
        call_list = self._visible(actor, repo.get(list_id))
        current = repo.item(list_id, call_list.position) if call_list.position < call_list.total else None
        still_dialling = current is not None and current.outcome is Outcome.DIALING
        resumed = repo.set_status(
            list_id, CallListStatus.RUNNING, expected=[CallListStatus.PAUSED], new_run=not still_dialling
        )
        if resumed is None:
            raise ConflictError("only a paused list can be resumed", field="status")
        if not still_dialling:
            self._start(actor.tenant_id, resumed)
        return resumed

    def cancel(self, actor: Actor, list_id: str) -> CallList:
        """Stop for good; the number being dialled is let go (its outcome: cancel)."""
        repo = self._storage.call_lists(actor.tenant_id)
        self._visible(actor, repo.get(list_id))
        canceled = repo.set_status(
            list_id, CallListStatus.CANCELED, expected=[CallListStatus.RUNNING, CallListStatus.PAUSED]
        )
        if canceled is None:
            raise ConflictError("the list is not running any more", field="status")
        # Where the list is now: a dial claimed after this is refused by its claim's condition.
        current = repo.item(list_id, canceled.position) if canceled.position < canceled.total else None
        if current is not None and current.outcome is Outcome.DIALING:
            waiting = repo.awaiting(canceled.extension, current.phone)
            if waiting and waiting[0] == list_id:
                self._workflows.abort(waiting[2], "Canceled", "the call list was canceled")
                repo.forget_awaiting(canceled.extension, current.phone, waiting[2])
        return canceled

    def _visible(self, actor: Actor, call_list: CallList | None) -> CallList:
        if call_list is None or (call_list.user_id != actor.user_id and not actor.is_admin):
            raise NotFoundError("no such call list in this CRM")
        return call_list

    def _contact_numbers(self, actor: Actor, contact_ids: list[str], all_numbers: bool) -> list[tuple[str, str | None]]:
        from chalicelib.domain.contact_rights import can_see  # creating a list (the API), not running it

        ids = list(dict.fromkeys(contact_ids))
        found = {c.id: c for c in self._storage.contacts(actor.tenant_id).get_many(ids)}
        entries: list[tuple[str, str | None]] = []
        for i, contact_id in enumerate(ids):
            contact = found.get(contact_id)
            if contact is None or not can_see(actor, contact):
                raise ValidationError("no such client or lead in this CRM", field=f"contact_ids[{i}]")
            phones = [p.phone for p in contact.phones]
            entries += [(p, contact.id) for p in (phones if all_numbers else phones[:1])]
        return entries

    def _start(self, tenant_id: str, call_list: CallList) -> None:
        payload = {
            "tenant_id": tenant_id,
            "list_id": call_list.id,
            "run": call_list.run,
            "gap_seconds": self._timing.gap_seconds,
            "answer_timeout_seconds": self._timing.answer_timeout_seconds,
        }
        self._workflows.start(AUTODIAL_MACHINE, f"{tenant_id}-{call_list.id}-{call_list.run}", payload)

    # --- the workflow's steps --------------------------------------------------------------------

    def next_number(self, job: dict[str, Any]) -> dict[str, Any]:
        """The next number to dial, or why to stop: `action` dial | paused | canceled | done."""
        base = {k: job[k] for k in ("tenant_id", "list_id", "run", "gap_seconds", "answer_timeout_seconds")}
        repo = self._storage.call_lists(job["tenant_id"])
        while True:
            call_list = repo.get(job["list_id"])
            if call_list is None or call_list.run != job["run"]:
                return {**base, "action": "done"}  # gone, or superseded by a newer run
            if call_list.status is not CallListStatus.RUNNING:
                return {**base, "action": call_list.status.value}
            if call_list.position >= call_list.total:
                repo.set_status(call_list.id, CallListStatus.COMPLETED, expected=[CallListStatus.RUNNING])
                return {**base, "action": "done"}
            item = repo.item(call_list.id, call_list.position)
            if item is None:  # every position below the total has its item
                raise RuntimeError(f"call list {call_list.id} has no item at {call_list.position}")
            if item.outcome is Outcome.PENDING:
                return {**base, "action": "dial", "index": item.index, "phone": item.phone}
            # Claimed by a step that never finished: never dialled twice, reported and passed.
            repo.record(call_list, item.index, item.phone, Outcome.FAILED, reason=INTERRUPTED)

    def dial(self, event: dict[str, Any]) -> None:
        """Claim the number with the step's task token, then ask the PBX to connect the call."""
        job, token = event["job"], event["token"]
        repo = self._storage.call_lists(job["tenant_id"])
        call_list = repo.get(job["list_id"])
        if call_list is None:
            raise DialSkippedError("the list is gone")
        claimed = repo.claim(call_list, int(job["run"]), int(job["index"]), job["phone"], token)
        if claimed is ClaimResult.BUSY:
            raise DialRefusedError("another call list of this extension is dialling this number")
        if claimed is not ClaimResult.CLAIMED:
            raise DialSkippedError(f"not dialled: {claimed.value}")
        client = self._pbx.client(job["tenant_id"])
        if client is None:
            raise DialRefusedError("the PBX API keys are not set")
        try:
            client.callback(call_list.extension, job["phone"], sip=call_list.extension)
        except PbxUnavailableError as exc:
            if exc.maybe_sent:
                return  # the PBX may be connecting it: its end of call (or the timeout) decides
            raise DialRefusedError(f"the PBX could not be reached: {exc.message}") from exc
        except PbxError as exc:
            raise DialRefusedError(f"the PBX refused the call: {exc.message}") from exc

    def record(self, job: dict[str, Any]) -> dict[str, Any]:
        """The number's outcome (from the end of call, a timeout, a cancel or a refusal); AD-4."""
        base = {k: job[k] for k in ("tenant_id", "list_id", "run", "gap_seconds", "answer_timeout_seconds")}
        repo = self._storage.call_lists(job["tenant_id"])
        call_list = repo.get(job["list_id"])
        if call_list is None:
            return {**base, "gap": False}
        error = job.get("error")
        if isinstance(error, dict) and error.get("Error") == DialSkippedError.__name__:
            return {**base, "gap": False}  # nothing was dialled by this run
        outcome, reason, call_id = _outcome(job)
        index, phone = int(job["index"]), str(job["phone"])
        repo.record(call_list, index, phone, outcome, reason=reason, call_id=call_id)
        if outcome is Outcome.ANSWER:
            item = repo.item(call_list.id, index)
            if item is not None and item.contact_id is None:
                self._lead(job["tenant_id"], call_list, phone)
        return {**base, "gap": outcome.waits_before_next}

    def fail(self, job: dict[str, Any]) -> dict[str, Any]:
        reason = failure_reason(job.get("error"))
        self._storage.call_lists(job["tenant_id"]).set_status(
            job["list_id"], CallListStatus.FAILED, expected=[CallListStatus.RUNNING], error=reason
        )
        return {"status": "failed", "error": reason[:500]}

    def call_ended(self, tenant_id: str, extension: str, phone: str, status: CallStatus, call_id: str) -> bool:
        """From the PBX's NOTIFY_OUT_END: resume the autodial waiting for this call, if any."""
        repo = self._storage.call_lists(tenant_id)
        waiting = repo.awaiting(extension, phone)
        if waiting is None:
            return False
        # Resume first: if it fails for a while, the PBX's retry of this event still finds it.
        resumed = self._workflows.resume(waiting[2], {"outcome": status.value, "call_id": call_id})
        repo.forget_awaiting(extension, phone, waiting[2])
        return resumed

    def _lead(self, tenant_id: str, call_list: CallList, phone: str) -> None:
        """AD-4: an unknown number that answered becomes a lead of the user who called."""
        from chalicelib.domain.contact_kinds import LeadSource  # like `number_lead`: only for an unknown number

        repo = self._storage.contacts(tenant_id)
        if repo.owner_of_phone(phone) is not None:
            return
        lead, created = number_lead(
            phone,
            owner=call_list.user_id,
            source=LeadSource.CALL_OUTGOING.value,
            now=self._clock(),
            created_by=call_list.user_id,
            call_list_id=call_list.id,
        )
        if not repo.create_or_find(lead, [created])[1]:
            return  # the call's own event made it first
        logger.info("lead created by autodial", extra={"tenant_id": tenant_id, "lead_id": lead.id})


def _outcome(job: dict[str, Any]) -> tuple[Outcome, str | None, str | None]:
    """(outcome, reason, call id) of a dial step: its result, or the error it ended with."""
    result = job.get("result")
    if isinstance(result, dict) and result.get("outcome"):
        try:
            return Outcome(result["outcome"]), None, result.get("call_id")
        except ValueError:
            return Outcome.FAILED, f"unknown outcome {result['outcome']!r}", result.get("call_id")
    error = job.get("error")
    if not isinstance(error, dict):
        error = {}
    name = str(error.get("Error", ""))
    if name == "States.Timeout":
        return Outcome.FAILED, "the PBX never said how the call ended", None
    if name == "Canceled":
        return Outcome.CANCEL, "the call list was canceled", None
    return Outcome.FAILED, failure_reason(error or "the call could not be made")[:300], None
