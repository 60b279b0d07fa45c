"""Timer trigger: {"Type": "Timer", "TriggerName", "Time", "Message"}; one firing is one event."""

from __future__ import annotations

import json
import logging
from typing import Any

from ..config import Settings
from ..context import Invocation
from ..errors import Refusal
from ..models import DirectPayload, check_event_id, parse_direct_payload
from ..request import EventRefusal, OpenRequest, from_payload

log = logging.getLogger("gaap_opener")


def read(event: dict[str, Any], invocation: Invocation, settings: Settings) -> OpenRequest:
    """The event ID is always trigger name + scheduled time, so redeliveries of a firing match."""
    name = event.get("TriggerName")
    fired = event.get("Time")
    if not isinstance(name, str) or not name.strip():
        raise Refusal(f"timer event: TriggerName is {name!r:.80}: a timer event must name its trigger")
    if isinstance(fired, bool) or not isinstance(fired, (str, int, float)) or not str(fired).strip():
        raise Refusal(f"timer event: Time is {fired!r:.80}: a timer event must carry its scheduled time")
    event_id = check_event_id(f"timer:{name.strip()}:{str(fired).strip()}", "TriggerName and Time")
    assert event_id is not None
    try:
        payload = _message_payload(event.get("Message"))
    except Refusal as refusal:
        raise EventRefusal(refusal, "timer", event_id) from None
    if payload.EventId is not None:
        log.warning(
            "timer Message names EventId %r: ignored, a timer's event ID is its trigger name and time",
            payload.EventId,
        )
    return from_payload(payload, event_id, "timer", "Message", settings)


def _message_payload(message: object) -> DirectPayload:
    """Message is a direct-payload JSON object, a JSON list, or IDs separated by commas/whitespace."""
    if message is None:
        return DirectPayload()
    if not isinstance(message, str):
        raise Refusal(f"timer Message is {message!r:.80}: expected a string")
    text = message.strip()
    if text.startswith(("{", "[")):
        try:
            data = json.loads(text)
        except (json.JSONDecodeError, RecursionError) as exc:
            reason = exc.msg if isinstance(exc, json.JSONDecodeError) else "nested too deeply"
            raise Refusal(f"timer Message {text!r:.80} is not valid JSON: {reason}") from None
        if isinstance(data, list):
            data = {"ProxyIds": data}
        if not isinstance(data, dict):
            raise Refusal(f"timer Message {text!r:.80}: expected a JSON object or list")
        return parse_direct_payload(data, "timer Message")
    return parse_direct_payload({"ProxyIds": text}, "timer Message")
