"""Direct invocation: the event is the payload itself (SCF Invoke API, console test, tccli)."""

from __future__ import annotations

from typing import Any

from ..config import Settings
from ..context import Invocation, new_request_id
from ..errors import Refusal
from ..models import parse_direct_payload
from ..request import EventRefusal, OpenRequest, resolve_ids


def read(event: dict[str, Any], invocation: Invocation, settings: Settings) -> OpenRequest:
    """EventId if given, else the invocation's request ID, is the event ID."""
    payload = parse_direct_payload(event)
    event_id = payload.EventId or invocation.request_id or new_request_id()
    try:
        ids = resolve_ids(payload.proxy_ids, "ProxyIds", settings)
    except Refusal as refusal:
        raise EventRefusal(refusal, "direct", event_id) from None
    return OpenRequest(
        event_id=event_id,
        source="direct",
        proxy_ids=ids,
        dry_run=settings.dry_run or bool(payload.DryRun),
        wait_seconds=payload.WaitSeconds,
        callback_url=payload.CallbackUrl,
    )
