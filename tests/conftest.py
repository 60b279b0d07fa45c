"""Shared fixtures: fake credentials, the in-process fake GAAP, and a way to invoke the handler."""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Mapping
from typing import Any

import pytest

# Recognisable fakes: no test ever holds a real credential.
FAKE_ENV = {
    "TENCENTCLOUD_SECRETID": "AKIDfakeTestSecretId0000",
    "TENCENTCLOUD_SECRETKEY": "fakeTestSecretKey0000",
    "TENCENTCLOUD_SESSIONTOKEN": "fakeTestSessionToken0000",
    "SCF_FUNCTIONNAME": "gaap-opener-test",
}


def scf_context(request_id: str | None = None, time_limit_ms: int = 30000) -> dict[str, Any]:
    """A context dict as SCF passes it."""
    return {
        "request_id": request_id or str(uuid.uuid4()),
        "function_name": "gaap-opener-test",
        "function_version": "$LATEST",
        "namespace": "default",
        "memory_limit_in_mb": 128,
        "time_limit_in_ms": time_limit_ms,
    }


def invoke(event: Any, env: Mapping[str, str] | None = None, context: Any = None, **kwargs: Any) -> dict[str, Any]:
    """Invoke the handler with the fake credentials plus ``env``, against whatever fake is active."""
    from gaap_opener.app import handle

    return handle(event, context if context is not None else scf_context(),
                  environ={**FAKE_ENV, **(env or {})}, **kwargs)


@pytest.fixture
def gaap() -> Iterator[Any]:
    """The in-process fake GAAP (fakegaap through `responses`), rate limit on, opening instantly."""
    from fakegaap import mock_gaap

    with mock_gaap() as fake:
        yield fake


def open_calls(fake: Any) -> list[Any]:
    """The OpenProxies requests the fake saw."""
    return [r for r in fake.requests if r.action == "OpenProxies"]


class Receiver:
    """A callback receiver on loopback: records every POST and answers from a script of statuses."""

    def __init__(self) -> None:
        import threading

        self.received: list[dict[str, Any]] = []
        self.statuses: list[int] = []  # answered in order; 200 once the script runs out
        self.lock = threading.Lock()
        self.url = ""

    def answer_next(self, *statuses: int) -> None:
        self.statuses.extend(statuses)

    def bodies(self) -> list[dict[str, Any]]:
        import json

        return [json.loads(r["body"]) for r in self.received]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    """A real HTTP server on 127.0.0.1 that the function's callbacks reach through the network stack."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    sink = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length).decode("utf-8")
            with sink.lock:
                sink.received.append({"path": self.path, "headers": dict(self.headers.items()), "body": body})
                status = sink.statuses.pop(0) if sink.statuses else 200
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:  # quiet
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    sink.url = f"http://127.0.0.1:{server.server_address[1]}/hook"
    try:
        yield sink
    finally:
        server.shutdown()
        server.server_close()
