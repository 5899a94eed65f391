"""Fakes of outgoing email: signatures, email broadcasts (ports/storage.py), the mail transport
(ports/outside.py MailTransport) and the archive."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from chalicelib.domain.broadcasts import RecipientStatus
from chalicelib.domain.email.broadcasts import EmailBroadcast, EmailRecipient
from chalicelib.domain.email.outgoing import Signature
from chalicelib.domain.mailboxes import Server
from chalicelib.ports.results import MailSendError
from tests.fakes.base import commit, versioned_delete, versioned_save
from tests.fakes.recipient_ledger import FakeLedger


class FakeSignatures:
    def __init__(self) -> None:
        self.records: dict[str, Signature] = {}

    def list_all(self) -> list[Signature]:
        return sorted(self.records.values(), key=lambda s: s.id)

    def get(self, signature_id: str) -> Signature | None:
        return self.records.get(signature_id)

    def create(self, signature: Signature) -> None:
        self.records[signature.id] = signature

    def save(self, before: Signature, after: Signature) -> Signature:
        return versioned_save(self.records, before, after, "signature")

    def delete(self, signature: Signature) -> None:
        versioned_delete(self.records, signature, "signature")


def _key(message_id: str) -> str:
    return message_id.strip().strip("<>").lower()


class FakeEmailBroadcasts(FakeLedger[EmailBroadcast, EmailRecipient]):
    def __init__(self) -> None:
        super().__init__()
        self.sent: dict[str, tuple[str, int, str]] = {}
        self.bounces: dict[str, str] = {}

    def finish(
        self, broadcast_id: str, index: int, status: RecipientStatus, *,
        expected: RecipientStatus = RecipientStatus.SENDING, reason: str | None = None,
        message_id: str | None = None, email: str | None = None, also: Sequence[Any] = (),
    ) -> bool:  # fmt: skip
        if not self._finish(broadcast_id, index, status, expected=expected, reason=reason, message_id=message_id):
            return False
        if status is RecipientStatus.SENT and message_id and email:
            self.sent[_key(message_id)] = (broadcast_id, index, email)
        commit(also)
        return True

    def sent_message(self, message_id: str) -> tuple[str, int, str] | None:
        return self.sent.get(_key(message_id))

    def bounced(self, broadcast_id: str, index: int, reason: str) -> bool:
        if self.recipients_of[broadcast_id][index].status is not RecipientStatus.SENT:
            return False
        self._set(broadcast_id, index, status=RecipientStatus.FAILED, reason=reason[:300])
        current = self.records[broadcast_id]
        self.records[broadcast_id] = replace(current, sent=current.sent - 1, failed=current.failed + 1)
        return True

    def mark_bouncing(self, email: str, status: str, diagnostic: str, now: datetime) -> None:
        self.bounces[email.lower()] = f"{status} {diagnostic}".strip()

    def bouncing(self, emails: Sequence[str]) -> dict[str, str]:
        return {e.lower(): self.bounces[e.lower()] for e in emails if e and e.lower() in self.bounces}


@dataclass
class FakeMailTransport:
    """Takes every message, except: `down` (connection failures to raise, one per call), `refused`
    ({address: (permanent, answer)}), `busy` (how many next messages get a 4xx)."""

    sent: list[tuple[str, list[str], bytes]] = field(default_factory=list)  # (sender, recipients, raw)
    appended: list[bytes] = field(default_factory=list)
    down: list[MailSendError] = field(default_factory=list)
    refused: dict[str, tuple[bool, str]] = field(default_factory=dict)
    busy: int = 0
    append_fails: bool = False

    def send(self, server: Server, password: str, sender: str, recipients: list[str], message: bytes) -> None:
        [outcome] = self.send_many(server, password, sender, [(recipients, message)])
        if outcome is not None:
            raise outcome

    def send_many(
        self, server: Server, password: str, sender: str, messages: list[tuple[list[str], bytes]]
    ) -> list[MailSendError | None]:
        if self.down:
            raise self.down.pop(0)
        outcomes: list[MailSendError | None] = []
        for recipients, raw in messages:
            bad = {a: self.refused[a] for a in recipients if a in self.refused}
            if bad:
                answers = {a: answer for a, (_, answer) in bad.items()}
                permanent = all(p for p, _ in bad.values())
                outcomes.append(MailSendError("refused", "; ".join(answers.values()), permanent=permanent,
                                              recipients=answers))  # fmt: skip
            elif self.busy:
                self.busy -= 1
                outcomes.append(MailSendError("refused", "451 4.3.0 try again later", permanent=False))
            else:
                self.sent.append((sender, recipients, raw))
                outcomes.append(None)
        return outcomes

    def append_sent(self, server: Server, password: str, message: bytes) -> None:
        if self.append_fails:
            raise MailSendError("unreachable", "connection refused", permanent=False)
        self.appended.append(message)


@dataclass
class FakeArchive:
    """Records what would be archived (the real one is tested in tests/email)."""

    stored: list[dict[str, Any]] = field(default_factory=list)

    def store(self, tenant_id: str, integration: Any, raw: bytes, **kwargs: Any) -> None:
        self.stored.append({"tenant_id": tenant_id, "integration_id": integration.id, "raw": raw, **kwargs})
