"""The local stack's demo mailbox (pymap): the demo CRM reads it, the demo client's feed shows the
mail, a stranger becomes a lead, a newsletter does not; a restart (the mail delivered again into
a new UIDVALIDITY) stores nothing twice; the server stops cleanly."""

from __future__ import annotations

import pytest

from chalicelib.bootstrap import services
from chalicelib.db.repositories.crms import CrmRepository
from chalicelib.domain.clock import utcnow
from infra.local.demo_mailbox import DemoMailbox, connect_demo_crm, demo_messages, poll_now
from infra.local.seed import DEMO_CLIENT_EMAIL, DEMO_SLUG, seed_demo
from tests.harness import LocalAws
from tests.integrations.test_mailbox_probe import free_port

pytest.importorskip("pymap")


def test_the_demo_crm_reads_the_demo_mailbox(aws: LocalAws) -> None:
    assert seed_demo()
    tenant_id = CrmRepository().resolve_slug(DEMO_SLUG)
    assert tenant_id is not None
    contacts = services().storage.contacts(tenant_id)
    port = free_port()
    for run in range(2):  # a first start, then a restart: pymap comes back empty
        server = DemoMailbox("127.0.0.1", port)
        server.start()
        try:
            server.deliver(demo_messages(utcnow()))
            assert connect_demo_crm("127.0.0.1", port) is not None
            stored = poll_now()
        finally:
            server.stop()
        assert stored == (4 if run == 0 else 0)
    client_id = contacts.owner_of_email(DEMO_CLIENT_EMAIL)
    assert client_id is not None
    feed = contacts.feed(client_id, limit=50, cursor=None).items
    emails = [e for e in feed if e.kind.value == "email"]
    assert sorted(e.data["subject"] for e in emails) == [
        "Maintenance contract renewal",
        "Re: Maintenance contract renewal",
    ]
    assert contacts.owner_of_email("lena@bakery.example") is not None
    assert contacts.owner_of_email("news@news.example") is None
    [box] = services().storage.mailboxes(tenant_id).list_all()
    assert (box.status.value, box.messages) == ("ok", 4)
