"""Show the emails and SMS the CRM sends in the local stack's console.

Locally nothing leaves the machine: invitation links, reminders and deferred SMS would be
invisible without this. moto (SES) and the functions (the fake SMS sender) run in this process,
so both are read directly.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from typing import TextIO

from moto.ses.models import ses_backends

from infra.local.fake_zadarma import SentSms
from infra.local.resources import ACCOUNT_ID


class Outbox:
    def __init__(
        self, region: str, stream: TextIO = sys.stdout, sms: Callable[[], Sequence[SentSms]] | None = None
    ) -> None:
        self._region = region
        self._stream = stream
        self._shown = 0
        self._sms = sms or (lambda: ())
        self._sms_shown = len(self._sms())  # only what is sent from now on

    def show_new(self) -> int:
        """Print the messages sent since the last call; returns how many."""
        messages = ses_backends[ACCOUNT_ID][self._region].sent_messages
        new = messages[self._shown :]
        for message in new:
            to = ", ".join(message.destinations.get("ToAddresses", []))
            self._stream.write(
                f"\n  ---- email (SES, kept local) ----\n  From: {message.source}\n  To: {to}\n"
                f"  Subject: {message.subject}\n\n"
                + "\n".join(f"  {line}" for line in str(message.body).splitlines())
                + "\n  --------------------------------\n"
            )
        sms = list(self._sms())[self._sms_shown :]
        for message in sms:
            self._stream.write(
                f"\n  ---- SMS (fake Zadarma API, not sent) ----\n  To: {message.number}\n\n"
                + "\n".join(f"  {line}" for line in message.message.splitlines())
                + "\n  ------------------------------------\n"
            )
        self._stream.flush()
        self._shown += len(new)
        self._sms_shown += len(sms)
        return len(new) + len(sms)
