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
from typing import Any

LOGGER_NAME = "gaap_opener"
SDK_LOGGER_NAME = "tencentcloud_sdk_common"
_REDACTIONS = (
    (re.compile(r"(?im)^(\s*(?:authorization|x-tc-token|x-gaap-opener-signature)\s*:\s*).*$"), r"\1<redacted>"),
    (re.compile(r"Credential=[^/\s,]+"), "Credential=<redacted>"),
    (re.compile(r"Signature=[0-9a-fA-F]+"), "Signature=<redacted>"),
    (re.compile(r"(?i)(\"?(?:secret_?id|secret_?key|token|sessiontoken|password)\"?\s*[:=]\s*)\"?[^\s\",}]+"),
     r"\1<redacted>"),
)


def redact(text: str) -> str:
    """Remove credentials, tokens and signatures from a log text."""
    for pattern, replacement in _REDACTIONS:
        text = pattern.sub(replacement, text)
    return text


class RedactingFilter(logging.Filter):
    """Render the record's message once, redacted, so no handler ever formats the raw one."""

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
        return json.dumps(line, ensure_ascii=False, separators=(",", ":"), default=str)


class StdoutHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever sys.stdout is at the time (SCF's collector, a test's capture)."""

    def __init__(self) -> None:
        super().__init__(sys.stdout)

    def emit(self, record: logging.LogRecord) -> None:
        # Assign, not setStream(): that flushes the previous stream, which may be closed by now.
        self.stream = sys.stdout
        super().emit(record)


def setup_logging(level: str) -> logging.Logger:
    """Configure gaap-opener's logger once per instance; the level may change per invocation."""
    logger = logging.getLogger(LOGGER_NAME)
    if not any(isinstance(h, StdoutHandler) for h in logger.handlers):
        handler = StdoutHandler()
        handler.setFormatter(JsonFormatter())
        handler.addFilter(RedactingFilter())
        logger.addHandler(handler)
        logger.propagate = False
        sdk_logger = logging.getLogger(SDK_LOGGER_NAME)
        if not any(isinstance(f, RedactingFilter) for f in sdk_logger.filters):
            sdk_logger.addFilter(RedactingFilter())
    logger.setLevel(level)
    return logger
