"""fakegaap: a moto-style fake of Tencent Cloud's GAAP API (2018-05-29), for tests and local runs.

One backend (`GaapBackend`) holds the state; two doors reach it: `mock_gaap()` in-process (through
the `responses` library) and `serve_in_thread()` / `python -m fakegaap` over HTTP. Importing this
package is cheap: `responses` and `http.server` load only when a door is opened.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .clock import ManualClock
from .exceptions import GaapError
from .mock import GaapMock, mock_gaap
from .models import GaapBackend, RecordedRequest

if TYPE_CHECKING:
    from .server import serve_in_thread

__all__ = [
    "GaapBackend",
    "GaapError",
    "GaapMock",
    "ManualClock",
    "RecordedRequest",
    "mock_gaap",
    "serve_in_thread",
]


def __getattr__(name: str) -> Any:
    if name == "serve_in_thread":
        from .server import serve_in_thread

        return serve_in_thread
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
