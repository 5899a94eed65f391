"""`make bench`: cold import time of every Lambda against its floor, DynamoDB calls of the main requests, and the
import benchmark (10,000 and 100,000 rows imported and undone)."""

from __future__ import annotations

import os
import sys

from bench.imports import (
    API_TARGET,
    FORBIDDEN_ON_WORKER_PATH,
    WORKER_TARGET,
    cold_starts,
    forbidden,
    gap,
)
from tests.harness import PASSWORD, Api, aws_environment, crm_payload, local_aws

RUNS = int(os.environ.get("BENCH_COLD_RUNS", "9"))


def cold_start() -> bool:
    """Print each Lambda's cold import against its floor; True when every target is met."""
    result = cold_starts(RUNS)
    print(f"Cold import, artifact bytecode as shipped (median of {RUNS} fresh processes each)")
    print(f"  API floor    {result.api_floor.ms:7.1f} ms   {result.api_floor.statement}")
    print(f"  worker floor {result.worker_floor.ms:7.1f} ms   {result.worker_floor.statement}")
    if result.api_floor.waited or result.worker_floor.waited:
        floors = result.api_floor, result.worker_floor
        times = ", ".join(f"{f.ms:.0f} ms for {f.cpu_ms:.0f} ms of CPU" for f in floors)
        print(f"  WARNING: the machine is busy (floors: {times}): these ratios are not reliable")
    rows = [("API (import app)", result.api, result.api_floor, API_TARGET, forbidden(result.api.modules))]
    rows += [
        (name, probe, result.worker_floor, WORKER_TARGET, forbidden(probe.modules, FORBIDDEN_ON_WORKER_PATH))
        for name, probe in result.workers.items()
    ]
    met = True
    print(f"\n  {'Lambda':58} {'ms':>7} {'ratio':>6} target {'(cpu ratio)':>12}")
    for name, probe, floor, target, bad in rows:
        ratio = probe.ms / floor.ms
        ok = ratio <= target and not bad
        met &= ok
        flag = "ok" if ok else "OVER" if not bad else f"FORBIDDEN {', '.join(bad)}"
        cpu_ratio = probe.cpu_ms / floor.cpu_ms
        print(f"  {name[:58]:58} {probe.ms:7.1f} {ratio:5.2f}x {target:.2f}x {flag:4} ({cpu_ratio:.2f}x cpu)")
    for name, probe, floor, _, _ in rows:
        print(f"\n  Beyond the floor: {name} ({probe.ms - floor.ms:+.1f} ms wall), own import time by module")
        print("    " + "  ".join(f"{module} {ms:.1f}" for module, ms in gap(probe, floor)))
    return met


def dynamodb_calls() -> None:
    aws_environment()
    from chalice.test import Client

    from app import app
    from tests.meter import dynamodb_calls as meter

    with local_aws(), Client(app) as client:
        api = Api(client)
        payload = crm_payload("Bench Corp", users=[{"name": f"U{i}", "email": f"u{i}@example.com"} for i in range(5)])
        rows = []
        with meter() as calls:
            assert api.post("/v1/crms", payload).status == 201
        rows.append(("POST /v1/crms (admin + 5 users)", calls))
        with meter() as calls:
            login = api.post(
                "/v1/auth/login", {"crm": "bench-corp", "email": payload["admin"]["email"], "password": PASSWORD}
            )
        rows.append(("POST /v1/auth/login", calls))
        token = login.json["access_token"]
        with meter() as calls:
            assert api.get("/v1/me", token=token).status == 200
        rows.append(("GET /v1/me", calls))
        rows += task_requests(api, token)
        rows += pbx_events(api)
    print("\nDynamoDB calls per request (meter over botocore)")
    for name, calls in rows:
        print(f"  {name:34} {calls.total:3}   {calls}")


def task_requests(api: Api, token: str) -> list[tuple[str, object]]:
    """Tasks, the board, the calendar and an idle run of the due-actions worker."""
    from datetime import UTC, datetime, timedelta

    from chalicelib.bootstrap import services
    from tests.meter import dynamodb_calls as meter

    client = api.post("/v1/clients", {"name": "Acme", "phones": [{"phone": "+33612345678"}]}, token=token).json
    start = datetime.now(UTC) + timedelta(days=1)
    rows: list[tuple[str, object]] = []
    for i in range(20):
        body = {"title": f"Task {i}", "start": (start + timedelta(hours=i)).isoformat(), "contact_ids": [client["id"]]}
        with meter() as calls:
            assert api.post("/v1/tasks", body, token=token).status == 201
    rows.append(("POST /v1/tasks (one linked client)", calls))
    for name, path in (
        ("GET /v1/tasks", "/v1/tasks"),
        ("GET /v1/tasks/board", "/v1/tasks/board"),
        ("GET /v1/calendar?view=month", "/v1/calendar?view=month"),
    ):
        with meter() as calls:
            assert api.get(path, token=token).status == 200
        rows.append((name, calls))
    services().due.run()
    with meter() as calls:
        services().due.run()
    rows.append(("DueActions run, nothing due", calls))
    return rows


def pbx_events(api: Api) -> list[tuple[str, object]]:
    """One incoming call from a known client, event by event (the webhook's fixed costs)."""
    from tests.meter import dynamodb_calls as meter
    from tests.pbx import call_id, fake_pbx, incoming

    rows: list[tuple[str, object]] = []
    with fake_pbx(api) as pbx:
        crm = pbx.new_crm()
        api.post("/v1/clients", {"name": "Known", "phones": [{"phone": "+33612345678"}]}, token=crm.token)
        events = incoming(call_id())
        events["end"]["is_recorded"] = "0"
        for name in ("start", "answer", "end"):
            with meter() as calls:
                assert pbx.post(events[name]).status == 200
            rows.append((f"webhook {events[name]['event']}", calls))
    return rows


if __name__ == "__main__":
    from bench import contact_import

    # `python -m bench cold`: the cold starts only (about a minute).
    if not cold_start() and "--check" in sys.argv:
        sys.exit("a cold start is over its target")
    if "cold" in sys.argv[1:]:
        sys.exit(0)
    dynamodb_calls()
    # 10,000 and 100,000 rows (about 50 minutes against moto on 2 cores); BENCH_IMPORT_ROWS="500 2000" for a quick run.
    sizes = tuple(int(n) for n in os.environ.get("BENCH_IMPORT_ROWS", "").split()) or contact_import.SIZES
    contact_import.report(contact_import.run(sizes))
