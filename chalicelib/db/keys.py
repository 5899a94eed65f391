"""Every key string of the table is built here and nowhere else.

Rules (docs/data-model.md has the full access-pattern table):
- Tenant data: every pk and gsi*pk starts with `T#<tenant_id>`, so no key built from a
  tenant-scoped repository can reach another tenant's items.
- Deployment-wide items (resolving a CRM slug before any tenant is known, the sweep of CRMs
  stuck in provisioning) start with `G#` and are only reached through named methods.
- Sort-key prefixes select item types (`USER#`, `GROUP#`...): a Query never filters by type.

Access patterns (AP), each a repository method with a test:
  AP1  get a CRM by id                  GetItem  pk=T#<tid>            sk=CRM
  AP2  resolve a CRM slug               GetItem  pk=G#SLUG#<slug>      sk=SLUG
  AP3  get a user                       GetItem  pk=T#<tid>            sk=USER#<uid>
  AP4  find a user by email             GetItem  pk=T#<tid>            sk=UNIQUE#USER_EMAIL#<email>
  AP5  find a user by PBX extension     GetItem  pk=T#<tid>            sk=UNIQUE#EXTENSION#<ext>
  AP6  list users by name               Query    gsi1 pk=T#<tid>#USERS sk=<name>#<uid>
  AP7  get a group                      GetItem  pk=T#<tid>            sk=GROUP#<gid>
  AP8  list groups                      Query    pk=T#<tid>            sk begins_with GROUP#
  AP9  CRMs in provisioning, by age     Query    gsi1 pk=G#PROVISIONING sk<=<created_at>
  AP10 every item of a tenant partition Query    pk=T#<tid>            (rollback of a failed creation)
  AP11 members of a group by name       Query    gsi2 pk=T#<tid>#GROUP#<gid> sk=<name>#<uid>
  AP12 an invitation by its token       GetItem  pk=G#INVITATION#<sha256> sk=INVITATION
  AP13 pending invitations of a CRM     Query    gsi1 pk=T#<tid>#INVITATIONS sk=<created_at>#<id>
  AP14 a contact's card + feed page     Query    pk=T#<tid>#C#<cid> (desc: the record, then the feed)
  AP15 a contact's feed, newest first   Query    pk=T#<tid>#C#<cid> sk begins_with FEED#
  AP16 contacts of a kind by creation   Query    gsi1 pk=T#<tid>#LIST#<kind> sk=<created_at>#<cid>
  AP17 ... of one responsible user      Query    gsi2 pk=T#<tid>#LIST#<kind>#R#<uid | -> sk=<created_at>#<cid>
  AP18 the contact owning a phone/email GetItem  pk=T#<tid> sk=UNIQUE#PHONE#<e164> | UNIQUE#EMAIL#<email>
  AP19 universal search by prefix       Query    pk=T#<tid>#S#<W|E|P>#<2 chars> sk begins_with <term>
  AP20 contacts with a filter value     Query    pk=T#<tid>#F#<kind>#<filter>#<value>[#R#<uid | ->] sk=<created>#<cid>
  AP21 counters (tags, source tags)     Query    pk=T#<tid> sk begins_with COUNT#<name>#
  AP22 source tags; one by (param, val) Query    pk=T#<tid> sk begins_with SOURCE# | GetItem UNIQUE#SOURCE#..
  AP23 custom property definitions      Query    pk=T#<tid> sk begins_with PROPERTY#
  AP24 a deal's card + feed page        Query    pk=T#<tid>#D#<did> (desc: the record, then the feed)
  AP25 a board column, in board order   Query    gsi1 pk=T#<tid>#DEALS#<status>[#R#<uid>] sk=<position>#<did>
  AP26 board counters (count, totals)   Query    pk=T#<tid> sk begins_with COUNT#deals#<all | uid>#
  AP27 a task                           GetItem  pk=T#<tid>#K#<task id> sk=TASK
  AP28 a task list by start             Query    pk=T#<tid>#TASKS#<U|R|C|D>#<id> sk=<start>#<task id>
       (U: a participant's calendar, R: a responsible user's, C: a contact's, D: a deal's)
  AP29 ... its open tasks only          Query    gsi1 pk=<list>#OPEN sk=<start>#<task id>
  AP30 ... its tasks in one status      Query    gsi2 pk=<list>#S#<status> sk=<start>#<task id>
  AP31 due actions of an hour, by time  Query    pk=G#DUE#<yyyy-mm-ddThh> sk<=<now>#...
  AP32 how far the due worker has got   GetItem  pk=G#DUE sk=WATERMARK
  AP33 a call (upserted by PBX events)  Get/UpdateItem pk=T#<tid>#CALL#<pbx_call_id> sk=CALL
  AP34 calls by start time              Query    gsi1 pk=T#<tid>#CALLS sk=<started_at>#<pbx_call_id>
  AP35 a user's calls by start time     Query    gsi2 pk=T#<tid>#CALLS#U#<uid> sk=<started_at>#<pbx_call_id>
  AP36 the call of a recording id       GetItem  pk=T#<tid> sk=UNIQUE#CALLREC#<call_id_with_rec>
  AP37 SMS templates                    Query    pk=T#<tid> sk begins_with SMSTPL#
  AP38 a broadcast and its recipients   Get/Query pk=T#<tid>#BC#<id> sk=BROADCAST | begins_with R#
  AP87 broadcasts, newest first         Query    gsi1 pk=T#<tid>#BROADCASTS | gsi2 ..#U#<creator> sk=<created_at>#<id>
  AP39 a call list and its numbers      Get/Query pk=T#<tid>#CL#<id> sk=CALLLIST | I#<index>
  AP88 call lists, newest first         Query    gsi1 pk=T#<tid>#CALLLISTS | gsi2 ..#U#<creator> sk=<created_at>#<id>
  AP89 email integrations               Query    pk=T#<tid> sk begins_with EMAIL#INT#
  AP90 an email integration (+ count)   Get/TransactWrite pk=T#<tid> sk=EMAIL#INT#<id> (+ sk=EMAIL#COUNT)
  AP100 email signatures                Query    pk=T#<tid> sk begins_with EMAIL#SIG#
  AP101 an email signature              Get/Put/Update/Delete pk=T#<tid> sk=EMAIL#SIG#<id>
  AP102 an email broadcast + recipients Get/Query pk=T#<tid>#EBC#<id> sk=BROADCAST | begins_with R#
  AP103 email broadcasts, newest first  Query    gsi1 pk=T#<tid>#EMAIL_BROADCASTS | gsi2 ..#U#<creator>
  AP104 the broadcast message of a DSN  GetItem  pk=T#<tid> sk=EMAIL#OUT#<sha256(message-id)>
  AP105 bouncing addresses              BatchGet/Put pk=T#<tid> sk=EMAIL#BOUNCE#<email>
  AP91 an email (record)                GetItem  pk=T#<tid>#EMAIL#<id> sk=EMAIL
  AP92 the email of a Message-ID        GetItem  pk=T#<tid> sk=UNIQUE#MSGID#<sha256(message-id)>
  AP93 a mailbox's folder cursors       Query    pk=T#<tid> sk begins_with EMAIL#CUR#<integration id>#
  AP94 mailboxes due for a poll         Query    gsi1 pk=G#MAILPOLL sk<=<next_poll_at>#<tid>#<id>
  AP95 email exceptions (EM-6)          Query    pk=T#<tid> sk begins_with EMAIL#EXC#
  AP96 the CRM's email settings         GetItem  pk=T#<tid> sk=EMAIL#SETTINGS
  AP40 the autodial awaiting a call end GetItem  pk=T#<tid> sk=UNIQUE#AUTODIAL#<extension>#<e164>
  AP41 an import                        GetItem  pk=T#<tid>#IM#<id> sk=IMPORT
  AP42 imports, newest first (history)  Query    gsi1 pk=T#<tid>#IMPORTS sk=<created_at>#<id>
  AP43 the owners of many phones/emails BatchGet pk=T#<tid> sk=UNIQUE#PHONE#.. | UNIQUE#EMAIL#.. (an import chunk)
  AP44 a contact's whole partition      Query    pk=T#<tid>#C#<cid> (keys: record and feed, undoing an import)
  AP45 an export                        GetItem  pk=T#<tid>#EX#<id> sk=EXPORT
  AP46 exports, newest first            Query    gsi1 pk=T#<tid>#EXPORTS sk=<created_at>#<id>
  AP47 a client's deals, newest first   Query    gsi3 pk=T#<tid>#C#<cid>#DEALS sk=<created_at>#<did>
  AP48 the PBX extensions' last status  GetItem  pk=T#<tid> sk=PBXSTATUS (a cache: the PBX has no bulk status)
  AP60 deals newest first (all, a user's) Query  pk=T#<tid>#DEALLIST[#R#<uid>] sk=<created_at>#<did> (full copies)
  AP61 ... of one status                Query    gsi1 pk=T#<tid>#DEALLIST[#R#<uid>]#S#<status> sk=<created_at>#<did>
  AP62 every CRM, oldest first          Query    gsi2 pk=G#CRMS sk=<created_at>#<tid> (maintenance runs)
  AP140 a webhook subscription          GetItem  pk=T#<tid> sk=HOOK#<id>
  AP141 the CRM's webhooks              Query    pk=T#<tid> sk begins_with HOOK# (at most 100)
  AP142 a hook by owner, event and URL  GetItem  pk=T#<tid> sk=UNIQUE#HOOK#<uid>#<event>#<sha256 of url>
  AP143 the CRM's hook counts per event GetItem  pk=T#<tid> sk=CRM (attributes h:<event>; read with the time zone)
  AP144 a hook's delivery log           Query    pk=T#<tid>#HOOKLOG#<id> sk=A#<ulid> (newest first)
  AP145 webhook messages of an hour     Query    pk=G#HOOKQ#<yyyy-mm-ddThh> sk<=<now>~ (the outbox)
  AP146 the webhook worker's watermark  GetItem  pk=G#HOOKQ sk=WATERMARK
  AP147 a transfer appended to a call  UpdateItem pk=T#<tid>#CALL#<pbx_call_id> sk=CALL (list_append transfers)
  AP148 a user's WebRTC key (web phone) GetItem  pk=T#<tid> sk=WEBRTCKEY#<uid> (its owner only)
  AP149 ... replaced when renewed       PutItem  pk=T#<tid> sk=WEBRTCKEY#<uid>
  AP130 an API key by its lookup id     GetItem  pk=G#APIKEY#<kid>     sk=APIKEY
  AP131 a CRM's API keys, newest first  Query    gsi1 pk=T#<tid>#APIKEYS sk=<created_at>#<kid>
  AP132 a user's API keys, newest first Query    gsi2 pk=T#<tid>#APIKEYS#U#<uid> sk=<created_at>#<kid>
  AP133 a key's requests in a minute    UpdateItem pk=G#APIKEY#<kid>   sk=RATE#<yyyymmddhhmm> (TTL)
  AP134 Teamsale numbers of a page      BatchGet pk=T#<tid> sk=ZCRM#R#<ref> (ref: a ULID | label:<tag>)
  AP135 reserve N Teamsale numbers      UpdateItem pk=T#<tid> sk=ZCRM#SEQ (ADD last N)
  AP136 number -> record (first use)    BatchWrite pk=T#<tid> sk=ZCRM#N#<number>
  AP137 record -> number (first use)    PutItem  pk=T#<tid> sk=ZCRM#R#<ref> (attribute_not_exists)
  AP138 the record of a Teamsale number GetItem  pk=T#<tid> sk=ZCRM#N#<number>
  AP139 a lost race's number            Get/Delete pk=T#<tid> sk=ZCRM#R#<ref> | ZCRM#N#<number>
  AP120 a user's Google Calendar link   Get/Update pk=T#<tid> sk=GCAL#<uid> (options, status, sync token, lease)
  AP121 connections due for a sync      Query    gsi1 pk=G#GCAL sk<=<next_sync_at>#... (sparse: status ok)
  AP122 users who push tasks to Google  GetItem  pk=T#<tid> sk=GCALPUSH (read by every task write)
  AP123 a pending OAuth consent         Get/Delete pk=G#OAUTH#<sha256(state)> sk=OAUTH (TTL)
  AP124-126 a user's links             Get/Query pk=T#<tid>#GCAL#<uid> sk=TASK#<id> | EV#<id>
  AP127 tasks pending a push (per task) Update/Query pk=T#<tid>#GCALPEND sk=PENDING#<id> (users: a set)
  AP128 a user's sync lease             UpdateItem pk=T#<tid> sk=GCAL#<uid> (lease_until < now)
  AP129 disconnect, account change     Get/Query pk=T#<tid>#GCAL#<uid> sk=ACCOUNT | begins_with PENDING#, TASK#, EV#

"""

from __future__ import annotations

from datetime import UTC, date, datetime

from chalicelib.domain.counters import UNASSIGNED
from chalicelib.domain.counters import owner_counter as owner_counter  # re-exported: repositories name them

TENANT = "T#"
GLOBAL = "G#"

CRM = "CRM"
USER = "USER#"
GROUP = "GROUP#"
UNIQUE = "UNIQUE#"
SLUG = "SLUG"


def tenant_pk(tenant_id: str) -> str:
    return f"{TENANT}{tenant_id}"


def crm_sk() -> str:
    return CRM


def user_sk(user_id: str) -> str:
    return f"{USER}{user_id}"


def group_sk(group_id: str) -> str:
    return f"{GROUP}{group_id}"


def user_email_sk(email: str) -> str:
    """Guard item making a user's email unique in a CRM (value already normalised)."""
    return f"{UNIQUE}USER_EMAIL#{email}"


def extension_sk(extension: str) -> str:
    """Guard item making a PBX extension unique in a CRM."""
    return f"{UNIQUE}EXTENSION#{extension}"


def users_by_name_pk(tenant_id: str) -> str:
    return f"{tenant_pk(tenant_id)}#USERS"


def users_by_name_sk(name: str, user_id: str) -> str:
    # casefold: the list sorts "alice" with "Alice"; the id keeps equal names distinct.
    return f"{name.casefold()}#{user_id}"


def group_members_pk(tenant_id: str, group_id: str) -> str:
    return f"{tenant_pk(tenant_id)}#GROUP#{group_id}"


def invitation_pk(token_hash: str) -> str:
    """Invitations are found by their token before the tenant is known: a global key."""
    return f"{GLOBAL}INVITATION#{token_hash}"


def invitation_sk() -> str:
    return "INVITATION"


def invitations_pk(tenant_id: str) -> str:
    return f"{tenant_pk(tenant_id)}#INVITATIONS"


def invitations_sk(created_at_iso: str, invitation_id: str) -> str:
    return f"{created_at_iso}#{invitation_id}"


CONTACT_RECORD = "~CONTACT"  # sorts after every FEED# entry: a descending Query starts with it
FEED = "FEED#"


def contact_pk(tenant_id: str, contact_id: str) -> str:
    """A contact's partition: its record and its feed, nothing else (the card is one Query)."""
    return f"{tenant_pk(tenant_id)}#C#{contact_id}"


def contact_record_sk() -> str:
    return CONTACT_RECORD


def feed_sk(entry_id: str) -> str:
    return f"{FEED}{entry_id}"


def contact_phone_sk(e164: str) -> str:
    """Guard item: a phone belongs to one client or lead of the CRM."""
    return f"{UNIQUE}PHONE#{e164}"


def contact_email_sk(email: str) -> str:
    return f"{UNIQUE}EMAIL#{email}"


def contacts_pk(tenant_id: str, kind: str) -> str:
    return f"{tenant_pk(tenant_id)}#LIST#{kind}"


def contacts_of_pk(tenant_id: str, kind: str, user_id: str | None) -> str:
    """Contacts of a kind whose responsible user is `user_id` (None: the unsorted pool)."""
    return f"{contacts_pk(tenant_id, kind)}#R#{user_id or UNASSIGNED}"


def contacts_sk(created_at_iso: str, contact_id: str) -> str:
    return f"{created_at_iso}#{contact_id}"


def filter_pk(tenant_id: str, kind: str, name: str, value: str, *, owner: str | None = "", scoped: bool = False) -> str:
    """Contacts of a kind with one filter value (a tag, a type...), optionally of one owner."""
    base = f"{tenant_pk(tenant_id)}#F#{kind}#{name}#{value}"
    return f"{base}#R#{owner or UNASSIGNED}" if scoped else base


def counter_sk(name: str, kind: str, value: str) -> str:
    return f"COUNT#{name}#{kind}#{value}"


def counters_prefix(name: str) -> str:
    return f"COUNT#{name}#"


DEAL_RECORD = "~DEAL"


def deal_pk(tenant_id: str, deal_id: str) -> str:
    """A deal's partition: its record and its feed (DE-4), like a contact's."""
    return f"{tenant_pk(tenant_id)}#D#{deal_id}"


def deal_column_pk(tenant_id: str, status: str, owner: str | None = None) -> str:
    """A board column: every deal in a status, or one user's (`owner`)."""
    base = f"{tenant_pk(tenant_id)}#DEALS#{status}"
    return f"{base}#R#{owner}" if owner else base


def deal_column_sk(position: str, deal_id: str) -> str:
    return f"{position}#{deal_id}"


def client_deals_pk(tenant_id: str, client_id: str) -> str:
    """A client's deals, every status (the deals list filtered by client)."""
    return f"{tenant_pk(tenant_id)}#C#{client_id}#DEALS"


def client_deals_sk(created_at: str, deal_id: str) -> str:
    return f"{created_at}#{deal_id}"


def deal_counter_sk(scope: str, status: str, currency: str) -> str:
    """Count and amount of deals in a status and currency, for everyone (`all`) or one user."""
    return f"COUNT#deals#{scope}#{status}#{currency}"


def deal_counters_prefix(scope: str) -> str:
    return f"COUNT#deals#{scope}#"


TASK_RECORD = "TASK"


def task_pk(tenant_id: str, task_id: str) -> str:
    return f"{tenant_pk(tenant_id)}#K#{task_id}"


class TaskList:
    """Which list of tasks an entry belongs to (AP28): whose calendar, whose tasks, whose links."""

    PARTICIPANT = "U"
    RESPONSIBLE = "R"
    CONTACT = "C"
    DEAL = "D"


def task_list_pk(tenant_id: str, list_kind: str, owner_id: str) -> str:
    return f"{tenant_pk(tenant_id)}#TASKS#{list_kind}#{owner_id}"


def task_list_sk(start_iso: str, task_id: str) -> str:
    return f"{start_iso}#{task_id}"


def team_calendar_pk(tenant_id: str) -> str:
    """Every task of a CRM by start, on its record (AP106, index gsi3): the team's calendar."""
    return f"{tenant_pk(tenant_id)}#TEAMCAL"


def open_tasks_pk(list_pk: str) -> str:
    """The open (not done) tasks of a list (AP29), a sparse index: done tasks leave it."""
    return f"{list_pk}#OPEN"


def tasks_in_status_pk(list_pk: str, status: str) -> str:
    return f"{list_pk}#S#{status}"


def due_bucket(at: datetime) -> str:
    """The hour an instant falls in (UTC), which names its due partition."""
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H")


def due_bucket_start(bucket: str) -> datetime:
    """The first instant of the hour a bucket names (the inverse of `due_bucket`)."""
    return datetime.strptime(bucket, "%Y-%m-%dT%H").replace(tzinfo=UTC)


def due_pk(bucket: str) -> str:
    """Due actions (reminders, deferred SMS) of one hour, for the whole deployment (AP31)."""
    return f"{GLOBAL}DUE#{bucket}"


def due_sk(at_iso: str, tenant_id: str, task_id: str, kind: str) -> str:
    # The time first: a Query up to `now` reads exactly what is due, in order.
    return f"{at_iso}#{tenant_id}#{task_id}#{kind}"


def due_until_sk(at_iso: str) -> str:
    """Upper bound of the sort keys of actions due at `at_iso` or before (`~` sorts after `#`)."""
    return f"{at_iso}~"


def due_watermark_key() -> tuple[str, str]:
    return f"{GLOBAL}DUE", "WATERMARK"


CALL_RECORD = "CALL"
EXTENSION_STATUS = "PBXSTATUS"
WEBPHONE_KEY = "WEBRTCKEY#"  # + the user's id: one's WebRTC key of the PBX


def webphone_key_sk(user_id: str) -> str:
    return f"{WEBPHONE_KEY}{user_id}"


def call_pk(tenant_id: str, call_id: str) -> str:
    """A call's own partition: PBX events for one call all land on this one item."""
    return f"{tenant_pk(tenant_id)}#CALL#{call_id}"


def calls_pk(tenant_id: str) -> str:
    return f"{tenant_pk(tenant_id)}#CALLS"


def calls_of_pk(tenant_id: str, user_id: str) -> str:
    return f"{calls_pk(tenant_id)}#U#{user_id}"


def calls_sk(started_at_iso: str, call_id: str) -> str:
    return f"{started_at_iso}#{call_id}"


def call_record_ref_sk(record_id: str) -> str:
    """Maps the PBX's recording id (call_id_with_rec) back to its call (transcripts name it)."""
    return f"{UNIQUE}CALLREC#{record_id}"


SMS_TEMPLATE = "SMSTPL#"


def sms_template_sk(template_id: str) -> str:
    return f"{SMS_TEMPLATE}{template_id}"


EMAIL_INTEGRATION = "EMAIL#INT#"
# How many email integrations the CRM has: raised under a condition on create (<= 20, EM-1).
EMAIL_INTEGRATION_COUNT = "EMAIL#COUNT"


def email_integration_sk(integration_id: str) -> str:
    return f"{EMAIL_INTEGRATION}{integration_id}"


EMAIL_SIGNATURE = "EMAIL#SIG#"


def email_signature_sk(signature_id: str) -> str:
    return f"{EMAIL_SIGNATURE}{signature_id}"


def email_broadcast_pk(tenant_id: str, broadcast_id: str) -> str:
    """An email broadcast's partition: its record (BROADCAST_RECORD) and its recipients (R#)."""
    return f"{tenant_pk(tenant_id)}#EBC#{broadcast_id}"


def email_broadcasts_pk(tenant_id: str, created_by: str | None = None) -> str:
    """The email broadcasts of a CRM (gsi1), or of one creator (gsi2), newest first (AP103)."""
    base = f"{tenant_pk(tenant_id)}#EMAIL_BROADCASTS"
    return f"{base}#U#{created_by}" if created_by else base


def email_broadcast_id_of(pk: str) -> str:
    return pk.rsplit("#EBC#", 1)[1]


def sent_message_sk(message_id_hash: str) -> str:
    """A message a broadcast sent, by the sha256 of its Message-ID: the recipient a DSN names (AP104)."""
    return f"EMAIL#OUT#{message_id_hash}"


def bouncing_address_sk(email: str) -> str:
    """An address a DSN 5.x.x reported as undeliverable (AP105)."""
    return f"EMAIL#BOUNCE#{email}"


EMAIL_RECORD = "EMAIL"
EMAIL_CURSOR = "EMAIL#CUR#"
EMAIL_EXCEPTION = "EMAIL#EXC#"
EMAIL_SETTINGS = "EMAIL#SETTINGS"


def email_pk(tenant_id: str, email_id: str) -> str:
    """An archived email (AP91): its own partition, one item."""
    return f"{tenant_pk(tenant_id)}#EMAIL#{email_id}"


def message_guard_sk(message_key: str) -> str:
    """The Message-ID guard (AP92): `message_key` is the sha256 of the Message-ID."""
    return f"{UNIQUE}MSGID#{message_key}"


def email_cursors_prefix(integration_id: str) -> str:
    return f"{EMAIL_CURSOR}{integration_id}#"


def email_cursor_sk(integration_id: str, folder: str) -> str:
    """A mailbox folder's cursor (AP93): `folder` is its role (`inbox`, `sent`)."""
    return f"{email_cursors_prefix(integration_id)}{folder}"


def email_exception_sk(exception_id: str) -> str:
    return f"{EMAIL_EXCEPTION}{exception_id}"


def mail_poll_pk() -> str:
    """Mailboxes of every CRM by their next poll (AP94, gsi1 of the integration item)."""
    return f"{GLOBAL}MAILPOLL"


def mail_poll_sk(next_poll_iso: str, tenant_id: str, integration_id: str) -> str:
    return f"{next_poll_iso}#{tenant_id}#{integration_id}"


BROADCAST_RECORD = "BROADCAST"
RECIPIENT = "R#"


def broadcast_pk(tenant_id: str, broadcast_id: str) -> str:
    """A broadcast's partition: its record and its recipients (their order is the send order)."""
    return f"{tenant_pk(tenant_id)}#BC#{broadcast_id}"


def broadcasts_pk(tenant_id: str, created_by: str | None = None) -> str:
    """The broadcasts of a CRM (gsi1), or of one creator (gsi2), newest first (AP87)."""
    base = f"{tenant_pk(tenant_id)}#BROADCASTS"
    return f"{base}#U#{created_by}" if created_by else base


def broadcast_id_of(pk: str) -> str:
    return pk.rsplit("#BC#", 1)[1]


def recipient_sk(index: int) -> str:
    return f"{RECIPIENT}{index:06d}"


CALL_LIST_RECORD = "CALLLIST"
LIST_ITEM = "I#"


def call_list_pk(tenant_id: str, list_id: str) -> str:
    """A call list's partition: its record and its numbers, in dialling order."""
    return f"{tenant_pk(tenant_id)}#CL#{list_id}"


def call_lists_pk(tenant_id: str, user_id: str | None = None) -> str:
    """The call lists of a CRM (gsi1), or of one creator (gsi2), newest first (AP88)."""
    base = f"{tenant_pk(tenant_id)}#CALLLISTS"
    return f"{base}#U#{user_id}" if user_id else base


def call_list_id_of(pk: str) -> str:
    return pk.rsplit("#CL#", 1)[1]


def list_item_sk(index: int) -> str:
    return f"{LIST_ITEM}{index:06d}"


def awaiting_call_sk(extension: str, phone: str) -> str:
    """What the PBX's end-of-call event for (extension, number) resumes: a dialling autodial."""
    return f"{UNIQUE}AUTODIAL#{extension}#{phone}"


IMPORT_RECORD = "IMPORT"
EXPORT_RECORD = "EXPORT"


def import_pk(tenant_id: str, import_id: str) -> str:
    return f"{tenant_pk(tenant_id)}#IM#{import_id}"


def imports_pk(tenant_id: str) -> str:
    """The import history of a CRM (gsi1), newest first."""
    return f"{tenant_pk(tenant_id)}#IMPORTS"


def export_pk(tenant_id: str, export_id: str) -> str:
    return f"{tenant_pk(tenant_id)}#EX#{export_id}"


def exports_pk(tenant_id: str) -> str:
    return f"{tenant_pk(tenant_id)}#EXPORTS"


def created_sk(created_at_iso: str, record_id: str) -> str:
    return f"{created_at_iso}#{record_id}"


SOURCE = "SOURCE#"
PROPERTY = "PROPERTY#"


def property_sk(property_id: str) -> str:
    return f"{PROPERTY}{property_id}"


def property_key_sk(key: str) -> str:
    """Guard item: a property key is unique in a CRM."""
    return f"{UNIQUE}PROPERTY#{key}"


def source_tag_sk(source_tag_id: str) -> str:
    return f"{SOURCE}{source_tag_id}"


def source_tag_value_sk(param: str, value: str) -> str:
    """Guard item: one source tag per (param, value); the PBX finds a DID's tag through it."""
    return f"{UNIQUE}SOURCE#{param}#{value}"


def search_pk(tenant_id: str, term_kind: str, bucket: str) -> str:
    return f"{tenant_pk(tenant_id)}#S#{term_kind}#{bucket}"


def search_sk(term: str, entity_type: str, entity_id: str) -> str:
    # `|` cannot appear in a folded word, an email or digits: the term ends where it starts.
    return f"{term}|{entity_type}#{entity_id}"


def search_prefix(term: str) -> str:
    return term


def user_record_key(tenant_id: str, user_id: str) -> tuple[str, str]:
    return tenant_pk(tenant_id), user_sk(user_id)


def contact_record_key(tenant_id: str, contact_id: str) -> tuple[str, str]:
    return contact_pk(tenant_id, contact_id), contact_record_sk()


def slug_pk(slug: str) -> str:
    return f"{GLOBAL}SLUG#{slug}"


def slug_sk() -> str:
    return SLUG


def provisioning_pk() -> str:
    return f"{GLOBAL}PROVISIONING"


def provisioning_sk(created_at_iso: str, tenant_id: str) -> str:
    return f"{created_at_iso}#{tenant_id}"


def belongs_to_tenant(key_value: str, tenant_id: str) -> bool:
    """True for key strings inside the tenant's key space (used to vet client cursors)."""
    prefix = tenant_pk(tenant_id)
    return key_value == prefix or key_value.startswith(f"{prefix}#")


def deal_list_pk(tenant_id: str, owner: str | None = None) -> str:
    """The newest-first deals list (AP60): every deal, or one responsible user's."""
    base = f"{tenant_pk(tenant_id)}#DEALLIST"
    return f"{base}#R#{owner}" if owner else base


def deal_list_status_pk(list_pk: str, status: str) -> str:
    """The same list, one status (AP61, gsi1)."""
    return f"{list_pk}#S#{status}"


def search_term_of(sk: str) -> str:
    """The term a search item's sort key starts with (see `search_sk`)."""
    return sk.split("|", 1)[0]


def crms_pk() -> str:
    """Every CRM of the deployment (AP62, gsi2 of the CRM record): what maintenance runs walk."""
    return f"{GLOBAL}CRMS"


def crms_sk(created_at_iso: str, tenant_id: str) -> str:
    return f"{created_at_iso}#{tenant_id}"


# --- rollups (issue 15, docs/analytics.md) ---------------------------------------------------


def rollup_pk(tenant_id: str, scope: str) -> str:
    """The rollup cells of one scope (`*`: the whole CRM, else a user id), AP63-AP65: one item
    per period (`D<day>`, `Q<UTC quarter-hour>`, `NOW`), one number attribute per metric."""
    return f"{tenant_pk(tenant_id)}#ROLL#{scope}"


def rollup_sk(period: str) -> str:
    return period


def closed_leads_pk(tenant_id: str) -> str:
    """Tombstones of leads closed as poor quality (AP66), oldest first."""
    return f"{tenant_pk(tenant_id)}#CLOSED"


def closed_lead_sk(closed_at_iso: str, lead_id: str) -> str:
    return f"{closed_at_iso}#{lead_id}"


# --- dashboard (issue 15, B) ----------------------------------------------------------------------
DASHBOARD = "DASHBOARD#"


def dashboard_sk(user_id: str) -> str:
    """A user's dashboard layout (AP72), in the tenant partition."""
    return f"{DASHBOARD}{user_id}"


# --- Notifications (issue 15, AP83-86) ------------------------------------------------------
NOTIFICATION = "N#"
NOTIFICATION_INBOX = "INBOX"


def notifications_pk(tenant_id: str, user_id: str) -> str:
    """One user's notifications and their inbox item (AP83, AP84, AP86)."""
    return f"{tenant_pk(tenant_id)}#NT#{user_id}"


def notification_sk(notification_id: str) -> str:
    return f"{NOTIFICATION}{notification_id}"


def notifications_unread_pk(tenant_id: str, user_id: str) -> str:
    """gsi1 of a notification while it is not marked read on its own (AP85, sparse)."""
    return f"{notifications_pk(tenant_id, user_id)}#UNREAD"


def notification_day_attribute(day: date) -> str:
    """The inbox item's attribute counting the unread notifications of one UTC day."""
    return f"u{day:%Y%m%d}"


def notification_day_of(attribute: str) -> date | None:
    """The day an inbox attribute counts (None for any other attribute)."""
    if len(attribute) != 9 or not attribute.startswith("u") or not attribute[1:].isdigit():
        return None
    try:
        return datetime.strptime(attribute[1:], "%Y%m%d").replace(tzinfo=UTC).date()
    except ValueError:
        return None


# --- webhooks (Zapier REST hooks, AP140-AP146) -----------------------------------------------

HOOK = "HOOK#"
HOOK_TOTAL_ATTRIBUTE = "h:total"  # on the CRM record: its hooks, all events


def hook_sk(hook_id: str) -> str:
    return f"{HOOK}{hook_id}"


def hook_guard_sk(owner_id: str, event: str, url_sha256: str) -> str:
    """One hook per (owner, event, URL): subscribing again finds it (AP142)."""
    return f"UNIQUE#HOOK#{owner_id}#{event}#{url_sha256}"


def hook_count_attribute(event: str) -> str:
    """The CRM record's count of hooks of one event (AP143), read with its time zone."""
    return f"h:{event}"


def hook_log_pk(tenant_id: str, hook_id: str) -> str:
    return f"{TENANT}{tenant_id}#HOOKLOG#{hook_id}"


def hook_log_sk(attempt_id: str) -> str:
    return f"A#{attempt_id}"


def hook_queue_pk(bucket: str) -> str:
    """Webhook messages (events to fan out, deliveries to retry) of one hour, deployment-wide (AP145)."""
    return f"{GLOBAL}HOOKQ#{bucket}"


def hook_queue_sk(at_iso: str, tenant_id: str, kind: str, message_id: str) -> str:
    # The time first: a Query up to `now` reads exactly what is due, in order.
    return f"{at_iso}#{tenant_id}#{kind}#{message_id}"


def hook_watermark_key() -> tuple[str, str]:
    return f"{GLOBAL}HOOKQ", "WATERMARK"


# --- API keys (issue 20, AP130-AP133) -------------------------------------------------------
API_KEY_RECORD = "APIKEY"


def api_key_pk(key_id: str) -> str:
    """A key is presented before any tenant is known: its record is deployment-wide (AP130)."""
    return f"{GLOBAL}APIKEY#{key_id}"


def api_key_sk() -> str:
    return API_KEY_RECORD


def api_keys_pk(tenant_id: str, user_id: str | None = None) -> str:
    """A CRM's keys (gsi1, AP131) or one owner's (gsi2, AP132)."""
    base = f"{tenant_pk(tenant_id)}#APIKEYS"
    return f"{base}#U#{user_id}" if user_id else base


def api_keys_sk(created_at_iso: str, key_id: str) -> str:
    return f"{created_at_iso}#{key_id}"


def api_key_rate_sk(window: str) -> str:
    """A key's request counter for one minute (AP133), dropped by TTL soon after."""
    return f"RATE#{window}"


# --- Google Calendar sync (issue 19, AP120-AP129) ---------------------------------------------

GCAL = "GCAL#"
# The CRM's users whose connection pushes tasks to Google (AP122): the task write reads it.
GCAL_PUSHERS = "GCALPUSH"
GCAL_LINK_TASK = "TASK#"
GCAL_LINK_EVENT = "EV#"
GCAL_PENDING = "PENDING#"
GCAL_ACCOUNT = "ACCOUNT"
OAUTH_STATE = "OAUTH"


def calendar_sk(user_id: str) -> str:
    """One user's Google Calendar connection, in the CRM's partition (AP120)."""
    return f"{GCAL}{user_id}"


def calendar_due_pk() -> str:
    """gsi1 of the connections that sync on schedule, for the whole deployment (AP121, sparse)."""
    return f"{GLOBAL}GCAL"


def calendar_due_sk(next_sync_iso: str, tenant_id: str, user_id: str) -> str:
    return f"{next_sync_iso}#{tenant_id}#{user_id}"


def calendar_due_until_sk(at_iso: str) -> str:
    return f"{at_iso}~"


def calendar_sync_pk(tenant_id: str, user_id: str) -> str:
    """One user's links (AP124-AP126, AP129)."""
    return f"{tenant_pk(tenant_id)}#GCAL#{user_id}"


def calendar_link_task_sk(task_id: str) -> str:
    return f"{GCAL_LINK_TASK}{task_id}"


def calendar_link_event_sk(event_id: str) -> str:
    return f"{GCAL_LINK_EVENT}{event_id}"


def calendar_pending_pk(tenant_id: str) -> str:
    """The CRM's tasks changed since some of their pushers last synced (AP127): ONE item per
    task, whatever its participants, so a task write adds one item to its transaction."""
    return f"{tenant_pk(tenant_id)}#GCALPEND"


def calendar_pending_sk(task_id: str) -> str:
    return f"{GCAL_PENDING}{task_id}"


def oauth_state_pk(state_hash: str) -> str:
    """A pending OAuth consent, by the sha256 of its `state` (AP123; TTL 10 minutes)."""
    return f"{GLOBAL}OAUTH#{state_hash}"


ZCRM_SEQ = "ZCRM#SEQ"
ZCRM_NUMBER = "ZCRM#N#"
ZCRM_REF = "ZCRM#R#"


def zcrm_seq_sk() -> str:
    """The CRM's Teamsale id sequence (AP135)."""
    return ZCRM_SEQ


def zcrm_number_sk(number: int) -> str:
    """A Teamsale number -> the record it names (AP136, AP138)."""
    return f"{ZCRM_NUMBER}{number}"


def zcrm_ref_sk(ref: str) -> str:
    """A record (ULID, or `label:<tag>`) -> its Teamsale number (AP134, AP137)."""
    return f"{ZCRM_REF}{ref}"
