"""The entry point: intake -> plan -> open -> report -> answer, in that order."""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Mapping
from typing import Any, NamedTuple

from . import result as report
from .config import LOG_LEVELS, Settings, load_settings
from .context import Invocation, read_context
from .document import ErrorInfo, Result
from .errors import UNAUTHORIZED, ConfigError, Refusal, RetryableFailure
from .gaap import MissingCredentials, credentials_from_env, gaap_api
from .intake import identify, read_event
from .logs import remember_secrets, setup_logging
from .opener import Api, BatchOutcome, Opener
from .plan import plan_batches
from .request import EventRefusal, OpenRequest
from .timing import Deadline, Pacer

INTERNAL_ERROR = "UnexpectedError"
Clock = Callable[[], float]
Sleep = Callable[[float], None]


def main_handler(event: Any, context: Any) -> dict[str, Any]:
    """SCF (and AWS Lambda) handler: open the proxies the event asks for and return the result
    (for HTTP events, an integrated response carrying it)."""
    return handle(event, context)


class _Outcome(NamedTuple):
    """What an invocation produced before it is reported: the result and where to send it."""

    result: Result
    callback_url: str | None = None
    callback_secret: str | None = None


class _Progress:
    """How far an invocation got: if it breaks, the report still carries what was known."""

    def __init__(self) -> None:
        self.settings: Settings | None = None
        self.request: OpenRequest | None = None
        self.callback_url: str | None = None
        self.outcomes: list[BatchOutcome] = []


def handle(
    event: Any,
    context: Any,
    *,
    environ: Mapping[str, str] | None = None,
    clock: Clock = time.monotonic,
    sleep: Sleep = time.sleep,
    wall_time: Clock = time.time,
    api_factory: Callable[[Settings, Mapping[str, str]], Api] | None = None,
) -> dict[str, Any]:
    """The whole invocation, with the world passed in: environment, clocks, sleep and the GAAP API.

    Returns the result document, or for an HTTP event the HTTP answer carrying it. An asynchronous
    invocation whose transient failure (or callback) persisted raises RetryableFailure so that the
    platform redelivers it; an HTTP one answers 502/503 instead.
    """
    started = clock()
    env = os.environ if environ is None else environ
    invocation = read_context(context)
    # SCF: the time limit from the context; Lambda: the remaining time it reports.
    deadline = Deadline(clock, invocation.remaining_s() if invocation.remaining_s else invocation.time_limit_s)
    source = identify(event)
    level = (env.get("GAAP_OPENER_LOG_LEVEL") or "").strip().upper()
    log = setup_logging(level if level in LOG_LEVELS else "INFO")  # a bad level is reported below
    remember_secrets(env)
    progress = _Progress()
    try:
        outcome = _run(event, invocation, env, deadline, clock, sleep, api_factory or _sdk_api, progress)
    except ConfigError as error:
        message = error.message
        if source == "http":  # the caller is not authenticated yet: the details go to the log only
            log.error("configuration error: %s", error.message)
            message = "gaap-opener is misconfigured: see the function's log"
        outcome = _Outcome(report.failed_before_calls(error.code, message, source=source, event_id=None,
                                                      invocation_id=invocation.request_id))
    except Exception as error:  # the edge: log it, report what is known, let the platform retry
        log.exception("unexpected error", extra={"fields": {"invocation_id": invocation.request_id}})
        outcome = _Outcome(_unexpected(error, source, invocation, progress), progress.callback_url,
                           progress.settings.callback_secret if progress.settings else None)
    result = outcome.result
    document = report.finish(result, int((clock() - started) * 1000))
    if outcome.callback_url is not None:
        from .callback import deliver

        result.callback = deliver(outcome.callback_url, document, outcome.callback_secret, deadline, sleep, wall_time)
        document = report.finish(result, int((clock() - started) * 1000))
    _log_result(log, document)
    _settle_heap()
    if source == "http":
        from .answer import http_answer

        return http_answer(document)
    transient = report.needs_redelivery(result)
    if transient or (result.callback is not None and not result.callback.delivered):
        reason = f"{document['error']['code']} persisted" if transient else "the callback could not be delivered"
        raise RetryableFailure(
            f"gaap-opener: {reason} for event {document['event_id']!r}; "
            "redeliver the event (its ClientTokens repeat, so this is safe)",
            document,
        )
    return document


def _unexpected(error: Exception, source: str, invocation: Invocation, progress: _Progress) -> Result:
    """A bug's report: as much of the result as was known, and a retryable error unless all opened."""
    request = progress.request
    message = f"unexpected {type(error).__name__} inside gaap-opener (see the log)"
    if request is None:
        return report.failed_before_calls(INTERNAL_ERROR, message, source=source, event_id=None,
                                          invocation_id=invocation.request_id, retryable=True)
    result = report.from_outcomes(request, progress.outcomes, invocation.request_id)
    if result.status != "succeeded":  # never a false failure: what opened stays reported as opened
        result.status = "partial" if result.opened else "failed"
        result.error = ErrorInfo(INTERNAL_ERROR, message, retryable=True)
    return result


def _run(
    event: Any,
    invocation: Invocation,
    env: Mapping[str, str],
    deadline: Deadline,
    clock: Clock,
    sleep: Sleep,
    api_factory: Callable[[Settings, Mapping[str, str]], Api],
    progress: _Progress,
) -> _Outcome:
    # (handle() has set the log level already, from the same variable.)
    settings = progress.settings = load_settings(env, invocation.function_name or env.get("SCF_FUNCTIONNAME"))
    if settings.callback_url is not None or settings.callback_allowed_hosts is not None:
        from .callback import check_configured_url

        check_configured_url(settings)
    secret = settings.callback_secret
    # intake
    try:
        request = read_event(event, invocation, settings)
        callback_url = settings.callback_url
        if request.callback_url is not None:
            from .callback import choose_url

            try:
                callback_url = choose_url(request.callback_url, settings)
            except Refusal as refusal:
                raise EventRefusal(refusal, request.source, request.event_id) from None
    except EventRefusal as refusal:
        rejected = report.rejected(refusal.code, refusal.message, source=refusal.source,
                                   event_id=refusal.event_id, invocation_id=invocation.request_id)
        # An unauthenticated caller must not be able to make the function POST to the receiver.
        return _Outcome(rejected, None if refusal.code == UNAUTHORIZED else settings.callback_url, secret)
    progress.request, progress.callback_url = request, callback_url
    if request.skip_reason is not None:
        return _Outcome(report.skipped(request, invocation.request_id), callback_url, secret)
    # plan
    batches = plan_batches(settings.token_namespace, request.event_id, request.proxy_ids, settings.batch_size)
    if request.dry_run:
        return _Outcome(report.dry_run(request, batches, invocation.request_id), callback_url, secret)
    # open
    try:
        api = api_factory(settings, env)
    except MissingCredentials as missing:
        failed = report.failed_before_calls(missing.code, missing.message, source=request.source,
                                            event_id=request.event_id, invocation_id=invocation.request_id,
                                            requested=request.proxy_ids)
        return _Outcome(failed, callback_url, secret)
    opener = Opener(api=api, deadline=deadline, pacer=Pacer(clock, sleep), sleep=sleep)
    outcomes = opener.open_all(batches, into=progress.outcomes)
    # report
    result = report.from_outcomes(request, outcomes, invocation.request_id)
    wait = request.wait_seconds if request.wait_seconds is not None else settings.wait_seconds
    if wait > 0 and result.opened and not report.needs_redelivery(result):
        # Waiting that ends early does not change the status; statuses shows where each proxy was.
        waited = opener.wait_running(result.opened, wait)
        result.statuses = dict(sorted({**result.statuses, **waited}.items()))
    return _Outcome(result, callback_url, secret)


_heap_settled = False


def _settle_heap() -> None:
    """After the first invocation, move everything loaded so far (the SDK, pydantic, their models)
    out of the garbage collector's sight: it never frees them, and re-scanning them in every full
    collection costs warm invocations CPU time for nothing."""
    global _heap_settled
    if not _heap_settled:
        import gc

        gc.freeze()
        _heap_settled = True


def _sdk_api(settings: Settings, env: Mapping[str, str]) -> Api:
    """The real thing: the instance's SDK client for the endpoint, signing with the current keys."""
    api = gaap_api(settings.endpoint)
    api.use(credentials_from_env(env))
    return api


_LEVELS = {"succeeded": logging.INFO, "skipped": logging.INFO, "dry_run": logging.INFO,
           "partial": logging.WARNING, "rejected": logging.WARNING, "failed": logging.ERROR}


def _log_result(log: logging.Logger, document: dict[str, Any]) -> None:
    """One JSON line per invocation: the correlation fields first, then the whole result."""
    log.log(
        _LEVELS.get(document["status"], logging.INFO),
        "gaap-opener %s", document["status"],
        extra={"fields": {"event_id": document["event_id"], "invocation_id": document["invocation_id"],
                          "source": document["source"], "status": document["status"], "result": document}},
    )
