"""PynamoDB models of the one table.

`Item` declares the generic keys and indexes; each record type is a subclass selected by the
`_t` discriminator. The table's schema (CDK, local stack, tests) is generated from `Item`.
Key strings come from `keys.py`; repositories convert items to and from domain objects.
"""

from __future__ import annotations

from typing import Any, TypeVar, cast

from pynamodb.attributes import (
    BooleanAttribute,
    DiscriminatorAttribute,
    JSONAttribute,
    ListAttribute,
    NumberAttribute,
    TTLAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
    VersionAttribute,
)
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model


def _strings() -> ListAttribute[str]:
    """A list of strings. PynamoDB types `of=UnicodeAttribute` as a list of attributes; the
    values read and written are `str`."""
    return cast("ListAttribute[str]", ListAttribute(of=UnicodeAttribute, default=list))


class Gsi1(GlobalSecondaryIndex["Item"]):
    class Meta:
        index_name = "gsi1"
        projection = AllProjection()

    gsi1pk = UnicodeAttribute(hash_key=True)
    gsi1sk = UnicodeAttribute(range_key=True)


class Gsi2(GlobalSecondaryIndex["Item"]):
    class Meta:
        index_name = "gsi2"
        projection = AllProjection()

    gsi2pk = UnicodeAttribute(hash_key=True)
    gsi2sk = UnicodeAttribute(range_key=True)


class Gsi3(GlobalSecondaryIndex["Item"]):
    class Meta:
        index_name = "gsi3"
        projection = AllProjection()

    gsi3pk = UnicodeAttribute(hash_key=True)
    gsi3sk = UnicodeAttribute(range_key=True)


class Item(Model):
    """The base of every record: generic keys, three overloaded sparse indexes, TTL."""

    class Meta:
        # Bound by the composition root from the settings (`bind_table`): nothing reads them at import.
        table_name: str | None = None
        region: str | None = None
        billing_mode = "PAY_PER_REQUEST"

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    kind = DiscriminatorAttribute(attr_name="_t")
    # Indexes are sparse: an item appears in gsiN only when it sets gsiNpk. Three are declared
    # up front because a deployed table gains at most one new index per update.
    gsi1pk = UnicodeAttribute(null=True)
    gsi1sk = UnicodeAttribute(null=True)
    gsi2pk = UnicodeAttribute(null=True)
    gsi2sk = UnicodeAttribute(null=True)
    gsi3pk = UnicodeAttribute(null=True)
    gsi3sk = UnicodeAttribute(null=True)
    # Epoch seconds after which DynamoDB deletes the item (invitations, idempotency records).
    ttl = TTLAttribute(null=True)

    gsi1 = Gsi1()
    gsi2 = Gsi2()
    gsi3 = Gsi3()


class CrmItem(Item, discriminator="crm"):
    name = UnicodeAttribute()
    slug = UnicodeAttribute()
    country = UnicodeAttribute()
    timezone = UnicodeAttribute()
    status = UnicodeAttribute()
    has_pbx_credentials = BooleanAttribute(default=False)
    base_currency = UnicodeAttribute(default="EUR")
    # [{"code": "USD", "rate": "0.92"}]: units of the base currency per unit (decimal strings).
    currencies = JSONAttribute(default=list)
    # Telephony settings (ST-4) as the API shows them; the PBX keys are in the secret store.
    telephony = JSONAttribute(default=dict)
    created_at = UTCDateTimeAttribute()
    version = VersionAttribute()


class SlugItem(Item, discriminator="slug"):
    """Makes a CRM slug unique across the deployment and resolves it to the tenant."""

    tenant_id = UnicodeAttribute()


class UniqueItem(Item, discriminator="unique"):
    """A guard item: a unique value (email, extension...) and the record that owns it."""

    owner_type = UnicodeAttribute()
    owner_id = UnicodeAttribute()


class UserItem(Item, discriminator="user"):
    name = UnicodeAttribute()
    email = UnicodeAttribute()
    extension = UnicodeAttribute(null=True)
    group_id = UnicodeAttribute()
    status = UnicodeAttribute()
    language = UnicodeAttribute(default="en")
    timezone = UnicodeAttribute(null=True)
    week_start = UnicodeAttribute(default="monday")
    telephony_mode = UnicodeAttribute(default="webphone")
    phones = _strings()
    avatar_key = UnicodeAttribute(null=True)
    # The API's working-hours document, as is (validated by domain.schedule).
    working_hours = JSONAttribute(null=True)
    # Refreshed by the user's requests (at most once a minute): the team's online indicator.
    last_seen_at = UTCDateTimeAttribute(null=True)
    created_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute()
    version = VersionAttribute()


class ContactItem(Item, discriminator="contact"):
    """A client or a lead; gsi1 lists it by kind, gsi2 by kind and responsible user."""

    contact_kind = UnicodeAttribute()  # `kind` is the base item's discriminator
    name = UnicodeAttribute()
    status = UnicodeAttribute()
    type = UnicodeAttribute()
    phones = JSONAttribute(default=list)  # [{"phone": E.164, "type"}]
    emails = JSONAttribute(default=list)  # [{"email", "type"}]
    address = UnicodeAttribute(null=True)
    website = UnicodeAttribute(null=True)
    comment = UnicodeAttribute(null=True)
    responsible_user_id = UnicodeAttribute(null=True)
    tags = _strings()
    source_tag_ids = _strings()
    properties = JSONAttribute(default=dict)
    lead_status = UnicodeAttribute(null=True)
    lead_source = UnicodeAttribute(null=True)
    created_at = UTCDateTimeAttribute()
    created_by = UnicodeAttribute()
    updated_at = UTCDateTimeAttribute()
    converted_at = UTCDateTimeAttribute(null=True)
    version = VersionAttribute()
    # Who was responsible when it was created, converted, and its spans in the pool (rollups).
    attribution = JSONAttribute(null=True)


class ImportItem(Item, discriminator="import"):
    """An import of clients or leads (AP41, AP42): its file, mapping, progress and undo progress."""

    entity = UnicodeAttribute()
    filename = UnicodeAttribute()
    content_type = UnicodeAttribute()
    status = UnicodeAttribute()
    created_by = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()
    file_key = UnicodeAttribute()
    mapping = JSONAttribute(null=True)
    headers = JSONAttribute(null=True)
    on_duplicate = UnicodeAttribute(null=True)
    started_at = UTCDateTimeAttribute(null=True)
    finished_at = UTCDateTimeAttribute(null=True)
    total = NumberAttribute(null=True)
    chunks = NumberAttribute(null=True)
    next_chunk = NumberAttribute(default=0)
    chunk_part = NumberAttribute(default=0)
    processed = NumberAttribute(default=0)
    created = NumberAttribute(default=0)
    updated = NumberAttribute(default=0)
    skipped = NumberAttribute(default=0)
    failed = NumberAttribute(default=0)
    errors = NumberAttribute(default=0)
    error = UnicodeAttribute(null=True)
    undo_next_chunk = NumberAttribute(default=0)
    undo_part = NumberAttribute(default=0)
    deleted = NumberAttribute(default=0)
    restored = NumberAttribute(default=0)
    undone_at = UTCDateTimeAttribute(null=True)
    version = VersionAttribute()


class ExportItem(Item, discriminator="export"):
    """An export of clients or leads to a file (AP45, AP46)."""

    entity = UnicodeAttribute()
    format = UnicodeAttribute()
    filters = JSONAttribute(default=dict)
    status = UnicodeAttribute()
    created_by = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()
    file_key = UnicodeAttribute()
    rows = NumberAttribute(null=True)
    finished_at = UTCDateTimeAttribute(null=True)
    error = UnicodeAttribute(null=True)


class FeedItem(Item, discriminator="feed"):
    """One entry of a contact's activity feed; ids are ULIDs, so the sort key is time order."""

    entry_kind = UnicodeAttribute()
    time = UTCDateTimeAttribute()
    user_id = UnicodeAttribute(null=True)
    text = UnicodeAttribute(null=True)
    data = JSONAttribute(default=dict)
    edited_at = UTCDateTimeAttribute(null=True)
    # Entries kept up to date by outside events (a call's): the number of the event written, so
    # a late, older event never overwrites a newer state.
    seq = NumberAttribute(null=True)


class CallItem(Item, discriminator="call"):
    """A call, upserted by each PBX event (AP33); gsi1 lists it by time (AP34), gsi2 per user (AP35)."""

    direction = UnicodeAttribute()
    started_at = UTCDateTimeAttribute(null=True)  # from the PBX's call_start
    received_at = UTCDateTimeAttribute()  # the first event's arrival (a fallback for started_at)
    phone = UnicodeAttribute(null=True)
    did = UnicodeAttribute(null=True)
    extension = UnicodeAttribute(null=True)
    user_id = UnicodeAttribute(null=True)
    contact_type = UnicodeAttribute(null=True)
    contact_id = UnicodeAttribute(null=True)
    contact_name = UnicodeAttribute(null=True)
    status = UnicodeAttribute(null=True)
    disposition = UnicodeAttribute(null=True)
    duration_s = NumberAttribute(null=True)
    record_id = UnicodeAttribute(null=True)
    recording = UnicodeAttribute(null=True)
    recording_key = UnicodeAttribute(null=True)
    recording_error = UnicodeAttribute(null=True)
    transcript = UnicodeAttribute(null=True)
    seq = NumberAttribute(default=0)


class BroadcastItem(Item, discriminator="broadcast"):
    """An SMS broadcast (AP38); its counters move with each recipient's outcome."""

    status = UnicodeAttribute()
    total = NumberAttribute()
    sent = NumberAttribute(default=0)
    failed = NumberAttribute(default=0)
    text = UnicodeAttribute(null=True)
    template_id = UnicodeAttribute(null=True)
    created_by = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()
    finished_at = UTCDateTimeAttribute(null=True)
    error = UnicodeAttribute(null=True)


class RecipientItem(Item, discriminator="recipient"):
    """One number of a broadcast and what became of its SMS."""

    phone = UnicodeAttribute()
    contact_id = UnicodeAttribute(null=True)
    text = UnicodeAttribute()
    status = UnicodeAttribute()
    reason = UnicodeAttribute(null=True)
    message_id = UnicodeAttribute(null=True)


class CallListItem(Item, discriminator="call_list"):
    """An autodial call list (AP39): where it is, how far it got."""

    status = UnicodeAttribute()
    user_id = UnicodeAttribute()
    extension = UnicodeAttribute()
    total = NumberAttribute()
    done = NumberAttribute(default=0)
    position = NumberAttribute(default=0)
    run = NumberAttribute(default=1)
    created_at = UTCDateTimeAttribute()
    error = UnicodeAttribute(null=True)


class ListEntryItem(Item, discriminator="list_entry"):
    """One number of a call list and its outcome."""

    phone = UnicodeAttribute()
    contact_id = UnicodeAttribute(null=True)
    outcome = UnicodeAttribute()
    reason = UnicodeAttribute(null=True)
    call_id = UnicodeAttribute(null=True)


class AwaitingCallItem(Item, discriminator="awaiting_call"):
    """A dialling autodial waiting for the PBX's end of call (AP40): the task token to resume."""

    list_id = UnicodeAttribute()
    index = NumberAttribute()
    token = UnicodeAttribute()


class SmsTemplateItem(Item, discriminator="sms_template"):
    title = UnicodeAttribute()
    text = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()
    version = VersionAttribute()


class DealFields:
    """A deal's attributes, shared by its record and its list copies."""

    title = UnicodeAttribute()
    client_id = UnicodeAttribute()
    amount_minor = NumberAttribute()
    currency = UnicodeAttribute()
    status = UnicodeAttribute()
    responsible_user_id = UnicodeAttribute()
    position = UnicodeAttribute()
    history = JSONAttribute(default=list)  # [{"status", "at"}]
    created_at = UTCDateTimeAttribute()
    created_by = UnicodeAttribute()
    updated_at = UTCDateTimeAttribute()
    closed_at = UTCDateTimeAttribute(null=True)
    # The won value in base currency at the rate of the moment; the client's source tags (rollups).
    won_base_minor = NumberAttribute(null=True)
    source_tag_ids = _strings()


class DealItem(Item, DealFields, discriminator="deal"):
    """A deal; gsi1 places it in its board column, gsi2 in its owner's column (AP25), gsi3
    among its client's deals (AP47)."""

    version = VersionAttribute()


class DealEntryItem(Item, DealFields, discriminator="deal_entry"):
    """A deal in the newest-first deals list (AP60: everyone's, or its responsible user's);
    gsi1 is the same list for one status (AP61). A full copy: a page is one Query."""

    deal_id = UnicodeAttribute()
    deal_version = NumberAttribute()


class TaskFields:
    """A task's attributes, shared by its record and its list entries (full copies)."""

    task_type = UnicodeAttribute()
    title = UnicodeAttribute()
    description = UnicodeAttribute(null=True)
    start = UTCDateTimeAttribute()
    end = UTCDateTimeAttribute()
    all_day = BooleanAttribute(default=False)
    responsible_user_id = UnicodeAttribute()
    member_ids = _strings()
    contact_ids = _strings()
    deal_id = UnicodeAttribute(null=True)
    status = UnicodeAttribute()
    completed_at = UTCDateTimeAttribute(null=True)
    completed_comment = UnicodeAttribute(null=True)
    remind_minutes_before = NumberAttribute(null=True)
    phone = UnicodeAttribute(null=True)
    sms_text = UnicodeAttribute(null=True)
    meeting_url = UnicodeAttribute(null=True)
    sms_status = UnicodeAttribute(null=True)
    sms_error = UnicodeAttribute(null=True)
    remind_at = UTCDateTimeAttribute(null=True)
    sms_at = UTCDateTimeAttribute(null=True)
    created_at = UTCDateTimeAttribute()
    created_by = UnicodeAttribute()
    updated_at = UTCDateTimeAttribute()
    # Who was responsible at creation, at completion, and when it went overdue (rollups).
    attribution = JSONAttribute(null=True)


class TaskItem(Item, TaskFields, discriminator="task"):
    """A task's record (AP27), the one its writes are conditioned on."""

    task_id = UnicodeAttribute()
    version = VersionAttribute()


class TaskEntryItem(Item, TaskFields, discriminator="task_entry"):
    """A task in one list (AP28-30): a participant's calendar, a responsible user's tasks, a
    contact's or a deal's. A full copy, so that a list page is one Query and no reads after it."""

    task_id = UnicodeAttribute()
    task_version = NumberAttribute()


class DueItem(Item, discriminator="due"):
    """A reminder or deferred SMS to fire at `at` (AP31); deleted once done.

    A worker claims it by setting `claimed_until` (a lease) in a conditional update, so two
    runs never fire it twice; a worker that dies lets the lease expire and the next run retries.
    """

    tenant_id = UnicodeAttribute()
    task_id = UnicodeAttribute()
    due_kind = UnicodeAttribute()
    at = UTCDateTimeAttribute()
    claimed_until = UTCDateTimeAttribute(null=True)
    attempts = NumberAttribute(default=0)
    last_error = UnicodeAttribute(null=True)


class WatermarkItem(Item, discriminator="watermark"):
    """The oldest hour that may still hold due actions (AP32): where a run starts catching up."""

    bucket = UnicodeAttribute()


class FilterItem(Item, discriminator="filter"):
    """A contact listed under one filter value (AP20); the record is fetched by id."""

    contact_id = UnicodeAttribute()


class CounterItem(Item, discriminator="counter"):
    """A count kept at write time (contacts per tag, per source tag): read in O(1)."""

    name = UnicodeAttribute()
    contact_kind = UnicodeAttribute()
    value = UnicodeAttribute()
    count = NumberAttribute(default=0)  # type: ignore[assignment]  # stored name; Model.count is never called on counters
    # Sum kept with the count where it means something (deals: amount in minor units).
    total = NumberAttribute(default=0)


class SourceTagItem(Item, discriminator="source"):
    param = UnicodeAttribute()
    value = UnicodeAttribute()
    display_value = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()
    version = VersionAttribute()


class PropertyItem(Item, discriminator="property"):
    key = UnicodeAttribute()
    title = UnicodeAttribute()
    property_kind = UnicodeAttribute()
    options = _strings()
    version = VersionAttribute()


class SearchItem(Item, discriminator="search"):
    """One search term of a record: the key is everything (the record is fetched by id)."""

    entity_type = UnicodeAttribute()  # "contact" | "user"
    entity_id = UnicodeAttribute()


class InvitationItem(Item, discriminator="invitation"):
    """A single-use invitation to one CRM and group; `ttl` lets DynamoDB drop expired ones."""

    invitation_id = UnicodeAttribute()
    tenant_id = UnicodeAttribute()
    group_id = UnicodeAttribute()
    email = UnicodeAttribute(null=True)  # None for a shareable link
    user_id = UnicodeAttribute(null=True)  # the invited user record, for emailed invitations
    created_by = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()
    expires_at = UTCDateTimeAttribute()


class GroupItem(Item, discriminator="group"):
    type = UnicodeAttribute()
    title = UnicodeAttribute()
    permissions = _strings()
    version = VersionAttribute()


M = TypeVar("M", bound=Item)


def narrow(item: Item, model: type[M]) -> M:
    """`item` as the record type its `_t` made it: a query on an index shared by several record
    types is typed `Item`. Another type there is a key collision, never skipped silently."""
    if not isinstance(item, model):
        raise TypeError(f"expected a {model.__name__} record, read a {type(item).__name__} at {item.pk} {item.sk}")
    return item


def bind_table(table_name: str, region: str) -> None:
    """Point every model at the stage's table; connections made for another table are dropped."""
    if (Item.Meta.table_name, getattr(Item.Meta, "region", None)) == (table_name, region):
        return  # the same table: keep the connections (a botocore client costs ~50 ms to build)
    Item.Meta.table_name = table_name
    Item.Meta.region = region
    models: list[type[Model]] = [Item]
    while models:
        model = models.pop()
        model._connection = None  # PynamoDB caches one connection per model class
        models.extend(model.__subclasses__())


def table_schema() -> dict[str, Any]:
    """Key schema and indexes of the table, as PynamoDB creates it (CDK must match)."""
    return dict(Item._get_schema())  # private in PynamoDB, but the one source of the schema


class ExtensionStatusItem(Item, discriminator="pbx_status"):
    """The extensions' online status as the PBX last said it: {extension: {"online", "at"}}."""

    statuses = JSONAttribute(default=dict)


__all__ = [
    "AwaitingCallItem",
    "BroadcastItem",
    "CallItem",
    "CallListItem",
    "ContactItem",
    "CounterItem",
    "CrmItem",
    "DealItem",
    "DueItem",
    "ExtensionStatusItem",
    "FeedItem",
    "FilterItem",
    "GroupItem",
    "InvitationItem",
    "Item",
    "ListEntryItem",
    "PropertyItem",
    "RecipientItem",
    "SearchItem",
    "SlugItem",
    "SmsTemplateItem",
    "SourceTagItem",
    "TaskEntryItem",
    "TaskItem",
    "UniqueItem",
    "UserItem",
    "WatermarkItem",
    "narrow",
    "table_schema",
]
