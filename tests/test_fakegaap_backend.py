"""GaapBackend's rules, driven directly: no HTTP, no SDK."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from fakegaap import GaapBackend, GaapError, ManualClock

A, B = "link-1234abcd", "link-5678efgh"


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def backend(clock: ManualClock) -> GaapBackend:
    backend = GaapBackend(clock=clock, opening_seconds=10, closing_seconds=3)
    backend.add_proxy(A, "CLOSED")
    return backend


def gaap_error(call: Callable[..., object], *args: object, **kwargs: object) -> GaapError:
    with pytest.raises(GaapError) as caught:
        call(*args, **kwargs)
    return caught.value


def test_opening_and_closing_take_their_own_time_on_the_clock(backend: GaapBackend, clock: ManualClock) -> None:
    backend.open_proxies([A])
    clock.advance(10)
    assert backend.status(A) == "RUNNING"
    backend.close_proxies([A])
    clock.advance(2.9)
    assert backend.status(A) == "CLOSING"
    clock.advance(0.1)
    assert backend.status(A) == "CLOSED"


def test_set_status_ends_a_transition(backend: GaapBackend, clock: ManualClock) -> None:
    backend.open_proxies([A])
    backend.set_status(A, "ISOLATING")
    clock.advance(60)
    assert backend.status(A) == "ISOLATING"


def test_repeated_ids_in_one_call_count_once(backend: GaapBackend) -> None:
    answer = backend.open_proxies([A, A])
    assert answer == {"InvalidStatusInstanceSet": [], "OperationFailedInstanceSet": []}
    assert backend.status(A) == "OPENING"


def test_client_tokens_are_shared_by_open_and_close(backend: GaapBackend) -> None:
    backend.add_proxy(B, "RUNNING")
    backend.open_proxies([A], client_token="tok")
    assert gaap_error(backend.close_proxies, [B], client_token="tok").code == "FailedOperation.DuplicatedRequest"
    assert backend.status(B) == "RUNNING"


def test_an_empty_client_token_counts_as_none(backend: GaapBackend) -> None:
    backend.open_proxies([A], client_token="")
    backend.set_status(A, "CLOSED")
    backend.open_proxies([A], client_token="")
    assert backend.client_tokens == frozenset()
    assert backend.status(A) == "OPENING"


@pytest.mark.parametrize("token", ["x" * 65, "tök", "has space", "tab\t"])
def test_client_token_must_be_at_most_64_printable_ascii_characters(backend: GaapBackend, token: str) -> None:
    assert gaap_error(backend.open_proxies, [A], client_token=token).code == "InvalidParameterValue"


def test_rate_limit_window_is_one_second_and_refusals_do_not_count(clock: ManualClock) -> None:
    backend = GaapBackend(clock=clock, rate_limit=2)
    backend.admit_request()
    backend.admit_request()
    clock.advance(0.999)
    assert gaap_error(backend.admit_request).code == "RequestLimitExceeded"
    clock.advance(0.001)
    backend.admit_request()
    backend.admit_request()
    assert gaap_error(backend.admit_request).code == "RequestLimitExceeded"


@pytest.mark.parametrize("rate_limit", [None, 0])
def test_rate_limit_none_or_zero_lifts_the_limit(clock: ManualClock, rate_limit: int | None) -> None:
    backend = GaapBackend(clock=clock, rate_limit=rate_limit)
    for _ in range(100):
        backend.admit_request()


def test_fail_next_with_no_kind_is_internal_error(backend: GaapBackend) -> None:
    backend.fail_next("OpenProxies")
    fault = backend.take_fault("OpenProxies")
    assert fault is not None
    assert (fault.kind, fault.code) == ("code", "InternalError")
    assert backend.take_fault("OpenProxies") is None


def test_fail_next_with_only_a_delay_slows_a_normal_answer(backend: GaapBackend) -> None:
    backend.fail_next("OpenProxies", delay=1.5)
    fault = backend.take_fault("OpenProxies")
    assert fault is not None
    assert (fault.kind, fault.delay, fault.code) == ("delay", 1.5, None)


@pytest.mark.parametrize(
    "kwargs",
    [{"times": 0}, {"network": True, "code": "InternalError"}, {"network": True, "http_status": 500},
     {"http_status": 700}, {"delay": -1}],
)
def test_fail_next_refuses_contradictions(backend: GaapBackend, kwargs: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        backend.fail_next("OpenProxies", **kwargs)  # type: ignore[arg-type]


def test_faults_are_taken_earliest_first_among_those_matching_the_action(backend: GaapBackend) -> None:
    backend.fail_next("CloseProxies", code="A")
    backend.fail_next("*", code="B", times=2)
    backend.fail_next("OpenProxies", code="C")
    taken = [backend.take_fault(action) for action in ("OpenProxies", "OpenProxies", "OpenProxies", "CloseProxies")]
    assert [f.code if f else None for f in taken] == ["B", "B", "C", "A"]
    assert backend.pending_faults == []


def test_add_proxy_refuses_an_unknown_status(backend: GaapBackend) -> None:
    with pytest.raises(ValueError, match="OPEN"):
        backend.add_proxy(B, "OPEN")


def test_status_of_an_unknown_proxy_is_a_key_error(backend: GaapBackend) -> None:
    with pytest.raises(KeyError):
        backend.status(B)


def test_describe_proxies_orders_and_filters(backend: GaapBackend) -> None:
    backend.add_proxy(B, "RUNNING")
    backend.add_proxy("link-0000aaaa", "CLOSED")
    by_id = backend.describe_proxies(order="asc", order_field="proxy_id")
    assert [p["ProxyId"] for p in by_id["ProxySet"]] == ["link-0000aaaa", A, B]
    assert backend.describe_proxies(independent=0) == {"TotalCount": 0, "ProxySet": [], "InstanceSet": []}
    assert gaap_error(backend.describe_proxies, offset=-1).code == "InvalidParameterValue"
    assert gaap_error(backend.describe_proxies, order="sideways").code == "InvalidParameterValue"


def test_manual_clock_only_moves_forward() -> None:
    clock = ManualClock(5.0)
    assert clock.advance(1.5) == 6.5 == clock()
    with pytest.raises(ValueError):
        clock.advance(-1)
