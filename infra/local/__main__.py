"""`make run`: the local CRM on http://127.0.0.1:8000. Ctrl-C stops it and saves its data."""

from __future__ import annotations

import argparse
import faulthandler
import os
import signal
import sys
import threading
from pathlib import Path

from infra.local.environment import ROOT, WEB_DIST, Options, configure


def parse_args(argv: list[str] | None = None) -> Options:
    parser = argparse.ArgumentParser(prog="python -m infra.local", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
    parser.add_argument("--moto-port", type=int, default=int(os.environ.get("MOTO_PORT", "8001")))
    parser.add_argument("--smtp-port", type=int, default=int(os.environ.get("SMTP_PORT", "8025")))
    parser.add_argument("--imap-port", type=int, default=int(os.environ.get("IMAP_PORT", "8143")))
    parser.add_argument("--state-file", type=Path, default=ROOT / ".local" / "state.json")
    parser.add_argument("--no-persist", action="store_true", help="start empty and save nothing")
    parser.add_argument("--no-seed", action="store_true", help="do not create the demo CRM")
    parser.add_argument("--demo-call", action="store_true", help="replay the scripted demo calls again")
    args = parser.parse_args(argv)
    return Options(
        host=args.host,
        port=args.port,
        moto_port=args.moto_port,
        smtp_port=args.smtp_port,
        imap_port=args.imap_port,
        state_file=args.state_file,
        persist=not args.no_persist,
        seed=not args.no_seed,
        demo_call=args.demo_call,
    )


def main(argv: list[str] | None = None) -> int:
    options = parse_args(argv)
    configure(options)  # before the application is imported: it reads settings at import
    from infra.local.persistence import RestoreError
    from infra.local.seed import DEMO_EMAIL, DEMO_PASSWORD, DEMO_SLUG
    from infra.local.stack import LocalStack, PortTakenError

    stack = LocalStack(options)
    stopping = threading.Event()
    if hasattr(signal, "SIGUSR1"):  # `kill -USR1 <pid>` prints every thread's stack: a hang explains itself
        faulthandler.register(signal.SIGUSR1, all_threads=True)
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stopping.set())
    try:
        stack.start()
    except PortTakenError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except RestoreError as exc:
        stack.stop()  # saves nothing: the file and its journal stay as they were
        print(
            f"error: the saved data could not be restored: {exc}\n"
            f"  Nothing was changed. Fix that item, or move {options.state_file.parent} away to start empty.",
            file=sys.stderr,
        )
        return 1
    except BaseException:
        stack.stop()
        raise
    base = f"http://{options.host}:{options.port}"
    login = f'{{"crm": "{DEMO_SLUG}", "email": "{DEMO_EMAIL}", "password": "{DEMO_PASSWORD}"}}'
    web = (
        f"{base}/  (sign in with the demo login below)"
        if (WEB_DIST / "index.html").is_file()
        else "not built (`make run` builds it; it needs Node.js 20+)"
    )
    restored = ", ".join(f"{n} {kind}" for kind, n in stack.restored.items()) or "nothing (first start)"
    print(
        f"""
  Local CRM running at {base}  (API description: {base}/v1/openapi.json)
  Web app:     {web}
  Demo login:  crm={DEMO_SLUG}  email={DEMO_EMAIL}  password={DEMO_PASSWORD}
  Try it:      curl -s {base}/v1/auth/login -H 'Content-Type: application/json' -d '{login}'
  Emails (invitations, reminders) and SMS the CRM sends are printed here; nothing leaves this machine.
  PBX: a fake Zadarma API at {stack.pbx_url} (keys demo-key/demo-secret); scripted demo calls
       arrive a few seconds after the first start (again with --demo-call).
  Embedded AWS (moto): {options.moto_endpoint}/moto-api/
  Demo mailbox: IMAP {options.host}:{options.imap_port} (pymap; user sales@demo.example, password
       demo-mailbox), read by the CRM: its mail shows in the demo client's feed a few seconds after start.
  Data: restored {restored}; kept in {options.state_file if options.persist else "memory only (--no-persist)"}.
  Ctrl-C to stop.
""",
        flush=True,
    )
    # A wait without a timeout can miss Ctrl-C for good: the kernel may hand the signal to another
    # thread, and Python runs its handler only once the main thread wakes.
    while not stopping.wait(timeout=0.5):
        pass
    print("\n  stopping...", flush=True)
    saved = stack.stop()
    if saved:
        print(f"  saved {', '.join(f'{n} {kind}' for kind, n in saved.items())} to {options.state_file}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
