"""Email integrations (AP89, AP90) against moto: the count under a condition, versions, no passwords."""

from __future__ import annotations

from dataclasses import replace

import pytest

from chalicelib.db import keys
from chalicelib.db.models.mailboxes import MailboxCountItem
from chalicelib.db.models.shared import UniqueItem
from chalicelib.db.repositories.mailboxes import MailboxRepository
from chalicelib.db.repositories.sms_templates import SmsTemplateRepository
from chalicelib.domain.clock import utcnow
from chalicelib.domain.errors import ConflictError, StaleVersionError
from chalicelib.domain.ids import new_id
from chalicelib.domain.mailboxes import CreateLeads, Integration, Security, Server, SyncStatus
from chalicelib.domain.sms import SmsTemplate
from tests.harness import LocalAws

TENANT = "tenant-1"


def integration(name: str = "Sales", shared: str | tuple[str, ...] = ()) -> Integration:
    return Integration(
        id=new_id(),
        owner_id="user-1",
        name=name,
        email="sales@example.com",
        imap=Server("imap.example.com", 993, Security.SSL, "sales@example.com"),
        smtp=Server("smtp.example.com", 587, Security.STARTTLS, "sales@example.com"),
        shared_with=shared,
        create_leads=CreateLeads.RECEIVED,
        created_at=utcnow(),
    )


def test_ap89_ap90_create_read_list_save_delete(aws: LocalAws) -> None:
    repo = MailboxRepository(TENANT)
    SmsTemplateRepository(TENANT).create(SmsTemplate(new_id(), "T", "Hello", utcnow()))  # another item kind
    first, second = integration("A"), integration("B", shared=("user-2", "user-3"))
    repo.create(first, 20)
    # Items of another kind under the same prefix (a folder cursor, say) are not integrations.
    UniqueItem(
        keys.tenant_pk(TENANT), f"{keys.email_integration_sk(first.id)}#F#INBOX", owner_type="x", owner_id="y"
    ).save()
    repo.create(second, 20)
    assert repo.get(first.id) == first
    assert repo.get(second.id) == second
    assert [i.id for i in repo.list_all()] == sorted([first.id, second.id])
    assert MailboxRepository("tenant-2").list_all() == []

    synced = replace(first, shared_with="all", status=SyncStatus.OK, last_sync_at=utcnow(), messages=3)
    saved = repo.save(first, synced)
    assert saved.version == 2
    assert repo.get(first.id) == saved
    with pytest.raises(StaleVersionError):
        repo.save(first, synced)
    errored = repo.save(saved, replace(saved, status=SyncStatus.ERROR, last_error="auth failed"))
    cleared = repo.save(errored, replace(errored, last_error=None, last_sync_at=None))
    assert repo.get(first.id) == cleared

    with pytest.raises(StaleVersionError):
        repo.delete(first)
    repo.delete(cleared)
    assert repo.get(first.id) is None
    assert [i.id for i in repo.list_all()] == [second.id]
    assert MailboxCountItem.get(keys.tenant_pk(TENANT), keys.EMAIL_INTEGRATION_COUNT).total == 1


def test_ap90_the_count_refuses_one_more_than_the_limit(aws: LocalAws) -> None:
    repo = MailboxRepository(TENANT)
    kept = [integration(f"M{n}") for n in range(3)]
    for one in kept:
        repo.create(one, 3)
    extra = integration("one too many")
    with pytest.raises(ConflictError) as refused:
        repo.create(extra, 3)
    assert refused.value.field == "limit"
    assert repo.get(extra.id) is None
    repo.delete(kept[0])
    repo.create(extra, 3)
    assert len(repo.list_all()) == 3
