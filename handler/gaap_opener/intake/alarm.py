"""Cloud Monitor alarm callbacks: as the event itself, as an HTTP body, or as EventBridge data.

Every notice of one alarm episode (same policy, same alarm object, same firstOccurTime; sessionId,
durationTime and the like may differ) maps to one event ID, so a re-notification never opens twice.
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

from ..config import Settings
from ..errors import Refusal
from ..request import EventRefusal, OpenRequest, resolve_ids

_UNSAFE = re.compile(r"[^A-Za-z0-9_.:-]+")


def is_alarm(data: object) -> bool:
    """A Cloud Monitor alarm notice carries alarmStatus and alarmPolicyInfo."""
    return isinstance(data, dict) and "alarmStatus" in data and "alarmPolicyInfo" in data


def is_firing(status: object) -> bool:
    """alarmStatus 1 (number or string) is firing; 0 and anything else is not."""
    if isinstance(status, bool):
        return False
    if isinstance(status, (int, float)):
        return status == 1
    return isinstance(status, str) and status.strip() in ("1", "1.0")


def _canonical(value: object) -> object:
    """Numbers and strings compare equal ("123" == 123): alarm fields arrive either way."""
    if isinstance(value, dict):
        return {str(k): _canonical(v) for k, v in sorted(value.items(), key=lambda kv: str(kv[0]))}
    if isinstance(value, list):
        return [_canonical(v) for v in value]
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _text(value: object) -> str:
    return "" if value is None or isinstance(value, (dict, list)) else str(_canonical(value))


def policy_id(alarm: dict[str, Any]) -> str:
    """The alarm's policy ID as a string ("" when absent)."""
    info = alarm.get("alarmPolicyInfo")
    return _text(info.get("policyId")) if isinstance(info, dict) else ""


def episode_id(alarm: dict[str, Any]) -> str | None:
    """alarm:<policy>:<firstOccurTime>:<hash of policy, alarm object and first occurrence>, or None."""
    policy = policy_id(alarm)
    first = _text(alarm.get("firstOccurTime"))
    if not policy or not first:
        return None
    material = json.dumps([policy, _canonical(alarm.get("alarmObjInfo") or {}), first], sort_keys=True)
    digest = hashlib.sha256(material.encode("utf-8")).hexdigest()[:16]
    readable_policy = _UNSAFE.sub("_", policy)[:40]
    readable_time = _UNSAFE.sub("T", first)[:32]
    return f"alarm:{readable_policy}:{readable_time}:{digest}"


def read_alarm(alarm: dict[str, Any], source: str, settings: Settings) -> OpenRequest:
    """Open the proxies mapped to a firing alarm's policy; a non-firing alarm is skipped."""
    event_id = episode_id(alarm)
    if not is_firing(alarm.get("alarmStatus")):
        return OpenRequest(
            event_id=event_id or "",
            source=source,
            proxy_ids=(),
            skip_reason=f"alarmStatus is {alarm.get('alarmStatus')!r:.40}: only a firing alarm (1) opens proxies",
        )
    try:
        if not isinstance(alarm.get("alarmPolicyInfo"), dict) or not policy_id(alarm):
            raise Refusal("alarm: alarmPolicyInfo.policyId is missing: a firing alarm must name its policy")
        if event_id is None:
            raise Refusal(
                f"alarm: firstOccurTime is {alarm.get('firstOccurTime')!r:.40}: a firing alarm must say when "
                "its episode began (it identifies the episode across re-notifications)"
            )
        mapping = settings.alarm_proxy_map
        policy = policy_id(alarm)
        named = mapping.get(policy) or mapping.get("*") or ()
        where = f"GAAP_OPENER_ALARM_PROXY_MAP[{policy!r}]" if policy in mapping else "alarm"
        if not named and not settings.proxy_ids:
            raise Refusal(
                f"alarm policy {policy!r}: no proxy IDs: GAAP_OPENER_ALARM_PROXY_MAP has neither {policy!r} "
                "nor '*', and GAAP_OPENER_PROXY_IDS (the default list) is empty"
            )
        ids = resolve_ids(named, where, settings)
    except Refusal as refusal:
        raise EventRefusal(refusal, source, event_id) from None
    return OpenRequest(event_id=event_id, source=source, proxy_ids=ids, dry_run=settings.dry_run)
