"""Access patterns of invitations (AP12, AP13) and of the CRMs' maintenance list (AP62), against moto."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from chalicelib.db.repositories.crms import CrmRepository
from chalicelib.db.repositories.invitations import InvitationRepository
from chalicelib.db.writes import transact
from chalicelib.domain.crm import Crm, CrmStatus
from chalicelib.domain.errors import ConflictError
from chalicelib.domain.ids import new_id
from chalicelib.domain.invitations import Invitation, new_token, token_hash
from tests.harness import LocalAws
from tests.meter import dynamodb_calls

T0 = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)


def an_invitation(tenant_id: str, created: timedelta, email: str | None = None) -> Invitation:
    at = T0 + created
    return Invitation(
        id=new_id(),
        tenant_id=tenant_id,
        group_id="g1",
        created_by="u1",
        created_at=at,
        expires_at=at + timedelta(days=7),
        email=email,
        user_id="u2" if email else None,
    )


def test_ap12_an_invitation_is_found_by_its_token_hash_and_used_once(aws: LocalAws) -> None:
    """AP12: an invitation is found by the hash of its token, whatever the CRM; it is used once."""
    repo = InvitationRepository()
    token = new_token()
    invitation = an_invitation("tenant-1", timedelta(), email="ada@example.com")
    transact(repo.creation_writes(invitation, token_hash(token)))

    with dynamodb_calls() as calls:
        found = repo.get_by_token_hash(token_hash(token))
    assert found == invitation
    assert calls == {"GetItem": 1}
    assert repo.get_by_token_hash(token_hash(new_token())) is None
    transact([repo.use_write(token_hash(token))])
    assert repo.get_by_token_hash(token_hash(token)) is None
    with pytest.raises(ConflictError) as used:
        transact([repo.use_write(token_hash(token))])
    assert used.value.field == "token"


def test_ap13_pending_invitations_of_a_crm_newest_first(aws: LocalAws) -> None:
    """AP13: a CRM's pending invitations, newest first, in one Query; used ones and other CRMs' are left out."""
    repo = InvitationRepository()
    old, mid, new = (an_invitation("tenant-1", timedelta(hours=h)) for h in (1, 2, 3))
    elsewhere = an_invitation("tenant-2", timedelta(hours=4))
    for invitation in (mid, elsewhere, old, new):
        transact(repo.creation_writes(invitation, token_hash(invitation.id)))
    transact([repo.use_write(token_hash(mid.id))])

    with dynamodb_calls() as calls:
        pending = repo.list_pending("tenant-1")
    assert pending == [new, old]
    assert calls == {"Query": 1}
    assert [i.id for i in repo.list_pending("tenant-2")] == [elsewhere.id]
    assert repo.list_pending("tenant-1", limit=1) == [new]


def test_ap62_every_crm_oldest_first_a_page_at_a_time(aws: LocalAws) -> None:
    """AP62: every CRM, oldest first, a bounded page (one Query) at a time until the key runs out."""
    repo = CrmRepository()
    ages = {"young": timedelta(hours=1), "oldest": timedelta(days=3), "middle": timedelta(days=1)}
    crms = {
        slug: Crm(new_id(), slug, slug.title(), "FR", "Europe/Paris", CrmStatus.ACTIVE, T0 - age)
        for slug, age in ages.items()
    }
    for crm in crms.values():
        repo.create(crm, [])

    seen: list[str] = []
    after = None
    while True:
        with dynamodb_calls() as calls:
            ids, after = repo.page(limit=2, after=after)
        assert len(ids) <= 2
        assert calls == {"Query": 1}
        seen += ids
        if after is None:
            break
    assert seen == [crms["oldest"].id, crms["middle"].id, crms["young"].id]
