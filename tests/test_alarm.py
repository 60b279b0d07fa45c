"""Cloud Monitor alarms (direct and via EventBridge): firing opens, episodes dedupe, fields in any type."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from conftest import invoke, open_calls

ROOT = Path(__file__).resolve().parents[1]
A, B, C = "link-aaaaaaaa", "link-bbbbbbbb", "link-cccccccc"
MAP = {"GAAP_OPENER_ALARM_PROXY_MAP": json.dumps({"policy-n4exeh88": [B], "*": [C]})}


def sample(name: str) -> dict[str, Any]:
    return json.loads((ROOT / "events" / name).read_text())


@pytest.mark.parametrize("name", ["alarm-metric.json", "alarm-event.json"])
def test_firing_alarm_opens_the_proxies_mapped_to_its_policy(gaap: Any, name: str) -> None:
    gaap.add_proxy(B, status="CLOSED")
    result = invoke(sample(name), env=MAP)
    assert result["status"] == "succeeded" and result["source"] == "alarm" and result["opened"] == [B]
    assert result["event_id"].startswith("alarm:policy-n4exeh88:")


def test_unmapped_policy_uses_star_then_the_default_list(gaap: Any) -> None:
    gaap.add_proxy(C, status="CLOSED")
    gaap.add_proxy(A, status="CLOSED")
    alarm = sample("alarm-metric.json")
    alarm["alarmPolicyInfo"]["policyId"] = "policy-other000"
    assert invoke(alarm, env=MAP)["opened"] == [C]
    alarm["firstOccurTime"] = "2026-11-28 09:00:00"
    assert invoke(alarm, env={"GAAP_OPENER_PROXY_IDS": A})["opened"] == [A]


def test_no_mapping_and_no_default_is_refused_naming_the_policy(gaap: Any) -> None:
    result = invoke(sample("alarm-metric.json"))
    assert result["status"] == "rejected" and "'policy-n4exeh88'" in result["error"]["message"]
    assert gaap.requests == []


@pytest.mark.parametrize("status", [0, "0", 2, None, "resolved"])
def test_non_firing_alarm_is_skipped_and_calls_nothing(gaap: Any, status: Any) -> None:
    alarm = sample("alarm-metric.json")
    alarm["alarmStatus"] = status
    del alarm["firstOccurTime"]  # whatever else it lacks
    result = invoke(alarm, env=MAP)
    assert result["status"] == "skipped" and result["source"] == "alarm" and result["error"] is None
    assert gaap.requests == []


def test_renotification_of_one_episode_opens_once(gaap: Any) -> None:
    gaap.add_proxy(B, status="CLOSED")
    first = sample("alarm-metric.json")
    again = copy.deepcopy(first)
    # A later notice: new session, longer duration, numbers as strings and strings as numbers.
    again.update(sessionId="another-session", durationTime="420", alarmStatus="1")
    again["alarmObjInfo"]["appId"] = 1250000000
    results = [invoke(first, env=MAP), invoke(again, env=MAP)]
    assert [r["status"] for r in results] == ["succeeded", "succeeded"]
    assert results[0]["event_id"] == results[1]["event_id"]
    calls = open_calls(gaap)
    assert len({c.client_token for c in calls}) == 1
    assert sum("Error" not in c.response["Response"] for c in calls) == 1


def test_a_new_episode_is_a_new_event(gaap: Any) -> None:
    first = sample("alarm-metric.json")
    later = copy.deepcopy(first)
    later["firstOccurTime"] = "2026-11-29 07:58:00"
    other_object = copy.deepcopy(first)
    other_object["alarmObjInfo"]["dimensions"]["unInstanceId"] = "ins-different"
    from gaap_opener.intake.alarm import episode_id

    assert len({episode_id(first), episode_id(later), episode_id(other_object)}) == 3


def test_firing_alarm_without_first_occurrence_is_refused(gaap: Any) -> None:
    alarm = sample("alarm-metric.json")
    del alarm["firstOccurTime"]
    result = invoke(alarm, env=MAP)
    assert result["status"] == "rejected" and "firstOccurTime" in result["error"]["message"]
    assert gaap.requests == []


def test_eventbridge_alarm_keeps_its_episode_across_cloudevent_ids(gaap: Any) -> None:
    gaap.add_proxy(B, status="CLOSED")
    first = sample("eventbridge.json")
    again = copy.deepcopy(first)
    again["id"] = "a-new-cloudevent-id"
    again["data"]["sessionId"] = "other"
    results = [invoke(first, env=MAP), invoke(again, env=MAP)]
    assert all(r["status"] == "succeeded" and r["source"] == "eventbridge" for r in results)
    assert results[0]["event_id"] == results[1]["event_id"] and results[0]["event_id"].startswith("alarm:")
    assert sum("Error" not in c.response["Response"] for c in open_calls(gaap)) == 1


def test_eventbridge_other_event_uses_its_id_and_data_proxy_ids(gaap: Any) -> None:
    gaap.add_proxy(A, status="CLOSED")
    event = {"specversion": "1.0", "id": "ce-123", "type": "custom:open", "source": "ops.pipeline",
             "data": {"ProxyIds": [A]}}
    result = invoke(event)
    assert (result["status"], result["source"], result["event_id"], result["opened"]) == (
        "succeeded", "eventbridge", "ce-123", [A])


def test_eventbridge_resolved_event_is_skipped(gaap: Any) -> None:
    event = {"specversion": "1.0", "id": "ce-9", "type": "cvm:ErrorEvent:ping_unreachable", "status": "0",
             "data": {"instanceId": "ins-1"}}
    result = invoke(event, env={"GAAP_OPENER_PROXY_IDS": A})
    assert result["status"] == "skipped" and gaap.requests == []
