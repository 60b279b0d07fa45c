"""fakegaap on the wire: GAAP's answer shape for any request, and what the in-process door lets through."""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Iterator
from contextlib import ExitStack
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fakegaap import GaapBackend, mock_gaap, serve_in_thread
from fakegaap.responses import ACTIONS, GaapResponder, Reply

A = "link-1234abcd"
GAAP_URL = "https://gaap.tencentcloudapi.com/"


@pytest.fixture(params=["in-process", "http"])
def door(request: pytest.FixtureRequest) -> Iterator[tuple[GaapBackend, str]]:
    """A backend with one CLOSED proxy, and the URL to POST to through one door."""
    backend = GaapBackend(rate_limit=None)
    backend.add_proxy(A)
    with ExitStack() as stack:
        if request.param == "in-process":
            stack.enter_context(mock_gaap(backend=backend))
            yield backend, GAAP_URL
        else:
            yield backend, stack.enter_context(serve_in_thread(backend))


def post(url: str, action: str | None, body: bytes | str, version: str | None = "2018-05-29") -> requests.Response:
    headers = {"Content-Type": "application/json"}
    if action is not None:
        headers["X-TC-Action"] = action
    if version is not None:
        headers["X-TC-Version"] = version
    return requests.post(url, data=body, headers=headers, timeout=5)


def gaap_answer(answer: requests.Response) -> dict[str, Any]:
    """The Response object of a well-formed GAAP answer (fails the test otherwise)."""
    assert answer.status_code == 200
    assert answer.headers["Content-Type"] == "application/json"
    response: dict[str, Any] = answer.json()["Response"]
    assert uuid.UUID(response["RequestId"]).version == 4
    return response


def error_code(answer: requests.Response) -> str:
    code: str = gaap_answer(answer)["Error"]["Code"]
    return code


def test_success_and_error_answers_are_http_200_with_content_type_exactly_application_json(
    door: tuple[GaapBackend, str],
) -> None:
    _, url = door
    assert "Error" not in gaap_answer(post(url, "DescribeProxiesStatus", json.dumps({"ProxyIds": [A]})))
    error = gaap_answer(post(url, "DescribeProxiesStatus", json.dumps({"ProxyIds": ["link-99999999"]})))["Error"]
    assert error["Code"] == "ResourceNotFound"
    assert isinstance(error["Message"], str)


def test_every_answer_has_a_fresh_request_id(door: tuple[GaapBackend, str]) -> None:
    _, url = door
    ids = {gaap_answer(post(url, "DescribeProxies", "{}"))["RequestId"] for _ in range(3)}
    assert len(ids) == 3


def test_unknown_action_is_invalid_action(door: tuple[GaapBackend, str]) -> None:
    backend, url = door
    assert error_code(post(url, "OpenTheDoors", "{}")) == "InvalidAction"
    assert backend.requests[0].action == "OpenTheDoors"


def test_request_without_action_is_missing_parameter(door: tuple[GaapBackend, str]) -> None:
    _, url = door
    assert error_code(post(url, None, "{}")) == "MissingParameter"


@pytest.mark.parametrize("version, code", [("2017-03-12", "InvalidParameterValue"), (None, "MissingParameter")])
def test_version_other_than_2018_05_29_is_refused(
    door: tuple[GaapBackend, str], version: str | None, code: str
) -> None:
    backend, url = door
    assert error_code(post(url, "OpenProxies", json.dumps({"ProxyIds": [A]}), version=version)) == code
    assert backend.status(A) == "CLOSED"


@pytest.mark.parametrize("body", [b"{not json", b"\xff\xfe\x00", b'["ProxyIds"]', b"42"])
def test_body_that_is_not_a_json_object_is_invalid_parameter(door: tuple[GaapBackend, str], body: bytes) -> None:
    backend, url = door
    assert error_code(post(url, "OpenProxies", body)) == "InvalidParameter"
    assert backend.requests[0].params == {}


def test_unknown_parameter_is_unknown_parameter(door: tuple[GaapBackend, str]) -> None:
    backend, url = door
    assert error_code(post(url, "OpenProxies", json.dumps({"ProxyIDs": [A]}))) == "UnknownParameter"
    assert backend.status(A) == "CLOSED"


@pytest.mark.parametrize("ids", ['"link-1234abcd"', "[1, 2]", "{}", '[["link-1234abcd"]]'])
def test_proxy_ids_not_a_list_of_strings_is_invalid_parameter(door: tuple[GaapBackend, str], ids: str) -> None:
    _, url = door
    assert error_code(post(url, "OpenProxies", f'{{"ProxyIds": {ids}}}')) == "InvalidParameter"


def test_client_token_that_is_not_a_string_is_invalid_parameter(door: tuple[GaapBackend, str]) -> None:
    _, url = door
    answer = post(url, "OpenProxies", json.dumps({"ProxyIds": [A], "ClientToken": 7}))
    assert error_code(answer) == "InvalidParameter"


def test_http_door_answers_get_with_unsupported_operation() -> None:
    backend = GaapBackend()
    with serve_in_thread(backend) as url:
        answer = requests.get(url, headers={"X-TC-Action": "DescribeProxies"}, timeout=5)
    assert error_code(answer) == "UnsupportedOperation"
    assert backend.requests[0].action == "DescribeProxies"


def test_http_door_refuses_a_chunked_body_and_logs_it() -> None:
    backend = GaapBackend()
    with serve_in_thread(backend) as url:
        answer = requests.post(
            url, data=iter([b'{"ProxyIds": ', b'["link-1234abcd"]}']), headers={"X-TC-Action": "OpenProxies"},
            timeout=5,
        )
    assert error_code(answer) == "InvalidParameter"
    assert [r.error_code for r in backend.calls("OpenProxies")] == ["InvalidParameter"]


# -- the in-process door lets everything else through ------------------------------------------------


class _Pong(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self._pong()

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        self._pong()

    def _pong(self) -> None:
        body = f"pong {self.command}".encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def loopback_url() -> Iterator[str]:
    server = HTTPServer(("127.0.0.1", 0), _Pong)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/callback"
    finally:
        server.shutdown()
        server.server_close()


def test_requests_to_other_hosts_pass_through_mock_gaap_untouched(loopback_url: str) -> None:
    with mock_gaap() as gaap:
        assert requests.post(loopback_url, json={"x": 1}, timeout=5).text == "pong POST"
        assert requests.get(loopback_url, timeout=5).text == "pong GET"
    assert gaap.requests == []


def test_non_post_to_gaaps_host_inside_mock_gaap_is_refused_without_touching_the_network() -> None:
    with mock_gaap() as gaap, pytest.raises(requests.exceptions.ConnectionError, match="Responses"):
        requests.get(GAAP_URL, timeout=5)
    assert gaap.requests == []


def test_mock_gaap_intercepts_http_as_well_as_https_and_any_port() -> None:
    with mock_gaap() as gaap:
        gaap.add_proxy(A)
        for url in ("http://gaap.tencentcloudapi.com/", "https://gaap.tencentcloudapi.com:443/"):
            assert "Error" not in gaap_answer(post(url, "DescribeProxiesStatus", json.dumps({"ProxyIds": [A]})))
    assert len(gaap.requests) == 2


def test_mock_gaap_stops_intercepting_on_exit() -> None:
    original = requests.adapters.HTTPAdapter.send
    with mock_gaap():
        assert requests.adapters.HTTPAdapter.send is not original
    assert requests.adapters.HTTPAdapter.send is original


def test_mock_gaap_works_as_a_decorator_and_keeps_its_state() -> None:
    gaap = mock_gaap()
    gaap.add_proxy(A)

    @gaap
    def open_a() -> dict[str, Any]:
        return gaap_answer(post(GAAP_URL, "OpenProxies", json.dumps({"ProxyIds": [A]})))

    assert open_a()["InvalidStatusInstanceSet"] == []
    assert open_a()["InvalidStatusInstanceSet"] == [A]
    assert gaap.status(A) == "RUNNING"


# -- no input crashes the fake --------------------------------------------------------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=12,
)
param_names = st.sampled_from(
    ["ProxyIds", "InstanceIds", "ClientToken", "Offset", "Limit", "Order", "OrderField", "Independent", "Filters"]
)
proxy_ids = st.lists(st.sampled_from([A, "link-99999999", "", "LINK-1234ABCD"]), max_size=4)
params = st.dictionaries(param_names | st.text(max_size=10), json_values | proxy_ids, max_size=5)
bodies = st.one_of(
    params.map(lambda p: json.dumps(p).encode()),
    json_values.map(lambda v: json.dumps(v).encode()),
    st.binary(max_size=40),
)
actions = st.sampled_from([*ACTIONS, "", "InvalidThing", "openproxies"]) | st.text(max_size=12)


def assert_well_formed(reply: Reply) -> dict[str, Any]:
    assert reply.status == 200
    assert reply.headers == {"Content-Type": "application/json"}
    assert reply.body is not None
    response: dict[str, Any] = json.loads(reply.body)["Response"]
    assert isinstance(response["RequestId"], str)
    if "Error" in response:
        assert set(response) == {"Error", "RequestId"}
        assert isinstance(response["Error"]["Code"], str)
        assert isinstance(response["Error"]["Message"], str)
    return response


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(action=actions, body=bodies)
def test_any_body_for_any_action_gets_a_well_formed_gaap_answer(action: str, body: bytes) -> None:
    backend = GaapBackend(rate_limit=None)
    backend.add_proxy(A)
    headers = {"X-TC-Action": action, "X-TC-Version": "2018-05-29", "Content-Type": "application/json"}
    response = assert_well_formed(GaapResponder(backend).handle("POST", "/", headers, body))
    (record,) = backend.requests
    assert record.response == {"Response": response}
    if "Error" not in response and action == "OpenProxies":
        assert {"InvalidStatusInstanceSet", "OperationFailedInstanceSet"} <= set(response)
    if "Error" in response and action in ("OpenProxies", "CloseProxies"):
        assert backend.status(A) == "CLOSED"
        assert backend.client_tokens == frozenset()


@settings(max_examples=100, deadline=None)
@given(headers=st.dictionaries(st.text(max_size=15), st.text(max_size=30), max_size=6), body=bodies)
def test_any_headers_get_a_well_formed_gaap_answer_even_with_signatures_on(
    headers: dict[str, str], body: bytes
) -> None:
    backend = GaapBackend()
    reply = GaapResponder(backend, {"AKIDx": "key"}).handle("POST", "/", headers, body)
    assert assert_well_formed(reply)["Error"]["Code"].startswith("AuthFailure.")
