"""Open: one OpenProxies call per batch, retried while transient, replayed on DuplicatedRequest."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol, TypeVar

from .errors import DEADLINE_EXCEEDED
from .gaap import DUPLICATED_REQUEST, GaapCallError, OpenAnswer
from .plan import Batch
from .timing import Backoff, Deadline, Pacer, Sleep

# Worth another attempt with the same ClientToken; everything else is permanent.
TRANSIENT_CODES = frozenset(
    {
        "ClientNetworkError",
        "ServerNetworkError",
        "InternalError",
        "ServiceUnavailable",
        "FailedOperation.ActionOperateTooQuickly",
        "FailedOperation.ActionIsDoing",
        DEADLINE_EXCEEDED,
    }
)
T = TypeVar("T")
OPEN_OR_OPENING = frozenset({"OPENING", "RUNNING"})
MIN_CALL_SECONDS = 0.5  # do not start a call with less time than this before the deadline
MAX_CALL_SECONDS = 10.0  # GAAP answers in well under a second; a hung connection must not eat the budget
STATUS_IDS_PER_CALL = 100  # DescribeProxies' documented maximum; DescribeProxiesStatus is not documented
WAIT_FIRST_POLL = 1.0  # seconds before the first status poll while waiting for RUNNING
WAIT_POLL_CAP = 5.0


def is_transient(code: str) -> bool:
    """True for failures that may pass: network, 5xx, throttling, GAAP being busy."""
    return code in TRANSIENT_CODES or code.startswith("RequestLimitExceeded")


class Api(Protocol):
    """What the opener needs of GAAP (gaap.GaapApi through the SDK)."""

    def open_proxies(self, proxy_ids: Sequence[str], client_token: str, timeout: float) -> OpenAnswer: ...

    def proxy_statuses(self, proxy_ids: Sequence[str], timeout: float) -> dict[str, str]: ...


class BatchOutcome:
    """What became of one batch: the sets GAAP answered, or the error that ended it."""

    __slots__ = ("attempts", "batch", "error", "invalid_status", "opened", "operation_failed", "replayed",
                 "request_id", "statuses")

    def __init__(self, batch: Batch) -> None:
        self.batch = batch
        self.request_id: str | None = None
        self.replayed = False
        self.opened: list[str] = []
        self.invalid_status: list[str] = []
        self.operation_failed: list[str] = []
        self.statuses: dict[str, str] = {}
        self.error: GaapCallError | None = None
        self.attempts = 0


class Opener:
    """Runs batches against GAAP inside the invocation's deadline, paced and retried."""

    def __init__(
        self, api: Api, deadline: Deadline, pacer: Pacer, sleep: Sleep, backoff: Backoff | None = None
    ) -> None:
        self.api = api
        self.deadline = deadline
        self.pacer = pacer
        self.sleep = sleep
        self.backoff = backoff or Backoff()

    def open_all(self, batches: Sequence[Batch], into: list[BatchOutcome] | None = None) -> list[BatchOutcome]:
        """Open every batch in order; a failed batch does not stop the next one. Outcomes are appended
        to ``into`` as they come, so a caller keeps them even if something breaks half way."""
        outcomes = [] if into is None else into
        for batch in batches:
            outcomes.append(self.open_batch(batch))
        return outcomes

    def open_batch(self, batch: Batch) -> BatchOutcome:
        """One batch: OpenProxies with its token; DuplicatedRequest means an earlier delivery asked."""
        outcome = BatchOutcome(batch)
        try:
            answer = self._retrying(
                outcome, lambda timeout: self.api.open_proxies(batch.proxy_ids, batch.client_token, timeout)
            )
        except GaapCallError as error:
            outcome.request_id = error.request_id
            if error.code != DUPLICATED_REQUEST:
                outcome.error = error
                return outcome
            outcome.replayed = True
            return self._replay(outcome)
        outcome.request_id = answer.request_id
        not_opened = set(answer.invalid_status) | set(answer.operation_failed)
        outcome.invalid_status = sorted(set(answer.invalid_status))
        outcome.operation_failed = sorted(set(answer.operation_failed) - set(answer.invalid_status))
        outcome.opened = [proxy_id for proxy_id in batch.proxy_ids if proxy_id not in not_opened]
        return outcome

    def wait_running(self, proxy_ids: Sequence[str], wait_seconds: float) -> dict[str, str]:
        """Poll DescribeProxiesStatus until every proxy is RUNNING, the wait ends or the deadline nears.

        Returns the last status read of each proxy ({} if none could be read). Polls are paced with
        the other calls and back off from 1 s to 5 s; a poll that fails ends the wait early, which
        changes nothing but what ``statuses`` shows.
        """
        ids = list(proxy_ids)
        statuses: dict[str, str] = {}
        if not ids or wait_seconds <= 0:
            return statuses
        wait_until = self.deadline.now() + wait_seconds
        pause = WAIT_FIRST_POLL
        while True:
            budget = min(wait_until - self.deadline.now(), self.deadline.remaining() - MIN_CALL_SECONDS)
            if budget <= 0:
                return statuses
            self.sleep(min(pause, budget))
            for start in range(0, len(ids), STATUS_IDS_PER_CALL):
                chunk = ids[start : start + STATUS_IDS_PER_CALL]
                try:
                    statuses.update(self._retrying(BatchOutcome(Batch(tuple(chunk), "")), self._status_call(chunk)))
                except GaapCallError:
                    return statuses
            if all(statuses.get(proxy_id) == "RUNNING" for proxy_id in ids):
                return statuses
            pause = min(pause * 1.5, WAIT_POLL_CAP)

    def _status_call(self, proxy_ids: Sequence[str]) -> Callable[[float], dict[str, str]]:
        return lambda timeout: self.api.proxy_statuses(proxy_ids, timeout)

    def _replay(self, outcome: BatchOutcome) -> BatchOutcome:
        """Report a replayed batch from the proxies' current status (the first answer is lost)."""
        ids = outcome.batch.proxy_ids
        try:
            statuses = self._retrying(outcome, self._status_call(ids))
        except GaapCallError as error:
            outcome.error = error
            return outcome
        outcome.statuses = {proxy_id: statuses[proxy_id] for proxy_id in ids if proxy_id in statuses}
        for proxy_id in ids:
            status = statuses.get(proxy_id)
            if status in OPEN_OR_OPENING:
                outcome.opened.append(proxy_id)
            elif status == "CLOSED":
                outcome.operation_failed.append(proxy_id)
            else:
                outcome.invalid_status.append(proxy_id)
        return outcome

    def _check_time(self, attempts: int) -> None:
        """Raise DeadlineExceeded when too little time is left to start a call."""
        if self.deadline.remaining() < MIN_CALL_SECONDS:
            raise GaapCallError(
                DEADLINE_EXCEEDED, f"the invocation's deadline came before GAAP answered ({attempts} attempt(s) made)"
            )

    def _retrying(self, outcome: BatchOutcome, call: Callable[[float], T]) -> T:
        """Call until success, a permanent error, the attempt limit or the deadline; count attempts.

        Every attempt of a batch reuses its ClientToken, so an attempt that reached GAAP but whose
        answer was lost comes back as DuplicatedRequest, never as a second open.
        """
        attempt = 0
        while True:
            self._check_time(attempt)
            self.pacer.wait_turn()
            self._check_time(attempt)  # pacing may have slept into the margin
            attempt += 1
            outcome.attempts += 1
            try:
                # Half the time left: a hung attempt still leaves room for one more with the same token.
                return call(min(MAX_CALL_SECONDS, max(MIN_CALL_SECONDS, self.deadline.remaining() / 2)))
            except GaapCallError as error:
                failure = error
            finally:
                self.pacer.finished()
            if not is_transient(failure.code) or attempt >= self.backoff.max_attempts:
                raise failure
            pause = self.backoff.delay(attempt)
            if pause > self.deadline.remaining() - MIN_CALL_SECONDS:
                raise failure
            self.sleep(pause)
