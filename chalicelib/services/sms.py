"""SMS from the card or the widget (SPEC SM-1) and the CRM's SMS templates (SM-3).

An SMS goes to a number or a contact (its first number), from a text or a template; it lands in
the contact's feed. A number nobody has becomes a lead when the telephony settings say so (TE-4).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from chalicelib.domain.contacts import Contact, FeedEntry, FeedKind, LeadSource, can_see
from chalicelib.domain.errors import (
    ConflictError,
    NotFoundError,
    UnavailableError,
    ValidationError,
    check_version,
)
from chalicelib.domain.ids import new_id
from chalicelib.domain.rights import Access
from chalicelib.domain.sms import MAX_TEMPLATES, SmsTemplate, check_text, check_title
from chalicelib.domain.telephony import CallDirection, dial_number, number_lead
from chalicelib.ports.failures import SmsOutcomeUnknownError, SmsRejectedError

if TYPE_CHECKING:
    from chalicelib.domain.actor import Actor
    from chalicelib.domain.paging import Page
    from chalicelib.ports.outside import Clock, SmsSender
    from chalicelib.ports.storage import Contacts, Storage


@dataclass(frozen=True, slots=True)
class SentSms:
    id: str  # the feed entry's id
    to: str
    contact_id: str | None
    text: str
    parts: int
    message_id: str | None


class SmsService:
    def __init__(self, storage: Storage, clock: Clock, sender: SmsSender) -> None:
        self._storage = storage
        self._clock = clock
        self._sender = sender

    def send(
        self,
        actor: Actor,
        *,
        to: str | None = None,
        contact_id: str | None = None,
        text: str | None = None,
        template_id: str | None = None,
    ) -> SentSms:
        crm = self._storage.crms.get(actor.tenant_id)
        if crm is None:
            raise NotFoundError("no such CRM")
        repo = self._storage.contacts(actor.tenant_id)
        contact: Contact | None = None
        if contact_id:
            contact = repo.get(contact_id)
            if contact is None or not can_see(actor, contact):
                raise ValidationError("no such client or lead in this CRM", field="contact_id")
        if to is None:
            if contact is None or not contact.phones:
                raise ValidationError("give a number, or a contact that has one", field="to")
            number = contact.phones[0].phone
        else:
            number = dial_number(to, crm.country, without_country_code=crm.telephony.dial_without_country_code)
        lead_wanted = False
        if contact is None:
            owner = repo.owner_of_phone(number)
            found = repo.get(owner) if owner else None
            contact = found if found is not None and can_see(actor, found) else None
            lead_wanted = found is None and crm.telephony.auto_lead(CallDirection.OUTGOING, sms=True)
        body = self._text(actor, text, template_id, contact)  # {name}: the contact, once known
        try:
            receipt = self._sender.send(actor.tenant_id, number, body)
        except SmsRejectedError as exc:
            raise ConflictError(f"the SMS was refused: {exc}", field="to") from None
        except SmsOutcomeUnknownError:
            raise UnavailableError("the SMS provider did not answer: the SMS may have been sent") from None
        if lead_wanted:  # only once the SMS is out: a refused one leaves nothing behind
            contact = self._lead(actor, repo, number)
        now = self._clock()
        entry = FeedEntry(
            id=new_id(),
            kind=FeedKind.SMS,
            time=now,
            user_id=actor.user_id,
            text=body,
            data={"direction": "outgoing", "phone": number, "status": "sent", "message_id": receipt.message_id},
        )
        if contact is not None:
            repo.add_entry(contact.id, entry)
        return SentSms(entry.id, number, contact.id if contact else None, body, receipt.parts, receipt.message_id)

    def _text(self, actor: Actor, text: str | None, template_id: str | None, contact: Contact | None) -> str:
        if (text is None) == (template_id is None):
            raise ValidationError("give either a text or a template", field="text")
        if template_id is not None:
            try:
                template = self._template(actor, template_id)
            except NotFoundError:
                raise ValidationError("no such SMS template in this CRM", field="template_id") from None
            return check_text(template.render(contact.name if contact else None))
        if text is None:  # unreachable: exactly one of the two was given (checked above)
            raise RuntimeError("an SMS needs a text or a template")
        return check_text(text)

    def _lead(self, actor: Actor, repo: Contacts, number: str) -> Contact | None:
        """A lead for a number nobody has, assigned to the sender (TE-4, outgoing SMS)."""
        lead, created = number_lead(
            number, owner=actor.user_id, source=LeadSource.SMS.value, now=self._clock(), created_by=actor.user_id
        )
        return repo.create_or_find(lead, [created])[0]

    # --- templates (SM-3) ------------------------------------------------------------------------

    def templates(self, actor: Actor, *, limit: int, cursor: str | None) -> Page[SmsTemplate]:
        """A page of the CRM's SMS templates in creation order."""
        actor.require(Access.ANY_USER)
        return self._storage.sms_templates(actor.tenant_id).page(limit=limit, cursor=cursor)

    def create_template(self, actor: Actor, title: str, text: str) -> SmsTemplate:
        actor.require(Access.ADMIN)
        repo = self._storage.sms_templates(actor.tenant_id)
        if len(repo.list_all()) >= MAX_TEMPLATES:
            raise ConflictError(f"a CRM has at most {MAX_TEMPLATES} SMS templates")
        template = SmsTemplate(new_id(), check_title(title), check_text(text), self._clock())
        repo.create(template)
        return template

    def update_template(
        self, actor: Actor, template_id: str, version: int | None, title: str | None, text: str | None
    ) -> SmsTemplate:
        actor.require(Access.ADMIN)
        before = self._template(actor, template_id)
        check_version(version, before.version, "template")
        after = replace(
            before,
            title=check_title(title) if title is not None else before.title,
            text=check_text(text) if text is not None else before.text,
        )
        return self._storage.sms_templates(actor.tenant_id).save(before, after)

    def delete_template(self, actor: Actor, template_id: str) -> None:
        actor.require(Access.ADMIN)
        self._storage.sms_templates(actor.tenant_id).delete(self._template(actor, template_id))

    def _template(self, actor: Actor, template_id: str) -> SmsTemplate:
        template = self._storage.sms_templates(actor.tenant_id).get(template_id)
        if template is None:
            raise NotFoundError("no such SMS template in this CRM")
        return template
