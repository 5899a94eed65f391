"""Autodial claims: what claiming a call list's number answers.

Apart from `calls.py` (whose filters are dataclasses) for the autodial worker.
"""

from __future__ import annotations

from enum import StrEnum


class ClaimResult(StrEnum):
    CLAIMED = "claimed"
    STOPPED = "stopped"  # the list is paused, canceled, or run by a newer run
    TAKEN = "taken"  # the number is not pending any more
    BUSY = "busy"  # another list of the extension waits for this number
