"""Time inside one invocation: the deadline, client-side pacing, and backoff with full jitter."""

from __future__ import annotations

import random
from collections import deque
from collections.abc import Callable

Clock = Callable[[], float]
Sleep = Callable[[float], None]


class Deadline:
    """The moment this invocation must have answered by, a safety margin before SCF's own timeout.

    SCF gives no remaining-time method, so the deadline is kept from the start time and
    time_limit_in_ms; the margin leaves room to build, log and return the result.
    """

    def __init__(self, clock: Clock, time_limit_s: float, margin_s: float | None = None) -> None:
        self._clock = clock
        if margin_s is None:
            margin_s = min(2.0, max(0.3, time_limit_s * 0.1))
        self._end = clock() + max(time_limit_s - margin_s, 0.0)

    def now(self) -> float:
        """The clock this deadline is kept on."""
        return self._clock()

    def remaining(self) -> float:
        """Seconds left before the deadline (never negative)."""
        return max(self._end - self._clock(), 0.0)


class Pacer:
    """At most ``limit`` calls in any sliding ``window`` seconds, GAAP's documented 20 per second."""

    def __init__(self, clock: Clock, sleep: Sleep, limit: int = 20, window: float = 1.0) -> None:
        self._clock = clock
        self._sleep = sleep
        self._limit = limit
        self._window = window
        self._sent: deque[float] = deque()

    def wait_turn(self) -> None:
        """Block until one more call fits in the window, then count it."""
        now = self._clock()
        while self._sent and now - self._sent[0] >= self._window:
            self._sent.popleft()
        if len(self._sent) >= self._limit:
            # 10 ms over the window: the server's clock and ours need not agree to the millisecond.
            self._sleep(self._sent[0] + self._window + 0.01 - now)
            now = self._clock()
            while self._sent and now - self._sent[0] >= self._window:
                self._sent.popleft()
        self._sent.append(now)


class Backoff:
    """Exponential backoff with full jitter: attempt n sleeps uniformly in [0, min(cap, base * 2**n)]."""

    def __init__(self, base: float = 0.2, cap: float = 4.0, max_attempts: int = 5,
                 rng: random.Random | None = None) -> None:
        self.base = base
        self.cap = cap
        self.max_attempts = max_attempts
        self.rng = rng or random.Random()  # noqa: S311 - jitter, not cryptography

    def delay(self, attempt: int) -> float:
        """The sleep before retry number ``attempt`` (1 for the first retry)."""
        return self.rng.uniform(0.0, min(self.cap, self.base * (2 ** (attempt - 1))))
