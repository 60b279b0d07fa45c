"""Report: turn what happened into the result document (schema gaap-opener/result/v1).

Pure functions of their inputs; the entry point decides what to do with the document.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .document import CallRecord, ErrorInfo, Result
from .errors import INVALID_STATUS, OPERATION_FAILED
from .opener import BatchOutcome, is_transient
from .plan import Batch
from .request import OpenRequest


def rejected(
    code: str, message: str, *, source: str, event_id: str | None, invocation_id: str | None
) -> Result:
    """Input refused: nothing reached GAAP."""
    return Result(
        "rejected",
        event_id=event_id,
        source=source,
        invocation_id=invocation_id,
        error=ErrorInfo(code=code, message=message, retryable=False),
    )


def failed_before_calls(
    code: str, message: str, *, source: str, event_id: str | None, invocation_id: str | None,
    requested: Sequence[str] = (), retryable: bool = False,
) -> Result:
    """Nothing could be called (configuration, credentials): failed, with the reason."""
    return Result(
        "failed",
        event_id=event_id,
        source=source,
        requested=requested,
        invocation_id=invocation_id,
        error=ErrorInfo(code=code, message=message, retryable=retryable),
    )


def skipped(request: OpenRequest, invocation_id: str | None) -> Result:
    """Nothing to do (a resolved alarm): reported, nothing called."""
    return Result("skipped", event_id=request.event_id or None, source=request.source,
                 requested=request.proxy_ids, invocation_id=invocation_id)


def dry_run(request: OpenRequest, batches: Sequence[Batch], invocation_id: str | None) -> Result:
    """Validated and planned; the planned calls are listed, none was made."""
    calls = [CallRecord(client_token=b.client_token, proxy_ids=list(b.proxy_ids)) for b in batches]
    return Result("dry_run", event_id=request.event_id, source=request.source, requested=request.proxy_ids,
                 dry_run=True, invocation_id=invocation_id, calls=calls)


def from_outcomes(request: OpenRequest, outcomes: Sequence[BatchOutcome], invocation_id: str | None) -> Result:
    """Merge every batch's outcome into one document and decide its status and error."""
    opened: list[str] = []
    invalid: list[str] = []
    failed: list[str] = []
    statuses: dict[str, str] = {}
    calls: list[CallRecord] = []
    first_error: ErrorInfo | None = None
    for outcome in outcomes:
        opened += outcome.opened
        invalid += outcome.invalid_status
        failed += outcome.operation_failed
        statuses.update(outcome.statuses)
        error = None
        if outcome.error is not None:
            error = ErrorInfo(code=outcome.error.code, message=outcome.error.message,
                              retryable=is_transient(outcome.error.code))
            # A transient error outranks a permanent one: it decides whether the event is redelivered.
            if first_error is None or (error.retryable and not first_error.retryable):
                first_error = error
        calls.append(CallRecord(client_token=outcome.batch.client_token, proxy_ids=list(outcome.batch.proxy_ids),
                                request_id=outcome.request_id, replayed=outcome.replayed, error=error))

    requested = list(request.proxy_ids)
    if opened and len(set(opened)) == len(requested):
        status = "succeeded"
    elif opened:
        status = "partial"
    else:
        status = "failed"

    error_info = first_error
    if status != "succeeded" and error_info is None:
        error_info = _sets_error(invalid, failed)
    result = Result(status, event_id=request.event_id, source=request.source, requested=requested,
                    invocation_id=invocation_id, error=error_info, calls=calls)
    result.opened = sorted(opened)
    result.invalid_status = sorted(invalid)
    result.operation_failed = sorted(failed)
    result.statuses = dict(sorted(statuses.items()))
    return result


def _sets_error(invalid: Sequence[str], failed: Sequence[str]) -> ErrorInfo:
    """Explain a partial or failed result that GAAP answered without an error code."""
    if invalid:
        return ErrorInfo(
            code=INVALID_STATUS,
            message=f"{len(invalid)} proxy(ies) not CLOSED, so not opened: {_list(invalid)}",
            retryable=False,
        )
    return ErrorInfo(
        code=OPERATION_FAILED,
        message=f"GAAP failed to open {len(failed)} proxy(ies): {_list(failed)}; "
                "send a new EventId to try again (a repeat of this event only reports)",
        retryable=False,
    )


def _list(ids: Sequence[str], limit: int = 20) -> str:
    shown = ", ".join(sorted(ids)[:limit])
    return shown + (f" and {len(ids) - limit} more" if len(ids) > limit else "")


def needs_redelivery(result: Result) -> bool:
    """True when a transient failure persisted: an asynchronous invocation should raise."""
    return result.status in ("failed", "partial") and result.error is not None and result.error.retryable


def finish(result: Result, duration_ms: int) -> dict[str, Any]:
    """Stamp the duration and give the JSON-ready document."""
    result.duration_ms = duration_ms
    return result.document()
