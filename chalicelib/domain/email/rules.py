"""Which addresses of a message may become leads (EM-3), and which mail stays out (EM-6).

A lead is created only from a message that starts a conversation with someone unknown:
- the integration's mode allows it (`received`: the sender of incoming mail; `received_and_sent`:
  also the recipients, To and Cc, of outgoing mail; `none`: nobody);
- never an exception match (EM-6), the CRM's own users or domains (and subdomains), bulk mail (List-Unsubscribe,
  List-Id, Precedence bulk/list/junk, Auto-Submitted other than "no"), a reply (In-Reply-To or
  References, or a message in a thread the CRM already holds: the person is known there), a
  person only CC'd on an existing thread, or an automatic sender (no-reply@, mailer-daemon@...).
Incoming mail offers its sender and its Cc (To is the mailbox and colleagues); outgoing mail its
To and Cc. Each refusal carries a reason for logs and tests. Known contacts are the service's
business (one contact per address, AP18), not this function's.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from enum import StrEnum
from typing import TYPE_CHECKING, NamedTuple

from chalicelib.domain.emails import Direction as Direction  # re-exported

if TYPE_CHECKING:
    from chalicelib.domain.email.message import ParsedMessage


class LeadMode(StrEnum):
    NONE = "none"
    RECEIVED = "received"
    RECEIVED_AND_SENT = "received_and_sent"


class Refusal(StrEnum):
    MODE_NONE = "auto-leads are off"
    SENT_NOT_ENABLED = "the mode creates leads from received mail only"
    EXCEPTION = "the address matches an exception"
    OWN_ADDRESS = "the address belongs to the CRM"
    OWN_DOMAIN = "the address is in one of the CRM's domains"
    BULK = "bulk or automatic mail"
    ROBOT = "an automatic sender (no-reply, mailer-daemon...)"
    REPLY = "a reply in an existing conversation"
    CC_ON_THREAD = "only CC'd on an existing thread"


class LeadDecision(NamedTuple):
    accepted: tuple[str, ...]
    refused: tuple[tuple[str, Refusal], ...]


def _domain(address: str) -> str:
    return address.rpartition("@")[2].lower()


def _in_domains(address: str, domains: set[str]) -> bool:
    """The CRM's domains include their subdomains (mx.acme.example is the CRM's own too)."""
    domain = _domain(address)
    return any(domain == d or domain.endswith(f".{d}") for d in domains)


# Local parts of senders no person reads: they never become leads, even without bulk headers.
_ROBOTS = re.compile(r"^(no-?reply|do-?not-?reply|mailer-daemon|postmaster|bounces?)([+.\-_].*)?$")


def _robot(address: str) -> bool:
    return _ROBOTS.match(address.rpartition("@")[0]) is not None


def excluded(address: str, patterns: Iterable[str]) -> bool:
    """`someone@example.com` matches that address; `@example.com` every address of that domain
    (not its subdomains). Case-insensitive."""
    address = address.strip().lower()
    for pattern in patterns:
        pattern = pattern.strip().lower()
        if pattern.startswith("@") and _domain(address) == pattern[1:]:
            return True
        if pattern == address:
            return True
    return False


def message_excluded(message: ParsedMessage, patterns: Iterable[str]) -> bool:
    """Mail from or to (To or Cc) a match never enters the CRM."""
    patterns = tuple(patterns)
    return any(excluded(a, patterns) for a in message.participants)


def _candidates(message: ParsedMessage, direction: Direction) -> list[tuple[str, bool]]:
    """(address, only CC'd) in order, without repeats."""
    found: dict[str, bool] = {}
    sender = (message.sender.email,) if message.sender else ()
    heads = message.to if direction is Direction.OUT else sender
    for address in heads:
        found.setdefault(address, False)
    for address in message.cc:
        found.setdefault(address, True)
    return list(found.items())


def decide_leads(
    message: ParsedMessage,
    *,
    mode: LeadMode,
    direction: Direction,
    own_addresses: Iterable[str],
    own_domains: Iterable[str],
    exceptions: Iterable[str],
    in_existing_thread: bool,
) -> LeadDecision:
    own = {a.strip().lower() for a in own_addresses}
    domains = {d.strip().lower().lstrip("@") for d in own_domains}
    patterns = tuple(exceptions)
    accepted: list[str] = []
    refused: list[tuple[str, Refusal]] = []
    for address, only_cc in _candidates(message, direction):
        reason = _refusal(message, mode, direction, address, only_cc, own, domains, patterns, in_existing_thread)
        if reason is None:
            accepted.append(address)
        else:
            refused.append((address, reason))
    return LeadDecision(tuple(accepted), tuple(refused))


def _refusal(
    message: ParsedMessage,
    mode: LeadMode,
    direction: Direction,
    address: str,
    only_cc: bool,
    own: set[str],
    domains: set[str],
    patterns: tuple[str, ...],
    in_existing_thread: bool,
) -> Refusal | None:
    checks: tuple[tuple[bool, Refusal], ...] = (
        (mode is LeadMode.NONE, Refusal.MODE_NONE),
        (direction is Direction.OUT and mode is not LeadMode.RECEIVED_AND_SENT, Refusal.SENT_NOT_ENABLED),
        (excluded(address, patterns), Refusal.EXCEPTION),
        (address in own, Refusal.OWN_ADDRESS),
        (_in_domains(address, domains), Refusal.OWN_DOMAIN),
        (message.bulk.is_bulk, Refusal.BULK),
        (_robot(address), Refusal.ROBOT),
        (only_cc and (in_existing_thread or message.is_reply), Refusal.CC_ON_THREAD),
        (message.is_reply or in_existing_thread, Refusal.REPLY),
    )
    return next((reason for failed, reason in checks if failed), None)
