"""Calls of one CRM (AP33-36), built by PBX events, and their entries in contacts' feeds.

Every event of a call updates the same item with one UpdateItem: facts the first event to know
them sets are written with `if_not_exists`, the end of the call overwrites, and `seq` counts the
events. So a repeated event, or events in any order, leave the same call. The call's line in a
contact's feed has an id derived from the call, and is rewritten only by a newer `seq`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from pynamodb.exceptions import PutError, UpdateError

from chalicelib.db import keys
from chalicelib.db.models.calls import CallItem, TransferMap
from chalicelib.db.models.shared import FeedItem, SearchItem, UniqueItem
from chalicelib.db.pagination import Page, decode_cursor, encode_cursor
from chalicelib.db.ranges import time_range
from chalicelib.db.repositories.hooks import HookOutbox
from chalicelib.db.repositories.rollups import RollupRepository
from chalicelib.db.repositories.search import SearchIndex
from chalicelib.db.writes import Put, Update, Write, transact
from chalicelib.domain.clock import isoformat_z
from chalicelib.domain.contacts import FeedKind
from chalicelib.domain.errors import ConflictError
from chalicelib.domain.ids import derived_id
from chalicelib.domain.rollups import delta
from chalicelib.domain.rollups.calls import contributions
from chalicelib.domain.telephony import Call, CallDirection, CallStatus, RecordingState, Transfer

if TYPE_CHECKING:
    from pynamodb.attributes import Attribute
    from pynamodb.expressions.condition import Condition
    from pynamodb.expressions.update import Action

    from chalicelib.db.items import Item
    from chalicelib.domain.call_events import CallEvent
    from chalicelib.domain.search import Term
    from chalicelib.ports.queries.calls import CallFilter

CALL = "call"
OWNER_CALL = "call"


class CallRepository:
    def __init__(self, tenant_id: str) -> None:
        self._tenant_id = tenant_id
        self._pk = keys.tenant_pk(tenant_id)

    def get(self, call_id: str, *, consistent: bool = False) -> Call | None:
        """AP33."""
        try:
            item = CallItem.get(keys.call_pk(self._tenant_id, call_id), keys.CALL_RECORD, consistent_read=consistent)
        except CallItem.DoesNotExist:
            return None
        return _to_call(item)

    def apply(
        self,
        event: CallEvent,
        received_at: datetime,
        *,
        user_id: str | None = None,
        contact: tuple[str, str, str] | None = None,
    ) -> Call:
        """AP33: merge one event into its call (created by the first) and return the call as stored.
        What the call counts for in the rollups changes at most at its end (status, talk time)
        (the end event decides its user too): the rollups follow the end event."""
        before = self.get(event.call_id, consistent=True) if event.final else None
        item = CallItem(keys.call_pk(self._tenant_id, event.call_id), keys.CALL_RECORD)
        actions: list[Action] = [
            CallItem.kind.set(CallItem),  # an upsert creates the item, discriminator included
            _first(CallItem.direction, event.direction.value),
            _first(CallItem.received_at, received_at),
            CallItem.seq.add(1),
        ]
        for name, value in event.first.items():
            if value is not None:
                actions.append(_first(getattr(CallItem, name), value))
        for name, value in event.final.items():
            attribute = getattr(CallItem, name)
            actions.append(attribute.remove() if value is None else attribute.set(value))
        # Listed by its start; a call whose PBX start is unreadable by the time it was received,
        # which is the start it shows (_to_call): by id, in a search and in the list alike.
        started = event.first.get("started_at")
        listed_at = started if isinstance(started, datetime) else received_at
        sort_key = keys.calls_sk(isoformat_z(listed_at), event.call_id)
        actions += [_first(CallItem.gsi1pk, keys.calls_pk(self._tenant_id)), _first(CallItem.gsi1sk, sort_key)]
        if user_id is not None:
            pick = (lambda a, v: a.set(v)) if event.extension_final else _first
            actions += [
                pick(CallItem.extension, event.extension),
                pick(CallItem.user_id, user_id),
                pick(CallItem.gsi2pk, keys.calls_of_pk(self._tenant_id, user_id)),
                pick(CallItem.gsi2sk, sort_key),
            ]
        if event.record_id:
            actions.append(CallItem.record_id.set(event.record_id))
            actions.append(_first(CallItem.recording, RecordingState.PENDING.value))
        if contact is not None:
            actions += [
                _first(CallItem.contact_type, contact[0]),
                _first(CallItem.contact_id, contact[1]),
                _first(CallItem.contact_name, contact[2]),
            ]
        item.update(actions=actions)  # PynamoDB asks for ALL_NEW and loads it into `item`
        after = _to_call(item)
        if event.final:
            # Not in one transaction with the upsert (it returns the merged call); a crash in
            # between leaves a difference that reconciliation repairs.
            rollups = RollupRepository(self._tenant_id)
            rollups.add(delta(before, after, rollups.tz, contributions))
            HookOutbox(self._tenant_id).emit_once("call", before, after, f"call:{after.id}", received_at)
        return after

    def start(
        self,
        event: CallEvent,
        received_at: datetime,
        *,
        user_id: str | None,
        contact: tuple[str, str, str] | None,
        terms: Callable[[Call], Iterable[Term]],
    ) -> Call | None:
        """AP33 for a call's first event (the usual NOTIFY_START): the call created, its feed line
        and its search terms in ONE TransactWriteItems, the call computed here (what `apply`
        would store into a new item). None when the call exists already (an event came first,
        or this one is repeated) or the event sets final facts: then `apply` and the rest do."""
        if event.final or event.record_id:
            return None
        attributes: dict[str, Any] = {
            "direction": event.direction.value,
            "received_at": received_at,
            "seq": 1,
            **{name: value for name, value in event.first.items() if value is not None},
        }
        started = event.first.get("started_at")
        sort_key = keys.calls_sk(isoformat_z(started if isinstance(started, datetime) else received_at), event.call_id)
        attributes.update(gsi1pk=keys.calls_pk(self._tenant_id), gsi1sk=sort_key)
        if user_id is not None:
            attributes.update(extension=event.extension, user_id=user_id, gsi2sk=sort_key,
                              gsi2pk=keys.calls_of_pk(self._tenant_id, user_id))  # fmt: skip
        if contact is not None:
            attributes.update(contact_type=contact[0], contact_id=contact[1], contact_name=contact[2])
        item = CallItem(keys.call_pk(self._tenant_id, event.call_id), keys.CALL_RECORD, **attributes)
        call = _to_call(item)
        actions = [CallItem.kind.set(CallItem), CallItem.seq.add(1)]
        actions += [getattr(CallItem, name).set(value) for name, value in attributes.items() if name != "seq"]
        fresh = ConflictError("the call exists already")
        writes: list[Write] = [Update(item, actions, condition=CallItem.pk.does_not_exist(), on_conflict=fresh)]
        entry = self._feed_item(call)
        if entry is not None:
            writes.append(Put(entry, condition=FeedItem.pk.does_not_exist(), on_conflict=fresh))
        if call.phone:
            writes += SearchIndex(self._tenant_id).writes(CALL, call.id, (), terms(call))
        try:
            transact(writes)
        except ConflictError:
            return None
        return call

    def link_write(self, call_id: str, contact_type: str, contact_id: str, name: str) -> Update:
        """Link a call that has no contact yet to one (in the transaction creating it, TE-6)."""
        item = CallItem(keys.call_pk(self._tenant_id, call_id), keys.CALL_RECORD)
        return Update(
            item,
            [
                CallItem.contact_type.set(contact_type),
                CallItem.contact_id.set(contact_id),
                CallItem.contact_name.set(name),
                CallItem.seq.add(1),
            ],
            condition=CallItem.pk.exists() & CallItem.contact_id.does_not_exist(),
            on_conflict=ConflictError("this call already belongs to a contact", field="call_id"),
        )

    def set_contact(self, call_id: str, contact_type: str, contact_id: str, name: str) -> Call:
        """Link a call to the contact just created for its number (TE-6)."""
        item = CallItem(keys.call_pk(self._tenant_id, call_id), keys.CALL_RECORD)
        item.update(
            actions=[
                CallItem.contact_type.set(contact_type),
                CallItem.contact_id.set(contact_id),
                CallItem.contact_name.set(name),
                CallItem.seq.add(1),
            ],
            condition=CallItem.pk.exists(),
        )
        return _to_call(item)

    def set_recording(
        self, call_id: str, state: RecordingState, *, key: str | None = None, error: str | None = None
    ) -> Call | None:
        item = CallItem(keys.call_pk(self._tenant_id, call_id), keys.CALL_RECORD)
        actions: list[Action] = [CallItem.recording.set(state.value), CallItem.seq.add(1)]
        actions.append(CallItem.recording_key.set(key) if key else CallItem.recording_key.remove())
        actions.append(CallItem.recording_error.set(error[:500]) if error else CallItem.recording_error.remove())
        try:
            item.update(actions=actions, condition=CallItem.pk.exists())
        except UpdateError as exc:
            if exc.cause_response_code == "ConditionalCheckFailedException":
                return None
            raise
        return _to_call(item)

    def set_transcript(self, call_id: str, text: str, terms: Iterable[Term]) -> Call | None:
        """Store a transcript and index its words for `q` (batched: a transcript has many)."""
        item = CallItem(keys.call_pk(self._tenant_id, call_id), keys.CALL_RECORD)
        try:
            item.update(actions=[CallItem.transcript.set(text), CallItem.seq.add(1)], condition=CallItem.pk.exists())
        except UpdateError as exc:
            if exc.cause_response_code == "ConditionalCheckFailedException":
                return None
            raise
        self.index(call_id, terms)
        return _to_call(item)

    def add_transfer(self, call_id: str, transfer: Transfer) -> Call | None:
        """AP147: append a hand-over to a colleague to the call's history (one UpdateItem; the
        feed line is rewritten after it, by the newer `seq`). None: no such call."""
        item = CallItem(keys.call_pk(self._tenant_id, call_id), keys.CALL_RECORD)
        entry = TransferMap(
            at=transfer.at,
            by_user_id=transfer.by_user_id,
            to_user_id=transfer.to_user_id,
            to_extension=transfer.to_extension,
            attended=transfer.attended,
        )
        try:
            item.update(
                actions=[
                    CallItem.transfers.set((CallItem.transfers | []).append([entry])),
                    CallItem.seq.add(1),
                ],
                condition=CallItem.pk.exists(),
            )
        except UpdateError as exc:
            if exc.cause_response_code == "ConditionalCheckFailedException":
                return None
            raise
        return _to_call(item)

    def index(self, call_id: str, terms: Iterable[Term]) -> None:
        """Search terms of a call (its number, its contact's name, its transcript's words)."""
        index = SearchIndex(self._tenant_id)
        with SearchItem.batch_write() as batch:
            for write in index.writes(CALL, call_id, (), terms):
                batch.save(write.item)

    def find(self, term: Term, *, limit: int, cursor: str | None = None) -> tuple[list[tuple[str, str]], str | None]:
        """AP19 over calls: (call id, the cursor going on after it) of calls with a term starting
        with `term`, among the next `limit` index items after `cursor`; and the cursor to go on
        from (None: no more). A cursor not made here is a 400 on `cursor`."""
        after = decode_cursor(cursor, self._tenant_id)
        found, last = SearchIndex(self._tenant_id).find_from(term, CALL, limit=limit, after=after)
        return [(call_id, encode_cursor(key) or "") for call_id, key in found], encode_cursor(last)

    def get_many(self, call_ids: Sequence[str]) -> list[Call]:
        if not call_ids:
            return []
        pairs = [(keys.call_pk(self._tenant_id, c), keys.CALL_RECORD) for c in dict.fromkeys(call_ids)]
        found = {c.id: c for c in map(_to_call, CallItem.batch_get(pairs))}
        return [found[c] for c in call_ids if c in found]

    def page(self, owner: str | None, flt: CallFilter, *, limit: int, cursor: str | None) -> Page[Call]:
        """AP34 (everyone's) or AP35 (`owner`'s): newest first, filtered on the page."""
        index, attribute = (CallItem.gsi2, CallItem.gsi2sk) if owner else (CallItem.gsi1, CallItem.gsi1sk)
        hash_key = keys.calls_of_pk(self._tenant_id, owner) if owner else keys.calls_pk(self._tenant_id)
        result = index.query(
            hash_key,
            time_range(attribute, flt.start_from, flt.start_to),
            filter_condition=_filters(flt),
            scan_index_forward=False,
            limit=limit,
            last_evaluated_key=decode_cursor(cursor, self._tenant_id, index=index.Meta.index_name, partition=hash_key),
        )
        return Page([_to_call(i) for i in result], encode_cursor(result.last_evaluated_key))

    def remember_recording(self, record_id: str, call_id: str) -> None:
        """AP36: the recording id -> call mapping (transcripts name only the recording)."""
        guard = UniqueItem(self._pk, keys.call_record_ref_sk(record_id), owner_type=OWNER_CALL, owner_id=call_id)
        guard.save()

    def call_of_recording(self, record_id: str) -> str | None:
        try:
            return UniqueItem.get(self._pk, keys.call_record_ref_sk(record_id)).owner_id
        except UniqueItem.DoesNotExist:
            return None

    def write_feed_entry(self, call: Call) -> None:
        """The call's line in its contact's feed: created by the first event that knows both, then
        rewritten only by a newer state of the call (`seq`)."""
        entry = self._feed_item(call)
        if entry is None:
            return
        try:
            entry.save(condition=FeedItem.pk.does_not_exist() | (FeedItem.seq < call.seq))
        except PutError as exc:
            if exc.cause_response_code != "ConditionalCheckFailedException":
                raise
            # A newer state of the call is already there.

    def _feed_item(self, call: Call) -> FeedItem | None:
        if call.contact_id is None:
            return None
        started = call.started_at
        return FeedItem(
            keys.contact_pk(self._tenant_id, call.contact_id),
            keys.feed_sk(derived_id(started, call.id)),
            entry_kind=FeedKind.CALL.value,
            time=started,
            user_id=call.user_id,
            data=call.feed_data(),
            seq=call.seq,
        )


def _first(attribute: Attribute, value: object) -> Action:
    """SET attribute = if_not_exists(attribute, value): the first event to know a fact wins."""
    return attribute.set(attribute | value)


def _filters(flt: CallFilter) -> Condition | None:
    condition: Condition | None = None
    for attribute, value in ((CallItem.direction, flt.direction), (CallItem.status, flt.status)):
        if value is not None:
            part = attribute == value.value
            condition = part if condition is None else condition & part
    return condition


def _to_call(item: CallItem | Item) -> Call:
    if not isinstance(item, CallItem):
        raise TypeError(f"not a call record: {type(item).__name__}")
    return Call(
        id=item.pk.rsplit("#CALL#", 1)[1],
        direction=CallDirection(item.direction),
        started_at=item.started_at or item.received_at,
        phone=item.phone,
        did=item.did,
        extension=item.extension,
        user_id=item.user_id,
        contact_type=item.contact_type,
        contact_id=item.contact_id,
        contact_name=item.contact_name,
        status=CallStatus(item.status) if item.status else None,
        disposition=item.disposition,
        duration_s=int(item.duration_s) if item.duration_s is not None else None,
        record_id=item.record_id,
        recording=RecordingState(item.recording) if item.recording else None,
        recording_key=item.recording_key,
        recording_error=item.recording_error,
        transcript=item.transcript,
        seq=int(item.seq or 0),
        start_known=item.started_at is not None,
        transfers=tuple(
            Transfer(
                at=t.at,
                by_user_id=t.by_user_id,
                to_user_id=t.to_user_id,
                to_extension=t.to_extension,
                attended=bool(t.attended),
            )
            for t in item.transfers or ()
        ),
    )
