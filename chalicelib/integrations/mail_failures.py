"""What IMAP and SMTP conversations share: the TLS context, and what they can raise in the words
the user sees (auth, unreachable, tls, protocol), without smtplib (the reader never loads it;
the connection test adds its SMTP cases)."""

from __future__ import annotations

import imaplib
import socket
import ssl

from chalicelib.ports.results import MailboxProbeError

# What a connection, a TLS handshake or a server's answer can raise (SSL and SMTP errors are OSErrors).
ERRORS = (OSError, imaplib.IMAP4.error, EOFError)


def text(error: BaseException) -> str:
    """An error's message; IMAP and SMTP libraries often carry the server's answer as bytes."""
    first = error.args[0] if error.args else ""
    return first.decode(errors="replace") if isinstance(first, bytes) else str(first)


def failure(error: BaseException) -> MailboxProbeError:
    """What went wrong: tls, unreachable or protocol."""
    if isinstance(error, ssl.SSLError | ssl.CertificateError):
        return MailboxProbeError("tls", str(error) or type(error).__name__)
    if "STARTTLS" in text(error).upper():
        return MailboxProbeError("tls", text(error) or "the server does not offer STARTTLS")
    if isinstance(error, TimeoutError | socket.timeout):
        return MailboxProbeError("unreachable", "no answer within the timeout")
    if isinstance(error, OSError):
        return MailboxProbeError("unreachable", error.strerror or str(error) or type(error).__name__)
    return MailboxProbeError("protocol", text(error) or type(error).__name__)
