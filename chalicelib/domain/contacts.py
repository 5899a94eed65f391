"""Clients and leads (SPEC CL, LD): one contact record whose `kind` a conversion flips.

A lead is a first contact; closing it as `client` turns the same record (same id, same feed,
tasks, deals and source tags) into a client. Who may see or change a contact depends on its
kind, its responsible user and the caller's rights (SPEC ST-7).
"""

from __future__ import annotations

from dataclasses import field
from datetime import datetime
from typing import Any

from chalicelib.domain.contact_kinds import ChannelType as ChannelType
from chalicelib.domain.contact_kinds import ClientType as ClientType
from chalicelib.domain.contact_kinds import ContactKind as ContactKind
from chalicelib.domain.contact_kinds import ContactStatus as ContactStatus
from chalicelib.domain.contact_kinds import LeadSource as LeadSource
from chalicelib.domain.contact_kinds import LeadStatus as LeadStatus

# Re-exported: who may see or change a contact (`contact_rights.py`, apart for light readers).
from chalicelib.domain.contact_rights import can_see as can_see
from chalicelib.domain.contact_rights import delete_right as delete_right
from chalicelib.domain.contact_rights import edit_right as edit_right
from chalicelib.domain.errors import ValidationError

# Re-exported: the feed is a contact's (and a deal's); `feed.py` holds it apart for light writers.
from chalicelib.domain.feed import FeedEntry as FeedEntry
from chalicelib.domain.feed import FeedKind as FeedKind
from chalicelib.domain.records import record
from chalicelib.domain.text import normalize_email

# Every write of a contact is one transaction (at most 100 items, guards and index entries
# included): these bounds keep the largest contact well inside it.
MAX_PHONES = 5
MAX_EMAILS = 5
MAX_TEXT = 2000


@record(frozen=True, slots=True)
class Phone:
    """A contact's phone number and its channel."""

    phone: str  # E.164
    type: ChannelType = ChannelType.WORK


@record(frozen=True, slots=True)
class Email:
    """A contact's email address and its channel."""

    email: str  # normalised
    type: ChannelType = ChannelType.WORK


@record(frozen=True, slots=True)
class PoolSpan:
    """A time a lead spent in the unsorted pool (left: None while it is still there)."""

    entered: datetime
    left: datetime | None = None


@record(frozen=True, slots=True)
class ContactAttribution:
    """Who was responsible when things happened to a contact (the rollups count them so,
    `domain/rollups/contacts.py`): fixed when they happen, never moved by a later reassignment."""

    created_for: str | None  # responsible at creation; None: the pool
    converted_by: str | None = None  # responsible when the lead became a client
    pool_spans: tuple[PoolSpan, ...] = ()


@record(frozen=True, slots=True)
class Contact:
    """A client or a lead."""

    id: str
    kind: ContactKind
    name: str
    created_at: datetime
    created_by: str
    updated_at: datetime
    status: ContactStatus = ContactStatus.INDIVIDUAL
    type: ClientType = ClientType.POTENTIAL
    phones: tuple[Phone, ...] = ()
    emails: tuple[Email, ...] = ()
    address: str | None = None
    website: str | None = None
    comment: str | None = None
    responsible_user_id: str | None = None
    tags: tuple[str, ...] = ()
    source_tag_ids: tuple[str, ...] = ()
    properties: dict[str, Any] = field(default_factory=dict)
    lead_status: LeadStatus | None = None
    lead_source: LeadSource | None = None
    converted_at: datetime | None = None
    version: int = 1
    # Set by the storage layer at each write (`domain.rollups.contacts.attribute_contact`); None on
    # records stored before rollups (they count for their current responsible user).
    # Not part of equality: bookkeeping for the rollups, not what the contact says.
    attribution: ContactAttribution | None = field(default=None, compare=False)

    @property
    def is_lead(self) -> bool:
        return self.kind is ContactKind.LEAD

    @property
    def in_pool(self) -> bool:
        """An unsorted lead: no responsible user yet, anyone may take it (LD-1, LD-2)."""
        return self.is_lead and self.responsible_user_id is None


# --- input rules -----------------------------------------------------------------------------


def normalize_phones(entries: list[tuple[str, ChannelType]], region: str | None) -> tuple[Phone, ...]:
    """E.164 numbers; local formats are read in the CRM's country; duplicates dropped."""
    import phonenumbers  # only writes of contacts need it: kept off the cold start

    if len(entries) > MAX_PHONES:
        raise ValidationError(f"at most {MAX_PHONES} phone numbers", field="phones")
    result: list[Phone] = []
    for i, (raw, kind) in enumerate(entries):
        try:
            number = phonenumbers.parse(raw, region)
        except phonenumbers.NumberParseException:
            number = None
        if number is None or not phonenumbers.is_possible_number(number):
            raise ValidationError(f"'{raw}' is not a phone number we can read", field=f"phones[{i}].phone")
        e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
        if all(p.phone != e164 for p in result):
            result.append(Phone(e164, kind))
    return tuple(result)


def normalize_emails(entries: list[tuple[str, ChannelType]]) -> tuple[Email, ...]:
    if len(entries) > MAX_EMAILS:
        raise ValidationError(f"at most {MAX_EMAILS} emails", field="emails")
    result: list[Email] = []
    for raw, kind in entries:
        email = normalize_email(raw)
        if all(e.email != email for e in result):
            result.append(Email(email, kind))
    return tuple(result)


def check_contact_name(name: str) -> str:
    name = " ".join(name.split())
    if not 1 <= len(name) <= 200:
        raise ValidationError("a name has 1 to 200 characters", field="name")
    return name
