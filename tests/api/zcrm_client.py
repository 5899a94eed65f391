"""A Teamsale API client written from the published description alone (openapiteamsale.json and
Zadarma's signing text), as an integration moving from Teamsale would have it: form-encoded PHP
bracket parameters, `Authorization: <userKey>:<signature>`. Its signing is its own (the reference
of ../shared/reference/zadarma.md §2.1), not the server's code."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote_plus


def php_urlencode(value: Any) -> str:
    text = ("1" if value else "0") if isinstance(value, bool) else str(value)
    return quote_plus(text, safe="").replace("~", "%7E")


def build_query(params: dict[str, Any]) -> str:
    out: list[str] = []

    def walk(prefix: str, value: Any) -> None:
        if isinstance(value, dict):
            for k, v in value.items():
                walk(f"{prefix}[{k}]", v)
        elif isinstance(value, list):
            for i, v in enumerate(value):
                walk(f"{prefix}[{i}]", v)
        elif value is not None:
            out.append(php_urlencode(prefix) + "=" + php_urlencode(value))

    for key in sorted(params):
        walk(key, params[key])
    return "&".join(out)


def sign(secret: str, method_path: str, query: str) -> str:
    digest = hashlib.md5(query.encode()).hexdigest()  # the published algorithm
    mac = hmac.new(secret.encode(), (method_path + query + digest).encode(), hashlib.sha1).hexdigest()
    return base64.b64encode(mac.encode()).decode()


@dataclass
class Answer:
    status: int
    body: Any


class Teamsale:
    """`Teamsale(http, key, secret).call("POST", "/v1/zcrm/leads", {...})`; `http` is a
    chalice.test.Client's `.http`."""

    def __init__(self, http: Any, key: str, secret: str) -> None:
        self.http, self.key, self.secret = http, key, secret

    def call(
        self, method: str, path: str, params: dict[str, Any] | None = None, *, secret: str | None = None
    ) -> Answer:
        query = build_query(params or {})
        headers = {"Authorization": f"{self.key}:{sign(secret or self.secret, path, query)}"}
        if method in ("GET", "DELETE"):
            reply = getattr(self.http, method.lower())(path + ("?" + query if query else ""), headers=headers)
        else:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            reply = getattr(self.http, method.lower())(path, headers=headers, body=query)
        return Answer(reply.status_code, json.loads(reply.body) if reply.body else None)
