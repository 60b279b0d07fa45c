"""Timer and direct events opening proxies end to end, through the SDK, against fakegaap."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from conftest import invoke, open_calls, scf_context
from gaap_opener.errors import RetryableFailure

ROOT = Path(__file__).resolve().parents[1]
A, B, C = "link-aaaaaaaa", "link-bbbbbbbb", "link-cccccccc"


def timer_event(message: str = f"{A},{B}", time: str = "2026-11-30T08:00:00Z") -> dict[str, Any]:
    return {"Type": "Timer", "TriggerName": "open-at-0800", "Time": time, "Message": message}


def test_timer_event_opens_its_proxies(gaap: Any) -> None:
    gaap.add_proxy(A, status="CLOSED")
    gaap.add_proxy(B, status="CLOSED")

    result = invoke(timer_event())

    assert result["schema"] == "gaap-opener/result/v1"
    assert result["status"] == "succeeded"
    assert result["source"] == "timer"
    assert result["event_id"] == "timer:open-at-0800:2026-11-30T08:00:00Z"
    assert result["requested"] == [A, B] and result["opened"] == [A, B]
    assert result["error"] is None and result["callback"] is None and result["dry_run"] is False
    assert gaap.status(A) in ("OPENING", "RUNNING") and gaap.status(B) in ("OPENING", "RUNNING")
    [call] = open_calls(gaap)
    assert sorted(call.params["ProxyIds"]) == [A, B]
    assert result["calls"] == [{"client_token": call.client_token, "proxy_ids": [A, B],
                                "request_id": call.response["Response"]["RequestId"], "replayed": False,
                                "error": None}]


@pytest.mark.parametrize("message", [
    json.dumps({"ProxyIds": [B, A]}),
    json.dumps([A, B]),
    f" {B}\n{A} ",
    json.dumps({"InstanceIds": [A], "ProxyIds": [B]}),
])
def test_timer_message_forms_all_name_proxies(gaap: Any, message: str) -> None:
    gaap.add_proxy(A, status="CLOSED")
    gaap.add_proxy(B, status="CLOSED")
    assert invoke(timer_event(message))["opened"] == [A, B]


def test_empty_timer_message_opens_the_default_list(gaap: Any) -> None:
    gaap.add_proxy(C, status="CLOSED")
    result = invoke(timer_event(""), env={"GAAP_OPENER_PROXY_IDS": f"{C}"})
    assert result["status"] == "succeeded" and result["opened"] == [C]


def test_timer_message_event_id_is_ignored_so_firings_stay_distinct(gaap: Any) -> None:
    gaap.add_proxy(A, status="CLOSED")
    result = invoke(timer_event(json.dumps({"ProxyIds": [A], "EventId": "static"})))
    assert result["event_id"] == "timer:open-at-0800:2026-11-30T08:00:00Z"


def test_timer_without_trigger_name_is_rejected_before_any_call(gaap: Any) -> None:
    event = timer_event()
    del event["TriggerName"]
    result = invoke(event)
    assert result["status"] == "rejected" and result["source"] == "timer"
    assert "TriggerName" in result["error"]["message"]
    assert gaap.requests == []


def test_direct_event_opens_with_its_event_id(gaap: Any) -> None:
    gaap.add_proxy(A, status="CLOSED")
    result = invoke({"ProxyIds": [A], "EventId": "change-1"})
    assert result["status"] == "succeeded" and result["source"] == "direct" and result["event_id"] == "change-1"


def test_direct_event_without_event_id_uses_the_request_id(gaap: Any) -> None:
    gaap.add_proxy(A, status="CLOSED")
    result = invoke({"InstanceIds": [A]}, context=scf_context("req-123"))
    assert result["event_id"] == "req-123" and result["invocation_id"] == "req-123"
    assert result["opened"] == [A]


def test_main_handler_reads_the_process_environment(gaap: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    import index
    from conftest import FAKE_ENV

    for name, value in FAKE_ENV.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("GAAP_OPENER_PROXY_IDS", A)
    gaap.add_proxy(A, status="CLOSED")
    assert index.lambda_handler is index.main_handler
    assert index.main_handler({}, scf_context())["status"] == "succeeded"


def test_the_same_event_three_times_opens_once_and_succeeds_three_times(gaap: Any) -> None:
    gaap.add_proxy(A, status="CLOSED")
    gaap.add_proxy(B, status="CLOSED")
    results = [invoke(timer_event(), context=scf_context()) for _ in range(3)]

    assert [r["status"] for r in results] == ["succeeded"] * 3
    assert all(r["opened"] == [A, B] for r in results)
    assert [r["calls"][0]["replayed"] for r in results] == [False, True, True]
    calls = open_calls(gaap)
    assert len({c.client_token for c in calls}) == 1
    accepted = [c for c in calls if "Error" not in c.response["Response"]]
    assert len(accepted) == 1
    assert all(c.response["Response"]["Error"]["Code"] == "FailedOperation.DuplicatedRequest" for c in calls[1:])
    assert results[2]["statuses"] == {A: gaap.status(A), B: gaap.status(B)}


def test_another_event_gets_another_token(gaap: Any) -> None:
    gaap.add_proxy(A, status="CLOSED")
    invoke({"ProxyIds": [A], "EventId": "one"})
    second = invoke({"ProxyIds": [A], "EventId": "two"})
    tokens = [c.client_token for c in open_calls(gaap)]
    assert len(set(tokens)) == 2
    # The proxy is open already: the second event is honest about it.
    assert second["status"] == "failed" and second["invalid_status"] == [A]
    assert second["error"]["code"] == "InvalidStatus" and second["error"]["retryable"] is False


def test_already_running_proxy_makes_the_result_partial(gaap: Any) -> None:
    gaap.add_proxy(A, status="CLOSED")
    gaap.add_proxy(B, status="RUNNING")
    result = invoke({"ProxyIds": [A, B], "EventId": "p"})
    assert result["status"] == "partial"
    assert result["opened"] == [A] and result["invalid_status"] == [B]
    assert result["error"]["code"] == "InvalidStatus" and B in result["error"]["message"]


def test_operation_failed_set_is_reported(gaap: Any) -> None:
    gaap.add_proxy(A, status="CLOSED", open_fails=True)
    result = invoke({"ProxyIds": [A], "EventId": "f"})
    assert result["status"] == "failed" and result["operation_failed"] == [A]
    assert result["error"]["code"] == "OperationFailed"


def test_unknown_proxy_is_a_permanent_failure_reported_not_raised(gaap: Any) -> None:
    result = invoke({"ProxyIds": [A], "EventId": "nf"})
    assert result["status"] == "failed"
    assert result["error"]["code"] == "ResourceNotFound" and result["error"]["retryable"] is False
    assert result["calls"][0]["error"]["code"] == "ResourceNotFound"
    assert len(open_calls(gaap)) == 1


def test_transient_error_is_retried_with_the_same_token(gaap: Any) -> None:
    gaap.add_proxy(A, status="CLOSED")
    gaap.fail_next("OpenProxies", code="RequestLimitExceeded", times=1)
    result = invoke({"ProxyIds": [A], "EventId": "t"})
    assert result["status"] == "succeeded"
    calls = open_calls(gaap)
    assert len(calls) == 2 and calls[0].client_token == calls[1].client_token


def test_lost_answer_is_reported_opened_on_the_retry(gaap: Any) -> None:
    gaap.add_proxy(A, status="CLOSED")
    gaap.fail_next("OpenProxies", network=True, after=True)
    result = invoke({"ProxyIds": [A], "EventId": "lost"})
    assert result["status"] == "succeeded" and result["calls"][0]["replayed"] is True
    assert len(open_calls(gaap)) == 2


def test_persistent_network_failure_raises_for_redelivery(gaap: Any) -> None:
    gaap.add_proxy(A, status="CLOSED")
    gaap.fail_next("OpenProxies", network=True, times=100)
    with pytest.raises(RetryableFailure) as raised:
        invoke({"ProxyIds": [A], "EventId": "net"}, sleep=lambda s: None)
    assert raised.value.result["status"] == "failed"
    error = raised.value.result["error"]
    assert (error["code"], error["retryable"]) == ("ClientNetworkError", True)
    assert gaap.status(A) == "CLOSED"


def test_dry_run_plans_and_calls_nothing(gaap: Any) -> None:
    result = invoke({"ProxyIds": [A, B], "EventId": "dry", "DryRun": True}, env={"GAAP_OPENER_BATCH_SIZE": "1"})
    assert result["status"] == "dry_run" and result["dry_run"] is True
    assert [c["proxy_ids"] for c in result["calls"]] == [[A], [B]]
    assert gaap.requests == []


def test_event_cannot_turn_configured_dry_run_off(gaap: Any) -> None:
    result = invoke({"ProxyIds": [A], "DryRun": False}, env={"GAAP_OPENER_DRY_RUN": "YES"})
    assert result["status"] == "dry_run" and gaap.requests == []


@pytest.mark.parametrize(("event", "fragment"), [
    ({"ProxyIds": ["link-XX"]}, "'link-XX' is not a valid proxy ID"),
    ({}, "GAAP_OPENER_PROXY_IDS (the default list) is empty"),
    ({"ProxyIds": [A], "Surprise": 1}, "'Surprise'"),
    ([A], "expected a JSON object"),
    ({"ProxyIds": [A], "EventId": ""}, "EventId"),
])
def test_bad_events_are_rejected_with_a_message_and_never_reach_gaap(gaap: Any, event: Any, fragment: str) -> None:
    result = invoke(event)
    assert result["status"] == "rejected"
    assert result["error"]["code"] == "InvalidEvent" and result["error"]["retryable"] is False
    assert fragment in result["error"]["message"]
    assert gaap.requests == []


def test_allow_list_refuses_other_ids(gaap: Any) -> None:
    result = invoke({"ProxyIds": [A, B]}, env={"GAAP_OPENER_ALLOWED_PROXY_IDS": A})
    assert result["status"] == "rejected" and result["error"]["code"] == "NotAllowed"
    assert B in result["error"]["message"] and gaap.requests == []


def test_bad_configuration_is_reported_by_variable_name(gaap: Any) -> None:
    result = invoke({"ProxyIds": [A]}, env={"GAAP_OPENER_BATCH_SIZE": "lots"})
    assert result["status"] == "failed" and result["error"]["code"] == "InvalidConfiguration"
    assert "GAAP_OPENER_BATCH_SIZE='lots'" in result["error"]["message"]
    assert gaap.requests == []


def test_result_is_logged_as_one_json_line(gaap: Any, capsys: pytest.CaptureFixture[str]) -> None:
    gaap.add_proxy(A, status="CLOSED")
    result = invoke({"ProxyIds": [A], "EventId": "log"})
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.strip()]
    [line] = [entry for entry in lines if "result" in entry]
    assert line["result"] == result
    assert (line["event_id"], line["source"], line["status"]) == ("log", "direct", "succeeded")


def test_error_body_with_an_unexpected_content_type_is_still_an_error() -> None:
    # The SDK parses error bodies only for Content-Type exactly application/json; a proxy on the way
    # may add a charset. The answer must still read as the error it is, not as an empty success.
    import responses

    body = {"Response": {"Error": {"Code": "ResourceNotFound", "Message": "no such proxy"}, "RequestId": "r-1"}}
    with responses.RequestsMock() as wire:
        wire.add(responses.POST, "https://gaap.tencentcloudapi.com/", json=body,
                 content_type="application/json; charset=utf-8")
        result = invoke({"ProxyIds": [A], "EventId": "ct"})
    assert result["status"] == "failed"
    assert result["error"]["code"] == "ResourceNotFound"
    assert result["calls"][0]["request_id"] == "r-1"


def test_answer_that_is_not_json_is_transient(gaap: Any) -> None:
    import responses

    with responses.RequestsMock() as wire:
        wire.add(responses.POST, "https://gaap.tencentcloudapi.com/", body="<html>gateway</html>",
                 content_type="text/plain")
        with pytest.raises(RetryableFailure) as raised:
            invoke({"ProxyIds": [A], "EventId": "nj"}, sleep=lambda s: None)
    assert raised.value.result["error"]["code"] == "ServerNetworkError"


def test_log_level_comes_from_the_environment(gaap: Any, capsys: pytest.CaptureFixture[str]) -> None:
    gaap.add_proxy(A, status="CLOSED")
    invoke({"ProxyIds": [A], "EventId": "quiet"}, env={"GAAP_OPENER_LOG_LEVEL": "ERROR"})
    assert capsys.readouterr().out == ""  # a success is INFO
    invoke({"ProxyIds": ["link-zzzzzzzz"], "EventId": "loud"}, env={"GAAP_OPENER_LOG_LEVEL": "error"})
    [line] = [json.loads(text) for text in capsys.readouterr().out.splitlines()]
    assert line["level"] == "ERROR" and line["status"] == "failed"
    assert line["result"]["error"]["code"] == "ResourceNotFound"  # a structured field, no traceback
    assert "Traceback" not in json.dumps(line)
