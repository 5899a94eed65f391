"""Public API keys (AP130-AP133): deployment-wide records, since a request presents a key before
any tenant is known; listed per CRM (gsi1) and per owner (gsi2)."""

from __future__ import annotations

import base64
import binascii
import re
from datetime import datetime, timedelta

from pynamodb.exceptions import UpdateError

from chalicelib.db import keys
from chalicelib.db.items import narrow
from chalicelib.db.models.api_keys import ApiKeyItem, ApiKeyRateItem
from chalicelib.db.writes import Put, must_not_exist, transact
from chalicelib.domain.api_keys import ApiKey, ApiKeyScope
from chalicelib.domain.clock import isoformat_z
from chalicelib.domain.errors import ValidationError
from chalicelib.domain.paging import Page

# A counter outlives its minute a little, so a clock slightly behind still finds it.
RATE_TTL = timedelta(minutes=2)
_LIST_SK = re.compile(r"\d{4}-\d\d-\d\dT[\d:.]+Z#[0-9A-Z]{26}")


class ApiKeyRepository:
    def get(self, key_id: str) -> ApiKey | None:
        """AP130, strongly consistent: a key deleted a moment ago is refused at once."""
        try:
            item = ApiKeyItem.get(keys.api_key_pk(key_id), keys.api_key_sk(), consistent_read=True)
        except ApiKeyItem.DoesNotExist:
            return None
        return _to_key(item)

    def page(self, tenant_id: str, *, user_id: str | None, limit: int, cursor: str | None) -> Page[ApiKey]:
        """AP131 (the CRM's keys, gsi1) or AP132 (one owner's, gsi2), newest first. The cursor is
        the last key's index sort key: the table's own keys are deployment-wide (`G#`), so the
        generic cursor (which vets every key as the tenant's) does not fit."""
        hash_key = keys.api_keys_pk(tenant_id, user_id)
        index, name = (ApiKeyItem.gsi2, "gsi2") if user_id else (ApiKeyItem.gsi1, "gsi1")
        start = _decode(cursor)
        result = index.query(
            hash_key,
            scan_index_forward=False,
            limit=limit,
            last_evaluated_key=(
                {
                    "pk": {"S": keys.api_key_pk(start.rsplit("#", 1)[1])},
                    "sk": {"S": keys.api_key_sk()},
                    f"{name}pk": {"S": hash_key},
                    f"{name}sk": {"S": start},
                }
                if start
                else None
            ),
        )
        items = [narrow(i, ApiKeyItem) for i in result]
        last = result.last_evaluated_key
        return Page([_to_key(i) for i in items], _encode(last[f"{name}sk"]["S"]) if last else None)

    def create(self, key: ApiKey) -> None:
        sk = keys.api_keys_sk(isoformat_z(key.created_at), key.id)
        item = ApiKeyItem(
            keys.api_key_pk(key.id),
            keys.api_key_sk(),
            gsi1pk=keys.api_keys_pk(key.tenant_id),
            gsi1sk=sk,
            gsi2pk=keys.api_keys_pk(key.tenant_id, key.user_id),
            gsi2sk=sk,
            key_id=key.id,
            tenant_id=key.tenant_id,
            user_id=key.user_id,
            name=key.name,
            scope=key.scope.value,
            secret_hash=key.secret_hash,
            rate_limit=key.rate_limit,
            allowed_origins=list(key.allowed_origins),
            created_at=key.created_at,
        )
        transact([Put(item, condition=must_not_exist())])

    def delete(self, key_id: str) -> None:
        ApiKeyItem(keys.api_key_pk(key_id), keys.api_key_sk()).delete()

    def mark_used(self, key_id: str, at: datetime) -> None:
        """Record when the key was last used (its caller does so at most once a minute)."""
        try:
            ApiKeyItem(keys.api_key_pk(key_id), keys.api_key_sk()).update(
                actions=[ApiKeyItem.last_used_at.set(at)], condition=ApiKeyItem.pk.exists()
            )
        except UpdateError as exc:  # a key deleted meanwhile: nothing to record
            if exc.cause_response_code != "ConditionalCheckFailedException":
                raise

    def count_request(self, key_id: str, window: str, now: datetime) -> int:
        """AP133: one more request in this minute's window; the window's count so far."""
        item = ApiKeyRateItem(keys.api_key_pk(key_id), keys.api_key_rate_sk(window))
        ttl = now + RATE_TTL
        item.update(
            actions=[
                ApiKeyRateItem.kind.set(ApiKeyRateItem),
                ApiKeyRateItem.requests.add(1),
                ApiKeyRateItem.ttl.set(ttl),
            ]
        )
        return int(item.requests)


def _encode(sort_key: str) -> str:
    return base64.urlsafe_b64encode(sort_key.encode()).decode().rstrip("=")


def _decode(cursor: str | None) -> str | None:
    if not cursor:
        return None
    try:
        text = base64.urlsafe_b64decode((cursor + "=" * (-len(cursor) % 4)).encode()).decode()
    except (binascii.Error, ValueError, UnicodeDecodeError):
        text = ""
    if not _LIST_SK.fullmatch(text):
        raise ValidationError("cursor is not one returned by this list", field="cursor")
    return text


def _to_key(item: ApiKeyItem) -> ApiKey:
    return ApiKey(
        id=item.key_id,
        tenant_id=item.tenant_id,
        user_id=item.user_id,
        name=item.name,
        scope=ApiKeyScope(item.scope),
        secret_hash=item.secret_hash,
        created_at=item.created_at,
        rate_limit=int(item.rate_limit),
        allowed_origins=tuple(item.allowed_origins or ()),
        last_used_at=item.last_used_at,
    )
