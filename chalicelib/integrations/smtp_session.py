"""An SMTP session as the mailbox settings describe it: SSL from the first byte, or plain then
STARTTLS, or plain (local servers); greeted and logged in. Shared by the connection test
(`mailbox_probe`) and the sender (`mail_transport`), which each name the failures their way."""

from __future__ import annotations

import contextlib
import smtplib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import ssl

    from chalicelib.domain.mailboxes import Server


def open_smtp(server: Server, password: str, *, timeout: float, tls: ssl.SSLContext) -> smtplib.SMTP:
    """Logged in, or the library's own error (OSError, ssl.SSLError, smtplib.SMTPException);
    a session that fails after connecting is closed first."""
    from chalicelib.domain.mailboxes import Security  # the mailbox rules load with the first session

    smtp: smtplib.SMTP
    if server.security is Security.SSL:
        smtp = smtplib.SMTP_SSL(server.host, server.port, timeout=timeout, context=tls)
    else:
        smtp = smtplib.SMTP(server.host, server.port, timeout=timeout)
    try:
        smtp.ehlo()
        if server.security is Security.STARTTLS:
            smtp.starttls(context=tls)
            smtp.ehlo()
        smtp.login(server.username, password)
    except BaseException:
        with contextlib.suppress(OSError, smtplib.SMTPException):
            smtp.close()
        raise
    return smtp
