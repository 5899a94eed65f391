"""Users of one CRM, their unique emails and PBX extensions, group membership and presence."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from chalicelib.db import keys
from chalicelib.db.items import narrow
from chalicelib.db.models.shared import UniqueItem
from chalicelib.db.models.users import UserItem
from chalicelib.db.pagination import Page, decode_cursor, encode_cursor
from chalicelib.db.repositories.search import USER, SearchIndex
from chalicelib.db.writes import Delete, Put, Update, Write, must_exist, must_not_exist, transact
from chalicelib.domain.errors import ConflictError, NotFoundError, StaleVersionError
from chalicelib.domain.search import Term, terms_of
from chalicelib.domain.users import PRESENCE_REFRESH, TelephonyMode, User, UserStatus, WeekStart

if TYPE_CHECKING:
    from pynamodb.expressions.update import Action

OWNER_USER = "user"


class UserRepository:
    def __init__(self, tenant_id: str) -> None:
        self._tenant_id = tenant_id
        self._pk = keys.tenant_pk(tenant_id)

    def get(self, user_id: str, *, consistent: bool = False) -> User | None:
        """AP3."""
        try:
            item = UserItem.get(self._pk, keys.user_sk(user_id), consistent_read=consistent)
        except UserItem.DoesNotExist:
            return None
        return user_from_item(item)

    def get_many(self, user_ids: list[str]) -> list[User]:
        """AP3 for several users at once (BatchGetItem), any order, missing ones left out."""
        if not user_ids:
            return []
        pairs = [(self._pk, keys.user_sk(u)) for u in dict.fromkeys(user_ids)]
        return [user_from_item(i) for i in UserItem.batch_get(pairs)]

    def get_and_mark_seen(self, user_id: str, now: datetime) -> User | None:
        """AP3 for authentication: the current user record (a consistent GetItem), and
        `last_seen_at` refreshed when the record read says it is over a minute old.

        The decision is taken from what was read, so a request within the minute costs the
        read alone: no write, and no conditional write that fails (still billed as a write).
        The refresh is an UpdateItem that leaves the version alone (presence is not an edit);
        its condition only guards against two requests of the same minute racing.
        """
        user = self.get(user_id, consistent=True)
        if user is None or (user.last_seen_at is not None and now - user.last_seen_at < PRESENCE_REFRESH):
            return user
        serialize = UserItem.last_seen_at.serialize
        # PynamoDB's update would add a version condition and bump it: the raw client.
        client: Any = UserItem._get_connection().connection.client
        try:
            client.update_item(
                TableName=UserItem.Meta.table_name,
                Key={"pk": {"S": self._pk}, "sk": {"S": keys.user_sk(user_id)}},
                UpdateExpression="SET #seen = :now",
                ConditionExpression="attribute_exists(pk) AND (attribute_not_exists(#seen) OR #seen < :stale)",
                ExpressionAttributeNames={"#seen": "last_seen_at"},
                ExpressionAttributeValues={
                    ":now": {"S": serialize(now)},
                    ":stale": {"S": serialize(now - PRESENCE_REFRESH)},
                },
            )
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") != "ConditionalCheckFailedException":
                raise
            return user  # another request of this minute wrote it (or the user is gone)
        return replace(user, last_seen_at=now)

    def require(self, user_id: str) -> User:
        user = self.get(user_id, consistent=True)
        if user is None:
            raise NotFoundError("no such user in this CRM")
        return user

    def find_id_by_email(self, email: str) -> str | None:
        """AP4: the id of the user with this (normalised) email."""
        return self._owner(keys.user_email_sk(email))

    def find_id_by_extension(self, extension: str) -> str | None:
        """AP5: the id of the user with this PBX extension."""
        return self._owner(keys.extension_sk(extension))

    def list_by_name(self, *, limit: int, cursor: str | None = None) -> Page[User]:
        """AP6: users sorted by name, one page."""
        result = UserItem.gsi1.query(
            keys.users_by_name_pk(self._tenant_id),
            limit=limit,
            last_evaluated_key=decode_cursor(
                cursor, self._tenant_id, index="gsi1", partition=keys.users_by_name_pk(self._tenant_id)
            ),
        )
        users = [user_from_item(narrow(item, UserItem)) for item in result]
        return Page(users, encode_cursor(result.last_evaluated_key))

    def list_by_group(self, group_id: str, *, limit: int, cursor: str | None = None) -> Page[User]:
        """AP11: members of a group sorted by name, one page."""
        result = UserItem.gsi2.query(
            keys.group_members_pk(self._tenant_id, group_id),
            limit=limit,
            last_evaluated_key=decode_cursor(
                cursor, self._tenant_id, index="gsi2", partition=keys.group_members_pk(self._tenant_id, group_id)
            ),
        )
        users = [user_from_item(narrow(item, UserItem)) for item in result]
        return Page(users, encode_cursor(result.last_evaluated_key))

    def creation_writes(self, user: User) -> list[Write]:
        """The user and the guards of their email and extension, to write in one transaction."""
        item = UserItem(
            self._pk,
            keys.user_sk(user.id),
            created_at=user.created_at,
            updated_at=user.updated_at,
            **_attributes(user),
            **self._index_keys(user),
        )
        writes: list[Write] = [Put(item, condition=must_not_exist()), self._claim_email(user)]
        if user.extension:
            writes.append(self._claim_extension(user))
        writes += SearchIndex(self._tenant_id).writes(USER, user.id, (), _terms(user))
        return writes

    def save_changes(self, before: User, after: User) -> User:
        """Store `after` in place of `before` if nobody changed the user since `before` was read.

        Email and extension guards move in the same transaction: a taken value is a conflict on
        its field, a stale version a conflict on `version`, and either way nothing is written.
        """
        transact(self.change_writes(before, after))
        return replace(after, version=before.version + 1)

    def change_writes(self, before: User, after: User) -> list[Write]:
        old = {**_attributes(before), **self._index_keys(before)}
        new = {**_attributes(after), **self._index_keys(after)}
        actions: list[Action] = [UserItem.updated_at.set(after.updated_at)]
        for name, value in new.items():
            if value != old[name]:
                attribute = getattr(UserItem, name)
                actions.append(attribute.remove() if value is None else attribute.set(value))
        item = UserItem(self._pk, keys.user_sk(before.id), version=before.version)
        stale = StaleVersionError("user")
        writes: list[Write] = [Update(item, actions, condition=must_exist(), on_conflict=stale)]
        if after.email != before.email:
            writes += [self._release(keys.user_email_sk(before.email), before.id), self._claim_email(after)]
        if after.extension != before.extension:
            if before.extension:
                writes.append(self._release(keys.extension_sk(before.extension), before.id))
            if after.extension:
                writes.append(self._claim_extension(after))
        writes += SearchIndex(self._tenant_id).writes(USER, after.id, _terms(before), _terms(after))
        return writes

    def set_status(self, user_id: str, status: UserStatus) -> None:
        """AP3 (update): activate or deactivate; takes effect on the user's next request."""
        item = UserItem(self._pk, keys.user_sk(user_id))
        item.update(
            actions=[UserItem.status.set(status.value)],  # PynamoDB bumps `version` too
            condition=UserItem.pk.exists(),
            add_version_condition=False,
        )

    def drop_search_terms(self, user: User) -> None:
        """Undoing a creation: the user's search terms live outside the tenant partition."""
        SearchIndex(self._tenant_id).drop(USER, user.id, _terms(user))

    def deletion_writes(self, user: User) -> list[Write]:
        """The user and their guards (undoing a creation that could not finish)."""
        writes: list[Write] = [
            Delete(UserItem(self._pk, keys.user_sk(user.id))),
            self._release(keys.user_email_sk(user.email), user.id),
        ]
        if user.extension:
            writes.append(self._release(keys.extension_sk(user.extension), user.id))
        return writes

    def _index_keys(self, user: User) -> dict[str, Any]:
        return {
            "gsi1pk": keys.users_by_name_pk(self._tenant_id),
            "gsi1sk": keys.users_by_name_sk(user.name, user.id),
            "gsi2pk": keys.group_members_pk(self._tenant_id, user.group_id),
            "gsi2sk": keys.users_by_name_sk(user.name, user.id),
        }

    def _claim_email(self, user: User) -> Put:
        return self._claim(keys.user_email_sk(user.email), user.id, "email", f"the email {user.email} is already used")

    def _claim_extension(self, user: User) -> Put:
        message = f"the extension {user.extension} is already used"
        return self._claim(keys.extension_sk(user.extension or ""), user.id, "extension", message)

    def _claim(self, sk: str, user_id: str, field: str, message: str) -> Put:
        guard = UniqueItem(self._pk, sk, owner_type=OWNER_USER, owner_id=user_id)
        return Put(guard, condition=must_not_exist(), on_conflict=ConflictError(message, field=field))

    def _release(self, sk: str, user_id: str) -> Delete:
        # Only the owner's guard: never free a value another record holds.
        return Delete(UniqueItem(self._pk, sk), condition=UniqueItem.owner_id == user_id)

    def _owner(self, sk: str) -> str | None:
        try:
            return UniqueItem.get(self._pk, sk).owner_id
        except UniqueItem.DoesNotExist:
            return None


def _terms(user: User) -> frozenset[Term]:
    return terms_of(user.name, (user.email,), user.phones)


def _attributes(user: User) -> dict[str, Any]:
    """The stored value of every user attribute a change can touch (not keys, times, version)."""
    return {
        "name": user.name,
        "email": user.email,
        "extension": user.extension,
        "group_id": user.group_id,
        "status": user.status.value,
        "language": user.language,
        "timezone": user.timezone,
        "week_start": user.week_start.value,
        "telephony_mode": user.telephony_mode.value,
        "phones": list(user.phones),
        "avatar_key": user.avatar_key,
        "working_hours": user.working_hours,
    }


def user_from_item(item: UserItem) -> User:
    return User(
        id=item.sk.removeprefix(keys.USER),
        name=item.name,
        email=item.email,
        extension=item.extension,
        group_id=item.group_id,
        status=UserStatus(item.status),
        created_at=item.created_at,
        updated_at=item.updated_at,
        language=item.language,
        timezone=item.timezone,
        week_start=WeekStart(item.week_start),
        telephony_mode=TelephonyMode(item.telephony_mode),
        phones=tuple(item.phones or ()),
        avatar_key=item.avatar_key,
        working_hours=item.working_hours,
        last_seen_at=item.last_seen_at,
        version=item.version or 1,
    )
