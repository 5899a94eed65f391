"""Zadarma's signatures: the pure functions live in the domain (chalicelib/domain/zadarma_signing.py),
shared by the PBX client, the webhook check and the Teamsale-compatible API's authentication."""

from chalicelib.domain.zadarma_signing import auth_header, build_query, php_urlencode, webhook_signature

__all__ = ["auth_header", "build_query", "php_urlencode", "webhook_signature"]
