"""The connection test of an email integration (EM-1): IMAP login with imapclient, SMTP login
with smtplib, both under a socket timeout so a dead server fails in seconds, never hangs."""

from __future__ import annotations

import contextlib
import smtplib
import ssl
from typing import TYPE_CHECKING

from chalicelib.domain.mailboxes import Security
from chalicelib.integrations.mail_failures import ERRORS, failure, text
from chalicelib.integrations.smtp_session import open_smtp
from chalicelib.integrations.tls import default_tls
from chalicelib.ports.results import MailboxProbeError

if TYPE_CHECKING:
    from chalicelib.domain.mailboxes import Server

TIMEOUT_S = 10.0
_ERRORS = ERRORS
_text = text


def _failure(error: BaseException) -> MailboxProbeError:
    """What went wrong, in the words the user sees (auth, unreachable, tls, protocol)."""
    if isinstance(error, smtplib.SMTPAuthenticationError):
        answer = error.smtp_error
        detail = answer.decode(errors="replace") if isinstance(answer, bytes) else str(answer)
        return MailboxProbeError("auth", detail or "login refused")
    if isinstance(error, smtplib.SMTPNotSupportedError):
        return MailboxProbeError("tls", _text(error) or "the server does not offer STARTTLS")
    return failure(error)


class ImapSmtpProbe:
    def __init__(self, *, timeout: float = TIMEOUT_S, tls_context: ssl.SSLContext | None = None) -> None:
        self._timeout = timeout
        self._given_tls = tls_context

    @property
    def _tls(self) -> ssl.SSLContext:
        """The context given, else the process's default one (see `integrations.tls`)."""
        return self._given_tls or default_tls()

    def check_imap(self, server: Server, password: str) -> None:
        from imapclient import IMAPClient
        from imapclient.exceptions import CapabilityError, LoginError

        try:
            client = IMAPClient(
                server.host,
                port=server.port,
                ssl=server.security is Security.SSL,
                ssl_context=self._tls,
                timeout=self._timeout,
            )
        except _ERRORS as error:
            raise _failure(error) from None
        try:
            if server.security is Security.STARTTLS:
                try:
                    client.starttls(self._tls)
                except CapabilityError:
                    raise MailboxProbeError("tls", "the server does not offer STARTTLS") from None
            try:
                client.login(server.username, password)
            except LoginError as error:
                raise MailboxProbeError("auth", _text(error) or "login refused") from None
            client.select_folder("INBOX", readonly=True)
        except MailboxProbeError:
            raise
        except _ERRORS as error:
            raise _failure(error) from None
        finally:
            with contextlib.suppress(*_ERRORS):
                client.logout()

    def check_smtp(self, server: Server, password: str) -> None:
        try:
            smtp = open_smtp(server, password, timeout=self._timeout, tls=self._tls)
        except _ERRORS as error:
            raise _failure(error) from None
        with contextlib.suppress(*_ERRORS):
            smtp.quit()
