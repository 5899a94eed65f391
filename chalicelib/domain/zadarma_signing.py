"""Zadarma's two HMAC-SHA1 signatures: webhook `Signature` headers and REST `Authorization` headers.

Both are base64 of the lowercase *hex* digest, as PHP's `base64_encode(hash_hmac('sha1', ...))`
produces; base64 of the raw digest (what Zadarma's own TS SDK does for webhooks) never matches.
REST requests sign the exact query string PHP's `http_build_query(..., PHP_QUERY_RFC1738)` builds
after a top-level `ksort`, so the bytes sent must be the bytes signed.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import quote_plus


def webhook_signature(sign_string: str, secret: str) -> str:
    """base64(hex(HMAC-SHA1(secret, sign_string))): 56 characters ending in '=='."""
    hexdigest = hmac.new(secret.encode(), sign_string.encode(), hashlib.sha1).hexdigest()
    return base64.b64encode(hexdigest.encode()).decode()


def php_urlencode(value: object) -> str:
    """PHP `urlencode`: only A-Z a-z 0-9 - _ . stay as they are, a space becomes '+'."""
    # quote_plus keeps '~' (RFC 3986 unreserved) where PHP encodes it: one byte off breaks the signature.
    return quote_plus(_php_string(value), safe="").replace("~", "%7E")


def build_query(params: Mapping[str, Any]) -> str:
    """PHP `http_build_query($params, '', '&', PHP_QUERY_RFC1738)` after `ksort($params)`.

    Only the top level is sorted; nested dicts and lists become bracket keys in insertion order.
    None values and empty nested containers are left out, as PHP leaves out null and [].
    """
    pairs: list[str] = []

    def walk(prefix: str, value: Any) -> None:
        if isinstance(value, Mapping):
            for key, item in value.items():
                walk(f"{prefix}[{_php_string(key)}]", item)
        elif isinstance(value, list | tuple):
            for index, item in enumerate(value):
                walk(f"{prefix}[{index}]", item)
        elif value is not None:
            pairs.append(f"{php_urlencode(prefix)}={php_urlencode(value)}")

    # ksort compares the keys as strings here: Zadarma's parameter names are never numeric.
    for key in sorted(params, key=str):
        walk(str(key), params[key])
    return "&".join(pairs)


def auth_header(key: str, secret: str, method_path: str, params: Mapping[str, Any]) -> tuple[str, str]:
    """The query string to send (exactly as signed) and the `Authorization` header value.

    `method_path` is the URL path as requested, e.g. "/v1/sms/send/": the trailing slash is signed too.
    """
    query = build_query(params)
    return query, f"{key}:{request_signature(secret, method_path, query)}"


def request_signature(secret: str, method_path: str, query: str) -> str:
    """base64(hex(HMAC-SHA1(secret, method_path + query + md5_hex(query)))): a REST request's."""
    sign_string = method_path + query + hashlib.md5(query.encode(), usedforsecurity=False).hexdigest()
    return webhook_signature(sign_string, secret)


def query_of_pairs(pairs: Iterable[tuple[str, str]]) -> str:
    """The string a client signed, rebuilt from the decoded (name, value) pairs it sent, in the
    order it sent them (`lead[phones][0][phone]` is one name): PHP's ksort orders the top-level
    names only, so the pairs are stably sorted by the name before its first `[`."""
    ordered = sorted(pairs, key=lambda pair: pair[0].split("[", 1)[0])
    return "&".join(f"{php_urlencode(name)}={php_urlencode(value)}" for name, value in ordered)


def signature_matches(secret: str, method_path: str, query: str, signature: str) -> bool:
    """Constant-time check of a presented request signature."""
    expected = request_signature(secret, method_path, query)
    return hmac.compare_digest(expected.encode(), signature.strip().encode("utf-8", "replace"))


def _php_string(value: object) -> str:
    """A scalar as PHP turns it into a string inside http_build_query (true -> "1", false -> "0")."""
    if isinstance(value, bool):
        return "1" if value else "0"
    if value is None:
        return ""
    return str(value)
