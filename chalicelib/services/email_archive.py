"""The email archive (EM-2, EM-3, EM-6, CL-7, DE-4, NT-1): one message in, kept once, in the feeds.

`store` parses the raw bytes, drops excluded mail (EM-6), keeps bodies and attachments in the
file store (size caps), and writes the email, its Message-ID guard and its feed lines (every
client/lead whose address it involves, the contact given, the deal given or the thread's) in one
transaction: storing a message twice stores nothing. Then the auto-leads (EM-3: one lead per
address, the contact guard AP18 decides between concurrent creations) and the notification of
the responsible user (incoming mail).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from chalicelib.domain.contacts import Contact, ContactKind, FeedEntry, FeedKind, LeadSource, LeadStatus
from chalicelib.domain.contacts import Email as ContactEmail
from chalicelib.domain.email.html import sanitize_html
from chalicelib.domain.email.message import ParsedMessage, attachment_parts, parse
from chalicelib.domain.email.rules import LeadMode, decide_leads, message_excluded
from chalicelib.domain.email.threads import own_id, thread_root
from chalicelib.domain.emails import (
    MAX_ATTACHMENT_BYTES,
    MAX_ATTACHMENTS,
    MAX_ATTACHMENTS_BYTES,
    MAX_FEEDS,
    MAX_TEXT_IN_RECORD,
    Attachment,
    ContactRef,
    Direction,
    Email,
    MessageGuard,
    feed_data,
    message_key,
    safe_filename,
    snippet,
)
from chalicelib.domain.ids import derived_id, new_id
from chalicelib.ports.notifications import NoNotifier
from chalicelib.ports.writes import FeedOwner

if TYPE_CHECKING:
    from chalicelib.domain.mailboxes import Integration
    from chalicelib.ports.notifications import Notifier
    from chalicelib.ports.outside import Clock, FileStore
    from chalicelib.ports.storage import Contacts, Storage, Write

log = logging.getLogger(__name__)


def file_prefix(tenant_id: str, email_id: str) -> str:
    return f"emails/{tenant_id}/{email_id}/"


class EmailArchive:
    def __init__(self, storage: Storage, clock: Clock, files: FileStore, *, notifier: Notifier | None = None) -> None:
        self._storage = storage
        self._clock = clock
        self._files = files
        self._notifier = notifier or NoNotifier()

    def store(
        self,
        tenant_id: str,
        integration: Integration,
        raw: bytes,
        *,
        direction: Direction,
        contact: ContactRef | None = None,
        deal_id: str | None = None,
        user_id: str | None = None,
    ) -> Email | None:
        """The stored email; None for a Message-ID stored already or an excluded message.
        Unreadable bytes raise MalformedMessageError (a ValidationError)."""
        parsed = parse(raw)
        parsed = parsed._replace(text=parsed.text.replace("\r\n", "\n"))
        emails = self._storage.emails(tenant_id)
        exceptions = [e.pattern for e in emails.exceptions()]
        if message_excluded(parsed, exceptions):
            return None
        key = message_key(own_id(parsed))
        if emails.guard(key) is not None:  # stored already: no file written, nothing read further
            return None
        parent = self._parent(tenant_id, parsed)
        thread_id = thread_root(parsed, parent.thread_id if parent else None)
        if parent is None and parsed.references and parsed.references[0] != parsed.in_reply_to:
            root = emails.guard(message_key(parsed.references[0]))
            parent = root if root is not None else None
        deal_id = deal_id or (parent.deal_id if parent else None)
        contacts_repo = self._storage.contacts(tenant_id)
        addresses = [a for a in parsed.participants if a != integration.email]
        found = contacts_repo.owners([], addresses)
        owners = list(dict.fromkeys(found[("email", a)] for a in addresses if ("email", a) in found))
        if contact is not None and contact.id in owners:
            owners.remove(contact.id)
        known = contacts_repo.get_many(owners[:MAX_FEEDS]) if owners else []
        # Leads first (EM-3), so that their feeds get the message in its own transaction.
        leads = self._auto_leads(tenant_id, integration, parsed, direction, in_thread=parent is not None)
        known += [lead for lead in leads if lead.id not in {c.id for c in known}]
        refs = [ContactRef(c.kind.value, c.id) for c in known]
        if contact is not None:
            refs.insert(0, contact)
        email_id = new_id()
        now = self._clock()
        when = min(parsed.date or now, now)
        html_key, text_key, attachments = self._files_of(tenant_id, email_id, parsed, raw)
        email = Email(
            id=email_id,
            integration_id=integration.id,
            direction=direction,
            message_id=own_id(parsed),
            thread_id=thread_id,
            sender=parsed.sender.email if parsed.sender else "",
            to=parsed.to,
            cc=parsed.cc,
            subject=parsed.subject,
            text=parsed.text[:MAX_TEXT_IN_RECORD],
            has_html=html_key is not None,
            time=when,
            contact=refs[0] if refs else None,
            deal_id=deal_id,
            attachments=attachments,
            user_id=user_id,
            contacts=tuple(refs[:MAX_FEEDS]),
            in_reply_to=parsed.in_reply_to,
            html_key=html_key,
            text_key=text_key,
        )
        if not emails.store(email, key, self._feeds(tenant_id, email)):
            return None
        if direction is Direction.IN:
            self._notify(tenant_id, integration, email, known)
        return email

    # --- threading ---------------------------------------------------------------------------

    def _parent(self, tenant_id: str, parsed: ParsedMessage) -> MessageGuard | None:
        """The stored message this one answers (In-Reply-To, else the last of References)."""
        parent_id = parsed.in_reply_to or (parsed.references[-1] if parsed.references else None)
        if parent_id is None:
            return None
        return self._storage.emails(tenant_id).guard(message_key(parent_id))

    # --- files -------------------------------------------------------------------------------

    def _files_of(
        self, tenant_id: str, email_id: str, parsed: ParsedMessage, raw: bytes
    ) -> tuple[str | None, str | None, tuple[Attachment, ...]]:
        prefix = file_prefix(tenant_id, email_id)
        html_key = text_key = None
        if parsed.html:
            html_key = f"{prefix}body.html"
            self._files.put(html_key, sanitize_html(parsed.html).encode(), "text/html; charset=utf-8")
        if len(parsed.text) > MAX_TEXT_IN_RECORD:
            text_key = f"{prefix}body.txt"
            self._files.put(text_key, parsed.text.encode(), "text/plain; charset=utf-8")
        attachments: list[Attachment] = []
        total = 0
        if parsed.attachments:
            for index, part in enumerate(attachment_parts(raw)):
                meta = part.meta
                if index >= MAX_ATTACHMENTS:
                    break
                kept = meta.size <= MAX_ATTACHMENT_BYTES and total + meta.size <= MAX_ATTACHMENTS_BYTES
                key = f"{prefix}{index}/{safe_filename(meta.filename)}" if kept else None
                if key is not None:
                    self._files.put(key, part.data, meta.content_type)
                    total += meta.size
                attachments.append(Attachment(meta.filename, meta.size, key, meta.content_type))
        return html_key, text_key, tuple(attachments)

    # --- feeds -------------------------------------------------------------------------------

    def _entry(self, email: Email, owner_id: str) -> FeedEntry:
        # Derived from the email and the feed: the same line whatever writes it.
        return FeedEntry(
            id=derived_id(email.time, f"email:{email.id}:{owner_id}"),
            kind=FeedKind.EMAIL,
            time=email.time,
            user_id=email.user_id if email.direction is Direction.OUT else None,
            text=snippet(email.text),
            data=feed_data(email),
        )

    def _feeds(self, tenant_id: str, email: Email) -> list[Write]:
        writes = [
            self._storage.feed_write(tenant_id, FeedOwner.CONTACT, ref.id, self._entry(email, ref.id))
            for ref in email.contacts
        ]
        if email.deal_id:
            writes.append(
                self._storage.feed_write(tenant_id, FeedOwner.DEAL, email.deal_id, self._entry(email, email.deal_id))
            )
        return writes

    # --- auto-leads (EM-3) -------------------------------------------------------------------

    def _auto_leads(
        self,
        tenant_id: str,
        integration: Integration,
        parsed: ParsedMessage,
        direction: Direction,
        *,
        in_thread: bool,
    ) -> list[Contact]:
        mode = LeadMode(integration.create_leads.value)
        if mode is LeadMode.NONE:
            return []
        emails = self._storage.emails(tenant_id)
        mailboxes = self._storage.mailboxes(tenant_id).list_all()
        decision = decide_leads(
            parsed,
            mode=mode,
            direction=direction,
            own_addresses=[m.email for m in mailboxes] + [integration.email],
            own_domains=emails.settings().own_domains,
            exceptions=[e.pattern for e in emails.exceptions()],
            in_existing_thread=in_thread,
        )
        if not decision.accepted:
            return []
        contacts = self._storage.contacts(tenant_id)
        users = self._storage.users(tenant_id)
        known = contacts.owners([], decision.accepted)
        names = {parsed.sender.email: parsed.sender.name} if parsed.sender else {}
        created: list[Contact] = []
        for address in decision.accepted[:MAX_FEEDS]:  # a first message to a crowd: a bounded number
            if ("email", address) in known or users.find_id_by_email(address) is not None:
                continue
            lead = self._lead(contacts, integration, address, names.get(address) or "")
            if lead is not None:
                created.append(lead)
        return created

    def _lead(self, contacts: Contacts, integration: Integration, address: str, name: str) -> Contact | None:
        """A lead for an address nobody has: the owner's for a personal mailbox, else the pool.
        Two messages at once: the guard of the address lets one creation through; the other
        reads the winner."""
        now = self._clock()
        owner = integration.owner_id if integration.personal else None
        lead = Contact(
            id=new_id(),
            kind=ContactKind.LEAD,
            name=(name or address)[:200],
            created_at=now,
            created_by=integration.owner_id,
            updated_at=now,
            emails=(ContactEmail(address),),
            responsible_user_id=owner,
            lead_status=LeadStatus.IN_PROGRESS if owner else LeadStatus.NOT_PROCESSED,
            lead_source=LeadSource.EMAIL,
        )
        created = FeedEntry(
            id=new_id(), kind=FeedKind.EVENT, time=now, user_id=owner, data={"event": "created", "source": "email"}
        )
        found, _ = contacts.create_or_find(lead, [created])
        return found

    # --- notification (NT-1) -----------------------------------------------------------------

    def _notify(self, tenant_id: str, integration: Integration, email: Email, contacts: list[Contact]) -> None:
        if not contacts:
            return
        first = contacts[0]
        user_id = first.responsible_user_id or (integration.owner_id if integration.personal else None)
        if user_id is None:
            return
        # Incoming mail only: the sending paths (replies, broadcasts) never load the notification words.
        from chalicelib.domain.notifications import Link, LinkType, NotificationKind, email_received_title

        link = Link(LinkType.LEAD if first.is_lead else LinkType.CLIENT, first.id)
        self._notifier.notify(
            tenant_id,
            user_id,
            NotificationKind.EMAIL_RECEIVED,
            email_received_title(email.sender, email.subject),
            link,
            at=email.time,
            once=f"email:{email.id}",
        )
