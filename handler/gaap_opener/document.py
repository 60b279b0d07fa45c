"""The result document (schema gaap-opener/result/v1) as plain classes: cheap to define at a cold start
(a dataclass costs about a millisecond to create). schema.py describes the same document as pydantic
models, for validation."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

SCHEMA = "gaap-opener/result/v1"


class ErrorInfo:
    """Why a result is partial, failed or rejected."""

    __slots__ = ("code", "message", "retryable")

    def __init__(self, code: str, message: str, retryable: bool) -> None:
        self.code = code
        self.message = message
        self.retryable = retryable

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, "retryable": self.retryable}


class CallRecord:
    """One OpenProxies call (or, in a dry run, one planned call)."""

    __slots__ = ("client_token", "error", "proxy_ids", "replayed", "request_id")

    def __init__(self, client_token: str, proxy_ids: list[str], request_id: str | None = None,
                 replayed: bool = False, error: ErrorInfo | None = None) -> None:
        self.client_token = client_token
        self.proxy_ids = proxy_ids
        self.request_id = request_id
        self.replayed = replayed
        self.error = error

    def as_dict(self) -> dict[str, Any]:
        return {"client_token": self.client_token, "proxy_ids": list(self.proxy_ids),
                "request_id": self.request_id, "replayed": self.replayed,
                "error": self.error.as_dict() if self.error else None}


class CallbackInfo:
    """How delivering the result to the callback URL went."""

    __slots__ = ("attempts", "delivered", "error")

    def __init__(self, delivered: bool, attempts: int, error: str | None = None) -> None:
        self.delivered = delivered
        self.attempts = attempts
        self.error = error

    def as_dict(self) -> dict[str, Any]:
        return {"delivered": self.delivered, "attempts": self.attempts, "error": self.error}


class Result:
    """One invocation's result; ``document()`` gives the JSON-ready dict in the contract's order."""

    def __init__(self, status: str, event_id: str | None, source: str, *, requested: Sequence[str] = (),
                 calls: Sequence[CallRecord] = (), error: ErrorInfo | None = None, dry_run: bool = False,
                 duration_ms: int = 0, invocation_id: str | None = None) -> None:
        self.status = status
        self.event_id = event_id
        self.source = source
        self.requested: list[str] = list(requested)
        self.opened: list[str] = []
        self.invalid_status: list[str] = []
        self.operation_failed: list[str] = []
        self.statuses: dict[str, str] = {}
        self.calls: list[CallRecord] = list(calls)
        self.error = error
        self.callback: CallbackInfo | None = None
        self.dry_run = dry_run
        self.duration_ms = duration_ms
        self.invocation_id = invocation_id

    def document(self) -> dict[str, Any]:
        return {
            "schema": SCHEMA,
            "status": self.status,
            "event_id": self.event_id,
            "source": self.source,
            "requested": list(self.requested),
            "opened": list(self.opened),
            "invalid_status": list(self.invalid_status),
            "operation_failed": list(self.operation_failed),
            "statuses": dict(self.statuses),
            "calls": [call.as_dict() for call in self.calls],
            "error": self.error.as_dict() if self.error else None,
            "callback": self.callback.as_dict() if self.callback else None,
            "dry_run": self.dry_run,
            "duration_ms": self.duration_ms,
            "invocation_id": self.invocation_id,
        }
