"""Invitations to join a CRM (SPEC TM-3): single-use, expiring, bound to one CRM and group."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

INVITATION_LIFETIME = timedelta(days=7)
MAX_EMAILS_PER_REQUEST = 50


@dataclass(frozen=True, slots=True)
class Invitation:
    id: str
    tenant_id: str
    group_id: str
    created_by: str
    created_at: datetime
    expires_at: datetime
    email: str | None = None  # None: a shareable link, whoever opens it gives their email
    user_id: str | None = None  # the invited user's record (emailed invitations)

    def expired(self, now: datetime) -> bool:
        return now >= self.expires_at


def new_token() -> str:
    """A secret for one invitation; only its hash is stored, so the table never holds it."""
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
