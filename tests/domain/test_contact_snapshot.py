"""The contact codec shared by the contact record and the import's undo logs."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime

from chalicelib.domain.contact_snapshot import from_snapshot, snapshot, snapshot_json
from chalicelib.domain.contacts import (
    ChannelType,
    ClientType,
    Contact,
    ContactKind,
    ContactStatus,
    Email,
    LeadSource,
    LeadStatus,
    Phone,
)

LEAD = Contact(
    id="01HZZZZZZZZZZZZZZZZZZZZZZZ",
    kind=ContactKind.LEAD,
    name="Zoé Martin",
    created_at=datetime(2024, 5, 1, 9, 30, 0, 123000, tzinfo=UTC),
    created_by="u1",
    updated_at=datetime(2024, 5, 2, 10, 0, tzinfo=UTC),
    status=ContactStatus.COMPANY,
    type=ClientType.RESELLER,
    phones=(Phone("+33612345678", ChannelType.MOBILE), Phone("+33123456789")),
    emails=(Email("zoe@example.com", ChannelType.PERSONAL),),
    address="1 rue de la Paix",
    website="https://example.com",
    comment="met at the fair",
    responsible_user_id="u2",
    tags=("vip", "paris"),
    source_tag_ids=("s1",),
    properties={"size": 12, "since": "2020-01-01"},
    lead_status=LeadStatus.IN_PROGRESS,
    lead_source=LeadSource.IMPORT,
    converted_at=datetime(2024, 5, 3, tzinfo=UTC),
    version=7,
)


def test_every_field_survives_the_record_shape_and_its_json() -> None:
    assert from_snapshot(snapshot(LEAD)) == LEAD
    assert from_snapshot(json.loads(json.dumps(snapshot_json(LEAD)))) == LEAD


def test_phones_and_emails_are_stored_as_maps_and_enums_by_value() -> None:
    values = snapshot_json(LEAD)
    assert values["phones"] == [{"phone": "+33612345678", "type": "mobile"}, {"phone": "+33123456789", "type": "work"}]
    assert values["emails"] == [{"email": "zoe@example.com", "type": "personal"}]
    assert (values["kind"], values["lead_status"], values["created_at"]) == (
        "lead",
        "in_progress",
        "2024-05-01T09:30:00.123000+00:00",
    )


def test_an_undo_log_written_before_the_codec_was_shared_still_reads() -> None:
    """Undo logs kept phones and emails as [value, type] pairs and no lead source or conversion."""
    old = {
        "id": LEAD.id,
        "kind": "lead",
        "name": "Zoé Martin",
        "created_at": "2024-05-01T09:30:00.123000+00:00",
        "created_by": "u1",
        "updated_at": "2024-05-02T10:00:00+00:00",
        "status": "company",
        "type": "reseller",
        "phones": [["+33612345678", "mobile"], ["+33123456789", "work"]],
        "emails": [["zoe@example.com", "personal"]],
        "address": "1 rue de la Paix",
        "website": "https://example.com",
        "comment": "met at the fair",
        "responsible_user_id": "u2",
        "tags": ["vip", "paris"],
        "source_tag_ids": ["s1"],
        "properties": {"size": 12, "since": "2020-01-01"},
        "lead_status": "in_progress",
        "version": 7,
    }
    assert from_snapshot(old) == replace(LEAD, lead_source=None, converted_at=None)


def test_a_bare_client_reads_with_its_defaults() -> None:
    client = Contact(
        id="c1",
        kind=ContactKind.CLIENT,
        name="Acme",
        created_at=LEAD.created_at,
        created_by="u1",
        updated_at=LEAD.created_at,
    )
    values = snapshot(client)
    assert (values["lead_status"], values["lead_source"], values["converted_at"], values["phones"]) == (
        None,
        None,
        None,
        [],
    )
    assert from_snapshot(values) == client
