"""The entry point: intake -> plan -> open -> report -> answer, in that order."""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Mapping
from typing import Any

from . import result as report
from .config import Settings, load_settings
from .context import Invocation, read_context
from .errors import ConfigError, RetryableFailure
from .gaap import MissingCredentials, credentials_from_env, gaap_api
from .intake import identify, read_event
from .logs import setup_logging
from .models import Result
from .opener import Api, Opener
from .plan import plan_batches
from .request import EventRefusal, OpenRequest
from .timing import Deadline, Pacer

INTERNAL_ERROR = "UnexpectedError"


def main_handler(event: Any, context: Any) -> dict[str, Any]:
    """SCF (and AWS Lambda) handler: open the proxies the event asks for and return the result
    (for HTTP events, an integrated response carrying it)."""
    return handle(event, context)


def handle(
    event: Any,
    context: Any,
    *,
    environ: Mapping[str, str] | None = None,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
    api_factory: Callable[[Settings, Mapping[str, str]], Api] | None = None,
) -> dict[str, Any]:
    """The whole invocation, with the world passed in: environment, clock, sleep and the GAAP API.

    Returns the result document, or for an HTTP event the HTTP answer carrying it. An asynchronous
    invocation whose transient failure persisted raises RetryableFailure so that the platform
    redelivers it; an HTTP one answers 502/503 instead.
    """
    started = clock()
    env = os.environ if environ is None else environ
    invocation = read_context(context)
    source = identify(event)
    log = setup_logging((env.get("GAAP_OPENER_LOG_LEVEL") or "INFO").strip().upper() or "INFO")
    try:
        result = _run(event, invocation, env, clock, sleep, api_factory or _sdk_api)
    except ConfigError as error:
        result = report.failed_before_calls(error.code, error.message, source=source, event_id=None,
                                            invocation_id=invocation.request_id)
    except Exception as error:  # the edge: log it, report it, let the platform retry
        log.exception("unexpected error", extra={"fields": {"invocation_id": invocation.request_id}})
        result = report.failed_before_calls(
            INTERNAL_ERROR, f"unexpected {type(error).__name__} inside gaap-opener (see the log)",
            source=source, event_id=None, invocation_id=invocation.request_id, retryable=True,
        )
    document = report.finish(result, int((clock() - started) * 1000))
    _log_result(log, document)
    if source == "http":
        from .answer import http_answer

        return http_answer(document)
    if report.needs_redelivery(result):
        raise RetryableFailure(
            f"gaap-opener: {document['error']['code']} persisted for event {document['event_id']!r}; "
            "redeliver the event (its ClientTokens repeat, so this is safe)",
            document,
        )
    return document


def _run(
    event: Any,
    invocation: Invocation,
    env: Mapping[str, str],
    clock: Callable[[], float],
    sleep: Callable[[float], None],
    api_factory: Callable[[Settings, Mapping[str, str]], Api],
) -> Result:
    settings = load_settings(env, invocation.function_name or env.get("SCF_FUNCTIONNAME"))
    setup_logging(settings.log_level)
    # intake
    try:
        request: OpenRequest = read_event(event, invocation, settings)
    except EventRefusal as refusal:
        return report.rejected(refusal.code, refusal.message, source=refusal.source, event_id=refusal.event_id,
                               invocation_id=invocation.request_id)
    if request.skip_reason is not None:
        return report.skipped(request, invocation.request_id)
    # plan
    batches = plan_batches(settings.token_namespace, request.event_id, request.proxy_ids, settings.batch_size)
    if request.dry_run:
        return report.dry_run(request, batches, invocation.request_id)
    # open
    try:
        api = api_factory(settings, env)
    except MissingCredentials as missing:
        return report.failed_before_calls(missing.code, missing.message, source=request.source,
                                          event_id=request.event_id, invocation_id=invocation.request_id,
                                          requested=request.proxy_ids)
    deadline = Deadline(clock, invocation.time_limit_s)
    opener = Opener(api=api, deadline=deadline, pacer=Pacer(clock, sleep), sleep=sleep)
    outcomes = opener.open_all(batches)
    # report
    result = report.from_outcomes(request, outcomes, invocation.request_id)
    wait = request.wait_seconds if request.wait_seconds is not None else settings.wait_seconds
    if wait > 0 and result.opened and not report.needs_redelivery(result):
        # Waiting that ends early does not change the status; statuses shows where each proxy was.
        waited = opener.wait_running(result.opened, wait)
        result.statuses = dict(sorted({**result.statuses, **waited}.items()))
    return result


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
