"""Intake: recognise which trigger sent an event and turn it into an OpenRequest.

One small module per trigger kind, each exposing ``read(event, invocation, settings)``.
"""

from __future__ import annotations

from typing import Any

from ..config import Settings
from ..context import Invocation
from ..errors import Refusal
from ..models import DIRECT_FIELDS
from ..request import EventRefusal, OpenRequest


def identify(event: object) -> str:
    """Name the source of an event by its shape: timer, direct, or unknown."""
    if not isinstance(event, dict):
        return "unknown"
    if event.get("Type") == "Timer":
        return "timer"
    if set(event) <= DIRECT_FIELDS:
        return "direct"
    return "unknown"


def read_event(event: Any, invocation: Invocation, settings: Settings) -> OpenRequest:
    """Turn a raw event into an OpenRequest, or raise EventRefusal naming what is wrong."""
    source = identify(event)
    try:
        if source == "timer":
            from . import timer

            return timer.read(event, invocation, settings)
        if source == "direct":
            from . import direct

            return direct.read(event, invocation, settings)
        raise Refusal(describe_unknown(event))
    except EventRefusal:
        raise
    except Refusal as refusal:
        raise EventRefusal(refusal, source, None) from None


def describe_unknown(event: object) -> str:
    """Explain why an event's shape is not one gaap-opener accepts."""
    if not isinstance(event, dict):
        kind = "null" if event is None else type(event).__name__
        return f"unknown event shape: the event is a {kind}, expected a JSON object"
    unknown = sorted(str(key) for key in event if key not in DIRECT_FIELDS)
    shown = ", ".join(repr(key) for key in unknown[:10]) + (" ..." if len(unknown) > 10 else "")
    return (
        f"unknown event shape: unexpected field(s) {shown}; expected a direct payload "
        f"(fields {', '.join(sorted(DIRECT_FIELDS))}) or a timer event (Type 'Timer')"
    )
