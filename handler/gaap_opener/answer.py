"""Answer: the HTTP integrated response for HTTP invocations (API Gateway, function URL)."""

from __future__ import annotations

import json
from typing import Any

from .errors import (
    INVALID_CONFIGURATION,
    METHOD_NOT_ALLOWED,
    MISSING_CREDENTIALS,
    NOT_ALLOWED,
    PAYLOAD_TOO_LARGE,
    UNAUTHORIZED,
)

_REJECTED = {UNAUTHORIZED: 401, NOT_ALLOWED: 403, METHOD_NOT_ALLOWED: 405, PAYLOAD_TOO_LARGE: 413}
# Transient upstream failures: the gateway could not get a good answer (502) or GAAP is busy (503).
_BAD_GATEWAY = frozenset({"ClientNetworkError", "ServerNetworkError", "InternalError"})
_OURS = frozenset({INVALID_CONFIGURATION, MISSING_CREDENTIALS, "UnexpectedError"})


def status_code(document: dict[str, Any]) -> int:
    """The contract's HTTP status for a result document."""
    status = document["status"]
    error = document.get("error") or {}
    code = str(error.get("code", ""))
    if status in ("succeeded", "skipped", "dry_run"):
        return 200
    if status == "rejected":
        return _REJECTED.get(code, 400)
    if error.get("retryable"):
        return 502 if code in _BAD_GATEWAY else 503
    if status == "partial":
        return 207
    if code in _OURS:
        return 500  # our configuration or our bug, not the caller's request nor GAAP's answer
    return 422


def http_answer(document: dict[str, Any]) -> dict[str, Any]:
    """{isBase64Encoded, statusCode, headers, body}: what API Gateway and function URLs pass on."""
    return {
        "isBase64Encoded": False,
        "statusCode": status_code(document),
        "headers": {"Content-Type": "application/json"},
        "body": json.dumps(document, ensure_ascii=False, separators=(",", ":")),
    }
