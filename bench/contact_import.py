"""Import benchmark (IM-1, IM-3; DESIGN "Imports"): a generated CSV imported, then undone.

For each size, a fresh child process imports the file and undoes the import, step by step as
the ContactImport workflow's Lambda would, against a moto server in this process (patched as the
local stack's, so a call costs what it touches: see infra/local/moto_speed.py); the child's
memory is then the importer's alone, not the fake database's. It reports rows/s, DynamoDB
write requests against the minimum ceil(items written / 25), and the child's peak RSS, which must
not grow with the file.

    python -m bench.contact_import            # 10,000 and 100,000 rows
    python -m bench.contact_import 2000 20000
"""

from __future__ import annotations

import json
import logging
import math
import os
import resource
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter
from typing import Any

from botocore.client import BaseClient
from moto.server import ThreadedMotoServer

from infra.local import moto_atomic

WRITES = ("BatchWriteItem", "TransactWriteItems", "PutItem", "UpdateItem", "DeleteItem")
SIZES = (10_000, 100_000)


class WriteMeter:
    """DynamoDB write requests and the items they carried, from botocore's funnel."""

    def __init__(self) -> None:
        self.requests: Counter[str] = Counter()
        self.items = 0
        original = BaseClient._make_api_call
        meter = self

        def metered(client: BaseClient, operation: str, params: dict[str, Any]) -> Any:
            if client.meta.service_model.service_name == "dynamodb" and operation in WRITES:
                meter.requests[operation] += 1
                if operation == "BatchWriteItem":
                    meter.items += sum(len(v) for v in params["RequestItems"].values())
                elif operation == "TransactWriteItems":
                    meter.items += len(params["TransactItems"])
                else:
                    meter.items += 1
            return original(client, operation, params)

        BaseClient._make_api_call = metered  # type: ignore[method-assign]

    def reset(self) -> None:
        self.requests.clear()
        self.items = 0

    def report(self) -> dict[str, Any]:
        total = sum(self.requests.values())
        minimum = math.ceil(self.items / 25)
        return {"items": self.items, "requests": total, "minimum": minimum, "by_operation": dict(self.requests),
                "ratio": round(total / minimum, 3) if minimum else None}  # fmt: skip


def _csv(path: str, rows: int) -> None:
    with open(path, "w", encoding="utf-8", newline="") as out:
        out.write("Nom,Téléphone,E-mail,Étiquettes\r\n")
        for i in range(rows):
            out.write(f"Client {i} Dupont,+336{i:08d},client{i}@example.com,tag{i % 20}\r\n")


def child(rows: int) -> dict[str, Any]:
    """Import `rows` generated rows and undo them, in this process (AWS_ENDPOINT_URL: moto)."""
    from tests.harness import aws_environment

    aws_environment()
    os.environ["AWS_ENDPOINT_URL"] = os.environ["BENCH_MOTO_URL"]
    meter = WriteMeter()
    from chalice.test import Client

    from app import app
    from chalicelib.bootstrap import services
    from chalicelib.db.repositories.imports import ImportRepository
    from chalicelib.domain.contacts import ContactKind
    from chalicelib.domain.imports import DuplicatePolicy
    from chalicelib.services.contacts import ListQuery
    from chalicelib.services.imports import ImportService
    from infra.local import resources
    from tests.harness import FILES_BUCKET, REGION, Api, NoWorkflows, admin_actor, aws_client, new_crm, reset_caches

    resources.create_table()
    resources.create_files_bucket(aws_client("s3"), FILES_BUCKET, REGION)
    pool = resources.create_user_pool(aws_client("cognito-idp"))
    os.environ["COGNITO_POOL_ID"], os.environ["COGNITO_CLIENT_ID"] = pool.pool_id, pool.client_id
    reset_caches()
    with Client(app) as client:
        crm = new_crm(Api(client), "Bench Import", country="FR")
    actor = admin_actor(crm)
    imports = ImportService(services().storage, services().clock, services().files, NoWorkflows())
    with tempfile.TemporaryDirectory() as scratch:
        path = os.path.join(scratch, "clients.csv")
        _csv(path, rows)
        record, _ = imports.create(actor, ContactKind.CLIENT, "clients.csv", "text/csv")
        services().files.upload_file(path, record.file_key, "text/csv")
    mapping = {"Nom": "name", "Téléphone": "phone:mobile", "E-mail": "email:work", "Étiquettes": "tags"}
    imports.start(actor, record.id, mapping, DuplicatePolicy.SKIP)
    job = {"tenant_id": crm.id, "import_id": record.id, "action": "import"}

    meter.reset()
    began = time.perf_counter()
    while not imports.step(job)["done"]:
        pass
    imported_s = time.perf_counter() - began
    writes = meter.report()
    done = ImportRepository(crm.id).get(record.id, consistent=True)
    assert done is not None
    assert (done.counts.created, done.counts.failed) == (rows, 0), done

    imports.undo(actor, record.id)
    meter.reset()
    began = time.perf_counter()
    while not imports.step({**job, "action": "undo"})["done"]:
        pass
    undone_s = time.perf_counter() - began
    undo_writes = meter.report()
    undone = ImportRepository(crm.id).get(record.id, consistent=True)
    assert undone is not None
    assert (undone.status.value, undone.deleted) == ("undone", rows), undone
    left = services().contacts.page(actor, ContactKind.CLIENT, ListQuery(scope="all"), limit=10, cursor=None)
    assert not left.items, "undo left contacts behind"
    return {
        "rows": rows,
        "import_s": round(imported_s, 1),
        "import_rows_per_s": round(rows / imported_s),
        "import_writes": writes,
        "undo_s": round(undone_s, 1),
        "undo_rows_per_s": round(rows / undone_s),
        "undo_writes": undo_writes,
        "peak_rss_mb": round(_peak_rss_kb() / 1024),
    }


def _peak_rss_kb() -> int:
    """This process's peak resident memory. Linux's VmHWM belongs to the program itself; getrusage's
    ru_maxrss survives fork and exec, so a child would report its parent's peak (moto's table)."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)  # KB on Linux; macOS has no /proc


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _moto_server() -> tuple[ThreadedMotoServer, str]:
    """moto as the local stack runs it (atomic, and costing what a call touches), in this
    process: the child's memory is then the importer's alone."""
    moto_atomic.install()
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    return server, f"http://127.0.0.1:{port}"


def run(sizes: tuple[int, ...] = SIZES) -> list[dict[str, Any]]:
    results = []
    for rows in sizes:
        server, url = _moto_server()
        try:
            done = subprocess.run(
                [sys.executable, "-m", "bench.contact_import", "--child", str(rows)],
                env={**os.environ, "BENCH_MOTO_URL": url},
                capture_output=True,
                text=True,
                check=False,
            )
        finally:
            urllib.request.urlopen(urllib.request.Request(f"{url}/moto-api/reset", method="POST")).close()
            server.stop()
        if done.returncode != 0:
            raise RuntimeError(f"the {rows}-row import failed:\n{done.stderr[-3000:]}")
        results.append(json.loads(done.stdout.strip().splitlines()[-1]))
    return results


def report(results: list[dict[str, Any]]) -> None:
    print("\nImport benchmark (CSV -> clients, then undo; the importer in its own process, moto in another)")
    for r in results:
        w, u = r["import_writes"], r["undo_writes"]
        print(f"  {r['rows']:>7} rows  import {r['import_s']:7.1f} s ({r['import_rows_per_s']:5} rows/s)   "
              f"undo {r['undo_s']:7.1f} s ({r['undo_rows_per_s']:5} rows/s)   "
              f"peak RSS {r['peak_rss_mb']} MB")  # fmt: skip
        print(f"           import writes {w['requests']} requests for {w['items']} items: "
              f"{w['ratio']} x the minimum {w['minimum']}   {w['by_operation']}")  # fmt: skip
        print(f"           undo writes   {u['requests']} requests for {u['items']} items: "
              f"{u['ratio']} x the minimum {u['minimum']}   {u['by_operation']}")  # fmt: skip
    if len(results) > 1:
        small, large = results[0], results[-1]
        growth = large["peak_rss_mb"] / small["peak_rss_mb"]
        print(f"  peak memory {small['rows']} -> {large['rows']} rows: x{growth:.2f} "
              f"({'flat' if growth < 1.25 else 'GROWS'})")  # fmt: skip
        worst = max(max(r["import_writes"]["ratio"], r["undo_writes"]["ratio"]) for r in results)
        print(f"  write requests: at most {worst} x the minimum ({'within' if worst <= 1.1 else 'OVER'} 10%)")


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--child":
        print(json.dumps(child(int(sys.argv[2]))))
    else:
        report(run(tuple(int(a) for a in sys.argv[1:]) or SIZES))
