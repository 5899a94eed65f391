"""botocore clients for the AWS services the API calls besides DynamoDB.

botocore rather than boto3: PynamoDB already loads botocore, and boto3 would add ~60 ms of
imports to every cold start (reference/stack.md). Clients are created on first use only, so a
request that does not need Cognito or SSM never pays for them. `AWS_ENDPOINT_URL` (the local
stack) is honoured by botocore itself.
"""

from __future__ import annotations

import functools
from typing import Any

import botocore.config
import botocore.session

from chalicelib.config import get_settings

_CONFIG = botocore.config.Config(
    connect_timeout=3,
    read_timeout=10,
    retries={"max_attempts": 3, "mode": "standard"},
)


@functools.cache
def client(service: str) -> Any:
    """A cached botocore client for `service` in the stage's region."""
    session = botocore.session.get_session()
    return session.create_client(service, region_name=get_settings().region, config=_CONFIG)
