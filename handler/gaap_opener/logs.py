"""Logging: JSON lines on stdout (SCF's log collector reads it), and no secret in any line.

The SDK's own debug lines print whole requests (Authorization, X-TC-Token): a filter on its
logger redacts them before any handler sees them.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import time
from collections.abc import Mapping
from typing import Any

LOGGER_NAME = "gaap_opener"
SDK_LOGGER_NAME = "tencentcloud_sdk_common"
_REDACTIONS = (
    (re.compile(r"(?i)((?:authorization|x-tc-token|x-gaap-opener-signature)\s*:\s*)[^\n]*"), r"\1<redacted>"),
    (re.compile(r"Credential=[^/\s,]+"), "Credential=<redacted>"),
    (re.compile(r"Signature=[0-9a-fA-F]+"), "Signature=<redacted>"),
)


# Values known to be secret in this instance (credentials, callback secret): replaced wherever they appear.
_SECRET_NAMES = (
    "TENCENTCLOUD_SECRETID", "TENCENTCLOUD_SECRETKEY", "TENCENTCLOUD_SESSIONTOKEN",
    "TENCENTCLOUD_SECRET_ID", "TENCENTCLOUD_SECRET_KEY", "TENCENTCLOUD_SESSION_TOKEN",
    "GAAP_OPENER_CALLBACK_SECRET", "GAAP_OPENER_API_TOKEN_SHA256",
)
_known_secrets: tuple[str, ...] = ()


def remember_secrets(environ: Mapping[str, str]) -> None:
    """Note this invocation's secret values so that no log line can carry them, whatever its path."""
    global _known_secrets
    values = {(environ.get(name) or "").strip() for name in _SECRET_NAMES}
    callback_url = (environ.get("GAAP_OPENER_CALLBACK_URL") or "").strip()
    if "@" in callback_url:  # https://user:password@host/...: the password is a secret too
        values.add(callback_url.split("://", 1)[-1].split("@", 1)[0].partition(":")[2])
    _known_secrets = tuple(sorted((v for v in values if len(v) >= 6), key=len, reverse=True))


def redact_known(text: str) -> str:
    """Replace every known secret value; safe on a finished JSON line (it changes no structure)."""
    for secret in _known_secrets:
        if secret in text:
            text = text.replace(secret, "<redacted>")
    return text


def redact(text: str) -> str:
    """Remove credentials, tokens and signatures from a log message (headers as the SDK prints them)."""
    text = redact_known(text)
    for pattern, replacement in _REDACTIONS:
        text = pattern.sub(replacement, text)
    return text


class RedactingFilter(logging.Filter):
    """Render the record's message once, redacted, so no handler ever formats the raw one: the SDK
    prints whole requests (Authorization, X-TC-Token). Our own records hold no headers; the JSON
    formatter removes known secret values from each of their whole lines."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a malformed record must not break logging
            message = str(record.msg)
        record.msg = redact(message)
        record.args = None
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, plus the record's ``fields``."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
            + f".{int(record.msecs):03d}Z",
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        fields = getattr(record, "fields", None)
        if isinstance(fields, dict):
            line.update(fields)
        if record.exc_info and record.exc_info[0] is not None:
            line["exception"] = redact(self.formatException(record.exc_info))
        return redact_known(json.dumps(line, ensure_ascii=False, separators=(",", ":"), default=str))


class StdoutHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever sys.stdout is at the time (SCF's collector, a test's capture)."""

    def __init__(self) -> None:
        super().__init__(sys.stdout)

    def emit(self, record: logging.LogRecord) -> None:
        # Assign, not setStream(): that flushes the previous stream, which may be closed by now.
        self.stream = sys.stdout
        super().emit(record)


_handler: StdoutHandler | None = None
_LOGGER = logging.getLogger(LOGGER_NAME)
_SDK_LOGGER = logging.getLogger(SDK_LOGGER_NAME)


def setup_logging(level: str) -> logging.Logger:
    """Configure gaap-opener's logger once per instance; the level may change per invocation.

    At DEBUG the SDK's own debug lines (whole requests and answers) join the same JSON stream,
    redacted; otherwise the SDK logs only warnings.
    """
    global _handler
    logger, sdk_logger = _LOGGER, _SDK_LOGGER
    if _handler is None:
        _handler = StdoutHandler()
        _handler.setFormatter(JsonFormatter())
        logger.addHandler(_handler)
        logger.propagate = False  # our records: the formatter removes known secrets from each whole line
        sdk_logger.addFilter(RedactingFilter())
        sdk_logger.addHandler(_handler)
        sdk_logger.propagate = False
    # setLevel clears every logger's cache: only when the level really changes.
    if logger.level != logging.getLevelName(level):
        logger.setLevel(level)
    sdk_level = logging.DEBUG if level == "DEBUG" else logging.WARNING
    if sdk_logger.level != sdk_level:
        sdk_logger.setLevel(sdk_level)
    return logger
