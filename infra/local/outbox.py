"""Show the emails the CRM sends (through moto's SES) in the local stack's console.

Locally nothing leaves the machine: invitation links and reminders would be invisible without
this. moto runs in this process, so its SES backend is read directly.
"""

from __future__ import annotations

import sys
from typing import TextIO

from moto.ses.models import ses_backends

from infra.local.resources import ACCOUNT_ID


class Outbox:
    def __init__(self, region: str, stream: TextIO = sys.stdout) -> None:
        self._region = region
        self._stream = stream
        self._shown = 0

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
        self._stream.flush()
        self._shown += len(new)
        return len(new)
