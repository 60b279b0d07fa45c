"""From a request as received (method, path, headers, raw body) to a call on the backend and GAAP's
answer. Both doors (the in-process mock and the HTTP server) go through `GaapResponder.handle`.

Named after moto's `responses.py`; it has nothing to do with the `responses` library."""

from __future__ import annotations

import dataclasses
import http
import json
import logging
import re
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from . import signing
from .exceptions import (
    GaapError,
    invalid_action,
    invalid_parameter,
    invalid_parameter_value,
    missing_parameter,
    unknown_parameter,
)
from .models import Fault, GaapBackend, RecordedRequest

API_VERSION = "2018-05-29"
# Exactly this: the SDK parses an error body only when Content-Type is exactly application/json.
JSON_CONTENT_TYPE = "application/json"
DUPLICATED_REQUEST = "FailedOperation.DuplicatedRequest"

logger = logging.getLogger("fakegaap")


@dataclass(frozen=True)
class Reply:
    """What a door sends: `body` None means no answer at all (drop the connection)."""

    status: int
    headers: dict[str, str]
    body: bytes | None
    delay: float = 0.0


Params = dict[str, Any]
_Action = Callable[[GaapBackend, Params], dict[str, Any]]


def _ids(params: Params) -> list[str]:
    """ProxyIds and the legacy InstanceIds, together."""
    ids: list[str] = []
    for name in ("ProxyIds", "InstanceIds"):
        value = params.get(name)
        if value is None:
            continue
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            raise invalid_parameter(name, "expected a list of strings")
        ids.extend(value)
    return ids


def _optional(params: Params, name: str, kind: type) -> Any:
    value = params.get(name)
    # bool is an int to Python, not to GAAP.
    if value is not None and (not isinstance(value, kind) or isinstance(value, bool)):
        raise invalid_parameter(name, f"expected {'an integer' if kind is int else 'a string'}")
    return value


def _open_proxies(backend: GaapBackend, params: Params) -> dict[str, Any]:
    return backend.open_proxies(_ids(params), _optional(params, "ClientToken", str))


def _close_proxies(backend: GaapBackend, params: Params) -> dict[str, Any]:
    return backend.close_proxies(_ids(params), _optional(params, "ClientToken", str))


def _describe_proxies_status(backend: GaapBackend, params: Params) -> dict[str, Any]:
    return backend.describe_proxies_status(_ids(params))


def _describe_proxies(backend: GaapBackend, params: Params) -> dict[str, Any]:
    for name in ("Filters", "TagSet"):
        if params.get(name):
            raise GaapError("UnsupportedOperation", f"fakegaap does not implement DescribeProxies {name}.")
    return backend.describe_proxies(
        _ids(params),
        offset=_optional(params, "Offset", int) or 0,
        limit=_optional(params, "Limit", int),
        independent=_optional(params, "Independent", int),
        order=_optional(params, "Order", str) or "desc",
        order_field=_optional(params, "OrderField", str) or "create_time",
    )


# Each action, with the parameters the SDK's request model can send.
ACTIONS: dict[str, tuple[_Action, frozenset[str]]] = {
    "OpenProxies": (_open_proxies, frozenset({"ProxyIds", "InstanceIds", "ClientToken"})),
    "CloseProxies": (_close_proxies, frozenset({"ProxyIds", "InstanceIds", "ClientToken"})),
    "DescribeProxiesStatus": (_describe_proxies_status, frozenset({"ProxyIds", "InstanceIds"})),
    "DescribeProxies": (
        _describe_proxies,
        frozenset(
            {"ProxyIds", "InstanceIds", "Offset", "Limit", "Filters", "TagSet", "Independent", "Order", "OrderField"}
        ),
    ),
}

_SIGNATURE = re.compile(r"(Signature=)[^\s,]*")
_CREDENTIAL = re.compile(r"Credential=([^/\s,]+)/")


class GaapResponder:
    """Answers requests like GAAP, from one backend. `credentials` (SecretId to SecretKey) turns on
    signature checks; None accepts any credentials. `wall_clock` is Unix time, for signature expiry."""

    def __init__(
        self,
        backend: GaapBackend,
        credentials: Mapping[str, str] | None = None,
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        self.backend = backend
        self.credentials = dict(credentials) if credentials is not None else None
        self.wall_clock = wall_clock

    def handle(self, method: str, path: str, headers: Mapping[str, str], body: bytes) -> Reply:
        """Log the request, apply any injected fault, otherwise answer as GAAP would."""
        lower = {name.lower(): value for name, value in headers.items()}
        action = lower.get("x-tc-action", "")
        params, decode_error = _decode(body)
        claimed = _CREDENTIAL.search(lower.get("authorization", ""))
        record = self.backend.record_request(
            action, params, _redacted(headers), secret_id=claimed[1] if claimed else None
        )
        fault = self.backend.take_fault(action)
        if fault is None:
            return _finish(record, _json_reply(self._answer(record, method, path, lower, body, params, decode_error)))
        record.fault = fault.kind
        if fault.kind == "delay":
            reply = _json_reply(self._answer(record, method, path, lower, body, params, decode_error))
        else:
            if fault.after:  # carried out, but its answer is lost
                self._answer(record, method, path, lower, body, params, decode_error)
            reply = _fault_reply(fault)
        return _finish(record, dataclasses.replace(reply, delay=fault.delay))

    def refuse(self, headers: Mapping[str, str], error: GaapError) -> Reply:
        """Log and answer a request the door would not read (a body too big, say)."""
        action = {name.lower(): value for name, value in headers.items()}.get("x-tc-action", "")
        record = self.backend.record_request(action, {}, _redacted(headers))
        return _finish(record, _json_reply(_error(error.code, error.message)))

    def _answer(
        self,
        record: RecordedRequest,
        method: str,
        path: str,
        lower: Mapping[str, str],
        body: bytes,
        params: Params,
        decode_error: str | None,
    ) -> dict[str, Any]:
        request_id = str(uuid.uuid4())
        try:
            if self.credentials is not None:
                signing.verify(
                    method=method,
                    path=path,
                    headers=lower,
                    body=body,
                    credentials=self.credentials,
                    now=self.wall_clock(),
                )
            result = self._dispatch(method, record.action, lower, params, decode_error)
        except GaapError as error:
            record.duplicate = error.code == DUPLICATED_REQUEST
            return _error(error.code, error.message, request_id)
        record.accepted = True
        return {**result, "RequestId": request_id}

    def _dispatch(
        self, method: str, action: str, lower: Mapping[str, str], params: Params, decode_error: str | None
    ) -> dict[str, Any]:
        if method != "POST":
            raise GaapError("UnsupportedOperation", "fakegaap accepts only POST requests with a JSON body.")
        if not action:
            raise missing_parameter("Action")
        if action not in ACTIONS:
            raise invalid_action(action)
        version = lower.get("x-tc-version")
        if not version:
            raise missing_parameter("Version")
        if version != API_VERSION:
            raise invalid_parameter_value("Version", f"GAAP's API version is {API_VERSION}")
        self.backend.admit_request()
        if decode_error is not None:
            raise invalid_parameter("body", decode_error)
        run, known = ACTIONS[action]
        for name in params:
            if name not in known:
                raise unknown_parameter(name)
        return run(self.backend, {k: v for k, v in params.items() if v is not None})


def _decode(body: bytes) -> tuple[Params, str | None]:
    """The JSON body as params, or ({}, why not)."""
    if not body.strip():
        return {}, None
    try:
        value = json.loads(body)
    except (ValueError, RecursionError):
        return {}, "the body is not valid JSON"
    if not isinstance(value, dict):
        return {}, "the body must be a JSON object"
    return value, None


def _error(code: str, message: str, request_id: str | None = None) -> dict[str, Any]:
    return {"Error": {"Code": code, "Message": message}, "RequestId": request_id or str(uuid.uuid4())}


def _finish(record: RecordedRequest, reply: Reply) -> Reply:
    """Note in the log what was answered, and log one line (no headers, no secrets)."""
    record.status_code = reply.status if reply.body is not None else None
    if reply.body is not None and reply.headers.get("Content-Type") == JSON_CONTENT_TYPE:
        record.response = json.loads(reply.body)
    logger.info(
        "%s -> %s%s%s",
        record.action or "(no action)",
        record.status_code or "no answer",
        f" {record.error_code}" if record.error_code else "",
        f" (injected {record.fault})" if record.fault else "",
    )
    return reply


def _json_reply(answer: dict[str, Any], status: int = 200) -> Reply:
    body = json.dumps({"Response": answer}).encode()
    return Reply(status, {"Content-Type": JSON_CONTENT_TYPE}, body)


def _fault_reply(fault: Fault) -> Reply:
    if fault.network:
        return Reply(0, {}, None)
    if fault.code is not None:
        message = fault.message or f"An injected {fault.code} error (fakegaap)."
        return _json_reply(_error(fault.code, message), fault.http_status or 200)
    status = fault.http_status or 500
    phrase = _phrase(status)
    text = fault.message or phrase
    page = f"<html><head><title>{status} {phrase}</title></head><body><h1>{text}</h1></body></html>\n"
    return Reply(status, {"Content-Type": "text/html; charset=utf-8"}, page.encode())


def _phrase(status: int) -> str:
    try:
        return http.HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def _redacted(headers: Mapping[str, str]) -> dict[str, str]:
    """The headers for the request log, with the signature masked."""
    return {
        name: _SIGNATURE.sub(r"\1***", value) if name.lower() == "authorization" else value
        for name, value in headers.items()
    }
