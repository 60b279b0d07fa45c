"""The in-process door: `mock_gaap()` answers the SDK's calls to GAAP's host from a `GaapBackend`,
through the `responses` library; every other HTTP request goes to the real network untouched."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Mapping
from types import TracebackType
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from .models import Fault, GaapBackend, RecordedRequest
from .responses import GaapResponder
from .urls import GAAP_URL, NOT_GAAP_URL

if TYPE_CHECKING:
    import responses
    from requests import PreparedRequest


class GaapMock(contextlib.ContextDecorator):
    """An active (inside `with`) or idle interception of GAAP's host, with its backend.
    The backend's test API is repeated here; `backend` is the backend itself."""

    def __init__(self, backend: GaapBackend, credentials: Mapping[str, str] | None = None) -> None:
        self.backend = backend
        self.responder = GaapResponder(backend, credentials)
        self._mock: responses.RequestsMock | None = None

    # -- starting and stopping ----------------------------------------------------------------------

    def start(self) -> None:
        """Begin intercepting (imports `responses` now, not when fakegaap is imported)."""
        import responses

        if self._mock is not None:
            raise RuntimeError("this mock_gaap is already active")
        mock = responses.RequestsMock(assert_all_requests_are_fired=False)
        mock.add_callback("POST", GAAP_URL, callback=self._callback, content_type=None)
        mock.add_passthru(NOT_GAAP_URL)
        mock.start()
        self._mock = mock

    def stop(self) -> None:
        """Stop intercepting; the backend keeps its state."""
        mock, self._mock = self._mock, None
        if mock is not None:
            try:
                mock.stop(allow_assert=False)
            finally:
                mock.reset()

    def __enter__(self) -> GaapMock:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    def _callback(self, request: PreparedRequest) -> tuple[int, dict[str, str], bytes]:
        import requests

        body = request.body or b""
        if isinstance(body, str):
            body = body.encode("utf-8")
        url = urlsplit(request.url or "")
        path = (url.path or "/") + (f"?{url.query}" if url.query else "")
        headers = dict(request.headers)
        if not any(name.lower() == "host" for name in headers):
            headers["Host"] = url.netloc  # what urllib3 would send
        reply = self.responder.handle(request.method or "", path, headers, body)
        if reply.delay:
            time.sleep(reply.delay)
        if reply.body is None:
            raise requests.exceptions.ConnectionError(
                "fakegaap: connection dropped without an answer (injected network fault)"
            )
        return reply.status, reply.headers, reply.body

    # -- the backend's test API ---------------------------------------------------------------------

    def add_proxy(
        self,
        proxy_id: str,
        status: str = "CLOSED",
        *,
        open_fails: bool = False,
        close_fails: bool = False,
        name: str | None = None,
    ) -> None:
        """See `GaapBackend.add_proxy`."""
        self.backend.add_proxy(proxy_id, status, open_fails=open_fails, close_fails=close_fails, name=name)

    def set_status(self, proxy_id: str, status: str) -> None:
        """See `GaapBackend.set_status`."""
        self.backend.set_status(proxy_id, status)

    def status(self, proxy_id: str) -> str:
        """The proxy's status now."""
        return self.backend.status(proxy_id)

    def statuses(self) -> dict[str, str]:
        """Every proxy's status now."""
        return self.backend.statuses()

    def fail_next(
        self,
        action: str,
        code: str | None = None,
        message: str | None = None,
        times: int = 1,
        network: bool = False,
        http_status: int | None = None,
        delay: float = 0.0,
        after: bool = False,
    ) -> None:
        """See `GaapBackend.fail_next`."""
        self.backend.fail_next(action, code, message, times, network, http_status, delay, after)

    @property
    def requests(self) -> list[RecordedRequest]:
        """Every request seen, in arrival order."""
        return self.backend.requests

    def calls(self, action: str) -> list[RecordedRequest]:
        """The requests for one action, in arrival order."""
        return self.backend.calls(action)

    @property
    def client_tokens(self) -> frozenset[str]:
        """The ClientTokens of every accepted OpenProxies/CloseProxies call."""
        return self.backend.client_tokens

    @property
    def pending_faults(self) -> list[Fault]:
        """Injected faults not yet consumed."""
        return self.backend.pending_faults


def mock_gaap(
    *,
    opening_seconds: float = 0.0,
    closing_seconds: float | None = None,
    rate_limit: int | None = 20,
    max_ids_per_call: int | None = None,
    clock: Callable[[], float] = time.monotonic,
    secret_id: str | None = None,
    secret_key: str | None = None,
    credentials: Mapping[str, str] | None = None,
    backend: GaapBackend | None = None,
) -> GaapMock:
    """A fake GAAP in this process: `with mock_gaap() as gaap:` (or as a decorator).

    Any credentials are accepted unless `secret_id`/`secret_key` (or `credentials`, SecretId to
    SecretKey) are given; then signatures are checked. `backend` shares an existing backend (the
    other backend arguments are then unused).
    """
    if (secret_id is None) != (secret_key is None):
        raise ValueError("give both secret_id and secret_key, or neither")
    keys = None if credentials is None else dict(credentials)
    if secret_id is not None and secret_key is not None:
        keys = {**(keys or {}), secret_id: secret_key}
    if backend is None:
        backend = GaapBackend(
            opening_seconds=opening_seconds,
            closing_seconds=closing_seconds,
            rate_limit=rate_limit,
            max_ids_per_call=max_ids_per_call,
            clock=clock,
        )
    return GaapMock(backend, keys)
