"""The local stack's files bucket takes browser uploads and downloads across origins, as S3 does.

The web app (`make run`'s :8000) sends an import's file straight to the presigned PUT the API
hands out, which points at the embedded moto server (another port, so another origin): the
bucket's CORS rules must let the browser's preflight and request through, and a presigned GET
with a download name must come back as an attachment (the error report, an export).
"""

from __future__ import annotations

import socket
from collections.abc import Iterator

import boto3
import pytest
import requests
from moto.server import ThreadedMotoServer

from chalicelib.integrations.files import S3FileStore
from infra.local import resources
from infra.local.environment import REGION

APP_ORIGIN = "http://127.0.0.1:8000"
BUCKET = "crm-local-files-cors"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def files() -> Iterator[S3FileStore]:
    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        s3 = boto3.client(
            "s3",
            region_name=REGION,
            endpoint_url=f"http://127.0.0.1:{port}",
            aws_access_key_id="local",
            aws_secret_access_key="local",
        )
        resources.create_files_bucket(s3, BUCKET, REGION)
        yield S3FileStore(BUCKET, s3)
    finally:
        server.stop()


def test_a_browser_uploads_to_the_presigned_put_and_downloads_the_report(files: S3FileStore) -> None:
    url = files.upload_put("tenants/t1/imports/i1/source.csv", expires_in=600)
    preflight = requests.options(
        url,
        headers={
            "Origin": APP_ORIGIN,
            "Access-Control-Request-Method": "PUT",
            "Access-Control-Request-Headers": "content-type",
        },
        timeout=10,
    )
    assert preflight.status_code == 200
    assert preflight.headers["Access-Control-Allow-Origin"] in (APP_ORIGIN, "*")
    assert "PUT" in preflight.headers["Access-Control-Allow-Methods"]
    assert preflight.headers["Access-Control-Allow-Headers"] in ("*", "content-type")

    body = b"Nom;T\xe9l\xe9phone\r\nA;+33612345678\r\n"  # Windows-1252, as a French spreadsheet saves it
    put = requests.put(url, data=body, headers={"Origin": APP_ORIGIN, "Content-Type": "text/csv"}, timeout=10)
    assert put.status_code == 200
    assert put.headers["Access-Control-Allow-Origin"] in (APP_ORIGIN, "*")
    assert files.size("tenants/t1/imports/i1/source.csv") == len(body)

    link = files.url("tenants/t1/imports/i1/source.csv", 600, download_as="clients-errors.csv")
    got = requests.get(link, headers={"Origin": APP_ORIGIN}, timeout=10)
    assert got.status_code == 200
    assert got.headers["Access-Control-Allow-Origin"] in (APP_ORIGIN, "*")
    assert got.headers["Content-Disposition"] == 'attachment; filename="clients-errors.csv"'
