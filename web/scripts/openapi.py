"""Write the OpenAPI document the API serves at /v1/openapi.json to a file (default web/openapi.json).

The web app's typed client is generated from it (openapi-typescript -> src/api/schema.d.ts), so a
contract change breaks the web app's type check rather than its users. Run with the project's Python.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def main(argv: list[str]) -> int:
    target = Path(argv[1]) if len(argv) > 1 else ROOT / "web" / "openapi.json"
    sys.path.insert(0, str(ROOT))
    from chalicelib.api import openapi

    text = json.dumps(openapi.document(), indent=1, sort_keys=False) + "\n"
    if not target.exists() or target.read_text() != text:  # unchanged: keep the timestamp (make)
        target.write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
