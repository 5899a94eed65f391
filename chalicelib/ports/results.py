"""What outside services hand back: results and failures the services handle at run time.

Held apart from the ports' Protocols (ports/outside.py), which services import for the type
checker only: a Lambda's cold start loads these small values, not every Protocol.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from chalicelib.domain.errors import UnavailableError


@dataclass(frozen=True, slots=True)
class Tokens:
    access_token: str
    expires_in: int
    # The principal (see domain.users.principal_name) the tokens were issued to.
    principal: str
    refresh_token: str | None = None


@dataclass(frozen=True, slots=True)
class SmsReceipt:
    """What the provider answered for an accepted SMS."""

    message_id: str | None
    parts: int = 1


class SmsRejectedError(Exception):
    """The provider refused this SMS for good (bad number, no credit...): retrying will not help."""


class SmsOutcomeUnknownError(Exception):
    """The request reached the provider but no answer came back: the SMS may be out. Sending it
    again could send it twice, so callers report it rather than retry."""


class SmsRateLimitedError(UnavailableError):
    """The provider limits our rate: retry after `retry_at` (unix time) when it says."""

    def __init__(self, message: str, retry_at: float | None = None) -> None:
        super().__init__(message)
        self.retry_at = retry_at


def failure_reason(error: Any) -> str:
    """Why a step failed, from what a Catch hands over: {"Error", "Cause"} (a Lambda's Cause is
    JSON with `errorMessage`), or a plain message."""
    if not isinstance(error, dict):
        return str(error or "the step failed")[:500]
    cause = error.get("Cause")
    if isinstance(cause, str):
        try:
            decoded = json.loads(cause)
        except ValueError:
            decoded = None
        if isinstance(decoded, dict) and decoded.get("errorMessage"):
            cause = decoded["errorMessage"]
    return f"{error.get('Error', 'error')}: {cause}"[:500] if cause else str(error.get("Error", "error"))[:500]


class MailboxProbeError(Exception):
    """A mailbox server refused or could not be reached (the connection test on save, EM-1).

    `kind`: `auth` (credentials refused), `unreachable` (DNS, refused, timeout), `tls` (handshake
    or certificate), `protocol` (an answer that is not IMAP/SMTP); `detail` is shown to the user.
    """

    def __init__(self, kind: str, detail: str) -> None:
        super().__init__(f"{kind}: {detail}")
        self.kind = kind
        self.detail = detail


class MailSendError(Exception):
    """An SMTP server refused or could not be reached while sending (CL-8, EM-4).

    `kind`: `auth` (login refused), `unreachable` (DNS, refused, timeout), `tls`, `refused` (the
    server refused the sender or every recipient: nothing sent), `partial` (some recipients
    refused, the message sent to the others), `unknown` (the connection broke while sending: it
    may be out), `protocol`; `permanent`: retrying will not help (a 5xx answer), else a later
    attempt may succeed (4xx, a dropped connection). `recipients`: the refused addresses
    ({address: the server's answer})."""

    def __init__(
        self, kind: str, detail: str, *, permanent: bool = True, recipients: dict[str, str] | None = None
    ) -> None:
        super().__init__(f"{kind}: {detail}")
        self.kind = kind
        self.detail = detail
        self.permanent = permanent
        self.recipients = recipients or {}
