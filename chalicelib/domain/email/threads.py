"""The thread a message belongs to, from its References and In-Reply-To headers.

The rule, first match wins:
1. References names the conversation from its root: the thread is its FIRST id (a reply that
   carries only References, without In-Reply-To, is threaded all the same).
2. In-Reply-To only: the thread of that parent when the CRM knows it (`known_parent_thread`, read
   from the parent's Message-ID guard), else the parent's id itself. A parent that arrives later
   with no references roots its thread at its own id, so both meet in one thread.
3. Neither: the message starts a thread; the thread is its own Message-ID, or `sha256:<digest>`
   of the raw bytes when it has none (stable across polls of the same message).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from chalicelib.domain.email.message import ParsedMessage


def own_id(message: ParsedMessage) -> str:
    """The message's key: its Message-ID, else the digest of its bytes."""
    return message.message_id or f"sha256:{message.digest}"


def thread_root(message: ParsedMessage, known_parent_thread: str | None) -> str:
    if message.references:
        return message.references[0]
    if message.in_reply_to is not None:
        return known_parent_thread or message.in_reply_to
    return own_id(message)
