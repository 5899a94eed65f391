"""A clock tests move: the real time plus an offset, or a fixed time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


class ManualClock:
    """Runs with the real time until told otherwise (HTTP tests create CRMs at "now");
    `advance` jumps ahead, `set` stops it at one moment."""

    def __init__(self, fixed: datetime | None = None) -> None:
        self._fixed = fixed
        self._offset = timedelta()

    def __call__(self) -> datetime:
        base = self._fixed if self._fixed is not None else datetime.now(UTC)
        return base + self._offset

    def advance(self, delta: timedelta | None = None, **units: float) -> datetime:
        self._offset += delta if delta is not None else timedelta(**units)
        return self()

    def set(self, moment: datetime) -> None:
        self._fixed, self._offset = moment, timedelta()
