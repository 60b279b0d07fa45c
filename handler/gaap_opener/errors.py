"""The errors gaap-opener names itself; GAAP's own codes pass through as strings."""

from __future__ import annotations

from typing import Any

# Codes of ours, beside GAAP's (ResourceNotFound, AuthFailure.*, ...).
INVALID_EVENT = "InvalidEvent"
NOT_ALLOWED = "NotAllowed"
UNAUTHORIZED = "Unauthorized"
METHOD_NOT_ALLOWED = "MethodNotAllowed"
PAYLOAD_TOO_LARGE = "PayloadTooLarge"
INVALID_CONFIGURATION = "InvalidConfiguration"
MISSING_CREDENTIALS = "MissingCredentials"
INVALID_STATUS = "InvalidStatus"
OPERATION_FAILED = "OperationFailed"
DEADLINE_EXCEEDED = "DeadlineExceeded"


class Refusal(Exception):
    """Input that gaap-opener refuses: becomes a ``rejected`` result, never reaches GAAP.

    The message names the offending value and the rule it broke.
    """

    def __init__(self, message: str, code: str = INVALID_EVENT) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class ConfigError(Exception):
    """A GAAP_OPENER_* variable that cannot be used: an operator's mistake, reported as ``failed``."""

    def __init__(self, name: str, value: str, rule: str) -> None:
        shown = value if len(value) <= 80 else value[:77] + "..."
        message = f"{name}={shown!r}: {rule}"
        super().__init__(message)
        self.code = INVALID_CONFIGURATION
        self.message = message


class RetryableFailure(Exception):
    """Raised by an asynchronous invocation whose transient failure outlasted its retries.

    SCF then redelivers the event; the repeated ClientTokens make that safe. The result document
    (already logged) rides along as ``.result``.
    """

    def __init__(self, message: str, result: dict[str, Any]) -> None:
        super().__init__(message)
        self.result = result
