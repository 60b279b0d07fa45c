"""The result document's schema (gaap-opener/result/v1) as pydantic models.

The function builds its documents with plain dataclasses (document.py), which costs nothing at a
cold start; this schema is for validating documents: the test suite checks every kind of result
against it, and receivers may use it too. ``ResultDocument.model_validate(document)``.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Status = Literal["succeeded", "partial", "failed", "rejected", "skipped", "dry_run"]
Source = Literal["direct", "timer", "http", "alarm", "eventbridge", "unknown"]


class ErrorInfo(BaseModel):
    """Why a result is partial, failed or rejected."""

    code: str
    message: str
    retryable: bool


class CallRecord(BaseModel):
    """One OpenProxies call (or, in a dry run, one planned call)."""

    client_token: str
    proxy_ids: list[str]
    request_id: str | None = None
    replayed: bool = False
    error: ErrorInfo | None = None


class CallbackInfo(BaseModel):
    """How delivering the result to the callback URL went."""

    delivered: bool
    attempts: int
    error: str | None = None


class ResultDocument(BaseModel):
    """The result document, schema gaap-opener/result/v1."""

    model_config = ConfigDict(populate_by_name=True, extra="forbid")

    schema_: Literal["gaap-opener/result/v1"] = Field(default="gaap-opener/result/v1", alias="schema")
    status: Status
    event_id: str | None
    source: Source
    requested: list[str]
    opened: list[str]
    invalid_status: list[str]
    operation_failed: list[str]
    statuses: dict[str, str]
    calls: list[CallRecord]
    error: ErrorInfo | None
    callback: CallbackInfo | None
    dry_run: bool
    duration_ms: int
    invocation_id: str | None
