"""Users of one CRM, their unique emails and PBX extensions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from pynamodb.exceptions import UpdateError
from pynamodb.expressions.update import Action

from chalicelib.db import keys
from chalicelib.db.items import UniqueItem, UserItem
from chalicelib.db.pagination import Page, decode_cursor, encode_cursor
from chalicelib.db.writes import Put, must_not_exist
from chalicelib.domain.errors import ConflictError
from chalicelib.domain.users import TelephonyMode, User, UserStatus, WeekStart

OWNER_USER = "user"


@dataclass(frozen=True, slots=True)
class ProfileChanges:
    """Fields to change; None leaves a field as it is."""

    updated_at: datetime
    name: str | None = None
    language: str | None = None
    timezone: str | None = None
    week_start: WeekStart | None = None
    telephony_mode: TelephonyMode | None = None


class UserRepository:
    def __init__(self, tenant_id: str) -> None:
        self._tenant_id = tenant_id
        self._pk = keys.tenant_pk(tenant_id)

    def get(self, user_id: str, *, consistent: bool = False) -> User | None:
        """AP3. Authentication reads consistently, so a deactivation applies at once."""
        try:
            item = UserItem.get(self._pk, keys.user_sk(user_id), consistent_read=consistent)
        except UserItem.DoesNotExist:
            return None
        return _to_user(item)

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
            last_evaluated_key=decode_cursor(cursor, self._tenant_id),
        )
        users = [_to_user(item) for item in result]
        return Page(users, encode_cursor(result.last_evaluated_key))

    def update_profile(self, user_id: str, expected_version: int, changes: ProfileChanges) -> User:
        """AP3 (update): change profile fields if the stored version is `expected_version`.

        A stale version is a ConflictError: the caller re-reads and retries instead of
        overwriting someone else's change.
        """
        item = UserItem(self._pk, keys.user_sk(user_id), version=expected_version)
        actions: list[Action] = [UserItem.updated_at.set(changes.updated_at)]
        if changes.name is not None:
            actions += [
                UserItem.name.set(changes.name),
                UserItem.gsi1sk.set(keys.users_by_name_sk(changes.name, user_id)),
            ]
        for attribute, value in (
            (UserItem.language, changes.language),
            (UserItem.timezone, changes.timezone),
            (UserItem.week_start, changes.week_start and changes.week_start.value),
            (UserItem.telephony_mode, changes.telephony_mode and changes.telephony_mode.value),
        ):
            if value is not None:
                actions.append(attribute.set(value))
        try:
            item.update(actions=actions, condition=UserItem.pk.exists())
        except UpdateError as exc:
            if exc.cause_response_code == "ConditionalCheckFailedException":
                raise ConflictError(
                    "the profile was changed since you read it; reload and retry", field="version"
                ) from exc
            raise
        return _to_user(item)

    def set_status(self, user_id: str, status: UserStatus) -> None:
        """AP3 (update): activate or deactivate; takes effect on the user's next request."""
        item = UserItem(self._pk, keys.user_sk(user_id))
        item.update(
            actions=[UserItem.status.set(status.value)],  # PynamoDB bumps `version` too
            condition=UserItem.pk.exists(),
            add_version_condition=False,
        )

    def creation_writes(self, user: User) -> list[Put]:
        """The user and the guards of their email and extension, to write in one transaction."""
        item = UserItem(
            self._pk,
            keys.user_sk(user.id),
            gsi1pk=keys.users_by_name_pk(self._tenant_id),
            gsi1sk=keys.users_by_name_sk(user.name, user.id),
            name=user.name,
            email=user.email,
            extension=user.extension,
            group_id=user.group_id,
            status=user.status.value,
            language=user.language,
            timezone=user.timezone,
            week_start=user.week_start.value,
            telephony_mode=user.telephony_mode.value,
            phones=list(user.phones),
            avatar_url=user.avatar_url,
            created_at=user.created_at,
            updated_at=user.updated_at,
        )
        writes = [
            Put(item, condition=must_not_exist()),
            self._guard(keys.user_email_sk(user.email), user.id, "email", f"the email {user.email} is already used"),
        ]
        if user.extension:
            writes.append(
                self._guard(
                    keys.extension_sk(user.extension),
                    user.id,
                    "extension",
                    f"the extension {user.extension} is already used",
                )
            )
        return writes

    def _guard(self, sk: str, user_id: str, field: str, message: str) -> Put:
        guard = UniqueItem(self._pk, sk, owner_type=OWNER_USER, owner_id=user_id)
        return Put(guard, condition=must_not_exist(), on_conflict=ConflictError(message, field=field))

    def _owner(self, sk: str) -> str | None:
        try:
            return UniqueItem.get(self._pk, sk).owner_id
        except UniqueItem.DoesNotExist:
            return None


def _to_user(item: UserItem) -> User:
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
        avatar_url=item.avatar_url,
        version=item.version or 1,
    )
