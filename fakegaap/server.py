"""The HTTP door: a threaded HTTP server answering like GAAP from a `GaapBackend`.
Point the SDK at it with `HttpProfile(endpoint="http://127.0.0.1:<port>")`."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from .exceptions import invalid_parameter
from .models import GaapBackend
from .responses import GaapResponder, Reply

MAX_BODY_BYTES = 10 * 1024 * 1024


class GaapHTTPServer(ThreadingHTTPServer):
    """A ThreadingHTTPServer with the responder its handlers answer from."""

    daemon_threads = True

    def __init__(self, address: tuple[str, int], responder: GaapResponder) -> None:
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        self.responder = responder
        super().__init__(address, _GaapRequestHandler)

    @property
    def base_url(self) -> str:
        """`http://host:port`, with a wildcard bind address replaced by loopback."""
        host, port = self.server_address[:2]
        host = {"0.0.0.0": "127.0.0.1", "::": "::1", "": "127.0.0.1"}.get(str(host), str(host))
        return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


class _GaapRequestHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # One write per answer, sent at once: without these, Nagle and delayed ACKs cost ~40 ms a request.
    disable_nagle_algorithm = True
    wbufsize = 64 * 1024
    server: GaapHTTPServer

    def do_POST(self) -> None:
        self._serve()

    def do_GET(self) -> None:
        self._serve()

    def _serve(self) -> None:
        length_header = self.headers.get("Content-Length", "0").strip()
        length = int(length_header) if length_header.isascii() and length_header.isdigit() else -1
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower() or not 0 <= length <= MAX_BODY_BYTES:
            self.close_connection = True
            error = invalid_parameter("body", f"send a Content-Length body of at most {MAX_BODY_BYTES} bytes")
            self._send(self.server.responder.refuse(dict(self.headers.items()), error))
            return
        body = self.rfile.read(length)
        reply = self.server.responder.handle(self.command, self.path, dict(self.headers.items()), body)
        if reply.delay:
            time.sleep(reply.delay)
        if reply.body is None:
            # An injected network fault: close the connection without a byte of answer.
            self.close_connection = True
            return
        self._send(reply)

    def _send(self, reply: Reply) -> None:
        assert reply.body is not None
        try:
            self.send_response(reply.status)
            for name, value in reply.headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(reply.body)))
            self.end_headers()
            self.wfile.write(reply.body)
            self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):  # the client gave up (a timeout): nothing to do
            self.close_connection = True

    def log_message(self, format: str, *args: object) -> None:
        """Silent: the responder logs one line per request to the `fakegaap` logger."""


def make_server(
    backend: GaapBackend,
    host: str = "127.0.0.1",
    port: int = 0,
    credentials: Mapping[str, str] | None = None,
) -> GaapHTTPServer:
    """A bound, not yet serving, server (port 0: any free port; see `base_url`)."""
    return GaapHTTPServer((host, port), GaapResponder(backend, credentials))


@contextlib.contextmanager
def serve_in_thread(
    backend: GaapBackend,
    host: str = "127.0.0.1",
    port: int = 0,
    credentials: Mapping[str, str] | None = None,
) -> Iterator[str]:
    """Serve `backend` over HTTP in a background thread; yields the base URL `http://127.0.0.1:<port>`.
    `credentials` (SecretId to SecretKey) turns on signature checks."""
    server = make_server(backend, host, port, credentials)
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.01}, name="fakegaap-server", daemon=True
    )
    thread.start()
    try:
        yield server.base_url
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def serve(
    backend: GaapBackend,
    host: str = "127.0.0.1",
    port: int = 0,
    credentials: Mapping[str, str] | None = None,
    on_ready: Callable[[str], None] | None = None,
) -> None:
    """Serve `backend` over HTTP until KeyboardInterrupt; `on_ready` gets the base URL once bound."""
    server = make_server(backend, host, port, credentials)
    try:
        if on_ready is not None:
            on_ready(server.base_url)
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
