"""Amazon S3 as the FileStore: uploads and downloads go browser <-> S3 through presigned URLs.

The API never proxies file bytes (Lambda payload limits, cost): it hands out a presigned POST
whose policy pins the key, the content type and a size cap, or a presigned PUT of one key
(S3 cannot cap a PUT's size: whoever reads the file checks it first), and presigned GETs to
read back.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple
from urllib.parse import urlencode

from chalicelib.integrations.aws import client


# A NamedTuple, not a dataclass: defined at a Lambda's cold start, where a dataclass costs ~10x more.
class Upload(NamedTuple):
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

    def upload_put(self, key: str, expires_in: int = 600) -> str:
        """A presigned PUT of exactly this key. The content type is not signed, so any client
        (`curl -T`) can send the file; the size is not capped either: check it before reading."""
        return str(
            self._s3.generate_presigned_url(
                "put_object", Params={"Bucket": self._bucket, "Key": key}, ExpiresIn=expires_in, HttpMethod="PUT"
            )
        )

    def url(self, key: str, expires_in: int = 12 * 3600, *, download_as: str | None = None) -> str:
        """A presigned GET, long enough for a working day of showing the picture; with
        `download_as`, the browser saves the file under that name."""
        params = {"Bucket": self._bucket, "Key": key}
        if download_as:
            safe = download_as.replace('"', "").replace("\\", "")
            params["ResponseContentDisposition"] = f'attachment; filename="{safe}"'
        return str(self._s3.generate_presigned_url("get_object", Params=params, ExpiresIn=expires_in))

    def size(self, key: str) -> int | None:
        """The file's size in bytes, or None when there is no such file (not uploaded yet)."""
        from botocore.exceptions import ClientError

        try:
            head = self._s3.head_object(Bucket=self._bucket, Key=key)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return None
            raise
        return int(head["ContentLength"])

    def get(self, key: str, *, max_bytes: int | None = None) -> bytes | None:
        """The file's bytes (only the first `max_bytes` if given), or None when it is missing."""
        from botocore.exceptions import ClientError

        extra = {"Range": f"bytes=0-{max_bytes - 1}"} if max_bytes else {}
        try:
            reply = self._s3.get_object(Bucket=self._bucket, Key=key, **extra)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return None
            raise
        return bytes(reply["Body"].read())

    def download(self, key: str, path: str) -> None:
        """Copy the file to a local path, streamed (flat memory whatever its size)."""
        # A plain botocore client (no boto3 transfer manager on the cold path): read in pieces.
        body = self._s3.get_object(Bucket=self._bucket, Key=key)["Body"]
        with open(path, "wb") as out:
            for piece in body.iter_chunks(1024 * 1024):
                out.write(piece)

    def upload_file(self, path: str, key: str, content_type: str, *, tags: Mapping[str, str] | None = None) -> None:
        """Store a local file, streamed from disk (one PutObject: up to 5 GB); `tags` become
        S3 object tags (a lifecycle rule may expire them)."""
        extra = {"Tagging": urlencode(dict(tags))} if tags else {}
        with open(path, "rb") as source:
            self._s3.put_object(Bucket=self._bucket, Key=key, Body=source, ContentType=content_type, **extra)

    def put(self, key: str, content: bytes, content_type: str) -> None:
        """Store bytes the CRM fetched itself (a call recording copied from the PBX)."""
        self._s3.put_object(Bucket=self._bucket, Key=key, Body=content, ContentType=content_type)
