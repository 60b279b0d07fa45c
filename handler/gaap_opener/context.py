"""The invocation context: SCF passes a dict, AWS Lambda an object; both become one small value."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any, NamedTuple

DEFAULT_TIME_LIMIT_MS = 3000  # SCF's default timeout, used when the context does not say


class Invocation(NamedTuple):
    """Who is running and for how long: request ID, function name, the time limit in seconds."""

    request_id: str | None
    function_name: str | None
    time_limit_s: float
    remaining_s: Callable[[], float] | None = None  # Lambda's own clock, when there is one


def read_context(context: Any) -> Invocation:
    """Read an SCF context dict or a Lambda context object; tolerate None and missing fields."""
    if isinstance(context, dict):
        request_id = context.get("request_id") or context.get("aws_request_id")
        name = context.get("function_name")
        limit = context.get("time_limit_in_ms")
        remaining = None
    else:
        request_id = getattr(context, "aws_request_id", None) or getattr(context, "request_id", None)
        name = getattr(context, "function_name", None)
        limit = getattr(context, "time_limit_in_ms", None)
        method = getattr(context, "get_remaining_time_in_millis", None)
        remaining = (lambda: float(method()) / 1000.0) if callable(method) else None
    try:
        time_limit_s = float(limit) / 1000.0 if limit else DEFAULT_TIME_LIMIT_MS / 1000.0
    except (TypeError, ValueError):
        time_limit_s = DEFAULT_TIME_LIMIT_MS / 1000.0
    return Invocation(
        request_id=str(request_id) if request_id else None,
        function_name=str(name) if name else None,
        time_limit_s=max(time_limit_s, 0.1),
        remaining_s=remaining,
    )


def new_request_id() -> str:
    """A request ID for a context that carries none (a local call without context)."""
    return str(uuid.uuid4())
