"""The process's one default TLS context, shared by every outgoing TLS connection."""

from __future__ import annotations

import functools
import ssl


@functools.cache
def default_tls() -> ssl.SSLContext:
    """Made on the first connection and kept: loading the CA store takes tens of milliseconds,
    which neither a cold start that opens no connection nor every webhook delivery should pay."""
    return ssl.create_default_context()
