"""A mailbox for the e2e tests of sending, in the demo CRM of a running local stack.

The local stack has an SMTP server catching what the CRM sends (infra/local/smtp_catcher.py) but,
until the demo mailbox exists, no IMAP server: the connection test on save would refuse. This
creates the integration through MailboxService with a probe that accepts, shared with everyone,
SMTP through the catcher. With `--from-address`, it also stores one incoming email from that
address through the email archive (so the client with that address shows it in its feed).
Prints a JSON object: {"integration_id", "email_id"}. For tests only.

    python web/e2e/seed_mailbox.py --moto-port 8001 --smtp-port 8025 --from-address ann@example.com
"""

from __future__ import annotations

import argparse
import json
import sys
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from infra.local.environment import Options, configure


class AcceptingProbe:
    """The connection test, passed: the test's servers are the catcher and nothing (IMAP)."""

    def check_imap(self, server: object, password: str) -> None:
        return None

    def check_smtp(self, server: object, password: str) -> None:
        return None


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--moto-port", type=int, required=True)
    parser.add_argument("--smtp-port", type=int, required=True)
    parser.add_argument("--name", default="E2E mailbox")
    parser.add_argument("--address", default="sales@demo.example")
    parser.add_argument("--from-address")
    parser.add_argument("--subject", default="Quote for the blue model")
    args = parser.parse_args()
    configure(Options(moto_port=args.moto_port))

    from chalicelib.bootstrap import bind_storage, services
    from chalicelib.db.repositories.crms import CrmRepository
    from chalicelib.domain.clock import utcnow
    from chalicelib.domain.email.rules import Direction
    from chalicelib.services.acting import acting_user
    from chalicelib.services.mailboxes import IntegrationInput, ServerInput

    bind_storage()
    container = services()
    container.__dict__["mailbox_probe"] = AcceptingProbe()  # before `mailboxes` is built
    tenant_id = CrmRepository().resolve_slug("demo")
    assert tenant_id, "no demo CRM"
    admin_id = container.storage.users(tenant_id).find_id_by_email("demo@example.com")
    assert admin_id, "no demo admin"
    actor = acting_user(container.storage, tenant_id, admin_id, "e2e seed")
    integration = container.mailboxes.create(
        actor,
        IntegrationInput(
            name=args.name,
            email=args.address,
            imap=ServerInput("127.0.0.1", 1, "none", args.address, "e2e-password"),
            smtp=ServerInput("127.0.0.1", args.smtp_port, "none", args.address, "e2e-password"),
            shared_with="all",
            create_leads="none",
        ),
    )
    email_id = None
    if args.from_address:
        message = EmailMessage()
        message["From"] = f"E2E Sender <{args.from_address}>"
        message["To"] = args.address
        message["Subject"] = args.subject
        message["Date"] = format_datetime(utcnow())
        message["Message-ID"] = make_msgid(domain="e2e.example")
        message.set_content("Hello,\n\nCould you send me the quote for the blue model?\n\nThanks")
        message.add_alternative(
            "<p>Hello,</p><p>Could you send me the <b>quote</b> for the blue model?</p><p>Thanks</p>", subtype="html"
        )
        message.add_attachment(b"%PDF-1.4 e2e", maintype="application", subtype="pdf", filename="brief.pdf")
        stored = container.email_archive.store(tenant_id, integration, bytes(message), direction=Direction.IN)
        email_id = stored.id if stored else None
    print(json.dumps({"integration_id": integration.id, "email_id": email_id}))


if __name__ == "__main__":
    main()
