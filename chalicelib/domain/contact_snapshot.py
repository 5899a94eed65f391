"""A contact as plain values, and back: the one codec of the contact record's stored attributes
and of the snapshots an import's undo log keeps (before and after values).

`snapshot` gives every field, enums by value and phones and emails as maps, the shape the
contact record stores; `snapshot_json` is the same with datetimes as ISO text. `from_snapshot`
reads both, and the undo logs written before the codec was shared (phones and emails as
[value, type] pairs, no `lead_source` or `converted_at`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from chalicelib.domain.contacts import (
    ChannelType,
    ClientType,
    Contact,
    ContactAttribution,
    ContactKind,
    ContactStatus,
    Email,
    LeadSource,
    LeadStatus,
    Phone,
    PoolSpan,
)

_DATES = ("created_at", "updated_at", "converted_at")


def snapshot(contact: Contact) -> dict[str, Any]:
    """Every field of `contact` as plain values (datetimes as they are)."""
    return {
        "id": contact.id,
        "kind": contact.kind.value,
        "name": contact.name,
        "created_at": contact.created_at,
        "created_by": contact.created_by,
        "updated_at": contact.updated_at,
        "status": contact.status.value,
        "type": contact.type.value,
        "phones": [{"phone": p.phone, "type": p.type.value} for p in contact.phones],
        "emails": [{"email": e.email, "type": e.type.value} for e in contact.emails],
        "address": contact.address,
        "website": contact.website,
        "comment": contact.comment,
        "responsible_user_id": contact.responsible_user_id,
        "tags": list(contact.tags),
        "source_tag_ids": list(contact.source_tag_ids),
        "properties": contact.properties,
        "lead_status": contact.lead_status.value if contact.lead_status else None,
        "lead_source": contact.lead_source.value if contact.lead_source else None,
        "converted_at": contact.converted_at,
        "version": contact.version,
        "attribution": attribution_values(contact.attribution),
    }


def snapshot_json(contact: Contact) -> dict[str, Any]:
    """`snapshot` with datetimes as ISO 8601 text, ready for `json.dumps`."""
    values = snapshot(contact)
    for name in _DATES:
        if values[name] is not None:
            values[name] = values[name].isoformat()
    return values


def from_snapshot(values: dict[str, Any]) -> Contact:
    """The contact `snapshot` or `snapshot_json` gave (or an older undo log's snapshot)."""
    lead_status, lead_source = values.get("lead_status"), values.get("lead_source")
    converted_at = values.get("converted_at")
    return Contact(
        id=values["id"],
        kind=ContactKind(values["kind"]),
        name=values["name"],
        created_at=_datetime(values["created_at"]),
        created_by=values["created_by"],
        updated_at=_datetime(values["updated_at"]),
        status=ContactStatus(values["status"]),
        type=ClientType(values["type"]),
        phones=tuple(Phone(*_channel(p, "phone")) for p in values.get("phones") or ()),
        emails=tuple(Email(*_channel(e, "email")) for e in values.get("emails") or ()),
        address=values.get("address"),
        website=values.get("website"),
        comment=values.get("comment"),
        responsible_user_id=values.get("responsible_user_id"),
        tags=tuple(values.get("tags") or ()),
        source_tag_ids=tuple(values.get("source_tag_ids") or ()),
        properties=dict(values.get("properties") or {}),
        lead_status=LeadStatus(lead_status) if lead_status else None,
        lead_source=LeadSource(lead_source) if lead_source else None,
        converted_at=_datetime(converted_at) if converted_at is not None else None,
        version=int(values.get("version") or 1),
        attribution=attribution_of(values.get("attribution")),
    )


def attribution_values(attribution: ContactAttribution | None) -> dict[str, Any] | None:
    """The rollups' attribution as plain JSON values (None: not attributed yet)."""
    if attribution is None:
        return None
    return {
        "created_for": attribution.created_for,
        "converted_by": attribution.converted_by,
        "pool": [[s.entered.isoformat(), s.left.isoformat() if s.left else None] for s in attribution.pool_spans],
    }


def attribution_of(values: dict[str, Any] | None) -> ContactAttribution | None:
    if not values:
        return None
    spans = tuple(PoolSpan(_datetime(a), _datetime(b) if b else None) for a, b in values.get("pool") or ())
    return ContactAttribution(values.get("created_for"), values.get("converted_by"), spans)


def _datetime(value: datetime | str) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(value)


def _channel(value: dict[str, str] | list[str], name: str) -> tuple[str, ChannelType]:
    """A phone or an email: a map (the record, and undo logs now) or a [value, type] pair."""
    if isinstance(value, dict):
        return value[name], ChannelType(value["type"])
    address, kind = value
    return address, ChannelType(kind)
