"""A clock that moves only when told to, for `GaapBackend(clock=...)` and `mock_gaap(clock=...)`."""

from __future__ import annotations

import threading


class ManualClock:
    """Seconds as a float, starting at `start`; call it to read, `advance()` to move it on."""

    def __init__(self, start: float = 0.0) -> None:
        self._now = start
        self._lock = threading.Lock()

    def __call__(self) -> float:
        with self._lock:
            return self._now

    def advance(self, seconds: float) -> float:
        """Move the clock forward and return the new time."""
        if seconds < 0:
            raise ValueError("a clock does not go back")
        with self._lock:
            self._now += seconds
            return self._now
