"""Direct invocation: the event is the payload itself (SCF Invoke API, console test, tccli)."""

from __future__ import annotations

from typing import Any

from ..config import Settings
from ..context import Invocation, new_request_id
from ..models import parse_direct_payload
from ..request import OpenRequest, from_payload


def read(event: dict[str, Any], invocation: Invocation, settings: Settings) -> OpenRequest:
    """EventId if given, else the invocation's request ID, is the event ID."""
    payload = parse_direct_payload(event)
    event_id = payload.EventId or invocation.request_id or new_request_id()
    return from_payload(payload, event_id, "direct", "ProxyIds", settings)
