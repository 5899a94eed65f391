"""The records as the API renders them: clients, leads, deals, tasks, calls. Their routes'
modules use them, and so does the webhook worker (a delivery's `data` is what `GET` answers),
which is why they live here, apart from the routes (no web framework on a worker's path)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import AliasChoices, Field, field_validator

from chalicelib.api.schemas import Output, UtcDateTime
from chalicelib.domain.clock import utcnow
from chalicelib.domain.contacts import LeadSource, LeadStatus
from chalicelib.domain.deals import Deal, time_in_status
from chalicelib.domain.money import format_amount, from_minor
from chalicelib.domain.telephony import Call


class PhoneOut(Output):
    phone: str
    type: str


class EmailOut(Output):
    email: str
    type: str


class ClientOut(Output):
    id: str
    name: str
    status: str
    type: str
    phones: list[PhoneOut]
    emails: list[EmailOut]
    address: str | None
    website: str | None
    comment: str | None
    responsible_user_id: str | None
    tags: list[str]
    source_tag_ids: list[str]
    properties: dict[str, Any]
    created_at: UtcDateTime
    created_by: str
    updated_at: UtcDateTime
    converted_at: UtcDateTime | None = Field(None, description="Set when the client was a lead")
    version: int


class LeadOut(ClientOut):
    lead_status: str
    lead_source: str

    @field_validator("lead_status", mode="before")
    @classmethod
    def _status_or_not_processed(cls, value: LeadStatus | str | None) -> str:
        return value or LeadStatus.NOT_PROCESSED.value

    @field_validator("lead_source", mode="before")
    @classmethod
    def _source_or_manual(cls, value: LeadSource | str | None) -> str:
        return value or LeadSource.MANUAL.value  # leads stored before sources were recorded


class MoneyOut(Output):
    amount: str
    currency: str


class DealOut(Output):
    id: str
    title: str
    client_id: str
    value: MoneyOut
    status: str
    responsible_user_id: str
    position: str = Field(description="Order key in the column (cards sort by it)")
    time_in_status: dict[str, float] = Field(description="Seconds spent in each status so far")
    created_at: UtcDateTime
    closed_at: UtcDateTime | None
    version: int

    @classmethod
    def of(cls, deal: Deal, now: datetime | None = None) -> Any:
        return cls(
            id=deal.id,
            title=deal.title,
            client_id=deal.client_id,
            value=MoneyOut(
                amount=format_amount(from_minor(deal.amount_minor, deal.currency), deal.currency),
                currency=deal.currency,
            ),
            status=deal.status.value,
            responsible_user_id=deal.responsible_user_id,
            position=deal.position,
            time_in_status=time_in_status(deal, now or utcnow()),
            created_at=deal.created_at,
            closed_at=deal.closed_at,
            version=deal.version,
        )


class TaskOut(Output):
    id: str
    type: str
    title: str
    description: str | None
    start: UtcDateTime
    end: UtcDateTime
    all_day: bool
    responsible_user_id: str
    member_ids: list[str]
    contact_ids: list[str]
    deal_id: str | None
    status: str
    completed_at: UtcDateTime | None
    completed_comment: str | None
    remind_minutes_before: int | None
    reminder_at: UtcDateTime | None = Field(
        validation_alias=AliasChoices("reminder_at", "remind_at"),  # the task's `remind_at`
        description="When the reminder email goes; null: none pending",
    )
    phone: str | None
    sms_text: str | None
    meeting_url: str | None
    sms_status: str | None = Field(description="SMS tasks: scheduled | sent | failed")
    sms_error: str | None
    created_at: UtcDateTime
    created_by: str
    updated_at: UtcDateTime
    version: int


class ContactRef(Output):
    type: str = Field(description="client | lead")
    id: str
    name: str | None


class TransferOut(Output):
    """A hand-over of the live call to a colleague from the call panel (TE-5)."""

    at: UtcDateTime
    by_user_id: str
    to_user_id: str
    to_extension: str
    attended: bool = Field(description="true: announced to the colleague first; false: blind")


class CallOut(Output):
    id: str = Field(description="The PBX's pbx_call_id")
    pbx_call_id: str
    direction: str = Field(description="incoming | outgoing | internal")
    status: str | None = Field(description="answer | noanswer | cancel | busy | failed; null while going on")
    disposition: str | None = Field(description="The PBX's own word for how it ended")
    phone: str | None = Field(description="The other party (E.164 when readable)")
    did: str | None = Field(description="Our virtual number that was called")
    extension: str | None
    user_id: str | None
    contact: ContactRef | None
    started_at: UtcDateTime
    duration_s: int | None
    has_recording: bool
    recording: str | None = Field(description="pending | ready | failed")
    transcript: str | None
    transfers: list[TransferOut] = Field(default_factory=list, description="Hand-overs to colleagues, in order")

    @classmethod
    def of(cls, call: Call) -> CallOut:
        contact = None
        if call.contact_id and call.contact_type:
            contact = ContactRef(type=call.contact_type, id=call.contact_id, name=call.contact_name)
        return cls(
            id=call.id,
            pbx_call_id=call.id,
            direction=call.direction.value,
            status=call.status.value if call.status else None,
            disposition=call.disposition,
            phone=call.phone,
            did=call.did,
            extension=call.extension,
            user_id=call.user_id,
            contact=contact,
            started_at=call.started_at,
            duration_s=call.duration_s,
            has_recording=call.has_recording,
            recording=call.recording.value if call.recording else None,
            transcript=call.transcript,
            transfers=[
                TransferOut(
                    at=t.at,
                    by_user_id=t.by_user_id,
                    to_user_id=t.to_user_id,
                    to_extension=t.to_extension,
                    attended=t.attended,
                )
                for t in call.transfers
            ],
        )


# --- the webhook worker's rendering --------------------------------------------------------------


def render_record(record_type: str, record: Any) -> Any:
    """A domain record as its GET renders it."""
    if record_type == "contact":
        model = LeadOut if record.is_lead else ClientOut
        return model.model_validate(record).model_dump(mode="json")
    if record_type == "deal":
        return DealOut.of(record).model_dump(mode="json")
    if record_type == "task":
        return TaskOut.model_validate(record).model_dump(mode="json")
    return CallOut.of(record).model_dump(mode="json")


def render_stored(tenant_id: str, record_type: str, stored: Any) -> Any:
    """An outbox record (domain.hooks.encode) as its GET renders it: the worker's renderer."""
    from chalicelib.domain.contacts import Contact
    from chalicelib.domain.deals import Deal
    from chalicelib.domain.hooks import decode
    from chalicelib.domain.tasks import Task
    from chalicelib.domain.telephony import Call

    types: dict[str, type[Any]] = {"contact": Contact, "deal": Deal, "task": Task, "call": Call}
    return render_record(record_type, decode(types[record_type], stored))
