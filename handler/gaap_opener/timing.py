"""Time inside one invocation: the deadline, client-side pacing, and backoff with full jitter."""

from __future__ import annotations

import _signal  # type: ignore[import-not-found]  # signal without its Enum wrapping (see below)
import queue
import random
import threading
from collections import deque
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")
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
    """At most ``limit`` calls in any sliding ``window`` seconds, GAAP's documented 20 per second.

    GAAP counts a call when it arrives, which is some time after we send it and before its answer
    is back; a call is counted here at its answer (``finished``), so the window GAAP sees is never
    fuller than ours, however much the network delays one call more than another."""

    def __init__(self, clock: Clock, sleep: Sleep, limit: int = 20, window: float = 1.0) -> None:
        self._clock = clock
        self._sleep = sleep
        self._limit = limit
        self._window = window
        self._sent: deque[float] = deque()

    def wait_turn(self) -> None:
        """Block until one more call fits in the window, then count it."""
        now = self._forget_old()
        if len(self._sent) >= self._limit:
            # 10 ms over the window: the server's clock and ours need not agree to the millisecond.
            self._sleep(self._sent[0] + self._window + 0.01 - now)
            now = self._forget_old()
        self._sent.append(now)

    def _forget_old(self) -> float:
        """Drop the calls that left the window; return the time now."""
        now = self._clock()
        while self._sent and now - self._sent[0] >= self._window:
            self._sent.popleft()
        return now

    def finished(self) -> None:
        """The call counted by the last wait_turn is over: count it from now."""
        if self._sent:
            self._sent[-1] = self._clock()


_RNG = random.Random()  # noqa: S311 - jitter, not cryptography; one per instance (seeding reads urandom)


class Backoff:
    """Exponential backoff with full jitter: attempt n sleeps uniformly in [0, min(cap, base * 2**n)]."""

    def __init__(self, base: float = 0.2, cap: float = 4.0, max_attempts: int = 5,
                 rng: random.Random | None = None) -> None:
        self.base = base
        self.cap = cap
        self.max_attempts = max_attempts
        self.rng = rng or _RNG

    def delay(self, attempt: int) -> float:
        """The sleep before retry number ``attempt`` (1 for the first retry)."""
        return self.rng.uniform(0.0, min(self.cap, self.base * (2 ** (attempt - 1))))


class CallTimedOut(Exception):
    """A call did not finish within the time it was given (it may still finish in the background)."""


class _Job:
    __slots__ = ("done", "error", "function", "result")

    def __init__(self, function: Callable[[], Any]) -> None:
        self.function = function
        self.done = threading.Lock()  # held until the job is done: a raw lock is the cheapest hand-off
        self.done.acquire()
        self.result: Any = None
        self.error: BaseException | None = None


_idle: list[queue.SimpleQueue[_Job]] = []
_idle_lock = threading.Lock()


def _work(inbox: queue.SimpleQueue[_Job]) -> None:
    while True:
        job = inbox.get()
        try:
            job.result = job.function()
        except BaseException as error:  # noqa: BLE001 - handed to the caller, who re-raises it
            job.error = error
        job.done.release()
        with _idle_lock:
            _idle.append(inbox)


def call_within(function: Callable[[], T], seconds: float) -> T:
    """Run ``function`` and give up on it after ``seconds``, raising CallTimedOut.

    requests' timeouts bound each socket read, not a whole call: an answer that trickles in byte by
    byte would run past any deadline. On the main thread (SCF and Lambda call handlers there) a
    SIGALRM timer interrupts the call: the libraries close a connection an exception leaves
    half-read, so nothing is left broken. Elsewhere the call runs on a worker thread and the caller
    stops waiting; a call given up on finishes (or times out) in the background.
    """
    if hasattr(_signal, "setitimer") and threading.current_thread() is threading.main_thread():
        return _call_with_alarm(function, seconds)
    return _call_on_worker(function, seconds)


class _Alarm(Exception):
    """Raised into a call by the SIGALRM handler. An Exception, so the SDK reports it as the
    network error it is (ClientNetworkError) when it fires inside the SDK."""


def _raise_alarm(signum: int, frame: object) -> None:
    raise _Alarm("the call's time was up")


def _call_with_alarm(function: Callable[[], T], seconds: float) -> T:
    # _signal, not signal: signal.signal wraps its answer in an Enum, which costs more than the call.
    previous = _signal.signal(_signal.SIGALRM, _raise_alarm)
    _signal.setitimer(_signal.ITIMER_REAL, max(seconds, 0.001))
    try:
        return function()
    except _Alarm:
        raise CallTimedOut(f"no complete answer within {seconds:.1f} s") from None
    finally:
        _signal.setitimer(_signal.ITIMER_REAL, 0)
        _signal.signal(_signal.SIGALRM, previous)


def _call_on_worker(function: Callable[[], T], seconds: float) -> T:
    job = _Job(function)
    with _idle_lock:
        inbox = _idle.pop() if _idle else None
    if inbox is None:
        inbox = queue.SimpleQueue()
        threading.Thread(target=_work, args=(inbox,), name="gaap-opener-call", daemon=True).start()
    inbox.put(job)
    if not job.done.acquire(timeout=max(seconds, 0.001)):
        raise CallTimedOut(f"no complete answer within {seconds:.1f} s")
    if job.error is not None:
        raise job.error
    result: T = job.result
    return result
