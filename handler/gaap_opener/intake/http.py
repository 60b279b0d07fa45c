"""HTTP: API Gateway triggers and function URLs ({httpMethod, headers, body, ...}).

Checked in this order, each with its own answer: the caller's token (401), the method (405), the
body's size (413), then the body itself: a direct payload (source http) or a Cloud Monitor alarm
(source alarm). Header names arrive in any case; the body may be base64.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping
from typing import Any

from ..auth import check_http_caller
from ..config import Settings
from ..context import Invocation, new_request_id
from ..errors import METHOD_NOT_ALLOWED, PAYLOAD_TOO_LARGE, Refusal
from ..models import DIRECT_FIELDS, check_event_id, parse_direct_payload
from ..request import EventRefusal, OpenRequest, from_payload
from .alarm import is_alarm, read_alarm

SOURCE = "http"
MAX_BODY_BYTES = 1024 * 1024


def is_http(event: dict[str, Any]) -> bool:
    """HTTP-shaped: a method, a gateway request context, or headers with a body."""
    return "httpMethod" in event or "requestContext" in event or ("headers" in event and "body" in event)


def lower_headers(raw: object) -> dict[str, str]:
    """Header names in lower case; a list value (multi-value headers) gives its first item."""
    headers: dict[str, str] = {}
    if isinstance(raw, dict):
        for name, value in raw.items():
            if isinstance(value, list):
                value = value[0] if value else ""
            headers[str(name).lower()] = "" if value is None else str(value)
    return headers


def _method(event: dict[str, Any]) -> str | None:
    method = event.get("httpMethod")
    context = event.get("requestContext")
    if not method and isinstance(context, dict):
        method = context.get("httpMethod")
    return str(method).upper() if method else None


def _body_bytes(event: dict[str, Any]) -> bytes:
    body = event.get("body")
    if body is None:
        return b""
    if isinstance(body, (dict, list)):  # a gateway that already parsed it: the same size rule applies
        try:
            raw = json.dumps(body).encode("utf-8")
        except (ValueError, RecursionError):
            raise Refusal("body: a parsed body that cannot be encoded as JSON") from None
        if len(raw) > MAX_BODY_BYTES:
            raise Refusal(f"body of {len(raw)} bytes: at most {MAX_BODY_BYTES} bytes (1 MiB)", PAYLOAD_TOO_LARGE)
        return raw
    raw = str(body).encode("utf-8")
    if len(raw) > MAX_BODY_BYTES * 4 // 3 + 4:
        raise Refusal(f"body of {len(raw)} bytes: at most {MAX_BODY_BYTES} bytes (1 MiB)", PAYLOAD_TOO_LARGE)
    encoded = event.get("isBase64Encoded")
    if encoded is True or (isinstance(encoded, str) and encoded.strip().lower() == "true"):
        try:
            raw = base64.b64decode(raw, validate=False)
        except (binascii.Error, ValueError):
            raise Refusal("body: isBase64Encoded is true but the body is not valid base64") from None
    if len(raw) > MAX_BODY_BYTES:
        raise Refusal(f"body of {len(raw)} bytes: at most {MAX_BODY_BYTES} bytes (1 MiB)", PAYLOAD_TOO_LARGE)
    return raw


def read(event: dict[str, Any], invocation: Invocation, settings: Settings) -> OpenRequest:
    """Authenticate, check method and size, parse the body, and build the open request."""
    headers = lower_headers(event.get("headers"))
    check_http_caller(headers, settings)
    method = _method(event)
    if method is not None and method != "POST":
        raise Refusal(f"method {method} is not allowed: gaap-opener accepts only POST", METHOD_NOT_ALLOWED)
    raw = _body_bytes(event)
    try:
        body = json.loads(raw.decode("utf-8")) if raw.strip() else {}
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as error:
        reason = "nested too deeply" if isinstance(error, RecursionError) else str(error)
        shown = raw[:60].decode("utf-8", "replace")
        raise Refusal(
            f"body {shown!r} is not JSON ({reason}): send a JSON object, e.g. {{\"ProxyIds\": [...]}}"
        ) from None
    if is_alarm(body):
        return read_alarm(body, "alarm", settings)
    if not isinstance(body, dict):
        raise Refusal(f"body is a JSON {type(body).__name__}: expected a JSON object")
    unknown = sorted(str(key) for key in body if key not in DIRECT_FIELDS)
    if unknown:
        raise Refusal(
            f"body has unknown field(s) {', '.join(repr(k) for k in unknown[:10])}: expected a direct payload "
            f"({', '.join(sorted(DIRECT_FIELDS))}) or a Cloud Monitor alarm"
        )
    event_id = _event_id(headers, body, event, invocation)
    try:
        payload = parse_direct_payload(body, "body")
    except Refusal as refusal:
        raise EventRefusal(refusal, SOURCE, event_id) from None
    return from_payload(payload, event_id, SOURCE, "ProxyIds", settings)


def _event_id(headers: Mapping[str, str], body: dict[str, Any], event: dict[str, Any], invocation: Invocation) -> str:
    """Idempotency-Key header, else the body's EventId, else the gateway's, else the invocation's request ID."""
    key = headers.get("idempotency-key")
    if key is not None and key.strip():
        checked = check_event_id(key, "Idempotency-Key header")
        assert checked is not None
        return checked
    from_body = check_event_id(body.get("EventId"), "EventId")
    if from_body:
        return from_body
    context = event.get("requestContext")
    if isinstance(context, dict) and context.get("requestId"):
        gateway = check_event_id(context.get("requestId"), "requestContext.requestId")
        if gateway:
            return gateway
    return invocation.request_id or new_request_id()
