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
from infra.local.smtp_catcher import CaughtMail


class Outbox:
    def __init__(
        self,
        region: str,
        stream: TextIO = sys.stdout,
        sms: Callable[[], Sequence[SentSms]] | None = None,
        mail: Callable[[], Sequence[CaughtMail]] | None = None,
    ) -> None:
        self._region = region
        self._stream = stream
        self._shown = 0
        self._sms = sms or (lambda: ())
        self._sms_shown = len(self._sms())  # only what is sent from now on
        self._mail = mail or (lambda: ())
        self._mail_shown = len(self._mail())

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
        mail = list(self._mail())[self._mail_shown :]
        for caught in mail:
            message = caught.message
            body = message.get_body(("plain", "html"))
            text = body.get_content() if body is not None else ""
            self._stream.write(
                f"\n  ---- email (a mailbox's SMTP, caught locally) ----\n  From: {message['From']}\n"
                f"  To: {', '.join(caught.recipients)}\n  Subject: {message['Subject']}\n"
                f"  Message-ID: {message['Message-ID']}\n\n"
                + "\n".join(f"  {line}" for line in str(text).splitlines())
                + "\n  ------------------------------------------------\n"
            )
        self._stream.flush()
        self._shown += len(new)
        self._sms_shown += len(sms)
        self._mail_shown += len(mail)
        return len(new) + len(sms) + len(mail)
