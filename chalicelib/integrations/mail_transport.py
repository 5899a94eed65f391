"""Sending through a mailbox (CL-8, EM-4): SMTP with smtplib, a copy in the Sent folder with
imapclient (IMAP APPEND), both under socket timeouts so a dead server fails in seconds.

The message bytes come composed (our own Message-ID, domain/email/outgoing.py); this adapter only
moves them and says, in the user's words, why a server refused. The libraries load with the
first connection (smtplib) or the first copy filed (imapclient): a worker that builds the
transport at its cold start does not pay for them.
"""

from __future__ import annotations

import contextlib
import socket
import ssl
from typing import TYPE_CHECKING

from chalicelib.integrations.tls import default_tls
from chalicelib.ports.results import MailSendError

if TYPE_CHECKING:
    import smtplib

    from chalicelib.domain.mailboxes import Server

TIMEOUT_S = 20.0
# What an SMTP conversation can raise (SSL and SMTP errors are OSErrors); the IMAP copy adds
# imaplib's own (loaded with imapclient by `append_sent` only: a broadcast never files a copy).
_ERRORS = (OSError, EOFError)


def _answer(code: int, answer: bytes | str) -> str:
    text = answer.decode(errors="replace") if isinstance(answer, bytes) else str(answer)
    return f"{code} {text}".strip()


def _failure(error: BaseException) -> MailSendError:
    import smtplib

    if isinstance(error, smtplib.SMTPAuthenticationError):
        return MailSendError("auth", _answer(error.smtp_code, error.smtp_error) or "login refused")
    if isinstance(error, smtplib.SMTPSenderRefused):
        return MailSendError("refused", f"sender refused: {_answer(error.smtp_code, error.smtp_error)}",
                             permanent=error.smtp_code >= 500)  # fmt: skip
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        refused = {addr: _answer(code, answer) for addr, (code, answer) in error.recipients.items()}
        permanent = all(code >= 500 for code, _ in error.recipients.values())
        return MailSendError("refused", "; ".join(f"{a}: {r}" for a, r in refused.items()), permanent=permanent,
                             recipients=refused)  # fmt: skip
    if isinstance(error, smtplib.SMTPResponseException):
        return MailSendError("refused", _answer(error.smtp_code, error.smtp_error), permanent=error.smtp_code >= 500)
    if isinstance(error, ssl.SSLError | ssl.CertificateError):
        return MailSendError("tls", str(error) or type(error).__name__)
    if isinstance(error, smtplib.SMTPNotSupportedError):
        return MailSendError("tls", str(error) or "the server does not offer STARTTLS")
    if isinstance(error, smtplib.SMTPServerDisconnected):
        return MailSendError("unreachable", str(error) or "the server closed the connection", permanent=False)
    if isinstance(error, TimeoutError | socket.timeout):
        return MailSendError("unreachable", "no answer within the timeout", permanent=False)
    if isinstance(error, OSError):
        return MailSendError("unreachable", error.strerror or str(error) or type(error).__name__, permanent=False)
    first = error.args[0] if error.args else ""
    detail = first.decode(errors="replace") if isinstance(first, bytes) else str(first)
    return MailSendError("protocol", detail or type(error).__name__)


class SmtpImapTransport:
    def __init__(self, *, timeout: float = TIMEOUT_S, tls_context: ssl.SSLContext | None = None) -> None:
        self._timeout = timeout
        self._given_tls = tls_context

    @property
    def _tls(self) -> ssl.SSLContext:
        """The context given, else the process's default one (see `integrations.tls`)."""
        return self._given_tls or default_tls()

    def _connect(self, server: Server, password: str) -> smtplib.SMTP:
        from chalicelib.integrations.smtp_session import open_smtp

        try:
            return open_smtp(server, password, timeout=self._timeout, tls=self._tls)
        except _ERRORS as error:
            raise _failure(error) from None

    def send(self, server: Server, password: str, sender: str, recipients: list[str], message: bytes) -> None:
        [outcome] = self.send_many(server, password, sender, [(recipients, message)])
        if outcome is not None:
            raise outcome

    def send_many(
        self, server: Server, password: str, sender: str, messages: list[tuple[list[str], bytes]]
    ) -> list[MailSendError | None]:
        import smtplib

        smtp = self._connect(server, password)
        outcomes: list[MailSendError | None] = []
        try:
            for recipients, message in messages:
                try:
                    refused = smtp.sendmail(sender, recipients, message)
                except smtplib.SMTPRecipientsRefused as error:
                    outcomes.append(_failure(error))
                    smtp.rset()
                    continue
                except (smtplib.SMTPSenderRefused, smtplib.SMTPDataError) as error:
                    outcomes.append(_failure(error))
                    with contextlib.suppress(*_ERRORS):
                        smtp.rset()
                    continue
                except _ERRORS as error:  # the connection broke: the rest are not sent
                    # This one may have gone out (a break after the data): never sent again.
                    outcomes.append(MailSendError("unknown", f"the connection broke while sending ({_failure(error)}): "
                                                  "the outcome is unknown, not sent again"))  # fmt: skip
                    outcomes.extend(
                        MailSendError("unreachable", "not sent: the connection broke", permanent=False)
                        for _ in messages[len(outcomes) :]
                    )
                    break
                if refused:  # taken for the others: the message is out
                    answers = {a: _answer(c, r) for a, (c, r) in refused.items()}
                    outcomes.append(MailSendError("partial", "; ".join(f"{a}: {r}" for a, r in answers.items()),
                                                  recipients=answers))  # fmt: skip
                else:
                    outcomes.append(None)
        finally:
            with contextlib.suppress(*_ERRORS):
                smtp.quit()
        return outcomes

    def append_sent(self, server: Server, password: str, message: bytes) -> None:
        import imaplib

        from imapclient import IMAPClient
        from imapclient.exceptions import IMAPClientError, LoginError
        from imapclient.imapclient import SEEN, SENT

        from chalicelib.domain.mailboxes import Security

        errors = (*_ERRORS, imaplib.IMAP4.error, IMAPClientError)
        try:
            client = IMAPClient(
                server.host,
                port=server.port,
                ssl=server.security is Security.SSL,
                ssl_context=self._tls,
                timeout=self._timeout,
            )
        except errors as error:
            raise _failure(error) from None
        try:
            if server.security is Security.STARTTLS:
                client.starttls(self._tls)
            try:
                client.login(server.username, password)
            except LoginError as error:
                raise MailSendError("auth", str(error) or "login refused") from None
            folder = client.find_special_folder(SENT) or "Sent"
            if not client.folder_exists(folder):
                client.create_folder(folder)
            client.append(folder, message, flags=(SEEN,))
        except MailSendError:
            raise
        except errors as error:
            raise _failure(error) from None
        finally:
            with contextlib.suppress(*errors):
                client.logout()
