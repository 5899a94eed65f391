"""Amazon S3 as the FileStore: uploads and downloads go browser <-> S3 through presigned URLs.

The API never proxies file bytes (Lambda payload limits, cost): it hands out a presigned POST
whose policy pins the key, the content type and a size cap, and presigned GETs to read back.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from chalicelib.integrations.aws import client


@dataclass(frozen=True, slots=True)
class Upload:
    url: str
    fields: dict[str, str]
    expires_in: int


class S3FileStore:
    def __init__(self, bucket: str, s3: Any | None = None) -> None:
        self._bucket = bucket
        self._s3_client = s3

    @property
    def _s3(self) -> Any:
        if self._s3_client is None:
            self._s3_client = client("s3")
        return self._s3_client

    def upload(self, key: str, content_type: str, max_bytes: int, expires_in: int = 600) -> Upload:
        """A presigned POST for exactly this key, type and size range."""
        post = self._s3.generate_presigned_post(
            Bucket=self._bucket,
            Key=key,
            Fields={"Content-Type": content_type},
            Conditions=[{"Content-Type": content_type}, ["content-length-range", 1, max_bytes]],
            ExpiresIn=expires_in,
        )
        return Upload(url=post["url"], fields=post["fields"], expires_in=expires_in)

    def url(self, key: str, expires_in: int = 12 * 3600) -> str:
        """A presigned GET, long enough for a working day of showing the picture."""
        return str(
            self._s3.generate_presigned_url(
                "get_object", Params={"Bucket": self._bucket, "Key": key}, ExpiresIn=expires_in
            )
        )

    def put(self, key: str, content: bytes, content_type: str) -> None:
        """Store bytes the CRM fetched itself (a call recording copied from the PBX)."""
        self._s3.put_object(Bucket=self._bucket, Key=key, Body=content, ContentType=content_type)
