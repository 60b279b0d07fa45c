"""The result document (schema gaap-opener/result/v1) as plain dataclasses: cheap to build at a cold
start. schema.py describes the same document as pydantic models for validation."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

SCHEMA = "gaap-opener/result/v1"


@dataclass
class ErrorInfo:
    """Why a result is partial, failed or rejected."""

    code: str
    message: str
    retryable: bool

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, "retryable": self.retryable}


@dataclass
class CallRecord:
    """One OpenProxies call (or, in a dry run, one planned call)."""

    client_token: str
    proxy_ids: list[str]
    request_id: str | None = None
    replayed: bool = False
    error: ErrorInfo | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"client_token": self.client_token, "proxy_ids": list(self.proxy_ids),
                "request_id": self.request_id, "replayed": self.replayed,
                "error": self.error.as_dict() if self.error else None}


@dataclass
class CallbackInfo:
    """How delivering the result to the callback URL went."""

    delivered: bool
    attempts: int
    error: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"delivered": self.delivered, "attempts": self.attempts, "error": self.error}


@dataclass
class Result:
    """One invocation's result; ``document()`` gives the JSON-ready dict in the contract's order."""

    status: str
    event_id: str | None
    source: str
    requested: list[str] = field(default_factory=list)
    opened: list[str] = field(default_factory=list)
    invalid_status: list[str] = field(default_factory=list)
    operation_failed: list[str] = field(default_factory=list)
    statuses: dict[str, str] = field(default_factory=dict)
    calls: list[CallRecord] = field(default_factory=list)
    error: ErrorInfo | None = None
    callback: CallbackInfo | None = None
    dry_run: bool = False
    duration_ms: int = 0
    invocation_id: str | None = None

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
