"""Website forms (SPEC LD-4, API-1): a lead posted with an API key from a web page.

- The lead lands in the unsorted pool (`lead_source: form`), created by the key's owner; its UTM
  values become source tags (created on first use).
- A returning person (a phone or an email a client or lead of the CRM already has) gets a feed
  entry on that contact instead of a second lead: `created` is False.
- A key's allowed origins are checked against the browser's `Origin` (a request without one
  comes from a server and is not a browser's).
- The honeypot (`_gotcha`, a field people never see) filled: a bot. The answer looks like a new
  lead, but nothing is written.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from chalicelib.domain.contacts import (
    ChannelType,
    Contact,
    ContactKind,
    Email,
    FeedEntry,
    FeedKind,
    LeadSource,
    LeadStatus,
    Phone,
    check_contact_name,
    normalize_emails,
    normalize_phones,
)
from chalicelib.domain.errors import DuplicateError, ForbiddenError, ValidationError
from chalicelib.domain.ids import new_id
from chalicelib.domain.sources import SourceParam
from chalicelib.services.contacts import ContactInput

if TYPE_CHECKING:
    from chalicelib.domain.actor import Actor
    from chalicelib.domain.api_keys import ApiKey
    from chalicelib.ports.outside import Clock
    from chalicelib.ports.storage import Storage
    from chalicelib.services.contacts import ContactService
    from chalicelib.services.sources import SourceTagService

UTM_PARAMS = (
    SourceParam.UTM_SOURCE,
    SourceParam.UTM_MEDIUM,
    SourceParam.UTM_CAMPAIGN,
    SourceParam.UTM_CONTENT,
    SourceParam.UTM_TERM,
)


@dataclass(frozen=True, slots=True)
class FormInput:
    name: str
    phone: str | None = None
    email: str | None = None
    comment: str | None = None
    utm: tuple[tuple[SourceParam, str], ...] = ()
    honeypot: str | None = None


@dataclass(frozen=True, slots=True)
class FormResult:
    contact: Contact
    created: bool  # False: a returning person, the entry added to their contact


class FormService:
    def __init__(self, storage: Storage, clock: Clock, contacts: ContactService, sources: SourceTagService) -> None:
        self._storage = storage
        self._clock = clock
        self._contacts = contacts
        self._sources = sources

    def submit(self, actor: Actor, key: ApiKey | None, origin: str | None, data: FormInput) -> FormResult:
        """`key`: the API key the form was posted with (None: a user's token, no origin list)."""
        if key is not None and not key.allows_origin(origin):
            raise ForbiddenError(f"this key does not accept forms from {origin}", field="Origin")
        name = check_contact_name(data.name)
        if not data.phone and not data.email:
            raise ValidationError("a phone or an email is required", field="phone")
        crm = self._storage.crms.get(actor.tenant_id)
        phones = normalize_phones([(data.phone, ChannelType.OTHER)], crm.country if crm else None) if data.phone else ()
        emails = normalize_emails([(data.email, ChannelType.OTHER)]) if data.email else ()
        if data.honeypot:
            return FormResult(self._decoy(actor, name, phones, emails, data), created=True)
        existing = self._returning(actor, [p.phone for p in phones], [e.email for e in emails])
        if existing is not None:
            return FormResult(self._add_entry(actor, existing, data), created=False)
        source_tag_ids = [self._sources.ensure(actor.tenant_id, param, value) for param, value in data.utm]
        entry = ContactInput(
            name=name,
            phones=[(p.phone, ChannelType.OTHER) for p in phones],
            emails=[(e.email, ChannelType.OTHER) for e in emails],
            comment=data.comment,
            source_tag_ids=source_tag_ids,
        )
        try:
            lead = self._contacts.create(actor, ContactKind.LEAD, entry, unsorted=True, lead_source=LeadSource.FORM)
        except DuplicateError as exc:  # the same person posting twice at once: the first one won
            contact = self._storage.contacts(actor.tenant_id).get(exc.existing_id)
            if contact is None:
                raise
            return FormResult(self._add_entry(actor, contact, data), created=False)
        return FormResult(lead, created=True)

    def _returning(self, actor: Actor, phones: list[str], emails: list[str]) -> Contact | None:
        """The client or lead that already has one of these values (AP18: one GetItem each)."""
        repo = self._storage.contacts(actor.tenant_id)
        for owner in [*(repo.owner_of_phone(p) for p in phones), *(repo.owner_of_email(e) for e in emails)]:
            contact = repo.get(owner) if owner else None
            if contact is not None:
                return contact
        return None

    def _add_entry(self, actor: Actor, contact: Contact, data: FormInput) -> Contact:
        details = {"name": data.name, "phone": data.phone, "email": data.email, "comment": data.comment}
        entry = FeedEntry(
            id=new_id(),
            kind=FeedKind.EVENT,
            time=self._clock(),
            user_id=actor.user_id,
            text=data.comment,
            data={
                "event": "form_submitted",
                **{k: v for k, v in details.items() if v},
                **{param.value: value for param, value in data.utm},
            },
        )
        self._storage.contacts(actor.tenant_id).add_entry(contact.id, entry)
        return contact

    def _decoy(
        self, actor: Actor, name: str, phones: tuple[Phone, ...], emails: tuple[Email, ...], data: FormInput
    ) -> Contact:
        """What a new lead would look like; never stored."""
        now = self._clock()
        return Contact(
            id=new_id(),
            kind=ContactKind.LEAD,
            name=name,
            created_at=now,
            created_by=actor.user_id,
            updated_at=now,
            phones=phones,
            emails=emails,
            comment=(data.comment or "").strip() or None,
            lead_status=LeadStatus.NOT_PROCESSED,
            lead_source=LeadSource.FORM,
        )
