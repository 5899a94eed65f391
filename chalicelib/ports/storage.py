"""Storage ports: the repositories services use, and the factory that binds them to a CRM.

`Storage` is the one way a service reaches the table: `storage.contacts(tenant_id)` is the
contacts of one CRM. Each repository Protocol lists what services call; the DynamoDB classes of
`db/repositories/` implement them (mypy checks it where `bootstrap.py` wires them in) and
`tests/fakes/` holds in-memory ones for the service tests.

A `Write` is opaque to services: one repository makes it (a feed entry, a counter, a guard) and
another applies it inside its own all-or-nothing write, so a business change and its side
effects commit together or not at all.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from chalicelib.domain.broadcasts import Broadcast, Recipient
from chalicelib.domain.email.broadcasts import EmailBroadcast, EmailRecipient
from chalicelib.ports.writes import MAX_TRANSACTION_ITEMS as MAX_TRANSACTION_ITEMS
from chalicelib.ports.writes import FeedOwner as FeedOwner  # noqa: TC001  (re-exported)
from chalicelib.ports.writes import Write as Write  # noqa: TC001  (re-exported)

if TYPE_CHECKING:
    from chalicelib.domain.api_keys import ApiKey
    from chalicelib.domain.autodial import CallList, CallListStatus, ListItem, Outcome
    from chalicelib.domain.broadcasts import BroadcastRecord, BroadcastStatus, RecipientRecord, RecipientStatus
    from chalicelib.domain.call_events import CallEvent
    from chalicelib.domain.contacts import Contact, ContactKind, FeedEntry
    from chalicelib.domain.crm import Crm
    from chalicelib.domain.dashboard import Placement
    from chalicelib.domain.deals import Deal, DealStatus
    from chalicelib.domain.email.outgoing import Signature
    from chalicelib.domain.emails import Email, EmailException, EmailSettings, FolderCursor, MessageGuard
    from chalicelib.domain.imports import Counts, Export, ExportStatus, Import, ImportStatus
    from chalicelib.domain.invitations import Invitation
    from chalicelib.domain.mailboxes import Integration, SyncStatus
    from chalicelib.domain.notifications import Inbox, Notification
    from chalicelib.domain.paging import Page
    from chalicelib.domain.properties import PropertyDef
    from chalicelib.domain.rights import Group
    from chalicelib.domain.rollups.contacts import ClosedLead
    from chalicelib.domain.search import SearchQuery, Term
    from chalicelib.domain.sms import SmsTemplate
    from chalicelib.domain.sources import SourceParam, SourceTag
    from chalicelib.domain.tasks import DueAction, Task
    from chalicelib.domain.telephony import Call, RecordingState, Transfer
    from chalicelib.domain.users import User, UserStatus
    from chalicelib.ports.calendar import Calendars, CalendarSchedule
    from chalicelib.ports.queries.call_lists import ClaimResult
    from chalicelib.ports.queries.calls import CallFilter, KnownStatus, WebphoneKey
    from chalicelib.ports.queries.contacts import Criteria
    from chalicelib.ports.queries.crms import ProvisioningCrm
    from chalicelib.ports.queries.deals import ColumnTotal
    from chalicelib.ports.queries.tasks import DueRecord, ListFilter, TaskListKind


B = TypeVar("B", bound="BroadcastRecord")
R = TypeVar("R", bound="RecipientRecord")


class BroadcastLedger(Protocol[B, R]):
    """What SMS and email broadcasts share: the record and its recipients, each claimed while
    the broadcast runs and finished once, with the record's counters."""

    def create(self, broadcast: B, recipients: Sequence[R]) -> None:
        """The recipients first (batched, 25 a call), then the record that makes them visible."""

    def get(self, broadcast_id: str, *, consistent: bool = False) -> B | None: ...

    def recipients(
        self, broadcast_id: str, *, start: int = 0, end: int | None = None, limit: int = 1000, cursor: str | None = None
    ) -> Page[R]:
        """Recipients in send order, from index `start` (to `end`, excluded)."""

    def history(self, *, created_by: str | None, limit: int, cursor: str | None) -> Page[B]:
        """Newest first, the CRM's or one creator's."""

    def claim(self, broadcast_id: str, index: int) -> bool | None:
        """pending -> sending while the broadcast runs; False if taken or done, None if stopped."""

    def release(self, broadcast_id: str, index: int, reason: str) -> None:
        """sending -> pending: the provider could not take it now; a later attempt sends it."""

    def finish(
        self,
        broadcast_id: str,
        index: int,
        status: RecipientStatus,
        *,
        expected: RecipientStatus = ...,  # the repository's default: SENDING
        reason: str | None = None,
        message_id: str | None = None,
    ) -> bool:
        """The recipient's outcome and the broadcast's counter, at once; False if the recipient
        was not in `expected` any more (already done)."""

    def set_status(
        self, broadcast_id: str, status: BroadcastStatus, now: datetime, error: str | None = None
    ) -> B | None:
        """End a running broadcast (completed, failed, canceled); None if it was not running."""


class Broadcasts(BroadcastLedger[Broadcast, Recipient], Protocol):
    """SMS broadcasts of one CRM and their recipients (AP38, AP87)."""

    def finish(
        self,
        broadcast_id: str,
        index: int,
        status: RecipientStatus,
        *,
        expected: RecipientStatus = ...,  # the repository's default: SENDING
        reason: str | None = None,
        message_id: str | None = None,
        feed: Write | None = None,
    ) -> bool:
        """The recipient's outcome, the broadcast's counter and the contact's feed line, at once;"""


class CallLists(Protocol):
    """Autodial call lists of one CRM and their numbers (AP39, AP40)."""

    def create(self, call_list: CallList, items: Sequence[ListItem]) -> None:
        """The numbers first (batched), then the record that makes the list visible."""

    def get(self, list_id: str) -> CallList | None:
        """AP39 (consistent: the workflow's steps read what the last one wrote)."""

    def history(self, *, user_id: str | None, limit: int, cursor: str | None) -> Page[CallList]:
        """AP88: newest first, the CRM's or one creator's."""

    def item(self, list_id: str, index: int) -> ListItem | None: ...

    def items(self, list_id: str, *, limit: int = 1000, cursor: str | None = None) -> Page[ListItem]:
        """AP39: the numbers in dialling order."""

    def claim(self, call_list: CallList, run: int, index: int, phone: str, token: str) -> ClaimResult:
        """pending -> dialing, with the token the end of the call resumes, only while the list"""

    def record(
        self,
        call_list: CallList,
        index: int,
        phone: str,
        outcome: Outcome,
        *,
        reason: str | None = None,
        call_id: str | None = None,
    ) -> bool:
        """A number's outcome, the list's progress, and its place moved on, at once."""

    def awaiting(self, extension: str, phone: str) -> tuple[str, int, str] | None:
        """AP40: (list id, index, task token) of the dial waiting for this call's end."""

    def forget_awaiting(self, extension: str, phone: str, token: str) -> bool:
        """Remove the awaiting dial, if it is still this one; False if someone else did."""

    def set_status(
        self,
        list_id: str,
        status: CallListStatus,
        *,
        expected: Sequence[CallListStatus],
        error: str | None = None,
        new_run: bool = False,
    ) -> CallList | None:
        """Move the list's status if it is one of `expected` (and count a new run); None otherwise."""


class Calls(Protocol):
    """Calls of one CRM, their recordings and transcripts (AP33-36)."""

    def get(self, call_id: str, *, consistent: bool = False) -> Call | None:
        """AP33."""

    def apply(
        self,
        event: CallEvent,
        received_at: datetime,
        *,
        user_id: str | None = None,
        contact: tuple[str, str, str] | None = None,
    ) -> Call:
        """AP33: merge one event into its call (created by the first) and return the call as stored."""

    def start(
        self,
        event: CallEvent,
        received_at: datetime,
        *,
        user_id: str | None,
        contact: tuple[str, str, str] | None,
        terms: Callable[[Call], Iterable[Term]],
    ) -> Call | None:
        """AP33 for a call's first event: the call, its feed line and its search terms in one
        transaction. None (nothing written) when the call exists already or the event ends it:
        `apply` and the separate writes do then."""

    def link_write(self, call_id: str, contact_type: str, contact_id: str, name: str) -> Write:
        """Link a call that has no contact yet to one (in the transaction creating it, TE-6)."""

    def set_contact(self, call_id: str, contact_type: str, contact_id: str, name: str) -> Call:
        """Link a call to the contact just created for its number (TE-6)."""

    def set_recording(
        self, call_id: str, state: RecordingState, *, key: str | None = None, error: str | None = None
    ) -> Call | None: ...

    def set_transcript(self, call_id: str, text: str, terms: Iterable[Term]) -> Call | None:
        """Store a transcript and index its words for `q` (batched: a transcript has many)."""

    def index(self, call_id: str, terms: Iterable[Term]) -> None:
        """Search terms of a call (its number, its contact's name, its transcript's words)."""

    def find(self, term: Term, *, limit: int, cursor: str | None = None) -> tuple[list[tuple[str, str]], str | None]:
        """AP19 over calls: (call id, the cursor going on after it) of calls with a term starting"""

    def get_many(self, call_ids: Sequence[str]) -> list[Call]: ...

    def page(self, owner: str | None, flt: CallFilter, *, limit: int, cursor: str | None) -> Page[Call]:
        """AP34 (everyone's) or AP35 (`owner`'s): newest first, filtered on the page."""

    def remember_recording(self, record_id: str, call_id: str) -> None:
        """AP36: the recording id -> call mapping (transcripts name only the recording)."""

    def call_of_recording(self, record_id: str) -> str | None: ...

    def write_feed_entry(self, call: Call) -> None:
        """The call's line in its contact's feed: created by the first event that knows both, then"""

    def add_transfer(self, call_id: str, transfer: Transfer) -> Call | None:
        """AP147: append a hand-over to a colleague to the call's history; None: no such call."""


class Contacts(Protocol):
    """Clients and leads of one CRM: records, guards, feeds, lists, counters."""

    def get(self, contact_id: str, *, consistent: bool = False) -> Contact | None: ...

    def card(self, contact_id: str, feed_limit: int) -> tuple[Contact | None, Page[FeedEntry]]:
        """AP14: the record and its newest feed entries in one Query."""

    def feed(self, contact_id: str, *, limit: int, cursor: str | None) -> Page[FeedEntry]:
        """AP15: feed entries, newest first."""

    def get_entry(self, contact_id: str, entry_id: str) -> FeedEntry | None: ...

    def page(self, kind: ContactKind, criteria: Criteria, *, limit: int, cursor: str | None) -> Page[Contact]:
        """AP16 / AP17 / AP20: a page of a list with any combination of filters."""

    def search(
        self, kind: ContactKind, query: SearchQuery, criteria: Criteria, *, limit: int, cursor: str | None
    ) -> Page[Contact]:
        """AP49: `q` in a list, with any other filter: READ_CAP search items a page (contacts' only,"""

    def tag_counts(
        self, columns: Sequence[tuple[ContactKind, bool, str | None]], *, limit: int, cursor: str | None
    ) -> Page[tuple[str, ContactKind, int]]:
        """AP50: (tag, kind, count) rows of the next `limit` tags after the cursor, in tag order,"""

    def counts(self, name: str) -> list[tuple[ContactKind, str, int]]:
        """AP21: (kind, value, count) of a counter family (tags, sources), zero counts left out."""

    def set_counts(self, name: str, kind: ContactKind, counts: Mapping[str, int]) -> None:
        """Write counters of a family to absolute values (a recount, services/maintenance.py):"""

    def owner_of_phone(self, e164: str) -> str | None:
        """AP18: the id of the contact with this phone."""

    def owner_of_email(self, email: str) -> str | None: ...

    def create(self, contact: Contact, entries: Sequence[FeedEntry], also: Sequence[Write] = ()) -> None:
        """The record, its guards and its first feed entries (and `also`), all or nothing."""

    def create_or_find(self, contact: Contact, entries: Sequence[FeedEntry]) -> tuple[Contact | None, bool]:
        """Create `contact`, or, when one of its phones or emails belongs to someone already"""

    def creation_writes(self, contact: Contact, entries: Sequence[FeedEntry]) -> list[Write]: ...

    def save_changes(
        self, before: Contact, after: Contact, entries: Sequence[FeedEntry] = (), *, condition: Any = None
    ) -> Contact:
        """Store `after` if nobody changed the contact since `before`; guards move at once."""

    def take(self, before: Contact, after: Contact, entry: FeedEntry) -> Contact:
        """Give a pool lead its responsible user, only while it still has none (LD-2)."""

    def delete(self, contact: Contact, *, closed_at: datetime | None = None) -> None:
        """The record and its guards at once (a stale version refuses); then the feed. A lead
        closed as poor quality (`closed_at`) leaves a tombstone of what it counts for (AP66)."""

    def add_entry(self, contact_id: str, entry: FeedEntry) -> None: ...

    def add_entry_once(self, contact_id: str, entry: FeedEntry) -> bool:
        """Add an entry whose id is derived from an outside event; False if it is there already."""

    def update_entry(self, contact_id: str, entry: FeedEntry) -> None: ...

    def delete_entry(self, contact_id: str, entry_id: str) -> None: ...

    def owners(self, phones: Iterable[str], emails: Iterable[str]) -> dict[tuple[str, str], str]:
        """AP43: the contact id owning each of these phones and emails (BatchGetItem, 100 a call)."""

    def claim_guards(self, contacts: Sequence[Contact]) -> set[str]:
        """Claim the phones and emails of new contacts; the ids of those refused (a value taken by"""

    def bulk_create(self, created: Sequence[tuple[Contact, Sequence[FeedEntry]]]) -> Counter[tuple[str, str, str]]:
        """Every item of new contacts but their guards (`claim_guards`) and counters, in batches of"""

    def partitions(self, contact_ids: Sequence[str]) -> list[tuple[Contact, list[str]]]:
        """AP44: each contact that still exists with the sort keys of its partition (record and"""

    def bulk_delete(self, partitions: Sequence[tuple[Contact, list[str]]]) -> Counter[tuple[str, str, str]]:
        """Remove contacts whole (record, feed, guards, search and filter entries) in batches of 25;"""

    def counter_deltas(self, contacts: Iterable[Contact]) -> Counter[tuple[str, str, str]]:
        """What these contacts count for in the list counters (tags, sources, properties): the
        deltas that deleting them takes off (negated) and `counter_updates` applies."""

    def counter_updates(self, deltas: Mapping[tuple[str, str, str], int]) -> list[Write]:
        """Upserts adding `deltas` to the list counters (tags, sources, properties); the first"""

    def get_many(self, ids: list[str]) -> list[Contact]:
        """Contacts by id, any order, missing ones left out (BatchGetItem, 100 keys a call)."""


class Crms(Protocol):
    """CRMs (tenants), across tenants: records, slugs, provisioning."""

    def create(self, crm: Crm, members: Sequence[Write]) -> None:
        """Claim the slug and write the CRM with its members (users, groups...) at once."""

    def get(self, tenant_id: str) -> Crm | None:
        """AP1."""

    def resolve_slug(self, slug: str) -> str | None:
        """AP2: the tenant id of a CRM slug."""

    def save_company(self, before: Crm, after: Crm) -> Crm:
        """Company settings (ST-6), if unchanged since `before` was read (else a conflict on `version`)."""

    def save_telephony(self, before: Crm, after: Crm) -> Crm:
        """Telephony settings (ST-4), if unchanged since `before` was read."""

    def mark_active(self, tenant_id: str) -> None:
        """The CRM is fully set up: leave the provisioning index (AP9)."""

    def provisioning_before(self, cutoff: datetime, *, limit: int = 50) -> list[ProvisioningCrm]:
        """AP9: CRMs still provisioning that were created before `cutoff`, oldest first."""

    def page(self, *, limit: int, after: dict[str, Any] | None = None) -> tuple[list[str], dict[str, Any] | None]:
        """AP62: tenant ids of every CRM, oldest first, and the key to go on from (maintenance"""

    def enrol_existing(self, *, limit: int, after: dict[str, Any] | None = None) -> tuple[int, dict[str, Any] | None]:
        """Put CRMs created before AP62 existed into it: the one Scan of the code, for an upgrade"""

    def delete_tenant(self, tenant_id: str, slug: str) -> int:
        """AP10: delete every item of a tenant partition and its slug (rollback of a failed creation)."""


class Deals(Protocol):
    """Deals of one CRM, their feeds, board columns and totals."""

    def get(self, deal_id: str, *, consistent: bool = False) -> Deal | None: ...

    def card(self, deal_id: str, feed_limit: int) -> tuple[Deal | None, Page[FeedEntry]]:
        """AP24: the deal and its newest feed entries in one Query."""

    def feed(self, deal_id: str, *, limit: int, cursor: str | None) -> Page[FeedEntry]: ...

    def add_entry(self, deal_id: str, entry: FeedEntry) -> None: ...

    def column(
        self, status: DealStatus, *, owner: str | None, limit: int, cursor: str | None, after: str | None = None
    ) -> Page[Deal]:
        """AP25: one column's cards in board order (all deals, or `owner`'s), from `after` on."""

    def of_client(
        self,
        client_id: str,
        *,
        status: DealStatus | None,
        owner: str | None,
        limit: int,
        cursor: str | None,
        created_from: datetime | None = None,
        created_to: datetime | None = None,
        newest_first: bool = True,
    ) -> Page[Deal]:
        """AP47: a client's deals newest first (or oldest), in a created range, of any status (or"""

    def listed(
        self,
        *,
        owner: str | None,
        status: DealStatus | None,
        created_from: datetime | None,
        created_to: datetime | None,
        newest_first: bool = True,
        limit: int,
        cursor: str | None,
    ) -> Page[Deal]:
        """AP60 (every status) or AP61 (one status): everyone's deals or `owner`'s, by creation,"""

    def index_existing(self) -> int:
        """Give deals stored before AP60/AP61 and deal search existed their list copies and"""

    def index_page(self, status: DealStatus, *, limit: int, cursor: str | None) -> tuple[int, str | None]:
        """`index_existing` for one page of one board column (AP25): bounded work a call, the"""

    def totals(self, owner: str | None) -> list[ColumnTotal]:
        """AP26: count and amount per (status, currency), kept at write time."""

    def create(self, deal: Deal, entries: Sequence[FeedEntry], contact_entries: Sequence[Write] = ()) -> None:
        """The deal, its first feed entries, its counters (and the client's feed entry), at once."""

    def creation_writes(self, deal: Deal, entries: Sequence[FeedEntry]) -> list[Write]: ...

    def save_changes(self, before: Deal, after: Deal, entries: Sequence[FeedEntry]) -> Deal:
        """Store `after` if the deal is still at `before.version`; the counters follow."""

    def delete(self, deal: Deal) -> None: ...


class Groups(Protocol):
    """Rights groups of one CRM."""

    def get(self, group_id: str) -> Group | None:
        """AP7."""

    def list_all(self) -> list[Group]:
        """AP8: every group of the CRM (a CRM has a handful)."""

    def page(self, *, limit: int, cursor: str | None = None) -> Page[Group]:
        """AP8, one page in creation order (ids are time-ordered)."""

    def save_changes(self, before: Group, after: Group) -> Group:
        """Store `after` if the group is still at `before.version` (else a conflict on `version`)."""

    def delete(self, group: Group) -> None: ...

    def creation_writes(self, group: Group) -> list[Write]: ...


class Imports(Protocol):
    """Contact imports of one CRM and their progress."""

    def get(self, import_id: str, *, consistent: bool = False) -> Import | None:
        """AP41."""

    def history(self, *, limit: int, cursor: str | None) -> Page[Import]:
        """AP42: newest first."""

    def create(self, record: Import) -> None: ...

    def save(self, before: Import, after: Import, *, status_was: Sequence[ImportStatus] = ()) -> Import:
        """Store `after` if the record is still `before` (version), and in one of `status_was`."""

    def commit_chunk(
        self,
        record: Import,
        chunk: int,
        part: int,
        counts: Counts,
        errors: int,
        counters: Sequence[Write],
        last_part: bool,
    ) -> bool:
        """Count a written chunk (or one part of its counters) once; False if already counted."""

    def commit_undo(
        self,
        record: Import,
        chunk: int,
        part: int,
        deleted: int,
        restored: int,
        counters: Sequence[Write],
        last_part: bool,
    ) -> bool:
        """Count an undone chunk (or one part of its counters) once; False if already counted."""


class Exports(Protocol):
    """Contact exports of one CRM."""

    def get(self, export_id: str, *, consistent: bool = False) -> Export | None:
        """AP45."""

    def history(self, *, limit: int, cursor: str | None) -> Page[Export]:
        """AP46: newest first."""

    def create(self, record: Export) -> None: ...

    def finish(
        self, record: Export, status: ExportStatus, *, rows: int | None, error: str | None, at: datetime
    ) -> Export:
        """Close a running export (once: a repeated step finds it closed and changes nothing)."""


class ApiKeys(Protocol):
    """Public API keys (issue 20), found by their id before any tenant is known."""

    def get(self, key_id: str) -> ApiKey | None:
        """AP130, strongly consistent (a revoked key fails at once)."""

    def page(self, tenant_id: str, *, user_id: str | None, limit: int, cursor: str | None) -> Page[ApiKey]:
        """AP131 (the CRM's) or AP132 (one owner's), newest first."""

    def create(self, key: ApiKey) -> None: ...

    def delete(self, key_id: str) -> None: ...

    def mark_used(self, key_id: str, at: datetime) -> None: ...

    def count_request(self, key_id: str, window: str, now: datetime) -> int:
        """AP133: count one more request in the minute `window`; the count so far."""


class Invitations(Protocol):
    """Pending invitations to join a CRM."""

    def get_by_token_hash(self, digest: str) -> Invitation | None:
        """AP12."""

    def list_pending(self, tenant_id: str, *, limit: int = 100) -> list[Invitation]:
        """AP13: a CRM's invitations not yet accepted (expired ones vanish through TTL)."""

    def creation_writes(self, invitation: Invitation, digest: str) -> list[Write]: ...

    def use_write(self, digest: str) -> Write:
        """Consume the invitation in the acceptance transaction: a second use fails it."""


class ExtensionStatuses(Protocol):
    """The cached online status of one CRM's PBX extensions."""

    def get(self) -> dict[str, KnownStatus]:
        """AP48 (eventually consistent: it is a cache)."""

    def save(self, statuses: Mapping[str, KnownStatus]) -> None:
        """Replace the cache (last writer wins: two requests refreshing at once both hold news)."""


class WebphoneKeys(Protocol):
    """Each user's WebRTC key of the PBX in one CRM (TE-7)."""

    def get(self, user_id: str) -> WebphoneKey | None:
        """AP148 (strongly consistent)."""

    def save(self, user_id: str, key: WebphoneKey) -> None:
        """AP149: replace the user's key."""


class Properties(Protocol):
    """Custom contact property definitions of one CRM."""

    def list_all(self) -> list[PropertyDef]:
        """AP23: every definition (a CRM has at most 50)."""

    def page(self, *, limit: int, cursor: str | None = None) -> Page[PropertyDef]:
        """AP23, one page in creation order (ids are time-ordered)."""

    def get(self, property_id: str) -> PropertyDef | None: ...

    def create(self, definition: PropertyDef) -> None: ...

    def save_changes(self, before: PropertyDef, after: PropertyDef) -> PropertyDef: ...

    def delete(self, definition: PropertyDef) -> None: ...


class Search(Protocol):
    """The search index of one CRM (contacts, users, deals)."""

    def writes(self, entity_type: str, entity_id: str, old: Iterable[Term], new: Iterable[Term]) -> list[Write]:
        """Index changes for a record whose terms go from `old` to `new` (same transaction)."""

    def drop(self, entity_type: str, entity_id: str, terms: Iterable[Term]) -> None:
        """Remove a record's terms outside any transaction (undoing a failed creation)."""

    def find(self, term: Term, *, limit: int) -> list[tuple[str, str]]:
        """AP19: (entity type, id) of the records with a term starting with `term`, at most `limit`."""

    def find_from(
        self, term: Term, entity_type: str, *, limit: int, after: dict[str, Any] | None
    ) -> tuple[list[tuple[str, dict[str, Any]]], dict[str, Any] | None]:
        """AP19 paged, for one entity type: (entity id, the hit's key) of the hits among the next"""

    def fetch(self, found: list[tuple[str, str]]) -> list[Contact | User | Deal]:
        """The records behind search hits, in hit order: one BatchGetItem (<= 100 keys)."""


class Mailboxes(Protocol):
    """Email integrations of one CRM (EM-1); at most MAX_INTEGRATIONS, kept by a counter."""

    def list_all(self) -> list[Integration]:
        """AP89: every integration of the CRM (at most 20), in creation order."""

    def get(self, integration_id: str) -> Integration | None:
        """AP90."""

    def create(self, integration: Integration, limit: int) -> None:
        """AP90: the item and the CRM's count, refused (ConflictError) when `limit` are there."""

    def save(self, before: Integration, after: Integration) -> Integration:
        """AP90: the settings and sync state, conditional on `before.version`."""

    def delete(self, integration: Integration) -> None:
        """AP90: the item and one less in the count."""

    def claim(self, integration_id: str, now: datetime, until: datetime) -> Integration | None:
        """Hold the mailbox for a poll until `until` unless another poll holds it (a conditional
        update; its status becomes syncing); the integration as it was before (its last
        status), or None when held or gone."""

    def finish(
        self,
        integration_id: str,
        *,
        held_until: datetime,
        status: SyncStatus,
        error: str | None,
        at: datetime,
        added: int,
        next_poll: datetime,
    ) -> None:
        """The poll's outcome, the lease given back (if still this run's), the next poll (AP94)."""

    def schedule(self, integration_id: str, at: datetime) -> None:
        """AP94: the mailbox is due at `at`."""


class MailPolls(Protocol):
    """Mailboxes of every CRM by their next poll (AP94)."""

    def due(self, now: datetime, *, limit: int) -> list[tuple[str, str]]:
        """(tenant id, integration id) of the mailboxes due at `now`, longest waiting first."""


class Emails(Protocol):
    """Archived emails of one CRM (EM-2), mailbox cursors, exceptions (EM-6), settings."""

    def get(self, email_id: str) -> Email | None:
        """AP91."""

    def guard(self, message_key: str) -> MessageGuard | None:
        """AP92: what is stored under a Message-ID (its sha256), if anything."""

    def store(self, email: Email, message_key: str, feeds: Sequence[Write]) -> bool:
        """The record, its Message-ID guard and its feed lines at once; False (nothing written)
        when the Message-ID is stored already."""

    def cursors(self, integration_id: str) -> dict[str, FolderCursor]:
        """AP93: the folder cursors of a mailbox, by folder role."""

    def save_cursor(self, integration_id: str, folder: str, cursor: FolderCursor) -> None: ...

    def exceptions(self) -> list[EmailException]:
        """AP95."""

    def add_exception(self, exception: EmailException) -> None: ...

    def delete_exception(self, exception_id: str) -> bool:
        """False when there was none."""

    def settings(self) -> EmailSettings:
        """AP96 (defaults when never saved)."""

    def save_settings(self, before: EmailSettings, after: EmailSettings) -> EmailSettings:
        """If nobody saved them since `before` (else a ConflictError)."""


class Signatures(Protocol):
    """Email signatures of one CRM (EM-5): a handful, listed in one Query (AP100)."""

    def list_all(self) -> list[Signature]: ...

    def get(self, signature_id: str) -> Signature | None: ...

    def create(self, signature: Signature) -> None: ...

    def save(self, before: Signature, after: Signature) -> Signature: ...

    def delete(self, signature: Signature) -> None: ...


class EmailBroadcasts(BroadcastLedger[EmailBroadcast, EmailRecipient], Protocol):
    """Email broadcasts of one CRM, their recipients (AP102, AP103), the Message-IDs they sent
    (AP104) and the addresses that bounced (AP105)."""

    def finish(
        self,
        broadcast_id: str,
        index: int,
        status: RecipientStatus,
        *,
        expected: RecipientStatus = ...,
        reason: str | None = None,
        message_id: str | None = None,
        email: str | None = None,
        also: Sequence[Write] = (),
    ) -> bool:
        """The outcome, the counter and the Message-ID's lookup item (when sent), at once."""

    def sent_message(self, message_id: str) -> tuple[str, int, str] | None:
        """AP104: (broadcast id, recipient index, address) of a Message-ID a broadcast sent."""

    def bounced(self, broadcast_id: str, index: int, reason: str) -> bool:
        """sent -> failed with the reason; one count moves from sent to failed."""

    def mark_bouncing(self, email: str, status: str, diagnostic: str, now: datetime) -> None: ...

    def bouncing(self, emails: Sequence[str]) -> dict[str, str]:
        """AP105: {address: reason} of the addresses that bounced."""


class SmsTemplates(Protocol):
    """SMS templates of one CRM."""

    def list_all(self) -> list[SmsTemplate]:
        """AP37."""

    def page(self, *, limit: int, cursor: str | None = None) -> Page[SmsTemplate]:
        """AP37, one page in creation order (ids are time-ordered)."""

    def get(self, template_id: str) -> SmsTemplate | None: ...

    def create(self, template: SmsTemplate) -> None: ...

    def save(self, before: SmsTemplate, after: SmsTemplate) -> SmsTemplate: ...

    def delete(self, template: SmsTemplate) -> None: ...


class TeamsaleIds(Protocol):
    """The small integer ids the Teamsale-compatible API shows (issue 22): one sequence per CRM,
    a number per record (`ref`: a ULID, or `label:<tag>`), handed out on first use."""

    def numbers(self, refs: Collection[str]) -> dict[str, int]:
        """AP134: the numbers these records already have (one BatchGetItem per 100)."""

    def reserve(self, count: int) -> range:
        """AP135: `count` fresh numbers (one UpdateItem)."""

    def assign(self, refs: Collection[str]) -> dict[str, int]:
        """AP135-AP137, AP139: numbers for records that had none; two requests racing on one
        record agree on one number."""

    def ref(self, number: int) -> str | None:
        """AP138: the record a number names, None if none."""


class SourceTags(Protocol):
    """Source tags (UTM values, called numbers) of one CRM."""

    def list_all(self) -> list[SourceTag]: ...

    def page(self, *, limit: int, cursor: str | None = None) -> Page[SourceTag]:
        """AP22, one page in creation order (ids are time-ordered): a CRM has one per UTM value and DID."""

    def counts(self, ids: list[str]) -> dict[tuple[ContactKind, str], int]:
        """AP21 for some source tags (one page's): {(kind, tag id): contacts}, one BatchGetItem."""

    def get(self, source_tag_id: str) -> SourceTag | None: ...

    def get_many(self, ids: list[str]) -> dict[str, SourceTag]: ...

    def find(self, param: SourceParam, value: str) -> str | None:
        """The id of the tag with this (param, value), e.g. the tag of a called number."""

    def create(self, tag: SourceTag) -> None: ...

    def rename(self, before: SourceTag, display_value: str) -> SourceTag: ...

    def delete(self, tag: SourceTag) -> None: ...


class Tasks(Protocol):
    """Tasks of one CRM and their lists."""

    def get(self, task_id: str, *, consistent: bool = False) -> Task | None:
        """AP27."""

    def create(self, task: Task, extra: Sequence[Write] = ()) -> None:
        """The task, its list entries, its due actions and `extra` (feed entries), at once."""

    def save_changes(self, before: Task, after: Task, extra: Sequence[Write] = ()) -> Task:
        """Store `after` if the task is still at `before.version`; its copies and due actions follow."""

    def delete(self, task: Task, extra: Sequence[Write] = ()) -> None: ...

    def page(
        self, list_kind: TaskListKind, owner_id: str, flt: ListFilter, *, limit: int, cursor: str | None
    ) -> Page[Task]:
        """AP28-30: one page of a list, by start (ascending unless `descending`)."""

    def calendar(self, user_id: str, start: datetime, end: datetime) -> list[Task]:
        """AP28 on a participant's list: tasks running in [start, end), whole (all pages)."""

    def team_calendar(self, start: datetime, end: datetime) -> list[Task]:
        """AP106: every task of the CRM running in [start, end), whole: one Query whatever the
        number of users."""

    def index_team_calendar(self, tasks: Sequence[Task]) -> int:
        """AP106's backfill (the reindex): the records of `tasks` get their index keys, each unless
        it changed since. Returns how many did."""


class DueActions(Protocol):
    """The due actions of every CRM, partitioned by hour; claimed with a lease before firing."""

    def due(self, hour: datetime, until: datetime) -> Iterator[DueRecord]:
        """AP31: actions of the hour holding `hour` (UTC) due at `until` or before, oldest first."""

    def claim(self, record: DueRecord, now: datetime, lease: timedelta) -> bool:
        """Take an action for `lease`: False if it is gone or another run holds it."""

    def release(self, record: DueRecord, error: str, retry_at: datetime) -> None:
        """Give a failed action back: it is retried once `retry_at` has passed (if it still"""

    def finish(self, record: DueRecord) -> None: ...

    def put(self, action: DueAction) -> None: ...

    def watermark(self) -> datetime | None:
        """AP32: the start of the oldest hour that may still hold work (see `domain.tasks.due_hour`)."""

    def set_watermark(self, hour: datetime) -> None:
        """Remember the hour holding `hour` as the oldest one a run must read."""


class Users(Protocol):
    """Users of one CRM."""

    def get(self, user_id: str, *, consistent: bool = False) -> User | None:
        """AP3."""

    def get_many(self, user_ids: list[str]) -> list[User]:
        """AP3 for several users at once (BatchGetItem), any order, missing ones left out."""

    def get_and_mark_seen(self, user_id: str, now: datetime) -> User | None:
        """AP3 for authentication: the current user record, and `last_seen_at` refreshed."""

    def require(self, user_id: str) -> User: ...

    def find_id_by_email(self, email: str) -> str | None:
        """AP4: the id of the user with this (normalised) email."""

    def find_id_by_extension(self, extension: str) -> str | None:
        """AP5: the id of the user with this PBX extension."""

    def list_by_name(self, *, limit: int, cursor: str | None = None) -> Page[User]:
        """AP6: users sorted by name, one page."""

    def list_by_group(self, group_id: str, *, limit: int, cursor: str | None = None) -> Page[User]:
        """AP11: members of a group sorted by name, one page."""

    def creation_writes(self, user: User) -> list[Write]:
        """The user and the guards of their email and extension, to write in one transaction."""

    def save_changes(self, before: User, after: User) -> User:
        """Store `after` in place of `before` if nobody changed the user since `before` was read."""

    def change_writes(self, before: User, after: User) -> list[Write]: ...

    def set_status(self, user_id: str, status: UserStatus) -> None:
        """AP3 (update): activate or deactivate; takes effect on the user's next request."""

    def drop_search_terms(self, user: User) -> None:
        """Undoing a creation: the user's search terms live outside the tenant partition."""

    def deletion_writes(self, user: User) -> list[Write]:
        """The user and their guards (undoing a creation that could not finish)."""


class Rollups(Protocol):
    """The write-time rollups of one CRM (`domain/metrics.py` names the cells; docs/analytics.md).

    Repositories keep them in the same transaction as the records they count; these reads are
    what the dashboard and the analytics reports cost: O(days), never O(records)."""

    def days(self, scope: str, first: date, last: date) -> dict[date, dict[str, int]]:
        """The day cells of one scope (`ALL` or a user id), `first`..`last` inclusive; days
        with nothing counted are absent."""

    def recent(self, scope: str, start: datetime, end: datetime) -> dict[datetime, dict[str, int]]:
        """The quarter-hour cells of one scope starting in [start, end), by their UTC start."""

    def gauges(self, scopes: Sequence[str]) -> dict[str, dict[str, int]]:
        """The current values (`NOW`) of these scopes; a scope with none maps to {}."""

    # --- maintenance (reconciliation, services/rollups.py) ----------------------------------

    def stored(self, scope: str) -> Counter[tuple[str, str, str]]:
        """AP63: every stored cell of one scope, zero cells left out."""

    def add(self, deltas: Mapping[tuple[str, str, str], int]) -> None:
        """Add to cells outside any transaction (a repair); zero deltas are not written."""

    def closed_leads(self, *, limit: int, cursor: str | None) -> Page[ClosedLead]:
        """AP66: the closed-lead tombstones, oldest first."""


class DashboardLayouts(Protocol):
    """Each user's dashboard layout (AP72): one small item per user."""

    def get(self, user_id: str) -> list[Placement] | None:
        """The layout the user saved, None when they never did."""

    def save(self, user_id: str, placements: Sequence[Placement]) -> None: ...


class Notifications(Protocol):
    """The notifications of one CRM's users and each user's unread state (AP83-86)."""

    def add(self, notification: Notification) -> bool:
        """AP83: the notification, unread, and its day's unread count, at once. False when
        an item of this id exists (a repeated event). One that "mark all read" already covers
        (a watermark at or after its time, written meanwhile) is stored read and not counted."""

    def inbox(self, user_id: str) -> Inbox:
        """AP86: the user's unread counts and watermark (one GetItem)."""

    def page(
        self, user_id: str, *, since: datetime, unread: bool, limit: int, cursor: str | None
    ) -> Page[Notification]:
        """AP84 (all) / AP85 (`unread`: not marked read one by one): newest first, those after
        `since` only (the window; for `unread` also the watermark)."""

    def get_many(self, user_id: str, ids: Sequence[str]) -> list[Notification]:
        """AP83 (BatchGetItem): the user's notifications of these ids; others are left out."""

    def mark_read(self, user_id: str, notifications: Sequence[Notification], seen: Inbox) -> None:
        """Mark these unread notifications read and take them off their days' counts in one
        transaction, if none was read meanwhile and the watermark is still `seen`'s (else a
        ConflictError: read again). At most MAX_TRANSACTION_ITEMS - 1 notifications."""

    def mark_all_read(self, user_id: str, before: datetime) -> None:
        """AP86: one UpdateItem: the watermark moves to `before` and the counts of the window go."""

    def forget_days(self, user_id: str, days: Sequence[date]) -> None:
        """Drop the counts of days that have left the window (one UpdateItem)."""


class Storage(Protocol):
    """The table, as services see it: repositories bound to one CRM, and cross-cutting writes."""

    @property
    def api_keys(self) -> ApiKeys: ...

    @property
    def crms(self) -> Crms: ...

    @property
    def due_actions(self) -> DueActions: ...

    def broadcasts(self, tenant_id: str) -> Broadcasts: ...

    def call_lists(self, tenant_id: str) -> CallLists: ...

    def calls(self, tenant_id: str) -> Calls: ...

    def contacts(self, tenant_id: str) -> Contacts: ...

    def calendars(self, tenant_id: str) -> Calendars: ...

    @property
    def calendar_schedule(self) -> CalendarSchedule: ...

    def dashboards(self, tenant_id: str) -> DashboardLayouts: ...

    def deals(self, tenant_id: str) -> Deals: ...

    def exports(self, tenant_id: str) -> Exports: ...

    def extension_statuses(self, tenant_id: str) -> ExtensionStatuses: ...

    def webphone_keys(self, tenant_id: str) -> WebphoneKeys: ...

    def groups(self, tenant_id: str) -> Groups: ...

    def imports(self, tenant_id: str) -> Imports: ...

    @property
    def invitations(self) -> Invitations: ...

    def mailboxes(self, tenant_id: str) -> Mailboxes: ...

    def signatures(self, tenant_id: str) -> Signatures: ...

    def email_broadcasts(self, tenant_id: str) -> EmailBroadcasts: ...
    def emails(self, tenant_id: str) -> Emails: ...

    @property
    def mail_polls(self) -> MailPolls: ...

    def notifications(self, tenant_id: str) -> Notifications: ...

    def properties(self, tenant_id: str) -> Properties: ...

    def rollups(self, tenant_id: str) -> Rollups: ...

    def search(self, tenant_id: str) -> Search: ...

    def sms_templates(self, tenant_id: str) -> SmsTemplates: ...

    def source_tags(self, tenant_id: str) -> SourceTags: ...

    def teamsale_ids(self, tenant_id: str) -> TeamsaleIds: ...

    def tasks(self, tenant_id: str) -> Tasks: ...

    def users(self, tenant_id: str) -> Users: ...

    def feed_write(self, tenant_id: str, owner: FeedOwner, owner_id: str, entry: FeedEntry) -> Write:
        """Add `entry` to the feed of a contact or deal, inside another write's transaction."""

    def transact(self, writes: Sequence[Write]) -> None:
        """Apply writes all or nothing (a failed condition raises the error attached to it)."""

    def transact_groups(self, groups: Iterable[Sequence[Write]]) -> int:
        """Apply groups of writes in as few transactions as fit, a group never split; each
        transaction is all or nothing, the whole is not. Returns the number of transactions."""
