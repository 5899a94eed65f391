"""What outside services hand back: results and failures the services handle at run time.

Held apart from the ports' Protocols (ports/outside.py), which services import for the type
checker only: a Lambda's cold start loads these small values, not every Protocol.
"""

from __future__ import annotations

from typing import NamedTuple

# The failures (no dataclass to build) live apart, for the workers that need only them.
from chalicelib.ports.failures import SmsOutcomeUnknownError as SmsOutcomeUnknownError
from chalicelib.ports.failures import SmsRateLimitedError as SmsRateLimitedError
from chalicelib.ports.failures import SmsRejectedError as SmsRejectedError
from chalicelib.ports.failures import failure_reason as failure_reason


# A NamedTuple, not a dataclass: defined at a Lambda's cold start, where a dataclass costs ~10x more.
class Tokens(NamedTuple):
    access_token: str
    expires_in: int
    # The principal (see domain.users.principal_name) the tokens were issued to.
    principal: str
    refresh_token: str | None = None


# A NamedTuple, not a dataclass: defined at a Lambda's cold start, where a dataclass costs ~10x more.
class SmsReceipt(NamedTuple):
    """What the provider answered for an accepted SMS."""

    message_id: str | None
    parts: int = 1


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
