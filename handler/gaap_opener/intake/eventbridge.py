"""EventBridge (CloudEvents 1.0): {"specversion", "id", "type", "source", "status", "data", ...}.

A Cloud Monitor alarm in ``data`` is handled as an alarm and keeps its episode as event ID
(EventBridge gives every notice a new CloudEvent id). Any other event opens the proxies its data
names (ProxyIds/InstanceIds), else those GAAP_OPENER_ALARM_PROXY_MAP maps to "*", else the default
list, under its CloudEvent id; a CloudEvent whose status is "0" (resolved) is skipped.
"""

from __future__ import annotations

from typing import Any

from ..config import Settings
from ..errors import Refusal
from ..ids import parse_id_list
from ..models import check_event_id
from ..request import EventRefusal, OpenRequest, resolve_ids
from .alarm import is_alarm, read_alarm

SOURCE = "eventbridge"


def is_cloudevent(event: dict[str, Any]) -> bool:
    """CloudEvents carry specversion, type and data."""
    return "specversion" in event and "type" in event and "data" in event


def read(event: dict[str, Any], settings: Settings) -> OpenRequest:
    """Turn a CloudEvent into an open request (or a skipped one)."""
    data = event.get("data")
    if is_alarm(data):
        assert isinstance(data, dict)
        return read_alarm(data, SOURCE, settings)
    event_id = check_event_id(event.get("id"), "CloudEvent id")
    if event_id is None:
        raise Refusal("EventBridge event: id is missing: a CloudEvent must carry its id")
    status = event.get("status")
    if status is not None and str(status).strip() == "0":
        return OpenRequest(event_id=event_id, source=SOURCE, proxy_ids=(),
                           skip_reason="CloudEvent status is 0 (resolved): nothing to open")
    try:
        named: list[str] = []
        if isinstance(data, dict):
            named = parse_id_list(data.get("ProxyIds"), "data.ProxyIds") + parse_id_list(
                data.get("InstanceIds"), "data.InstanceIds"
            )
        if not named:
            named = list(settings.alarm_proxy_map.get("*", ()))
        ids = resolve_ids(named, "data.ProxyIds", settings)
    except Refusal as refusal:
        raise EventRefusal(refusal, SOURCE, event_id) from None
    return OpenRequest(event_id=event_id, source=SOURCE, proxy_ids=ids, dry_run=settings.dry_run)
