"""The PBX extensions' last known online status (AP48): one item per CRM, a cache.

Zadarma answers one extension's status per request, at 100 requests a minute for the whole
account: the call widget's team list, opened by every user, would use that budget up (and
click-to-call and SMS with it). The statuses are kept here with the time they were asked, and
only stale ones are asked again.
"""

from __future__ import annotations

from collections.abc import Mapping

from chalicelib.db import keys
from chalicelib.db.models.calls import ExtensionStatusItem, WebphoneKeyItem
from chalicelib.domain.clock import isoformat_z, parse_utc
from chalicelib.ports.queries.calls import KnownStatus, WebphoneKey


class ExtensionStatusRepository:
    def __init__(self, tenant_id: str) -> None:
        self._pk = keys.tenant_pk(tenant_id)

    def get(self) -> dict[str, KnownStatus]:
        """AP48 (eventually consistent: it is a cache)."""
        try:
            item = ExtensionStatusItem.get(self._pk, keys.EXTENSION_STATUS)
        except ExtensionStatusItem.DoesNotExist:
            return {}
        return {
            extension: KnownStatus(value.get("online"), parse_utc(value["at"]))
            for extension, value in (item.statuses or {}).items()
            if isinstance(value, dict) and "at" in value
        }

    def save(self, statuses: Mapping[str, KnownStatus]) -> None:
        """Replace the cache (last writer wins: two requests refreshing at once both hold news)."""
        data = {ext: {"online": s.online, "at": isoformat_z(s.at)} for ext, s in statuses.items()}
        ExtensionStatusItem(self._pk, keys.EXTENSION_STATUS, statuses=data).save()


class WebphoneKeyRepository:
    """Each user's WebRTC key of the PBX (TE-7): one item per user, read and replaced by its owner only."""

    def __init__(self, tenant_id: str) -> None:
        self._pk = keys.tenant_pk(tenant_id)

    def get(self, user_id: str) -> WebphoneKey | None:
        """AP148 (strongly consistent: a key just renewed is the one served)."""
        try:
            item = WebphoneKeyItem.get(self._pk, keys.webphone_key_sk(user_id), consistent_read=True)
        except WebphoneKeyItem.DoesNotExist:
            return None
        return WebphoneKey(item.key, item.extension, item.fetched_at)

    def save(self, user_id: str, key: WebphoneKey) -> None:
        """AP149: replace the user's key (last writer wins: both keys are valid)."""
        WebphoneKeyItem(
            self._pk, keys.webphone_key_sk(user_id), key=key.key, extension=key.extension, fetched_at=key.fetched_at
        ).save()
