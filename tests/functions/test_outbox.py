"""The local stack prints the emails the CRM sends, so invitation links are usable on a laptop."""

from __future__ import annotations

import io

from infra.local.outbox import Outbox
from tests.harness import REGION, Api


def test_sent_emails_are_printed_once(api: Api, make_crm) -> None:
    crm = make_crm()
    stream = io.StringIO()
    outbox = Outbox(REGION, stream)
    api.post("/v1/invitations", {"emails": ["ola@example.com"]}, token=crm.token)

    assert outbox.show_new() == 1
    assert outbox.show_new() == 0
    printed = stream.getvalue()
    assert "To: ola@example.com" in printed
    assert "invitations/accept?token=" in printed
