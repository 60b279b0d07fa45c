"""The fault matrix: each GAAP fault x (once, persistent) x (asynchronous, HTTP) -> the result, the
answer or the raise, and how many calls fakegaap saw. Plus the cases around it: the SDK's own
retryer, lost answers, timeouts, the deadline."""

from __future__ import annotations

import json
from typing import Any

import pytest
from conftest import invoke, open_calls, scf_context
from gaap_opener.errors import RetryableFailure
from gaap_opener.opener import Backoff

from fakegaap import ManualClock

A, B = "link-aaaaaaaa", "link-bbbbbbbb"
ATTEMPTS = Backoff().max_attempts
NO_AUTH = {"GAAP_OPENER_API_AUTH": "none"}

# fault name: (fail_next arguments, transient?, the error code reported, HTTP status when it persists)
FAULTS: dict[str, tuple[dict[str, Any], bool, str, int]] = {
    "network error": ({"network": True}, True, "ClientNetworkError", 502),
    "HTTP 500": ({"http_status": 500}, True, "ServerNetworkError", 502),
    "InternalError": ({"code": "InternalError"}, True, "InternalError", 502),
    "RequestLimitExceeded": ({"code": "RequestLimitExceeded"}, True, "RequestLimitExceeded", 503),
    "RequestLimitExceeded.UinLimitExceeded": (
        {"code": "RequestLimitExceeded.UinLimitExceeded"}, True, "RequestLimitExceeded.UinLimitExceeded", 503),
    "ActionOperateTooQuickly": ({"code": "FailedOperation.ActionOperateTooQuickly"}, True,
                                "FailedOperation.ActionOperateTooQuickly", 503),
    "AuthFailure.SignatureFailure": ({"code": "AuthFailure.SignatureFailure"}, False,
                                     "AuthFailure.SignatureFailure", 422),
    "AuthFailure.SignatureExpire": ({"code": "AuthFailure.SignatureExpire"}, False,
                                    "AuthFailure.SignatureExpire", 422),
    "ResourceNotFound": ({"code": "ResourceNotFound"}, False, "ResourceNotFound", 422),
    "InvalidParameter": ({"code": "InvalidParameter"}, False, "InvalidParameter", 422),
    "AccountBalanceInsufficient": ({"code": "FailedOperation.AccountBalanceInsufficient"}, False,
                                   "FailedOperation.AccountBalanceInsufficient", 422),
}


def deliver(mode: str, event_id: str) -> tuple[str, Any]:
    """Deliver one open request for A asynchronously (direct) or over HTTP; ('raised', doc) on a raise."""
    if mode == "async":
        try:
            return "returned", invoke({"ProxyIds": [A], "EventId": event_id}, sleep=lambda s: None)
        except RetryableFailure as failure:
            return "raised", failure.result
    answer = invoke({"httpMethod": "POST", "headers": {"Idempotency-Key": event_id},
                     "body": json.dumps({"ProxyIds": [A]})}, env=NO_AUTH, sleep=lambda s: None)
    return answer["statusCode"], json.loads(answer["body"])


@pytest.mark.parametrize("mode", ["async", "http"])
@pytest.mark.parametrize("times", ["once", "persistent"])
@pytest.mark.parametrize("fault", list(FAULTS))
def test_fault_matrix(gaap: Any, fault: str, times: str, mode: str) -> None:
    arguments, transient, code, persistent_http = FAULTS[fault]
    gaap.add_proxy(A, status="CLOSED")
    gaap.fail_next("OpenProxies", times=1 if times == "once" else 1000, **arguments)

    outcome, result = deliver(mode, f"{fault}-{times}-{mode}")
    calls = open_calls(gaap)

    if transient and times == "once":
        # The retry succeeds: exactly one more call, with the same token, and success reported.
        assert result["status"] == "succeeded" and result["error"] is None
        assert outcome == ("returned" if mode == "async" else 200)
        assert len(calls) == 2 and calls[0].client_token == calls[1].client_token
        assert gaap.status(A) in ("OPENING", "RUNNING")
    elif transient:
        assert result["status"] == "failed"
        assert result["error"] == {"code": code, "message": result["error"]["message"], "retryable": True}
        assert outcome == ("raised" if mode == "async" else persistent_http)
        assert len(calls) == ATTEMPTS and len({c.client_token for c in calls}) == 1
        assert gaap.status(A) == "CLOSED"
    else:
        # Permanent: reported, never raised, never retried.
        assert result["status"] == "failed"
        assert (result["error"]["code"], result["error"]["retryable"]) == (code, False)
        assert outcome == ("returned" if mode == "async" else 422)
        assert len(calls) == 1
        assert gaap.status(A) == "CLOSED"


@pytest.mark.parametrize("mode", ["async", "http"])
@pytest.mark.parametrize(("kind", "field"), [("invalid status", "invalid_status"),
                                             ("operation failed", "operation_failed")])
def test_partial_answer(gaap: Any, mode: str, kind: str, field: str) -> None:
    gaap.add_proxy(A, status="CLOSED")
    if kind == "invalid status":
        gaap.add_proxy(B, status="RUNNING")
    else:
        gaap.add_proxy(B, status="CLOSED", open_fails=True)
    if mode == "async":
        result = invoke({"ProxyIds": [A, B], "EventId": f"partial-{kind}"})
    else:
        answer = invoke({"httpMethod": "POST", "headers": {}, "body": json.dumps({"ProxyIds": [A, B]})}, env=NO_AUTH)
        assert answer["statusCode"] == 207
        result = json.loads(answer["body"])
    assert result["status"] == "partial" and result["opened"] == [A] and result[field] == [B]
    assert result["error"]["retryable"] is False
    assert len(open_calls(gaap)) == 1


def test_one_failed_attempt_then_success_is_exactly_one_more_call(gaap: Any) -> None:
    # The SDK's StandardRetryer never clears the first error: after fail-then-succeed it calls a
    # third time and raises the stale error. Ours must stop at the success.
    gaap.add_proxy(A, status="CLOSED")
    gaap.fail_next("OpenProxies", network=True, times=1)
    result = invoke({"ProxyIds": [A], "EventId": "one-more"}, sleep=lambda s: None)
    assert result["status"] == "succeeded"
    assert len(open_calls(gaap)) == 2


def test_the_sdks_standard_retryer_really_is_wrong(gaap: Any) -> None:
    """Why gaap-opener has its own retry loop: pin the SDK behaviour we refuse to rely on."""
    from tencentcloud.common.credential import Credential
    from tencentcloud.common.exception.tencent_cloud_sdk_exception import TencentCloudSDKException
    from tencentcloud.common.profile.client_profile import ClientProfile
    from tencentcloud.common.retry import StandardRetryer
    from tencentcloud.gaap.v20180529 import gaap_client, models

    gaap.add_proxy(A, status="CLOSED")
    gaap.fail_next("OpenProxies", network=True, times=1)
    client = gaap_client.GaapClient(Credential("AKIDfake", "fake"), "",
                                    ClientProfile(retryer=StandardRetryer(max_attempts=3, backoff_fn=lambda n: 0)))
    request = models.OpenProxiesRequest()
    request.ProxyIds, request.ClientToken = [A], "sdk-retryer-token"
    with pytest.raises(TencentCloudSDKException):
        client.OpenProxies(request)  # although the second attempt opened the proxy
    assert gaap.status(A) in ("OPENING", "RUNNING")
    assert len(open_calls(gaap)) == 3


def test_attempt_timed_out_on_our_side_but_reached_gaap_is_opened_replayed() -> None:
    # Over real HTTP, so the client's timeout is real. A 6 s function gives its first attempt
    # ~2.7 s; GAAP applies the open at once but answers only after 3.5 s. The retry, same token,
    # meets DuplicatedRequest: reported opened (replayed), not failed.
    from fakegaap import GaapBackend, serve_in_thread

    backend = GaapBackend()
    backend.add_proxy(A, status="CLOSED")
    backend.fail_next("OpenProxies", delay=3.5)
    with serve_in_thread(backend) as url:
        result = invoke({"ProxyIds": [A], "EventId": "slow"}, env={"GAAP_OPENER_ENDPOINT": url},
                        context=scf_context(time_limit_ms=6000))
    assert result["status"] == "succeeded" and result["opened"] == [A]
    assert result["calls"][0]["replayed"] is True
    assert result["statuses"] == {A: "RUNNING"}
    assert result["duration_ms"] < 5400
    opens = backend.calls("OpenProxies")
    assert len(opens) == 2 and opens[0].client_token == opens[1].client_token


def test_lost_answer_after_the_state_change_is_not_a_failure(gaap: Any) -> None:
    gaap.add_proxy(A, status="CLOSED")
    gaap.fail_next("OpenProxies", http_status=502, after=True)
    result = invoke({"ProxyIds": [A], "EventId": "lost-502"}, sleep=lambda s: None)
    assert result["status"] == "succeeded" and result["calls"][0]["replayed"] is True
    assert len([c for c in open_calls(gaap) if c.accepted]) == 1


def test_replay_status_read_failing_persistently_is_transient(gaap: Any) -> None:
    gaap.add_proxy(A, status="CLOSED")
    invoke({"ProxyIds": [A], "EventId": "again"})
    gaap.fail_next("DescribeProxiesStatus", code="InternalError", times=1000)
    with pytest.raises(RetryableFailure) as raised:
        invoke({"ProxyIds": [A], "EventId": "again"}, sleep=lambda s: None)
    result = raised.value.result
    assert result["calls"][0]["replayed"] is True and result["error"]["code"] == "InternalError"


def test_nothing_runs_past_the_deadline(gaap: Any) -> None:
    # A 1 s function: retries stop when the time is up and the invocation still answers in time.
    gaap.add_proxy(A, status="CLOSED")
    gaap.fail_next("OpenProxies", code="InternalError", times=1000)
    clock = ManualClock()
    with pytest.raises(RetryableFailure) as raised:
        invoke({"ProxyIds": [A], "EventId": "late"}, context=scf_context(time_limit_ms=1000),
               clock=clock, sleep=clock.advance)
    assert clock() <= 1.0
    assert raised.value.result["error"]["retryable"] is True
    assert 1 <= len(open_calls(gaap)) <= ATTEMPTS
