"""fakegaap driven by the unmodified official SDK, through both doors: in-process (mock_gaap) and HTTP."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from typing import Any

import pytest
from tencentcloud.common import credential
from tencentcloud.common.exception.tencent_cloud_sdk_exception import TencentCloudSDKException
from tencentcloud.common.profile.client_profile import ClientProfile
from tencentcloud.common.profile.http_profile import HttpProfile
from tencentcloud.gaap.v20180529 import gaap_client, models

from fakegaap import GaapBackend, ManualClock, mock_gaap, serve_in_thread

A, B, C = "link-1234abcd", "link-5678efgh", "link-0000aaaa"
SECRET_ID, SECRET_KEY = "AKIDfake", "fakekey"


@dataclass
class Door:
    """One way in to a backend: `kind` is "in-process" or "http"."""

    kind: str
    backend: GaapBackend
    clock: ManualClock
    endpoint: str | None

    def client(
        self, secret_id: str = SECRET_ID, secret_key: str = SECRET_KEY, token: str | None = None, timeout: float = 10
    ) -> Any:
        http = HttpProfile(endpoint=self.endpoint, reqTimeout=timeout)
        return gaap_client.GaapClient(
            credential.Credential(secret_id, secret_key, token), "", ClientProfile(httpProfile=http)
        )


OpenDoor = Callable[..., Door]


@pytest.fixture(params=["in-process", "http"])
def open_door(request: pytest.FixtureRequest) -> Iterator[OpenDoor]:
    """Opens a fresh backend (kwargs go to GaapBackend; its clock is a ManualClock) behind one door."""
    with ExitStack() as stack:

        def _open(credentials: dict[str, str] | None = None, **kwargs: Any) -> Door:
            clock = ManualClock(1000.0)
            backend = GaapBackend(clock=clock, **kwargs)
            if request.param == "in-process":
                stack.enter_context(mock_gaap(backend=backend, credentials=credentials))
                return Door("in-process", backend, clock, None)
            url = stack.enter_context(serve_in_thread(backend, credentials=credentials))
            return Door("http", backend, clock, url)

        yield _open


def open_req(*ids: str, token: str | None = None, legacy: tuple[str, ...] = ()) -> Any:
    req = models.OpenProxiesRequest()
    req.ProxyIds = list(ids) or None
    req.InstanceIds = list(legacy) or None
    req.ClientToken = token
    return req


def close_req(*ids: str, token: str | None = None) -> Any:
    req = models.CloseProxiesRequest()
    req.ProxyIds = list(ids)
    req.ClientToken = token
    return req


def status_req(*ids: str) -> Any:
    req = models.DescribeProxiesStatusRequest()
    req.ProxyIds = list(ids)
    return req


def sdk_error(call: Callable[[], Any]) -> TencentCloudSDKException:
    with pytest.raises(TencentCloudSDKException) as caught:
        call()
    return caught.value


def statuses(client: Any, *ids: str) -> dict[str, str]:
    answer = client.DescribeProxiesStatus(status_req(*ids))
    return {item.InstanceId: item.Status for item in answer.InstanceStatusSet}


# -- opening --------------------------------------------------------------------------------------


def test_open_closed_proxy_reads_running_at_once_when_opening_takes_no_time(open_door: OpenDoor) -> None:
    door = open_door()
    door.backend.add_proxy(A, "CLOSED")
    answer = door.client().OpenProxies(open_req(A, token="tok-1"))
    assert answer.InvalidStatusInstanceSet == []
    assert answer.OperationFailedInstanceSet == []
    assert answer.RequestId
    assert door.backend.status(A) == "RUNNING"


def test_open_goes_opening_then_running_once_opening_seconds_pass_on_the_clock(open_door: OpenDoor) -> None:
    door = open_door(opening_seconds=30)
    door.backend.add_proxy(A)
    client = door.client()
    client.OpenProxies(open_req(A))
    assert statuses(client, A) == {A: "OPENING"}
    door.clock.advance(29.9)
    assert door.backend.status(A) == "OPENING"
    door.clock.advance(0.1)
    assert statuses(client, A) == {A: "RUNNING"}


def test_open_reports_proxies_not_closed_in_invalid_status_set_and_leaves_them(open_door: OpenDoor) -> None:
    door = open_door()
    door.backend.add_proxy(A, "CLOSED")
    door.backend.add_proxy(B, "RUNNING")
    door.backend.add_proxy(C, "ISOLATED")
    answer = door.client().OpenProxies(open_req(A, B, C))
    assert answer.InvalidStatusInstanceSet == [B, C]
    assert answer.OperationFailedInstanceSet == []
    assert door.backend.statuses() == {A: "RUNNING", B: "RUNNING", C: "ISOLATED"}


def test_open_fails_proxy_is_reported_in_operation_failed_set_and_stays_closed(open_door: OpenDoor) -> None:
    door = open_door()
    door.backend.add_proxy(A, "CLOSED", open_fails=True)
    door.backend.add_proxy(B, "CLOSED")
    answer = door.client().OpenProxies(open_req(A, B))
    assert answer.OperationFailedInstanceSet == [A]
    assert answer.InvalidStatusInstanceSet == []
    assert door.backend.statuses() == {A: "CLOSED", B: "RUNNING"}


def test_unknown_proxy_id_is_resource_not_found_naming_it_and_nothing_changes(open_door: OpenDoor) -> None:
    door = open_door()
    door.backend.add_proxy(A, "CLOSED")
    error = sdk_error(lambda: door.client().OpenProxies(open_req(A, "link-99999999", token="tok-1")))
    assert error.code == "ResourceNotFound"
    assert "link-99999999" in error.message
    assert A not in error.message
    assert door.backend.status(A) == "CLOSED"
    assert door.backend.client_tokens == frozenset()


def test_legacy_instance_ids_are_opened_together_with_proxy_ids(open_door: OpenDoor) -> None:
    door = open_door()
    door.backend.add_proxy(A)
    door.backend.add_proxy(B)
    answer = door.client().OpenProxies(open_req(A, legacy=(B,)))
    assert answer.InvalidStatusInstanceSet == []
    assert door.backend.statuses() == {A: "RUNNING", B: "RUNNING"}
    assert door.backend.requests[0].params == {"ProxyIds": [A], "InstanceIds": [B]}


def test_open_naming_no_proxy_is_missing_parameter(open_door: OpenDoor) -> None:
    door = open_door()
    assert sdk_error(lambda: door.client().OpenProxies(open_req())).code == "MissingParameter"


def test_client_token_over_64_characters_is_invalid_parameter_value(open_door: OpenDoor) -> None:
    door = open_door()
    door.backend.add_proxy(A)
    client = door.client()
    assert sdk_error(lambda: client.OpenProxies(open_req(A, token="t" * 65))).code == "InvalidParameterValue"
    assert door.backend.status(A) == "CLOSED"
    client.OpenProxies(open_req(A, token="t" * 64))
    assert door.backend.status(A) == "RUNNING"


def test_more_ids_than_max_ids_per_call_is_invalid_parameter_value(open_door: OpenDoor) -> None:
    door = open_door(max_ids_per_call=1)
    door.backend.add_proxy(A)
    door.backend.add_proxy(B)
    assert sdk_error(lambda: door.client().OpenProxies(open_req(A, B))).code == "InvalidParameterValue"
    assert door.backend.statuses() == {A: "CLOSED", B: "CLOSED"}


# -- client tokens --------------------------------------------------------------------------------


def test_reused_client_token_is_duplicated_request_and_changes_nothing_again(open_door: OpenDoor) -> None:
    door = open_door()
    door.backend.add_proxy(A)
    client = door.client()
    client.OpenProxies(open_req(A, token="tok-1"))
    door.backend.set_status(A, "CLOSED")  # someone closed it since
    error = sdk_error(lambda: client.OpenProxies(open_req(A, token="tok-1")))
    assert error.code == "FailedOperation.DuplicatedRequest"
    assert error.requestId
    assert door.backend.status(A) == "CLOSED"
    first, second = door.backend.calls("OpenProxies")
    assert (first.accepted, first.duplicate) == (True, False)
    assert (second.accepted, second.duplicate) == (False, True)


def test_another_client_token_opens_again(open_door: OpenDoor) -> None:
    door = open_door()
    door.backend.add_proxy(A)
    client = door.client()
    client.OpenProxies(open_req(A, token="tok-1"))
    door.backend.set_status(A, "CLOSED")
    client.OpenProxies(open_req(A, token="tok-2"))
    assert door.backend.status(A) == "RUNNING"
    assert door.backend.client_tokens == {"tok-1", "tok-2"}


def test_concurrent_calls_with_one_token_are_accepted_exactly_once(open_door: OpenDoor) -> None:
    door = open_door(rate_limit=None)
    door.backend.add_proxy(A)
    codes: list[str] = []

    def call() -> None:
        try:
            door.client().OpenProxies(open_req(A, token="same"))
            codes.append("ok")
        except TencentCloudSDKException as exc:
            codes.append(str(exc.code))

    threads = [threading.Thread(target=call) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(codes) == ["FailedOperation.DuplicatedRequest"] * 7 + ["ok"]


# -- the rate limit -------------------------------------------------------------------------------


def test_21st_request_within_one_second_is_request_limit_exceeded(open_door: OpenDoor) -> None:
    door = open_door()  # rate_limit=20 by default; the clock stands still
    door.backend.add_proxy(A)
    client = door.client()
    for _ in range(20):
        client.DescribeProxiesStatus(status_req(A))
    assert sdk_error(lambda: client.OpenProxies(open_req(A))).code == "RequestLimitExceeded"
    assert door.backend.status(A) == "CLOSED"
    door.clock.advance(1.0)
    client.OpenProxies(open_req(A))
    assert door.backend.status(A) == "RUNNING"


def test_rate_limit_none_lifts_the_limit(open_door: OpenDoor) -> None:
    door = open_door(rate_limit=None)
    door.backend.add_proxy(A)
    client = door.client()
    for _ in range(45):
        client.DescribeProxiesStatus(status_req(A))
    assert all(r.error_code is None for r in door.backend.requests)


def test_rate_limit_window_slides_with_the_clock(open_door: OpenDoor) -> None:
    door = open_door(rate_limit=4)
    door.backend.add_proxy(A)
    client = door.client()
    for _ in range(2):
        client.DescribeProxiesStatus(status_req(A))  # at t+0
    door.clock.advance(0.5)
    for _ in range(2):
        client.DescribeProxiesStatus(status_req(A))  # at t+0.5
    assert sdk_error(lambda: client.DescribeProxiesStatus(status_req(A))).code == "RequestLimitExceeded"
    door.clock.advance(0.5)  # t+1.0: the two from t+0 have left the window
    for _ in range(2):
        client.DescribeProxiesStatus(status_req(A))
    assert sdk_error(lambda: client.DescribeProxiesStatus(status_req(A))).code == "RequestLimitExceeded"


def test_refused_requests_do_not_count_toward_the_window(open_door: OpenDoor) -> None:
    door = open_door(rate_limit=3)
    door.backend.add_proxy(A)
    client = door.client()
    for _ in range(3):
        client.DescribeProxiesStatus(status_req(A))
    door.clock.advance(0.9)
    for _ in range(5):
        assert sdk_error(lambda: client.DescribeProxiesStatus(status_req(A))).code == "RequestLimitExceeded"
    door.clock.advance(0.1)
    for _ in range(3):
        client.DescribeProxiesStatus(status_req(A))
    assert [r.error_code for r in door.backend.requests].count(None) == 6


# -- injected faults ------------------------------------------------------------------------------


def test_fail_next_with_a_code_answers_that_error_once(open_door: OpenDoor) -> None:
    door = open_door()
    door.backend.add_proxy(A)
    door.backend.fail_next("OpenProxies", code="RequestLimitExceeded", message="slow down")
    client = door.client()
    error = sdk_error(lambda: client.OpenProxies(open_req(A, token="tok-1")))
    assert (error.code, error.message) == ("RequestLimitExceeded", "slow down")
    assert door.backend.status(A) == "CLOSED"
    client.OpenProxies(open_req(A, token="tok-1"))
    assert door.backend.status(A) == "RUNNING"


def test_fail_next_times_two_fails_the_next_two_calls(open_door: OpenDoor) -> None:
    door = open_door()
    door.backend.add_proxy(A)
    door.backend.fail_next("OpenProxies", code="InternalError", times=2)
    client = door.client()
    assert sdk_error(lambda: client.OpenProxies(open_req(A))).code == "InternalError"
    assert sdk_error(lambda: client.OpenProxies(open_req(A))).code == "InternalError"
    client.OpenProxies(open_req(A))
    assert [r.fault for r in door.backend.requests] == ["code", "code", None]


def test_fail_next_network_raises_client_network_error_and_logs_no_answer(open_door: OpenDoor) -> None:
    door = open_door()
    door.backend.add_proxy(A)
    door.backend.fail_next("OpenProxies", network=True)
    client = door.client()
    assert sdk_error(lambda: client.OpenProxies(open_req(A, token="tok-1"))).code == "ClientNetworkError"
    (record,) = door.backend.requests
    assert (record.response, record.status_code, record.fault) == (None, None, "network")
    assert door.backend.status(A) == "CLOSED"
    client.OpenProxies(open_req(A, token="tok-1"))  # the same client recovers
    assert door.backend.status(A) == "RUNNING"


def test_fail_next_http_500_raises_server_network_error_with_a_non_json_body(open_door: OpenDoor) -> None:
    door = open_door()
    door.backend.add_proxy(A)
    door.backend.fail_next("OpenProxies", http_status=500)
    error = sdk_error(lambda: door.client().OpenProxies(open_req(A)))
    assert error.code == "ServerNetworkError"
    assert b"Internal Server Error" in error.message
    (record,) = door.backend.requests
    assert (record.status_code, record.response) == (500, None)
    assert door.backend.status(A) == "CLOSED"


def test_fail_next_after_changes_state_and_records_token_so_a_retry_is_duplicated(open_door: OpenDoor) -> None:
    door = open_door(opening_seconds=10)
    door.backend.add_proxy(A)
    door.backend.fail_next("OpenProxies", network=True, after=True)
    client = door.client()
    assert sdk_error(lambda: client.OpenProxies(open_req(A, token="tok-1"))).code == "ClientNetworkError"
    assert door.backend.status(A) == "OPENING"
    assert "tok-1" in door.backend.client_tokens
    assert door.backend.requests[0].accepted
    error = sdk_error(lambda: client.OpenProxies(open_req(A, token="tok-1")))
    assert error.code == "FailedOperation.DuplicatedRequest"


def test_fail_next_after_with_a_code_answers_the_code_though_the_open_happened(open_door: OpenDoor) -> None:
    door = open_door()
    door.backend.add_proxy(A)
    door.backend.fail_next("OpenProxies", code="InternalError", after=True)
    assert sdk_error(lambda: door.client().OpenProxies(open_req(A, token="t"))).code == "InternalError"
    assert door.backend.status(A) == "RUNNING"
    assert door.backend.requests[0].error_code == "InternalError"


@pytest.mark.parametrize(
    "fault",
    [{"code": "InternalError"}, {"network": True}, {"http_status": 503}, {"code": "InternalError", "http_status": 502}],
)
def test_injected_failures_change_no_state_and_record_no_token(open_door: OpenDoor, fault: dict[str, Any]) -> None:
    door = open_door()
    door.backend.add_proxy(A)
    door.backend.fail_next("OpenProxies", **fault)
    client = door.client()
    sdk_error(lambda: client.OpenProxies(open_req(A, token="tok-1")))
    assert door.backend.status(A) == "CLOSED"
    assert door.backend.client_tokens == frozenset()
    assert not door.backend.requests[0].accepted
    client.OpenProxies(open_req(A, token="tok-1"))
    assert door.backend.status(A) == "RUNNING"


def test_faults_are_consumed_in_order_and_star_matches_any_action(open_door: OpenDoor) -> None:
    door = open_door()
    door.backend.add_proxy(A)
    door.backend.fail_next("OpenProxies", code="FailedOperation.ActionIsDoing")
    door.backend.fail_next("*", code="ServiceUnavailable")
    client = door.client()
    assert sdk_error(lambda: client.DescribeProxiesStatus(status_req(A))).code == "ServiceUnavailable"
    assert sdk_error(lambda: client.OpenProxies(open_req(A))).code == "FailedOperation.ActionIsDoing"
    client.OpenProxies(open_req(A))
    assert door.backend.pending_faults == []


def test_fail_next_delay_alone_slows_a_normal_answer(open_door: OpenDoor) -> None:
    door = open_door()
    door.backend.add_proxy(A)
    door.backend.fail_next("OpenProxies", delay=0.2)
    started = time.monotonic()
    answer = door.client().OpenProxies(open_req(A))
    assert time.monotonic() - started >= 0.2
    assert answer.InvalidStatusInstanceSet == []
    assert door.backend.status(A) == "RUNNING"


def test_answer_delayed_past_the_client_timeout_is_lost_but_the_open_happened() -> None:
    backend = GaapBackend()
    backend.add_proxy(A)
    backend.fail_next("OpenProxies", delay=0.6)
    with serve_in_thread(backend) as url:
        door = Door("http", backend, ManualClock(), url)
        error = sdk_error(lambda: door.client(timeout=0.15).OpenProxies(open_req(A, token="tok-1")))
        assert error.code == "ClientNetworkError"
        assert backend.status(A) == "RUNNING"
        error = sdk_error(lambda: door.client().OpenProxies(open_req(A, token="tok-1")))
        assert error.code == "FailedOperation.DuplicatedRequest"


# -- reading and closing ---------------------------------------------------------------------------


def test_describe_proxies_status_lists_each_named_proxy_with_its_status(open_door: OpenDoor) -> None:
    door = open_door()
    door.backend.add_proxy(A, "CLOSED")
    door.backend.add_proxy(B, "ADJUSTING")
    req = models.DescribeProxiesStatusRequest()
    req.InstanceIds = [B]
    req.ProxyIds = [A]
    answer = door.client().DescribeProxiesStatus(req)
    assert [(s.InstanceId, s.Status) for s in answer.InstanceStatusSet] == [(A, "CLOSED"), (B, "ADJUSTING")]


def test_describe_proxies_status_of_an_unknown_proxy_is_resource_not_found(open_door: OpenDoor) -> None:
    door = open_door()
    door.backend.add_proxy(A)
    error = sdk_error(lambda: door.client().DescribeProxiesStatus(status_req(A, "link-99999999")))
    assert error.code == "ResourceNotFound"
    assert "link-99999999" in error.message


def test_describe_proxies_lists_all_proxies_newest_first_in_pages(open_door: OpenDoor) -> None:
    door = open_door()
    for pid in (A, B, C):
        door.backend.add_proxy(pid, "CLOSED")
    door.backend.set_status(B, "RUNNING")
    req = models.DescribeProxiesRequest()
    req.Limit = 2
    first = door.client().DescribeProxies(req)
    assert first.TotalCount == 3
    assert [(p.ProxyId, p.InstanceId, p.Status) for p in first.ProxySet] == [(C, C, "CLOSED"), (B, B, "RUNNING")]
    assert [p.ProxyId for p in first.InstanceSet] == [C, B]
    req.Offset = 2
    second = door.client().DescribeProxies(req)
    assert [p.ProxyName for p in second.ProxySet] == [A]


def test_describe_proxies_by_ids_lists_those_that_exist(open_door: OpenDoor) -> None:
    door = open_door()
    for pid in (A, B, C):
        door.backend.add_proxy(pid)
    req = models.DescribeProxiesRequest()
    req.ProxyIds = [A, C, "link-99999999"]
    req.Order = "asc"
    answer = door.client().DescribeProxies(req)
    assert (answer.TotalCount, [p.ProxyId for p in answer.ProxySet]) == (2, [A, C])


@pytest.mark.parametrize("field, value", [("Limit", 101), ("ProxyIds", [f"link-{i:08d}" for i in range(101)])])
def test_describe_proxies_over_100_is_invalid_parameter_value(open_door: OpenDoor, field: str, value: Any) -> None:
    door = open_door()
    req = models.DescribeProxiesRequest()
    setattr(req, field, value)
    assert sdk_error(lambda: door.client().DescribeProxies(req)).code == "InvalidParameterValue"


def test_close_proxies_goes_closing_then_closed_and_refuses_closed_ones(open_door: OpenDoor) -> None:
    door = open_door(opening_seconds=5)
    door.backend.add_proxy(A, "RUNNING")
    door.backend.add_proxy(B, "CLOSED")
    client = door.client()
    answer = client.CloseProxies(close_req(A, B, token="close-1"))
    assert answer.InvalidStatusInstanceSet == [B]
    assert answer.OperationFailedInstanceSet == []
    assert statuses(client, A, B) == {A: "CLOSING", B: "CLOSED"}
    door.clock.advance(5)
    assert door.backend.status(A) == "CLOSED"
    assert sdk_error(lambda: client.CloseProxies(close_req(A, token="close-1"))).code == (
        "FailedOperation.DuplicatedRequest"
    )


# -- what the fake saw ------------------------------------------------------------------------------


def test_session_token_is_sent_and_accepted(open_door: OpenDoor) -> None:
    door = open_door(credentials={"AKIDtemp": "tempkey"})
    door.backend.add_proxy(A)
    door.client("AKIDtemp", "tempkey", token="session-token-1").OpenProxies(open_req(A))
    (record,) = door.backend.requests
    assert record.headers["X-TC-Token"] == "session-token-1"
    assert record.secret_id == "AKIDtemp"
    assert door.backend.status(A) == "RUNNING"


def test_request_log_holds_action_params_token_and_answer_in_order(open_door: OpenDoor) -> None:
    door = open_door()
    door.backend.add_proxy(A)
    client = door.client()
    answer = client.OpenProxies(open_req(A, token="tok-1"))
    client.DescribeProxiesStatus(status_req(A))
    opened, described = door.backend.requests
    assert (opened.action, opened.params, opened.client_token) == (
        "OpenProxies", {"ProxyIds": [A], "ClientToken": "tok-1"}, "tok-1",
    )
    assert opened.response == {
        "Response": {"InvalidStatusInstanceSet": [], "OperationFailedInstanceSet": [], "RequestId": answer.RequestId}
    }
    assert opened.request_id == answer.RequestId
    assert (described.action, described.client_token) == ("DescribeProxiesStatus", None)
    assert "Signature=***" in opened.headers["Authorization"]
    assert door.backend.calls("DescribeProxiesStatus") == [described]
