"""Intake: recognise which trigger sent an event and turn it into an OpenRequest.

One small module per trigger kind; each turns its raw shape into the same OpenRequest, or raises
an EventRefusal that names the offending value and the rule. Modules load only when their kind
of event arrives.
"""

from __future__ import annotations

from typing import Any

from ..config import Settings
from ..context import Invocation
from ..errors import Refusal
from ..models import DIRECT_FIELDS
from ..request import EventRefusal, OpenRequest

SHAPES = (
    "a direct payload (fields EventId, InstanceIds, ProxyIds, DryRun, WaitSeconds, CallbackUrl), "
    "a timer event (Type 'Timer'), an HTTP event (httpMethod, headers, body), "
    "a Cloud Monitor alarm (alarmStatus, alarmPolicyInfo) or a CloudEvent (specversion, type, data)"
)


def identify(event: object) -> str:
    """Name the kind of trigger by the event's shape: timer, http, alarm, eventbridge, direct or unknown."""
    if not isinstance(event, dict):
        return "unknown"
    if event.get("Type") == "Timer":
        return "timer"
    if "httpMethod" in event or "requestContext" in event or ("headers" in event and "body" in event):
        return "http"
    if "alarmStatus" in event and "alarmPolicyInfo" in event:
        return "alarm"
    if "specversion" in event and "type" in event and "data" in event:
        return "eventbridge"
    if set(event) <= DIRECT_FIELDS:
        return "direct"
    return "unknown"


def read_event(event: Any, invocation: Invocation, settings: Settings) -> OpenRequest:
    """Turn a raw event into an OpenRequest, or raise EventRefusal naming what is wrong."""
    kind = identify(event)
    try:
        if kind == "timer":
            from . import timer

            return timer.read(event, invocation, settings)
        if kind == "http":
            from . import http

            return http.read(event, invocation, settings)
        if kind == "alarm":
            from .alarm import read_alarm

            return read_alarm(event, "alarm", settings)
        if kind == "eventbridge":
            from . import eventbridge

            return eventbridge.read(event, settings)
        if kind == "direct":
            from . import direct

            return direct.read(event, invocation, settings)
        raise Refusal(describe_unknown(event))
    except EventRefusal:
        raise
    except Refusal as refusal:
        raise EventRefusal(refusal, kind, None) from None


def describe_unknown(event: object) -> str:
    """Explain why an event's shape is not one gaap-opener accepts."""
    if not isinstance(event, dict):
        kind = "null" if event is None else type(event).__name__
        return f"unknown event shape: the event is a {kind}, expected a JSON object: {SHAPES}"
    unknown = sorted(str(key) for key in event if key not in DIRECT_FIELDS)
    shown = ", ".join(repr(key) for key in unknown[:10]) + (" ..." if len(unknown) > 10 else "")
    return f"unknown event shape: unexpected field(s) {shown}; expected {SHAPES}"
