"""Autodial call lists of one CRM (AP39) and the dial awaiting the PBX's end of call (AP40)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from pynamodb.exceptions import DeleteError, UpdateError

from chalicelib.db import keys
from chalicelib.db.items import narrow
from chalicelib.db.models.autodial import AwaitingCallItem, CallListItem, ListEntryItem
from chalicelib.db.pagination import Page, decode_cursor, encode_cursor
from chalicelib.db.writes import Check, Put, Update, Write, must_exist, must_not_exist, transact
from chalicelib.domain.autodial import CallList, CallListStatus, ListItem, Outcome
from chalicelib.domain.clock import isoformat_z
from chalicelib.domain.errors import ConflictError
from chalicelib.ports.queries.call_lists import ClaimResult

if TYPE_CHECKING:
    from pynamodb.expressions.update import Action


class _StoppedError(ConflictError):
    def __init__(self) -> None:
        super().__init__("the list is not running this run")


class _TakenError(ConflictError):
    def __init__(self) -> None:
        super().__init__("the number was claimed already")


class _BusyError(ConflictError):
    def __init__(self) -> None:
        super().__init__("another list waits for this number")


class CallListRepository:
    def __init__(self, tenant_id: str) -> None:
        self._tenant_id = tenant_id

    def create(self, call_list: CallList, items: Sequence[ListItem]) -> None:
        """The numbers first (batched), then the record that makes the list visible."""
        pk = self._pk(call_list.id)
        with ListEntryItem.batch_write() as batch:
            for item in items:
                batch.save(
                    ListEntryItem(
                        pk,
                        keys.list_item_sk(item.index),
                        phone=item.phone,
                        contact_id=item.contact_id,
                        outcome=item.outcome.value,
                    )
                )
        record = CallListItem(
            pk,
            keys.CALL_LIST_RECORD,
            status=call_list.status.value,
            user_id=call_list.user_id,
            extension=call_list.extension,
            total=call_list.total,
            created_at=call_list.created_at,
            gsi1pk=keys.call_lists_pk(self._tenant_id),
            gsi1sk=keys.created_sk(isoformat_z(call_list.created_at), call_list.id),
            gsi2pk=keys.call_lists_pk(self._tenant_id, call_list.user_id),
            gsi2sk=keys.created_sk(isoformat_z(call_list.created_at), call_list.id),
        )
        transact([Put(record, condition=must_not_exist())])

    def history(self, *, user_id: str | None, limit: int, cursor: str | None) -> Page[CallList]:
        """AP88: newest first, the CRM's (gsi1) or one creator's (gsi2)."""
        hash_key = keys.call_lists_pk(self._tenant_id, user_id)
        index = CallListItem.gsi2 if user_id else CallListItem.gsi1
        result = index.query(
            hash_key,
            scan_index_forward=False,
            limit=limit,
            last_evaluated_key=decode_cursor(
                cursor, self._tenant_id, index="gsi2" if user_id else "gsi1", partition=hash_key
            ),
        )
        items = [narrow(i, CallListItem) for i in result]
        return Page([_to_list(i, keys.call_list_id_of(i.pk)) for i in items], encode_cursor(result.last_evaluated_key))

    def get(self, list_id: str) -> CallList | None:
        """AP39 (consistent: the workflow's steps read what the last one wrote)."""
        try:
            item = CallListItem.get(self._pk(list_id), keys.CALL_LIST_RECORD, consistent_read=True)
        except CallListItem.DoesNotExist:
            return None
        return _to_list(item, list_id)

    def item(self, list_id: str, index: int) -> ListItem | None:
        try:
            return _to_item(ListEntryItem.get(self._pk(list_id), keys.list_item_sk(index), consistent_read=True))
        except ListEntryItem.DoesNotExist:
            return None

    def items(self, list_id: str, *, limit: int = 1000, cursor: str | None = None) -> Page[ListItem]:
        """AP39: the numbers in dialling order."""
        result = ListEntryItem.query(
            self._pk(list_id),
            ListEntryItem.sk.startswith(keys.LIST_ITEM),
            consistent_read=True,
            limit=limit,
            last_evaluated_key=decode_cursor(cursor, self._tenant_id, partition=self._pk(list_id)),
        )
        return Page([_to_item(i) for i in result], encode_cursor(result.last_evaluated_key))

    def claim(self, call_list: CallList, run: int, index: int, phone: str, token: str) -> ClaimResult:
        """pending -> dialing, with the token the end of the call resumes, only while the list
        is running this `run`, and only if no other list of this extension waits for this number."""
        pk = self._pk(call_list.id)
        entry = ListEntryItem(pk, keys.list_item_sk(index))
        awaiting = AwaitingCallItem(
            keys.tenant_pk(self._tenant_id),
            keys.awaiting_call_sk(call_list.extension, phone),
            list_id=call_list.id,
            index=index,
            token=token,
        )
        running = (CallListItem.status == CallListStatus.RUNNING.value) & (CallListItem.run == run)
        mine = AwaitingCallItem.pk.does_not_exist() | (AwaitingCallItem.list_id == call_list.id)
        try:
            transact(
                [
                    Check(CallListItem(pk, keys.CALL_LIST_RECORD), running, on_conflict=_StoppedError()),
                    Update(
                        entry,
                        [ListEntryItem.outcome.set(Outcome.DIALING.value)],
                        condition=ListEntryItem.outcome == Outcome.PENDING.value,
                        on_conflict=_TakenError(),
                    ),
                    Put(awaiting, condition=mine, on_conflict=_BusyError()),
                ]
            )
        except _StoppedError:
            return ClaimResult.STOPPED
        except _TakenError:
            return ClaimResult.TAKEN
        except _BusyError:
            return ClaimResult.BUSY
        return ClaimResult.CLAIMED

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
        """A number's outcome, the list's progress, and its place moved on, at once.

        Only a number being dialled (or, for an interrupted step, still pending) gets an
        outcome, and only once: a repeated step changes nothing.
        """
        pk = self._pk(call_list.id)
        entry = ListEntryItem(pk, keys.list_item_sk(index))
        actions = [ListEntryItem.outcome.set(outcome.value)]
        if reason:
            actions.append(ListEntryItem.reason.set(reason[:300]))
        if call_id:
            actions.append(ListEntryItem.call_id.set(call_id))
        open_outcomes = [Outcome.DIALING.value, Outcome.PENDING.value]
        record = CallListItem(pk, keys.CALL_LIST_RECORD)
        writes: list[Write] = [
            Update(entry, actions, condition=ListEntryItem.outcome.is_in(*open_outcomes)),
            Update(record, [CallListItem.done.add(1), CallListItem.position.set(index + 1)], condition=must_exist()),
        ]
        try:
            transact(writes)
        except ConflictError:
            return False
        self._forget_own(call_list, phone)  # a late end of this call resumes nothing
        return True

    def _forget_own(self, call_list: CallList, phone: str) -> None:
        item = AwaitingCallItem(keys.tenant_pk(self._tenant_id), keys.awaiting_call_sk(call_list.extension, phone))
        try:
            item.delete(condition=AwaitingCallItem.list_id == call_list.id)
        except DeleteError as exc:
            if exc.cause_response_code != "ConditionalCheckFailedException":
                raise

    def awaiting(self, extension: str, phone: str) -> tuple[str, int, str] | None:
        """AP40: (list id, index, task token) of the dial waiting for this call's end."""
        try:
            item = AwaitingCallItem.get(
                keys.tenant_pk(self._tenant_id), keys.awaiting_call_sk(extension, phone), consistent_read=True
            )
        except AwaitingCallItem.DoesNotExist:
            return None
        return item.list_id, int(item.index), item.token

    def forget_awaiting(self, extension: str, phone: str, token: str) -> bool:
        """Remove the awaiting dial, if it is still this one; False if someone else did."""
        item = AwaitingCallItem(keys.tenant_pk(self._tenant_id), keys.awaiting_call_sk(extension, phone))
        try:
            item.delete(condition=AwaitingCallItem.token == token)
        except DeleteError as exc:
            if exc.cause_response_code == "ConditionalCheckFailedException":
                return False
            raise
        return True

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
        item = CallListItem(self._pk(list_id), keys.CALL_LIST_RECORD)
        actions: list[Action] = [CallListItem.status.set(status.value)]
        if error:
            actions.append(CallListItem.error.set(error[:500]))
        if new_run:
            actions.append(CallListItem.run.add(1))
        try:
            item.update(actions=actions, condition=CallListItem.status.is_in(*[s.value for s in expected]))
        except UpdateError as exc:
            if exc.cause_response_code == "ConditionalCheckFailedException":
                return None
            raise
        return _to_list(item, list_id)

    def _pk(self, list_id: str) -> str:
        return keys.call_list_pk(self._tenant_id, list_id)


def _to_list(item: CallListItem, list_id: str) -> CallList:
    return CallList(
        id=list_id,
        status=CallListStatus(item.status),
        user_id=item.user_id,
        extension=item.extension,
        total=int(item.total),
        created_at=item.created_at,
        done=int(item.done or 0),
        position=int(item.position or 0),
        run=int(item.run or 1),
        error=item.error,
    )


def _to_item(item: ListEntryItem) -> ListItem:
    return ListItem(
        index=int(item.sk.removeprefix(keys.LIST_ITEM)),
        phone=item.phone,
        contact_id=item.contact_id,
        outcome=Outcome(item.outcome),
        reason=item.reason,
        call_id=item.call_id,
    )
