"""Fakes of the outside ports (`chalicelib/ports/outside.py`): they record what services asked."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

from chalicelib.domain.errors import UnauthorizedError, UnavailableError
from chalicelib.ports.outside import SmsReceipt, SmsRejectedError, Tokens


@dataclass
class FakeIdentity:
    """Logins by principal; a password opens them while enabled."""

    logins: dict[str, tuple[str, str]] = field(default_factory=dict)  # principal -> (email, password)
    disabled: set[str] = field(default_factory=set)

    def create_login(self, principal: str, email: str, password: str) -> None:
        self.logins[principal] = (email, password)

    def delete_login(self, principal: str) -> None:
        self.logins.pop(principal, None)

    def authenticate(self, principal: str, password: str) -> Tokens:
        login = self.logins.get(principal)
        if login is None or login[1] != password or principal in self.disabled:
            raise UnauthorizedError("wrong CRM, email or password")
        return Tokens(f"access:{principal}", 3600, principal, f"refresh:{principal}")

    def refresh(self, refresh_token: str) -> Tokens:
        principal = refresh_token.removeprefix("refresh:")
        if principal not in self.logins or principal in self.disabled:
            raise UnauthorizedError("the refresh token is invalid or expired")
        return Tokens(f"access:{principal}", 3600, principal)

    def disable_login(self, principal: str) -> None:
        self.disabled.add(principal)

    def enable_login(self, principal: str) -> bool:
        self.disabled.discard(principal)
        return principal in self.logins


@dataclass
class FakeMailer:
    sent: list[tuple[str, str, str]] = field(default_factory=list)  # (to, subject, text)
    refused: set[str] = field(default_factory=set)  # addresses the provider refuses

    def send(self, to: str, subject: str, text: str) -> None:
        if to in self.refused:
            raise UnavailableError(f"the mail provider refused {to}")
        self.sent.append((to, subject, text))


@dataclass
class FakeSecrets:
    values: dict[tuple[str, str], dict[str, str]] = field(default_factory=dict)

    def put(self, tenant_id: str, name: str, value: dict[str, str]) -> None:
        self.values[(tenant_id, name)] = dict(value)

    def get(self, tenant_id: str, name: str) -> dict[str, str] | None:
        return self.values.get((tenant_id, name))

    def delete(self, tenant_id: str, name: str) -> None:
        self.values.pop((tenant_id, name), None)


@dataclass
class FakeFiles:
    files: dict[str, tuple[bytes, str]] = field(default_factory=dict)  # key -> (content, type)

    def upload(self, key: str, content_type: str, max_bytes: int, expires_in: int = 600) -> Any:
        return SimpleNamespace(
            url="https://files.test/", fields={"key": key, "Content-Type": content_type}, expires_in=expires_in
        )

    def upload_put(self, key: str, expires_in: int = 600) -> str:
        return f"https://files.test/{key}?put"

    def url(self, key: str, expires_in: int = 12 * 3600, *, download_as: str | None = None) -> str:
        return f"https://files.test/{key}" + (f"?as={download_as}" if download_as else "")

    def put(self, key: str, content: bytes, content_type: str) -> None:
        self.files[key] = (content, content_type)

    def size(self, key: str) -> int | None:
        return len(self.files[key][0]) if key in self.files else None

    def get(self, key: str, *, max_bytes: int | None = None) -> bytes | None:
        if key not in self.files:
            return None
        content = self.files[key][0]
        return content if max_bytes is None else content[:max_bytes]

    def download(self, key: str, path: str) -> None:
        with open(path, "wb") as out:
            out.write(self.files[key][0])

    def upload_file(self, path: str, key: str, content_type: str, *, tags: Mapping[str, str] | None = None) -> None:
        with open(path, "rb") as source:
            self.files[key] = (source.read(), content_type)


@dataclass
class FakeWorkflows:
    """Executions started (by name: a second start of one name is refused, as Step Functions does)."""

    started: dict[str, tuple[str, dict[str, Any]]] = field(default_factory=dict)  # name -> (machine, payload)
    resumed: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    aborted: list[tuple[str, str, str]] = field(default_factory=list)
    waiting: set[str] = field(default_factory=set)  # task tokens a step waits on

    def start(self, machine: str, name: str, payload: dict[str, Any]) -> bool:
        if name in self.started:
            return False
        self.started[name] = (machine, payload)
        return True

    def resume(self, token: str, output: dict[str, Any]) -> bool:
        if token not in self.waiting:
            return False
        self.waiting.discard(token)
        self.resumed.append((token, output))
        return True

    def abort(self, token: str, error: str, cause: str) -> bool:
        if token not in self.waiting:
            return False
        self.waiting.discard(token)
        self.aborted.append((token, error, cause))
        return True


@dataclass
class FakeSmsSender:
    """Accepts every SMS except to numbers listed in `refused`."""

    sent: list[tuple[str, str, str]] = field(default_factory=list)  # (tenant, to, text)
    refused: set[str] = field(default_factory=set)

    def send(self, tenant_id: str, to: str, text: str) -> SmsReceipt:
        if to in self.refused:
            raise SmsRejectedError(f"the provider refused {to}")
        self.sent.append((tenant_id, to, text))
        return SmsReceipt(f"sms-{len(self.sent)}")
