"""Public API keys (SPEC API-1): what a key is, its format, its keyed hash and its limits.

A key reads `crm_<id>_<secret>`: `<id>` (a ULID) finds the key's record with one GetItem,
`<secret>` (256 random bits) proves it. Only HMAC-SHA256(pepper, key) is stored, the pepper
being a deployment-wide secret kept apart from the table (SSM), so a copy of the table alone
neither reveals a key nor lets one be tried offline.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from urllib.parse import urlsplit

from chalicelib.domain.errors import ValidationError

KEY_PREFIX = "crm"
SECRET_BYTES = 32
# A key's requests per minute unless it was created with another limit.
DEFAULT_RATE_LIMIT = 60
MAX_RATE_LIMIT = 1000
RATE_WINDOW = timedelta(minutes=1)
MAX_NAME_LENGTH = 100
MAX_ORIGINS = 20
# Keys a user may hold; a CRM's list is paged.
MAX_KEYS_PER_USER = 50


class ApiKeyScope(StrEnum):
    API = "api"  # every route, with the owner's rights
    FORMS = "forms"  # only POST /v1/forms/leads (a key published in a web page)
    # Only the Teamsale-compatible API (/v1/zcrm/*): `Authorization: <user key>:<signature>`,
    # each request signed with the key's secret (HMAC-SHA1, as Zadarma's REST API). The server
    # must compute that HMAC, so the secret is kept encrypted (SSM SecureString under KMS, as
    # the PBX's keys), not hashed; the user key is the key's id.
    TEAMSALE = "teamsale"


# Teamsale keys allow what the original service allows: 100 requests a minute.
TEAMSALE_RATE_LIMIT = 100
TEAMSALE_SECRET_BYTES = 20


def teamsale_secret() -> str:
    """A Teamsale key's secret: 40 lowercase hex characters, like Zadarma's."""
    return secrets.token_hex(TEAMSALE_SECRET_BYTES)


def teamsale_secret_name(key_id: str) -> str:
    """Where a Teamsale key's secret is kept in the tenant's secret store."""
    return f"api-keys/{key_id}"


def parse_user_key(text: str) -> str | None:
    """The key id a Teamsale `userKey` names (the id itself, case-insensitive), else None."""
    key_id = text.strip().upper()
    if len(key_id) != 26 or not key_id.isalnum():
        return None
    return key_id


@dataclass(frozen=True, slots=True)
class ApiKey:
    id: str
    tenant_id: str
    user_id: str
    name: str
    scope: ApiKeyScope
    secret_hash: str
    created_at: datetime
    rate_limit: int = DEFAULT_RATE_LIMIT
    # Browser origins (`https://shop.example`) a form may be posted from; empty: any.
    allowed_origins: tuple[str, ...] = ()
    last_used_at: datetime | None = None

    @property
    def prefix(self) -> str:
        """The key's visible beginning, which names it in lists (the secret is never shown again)."""
        return f"{KEY_PREFIX}_{self.id}"

    def allows_origin(self, origin: str | None) -> bool:
        """A request without `Origin` comes from a server, not a browser: the list (which only
        browsers honour) does not apply to it."""
        if not origin or not self.allowed_origins:
            return True
        try:
            return normalize_origin(origin) in self.allowed_origins
        except ValidationError:
            return False


def new_secret() -> str:
    """The secret part of a new key (URL-safe base64 without `_`, so the key splits cleanly)."""
    return secrets.token_urlsafe(SECRET_BYTES).replace("_", "-")


def format_key(key_id: str, secret: str) -> str:
    return f"{KEY_PREFIX}_{key_id}_{secret}"


def parse_key(text: str) -> tuple[str, str] | None:
    """(id, secret) of a well-formed key, else None."""
    parts = text.strip().split("_")
    if len(parts) != 3 or parts[0] != KEY_PREFIX or not parts[1] or not parts[2]:
        return None
    key_id, secret = parts[1], parts[2]
    if len(key_id) != 26 or not key_id.isalnum() or len(secret) > 100:
        return None
    return key_id, secret


def hash_key(pepper: bytes, key: str) -> str:
    """HMAC-SHA256 of the whole key under the deployment's pepper, hex."""
    return hmac.new(pepper, key.encode(), hashlib.sha256).hexdigest()


def key_matches(pepper: bytes, key: str, stored_hash: str) -> bool:
    """Constant-time comparison of a presented key with the stored hash."""
    return hmac.compare_digest(hash_key(pepper, key), stored_hash)


def check_key_name(name: str) -> str:
    name = name.strip()
    if not name or len(name) > MAX_NAME_LENGTH:
        raise ValidationError(f"a key's name has 1 to {MAX_NAME_LENGTH} characters", field="name")
    return name


def normalize_origin(origin: str, *, field_name: str = "allowed_origins") -> str:
    """`scheme://host[:port]` in lower case, as browsers send `Origin`; anything else is an error."""
    text = origin.strip()
    parts = urlsplit(text)
    if (
        parts.scheme not in ("http", "https")
        or not parts.hostname
        or text.rstrip("/") != f"{parts.scheme}://{parts.netloc}"
    ):
        raise ValidationError(f"'{origin}' is not an origin like https://shop.example", field=field_name)
    return f"{parts.scheme}://{parts.netloc}".lower()


def check_origins(origins: list[str]) -> tuple[str, ...]:
    if len(origins) > MAX_ORIGINS:
        raise ValidationError(f"at most {MAX_ORIGINS} origins", field="allowed_origins")
    return tuple(dict.fromkeys(normalize_origin(o, field_name=f"allowed_origins[{i}]") for i, o in enumerate(origins)))


def rate_window(now: datetime) -> tuple[str, int]:
    """The fixed one-minute window `now` falls in (`YYYYMMDDhhmm`, UTC) and the seconds left in it."""
    window = now.strftime("%Y%m%d%H%M")
    left = 60 - now.second - (1 if now.microsecond else 0)
    return window, max(left, 1)
