"""What the cloud and callers do in the small hours: answers that trickle or break off, odd inputs,
a Lambda context, replays that find proxies in other states, and a bug half way through."""

from __future__ import annotations

import base64
import json
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from conftest import Receiver, invoke, scf_context
from gaap_opener.errors import RetryableFailure

from fakegaap import ManualClock

A, B = "link-aaaaaaaa", "link-bbbbbbbb"


class SlowServer:
    """A raw HTTP server on loopback that answers 200 with a JSON body, badly: ``trickle`` sends it a
    byte every 0.2 s; ``break_off`` sends part of it and closes the connection."""

    def __init__(self, mode: str) -> None:
        self.mode = mode
        self.connections = 0
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        self.stop = threading.Event()
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while not self.stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self._answer, args=(conn,), daemon=True).start()

    def _answer(self, conn: socket.socket) -> None:
        body = json.dumps({"Response": {"InvalidStatusInstanceSet": [], "OperationFailedInstanceSet": [],
                                        "RequestId": "slow"}}).encode()
        try:
            conn.recv(65536)
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                         + f"Content-Length: {len(body)}\r\n\r\n".encode())
            if self.mode == "break_off":
                conn.sendall(body[:10])
                conn.shutdown(socket.SHUT_RDWR)
                return
            for byte in body:
                if self.stop.is_set():
                    return
                conn.sendall(bytes([byte]))
                time.sleep(0.2)
        except OSError:
            pass
        finally:
            conn.close()

    def close(self) -> None:
        self.stop.set()
        self.sock.close()


@pytest.fixture
def slow() -> Iterator[Any]:
    servers: list[SlowServer] = []

    def make(mode: str) -> SlowServer:
        servers.append(SlowServer(mode))
        return servers[-1]

    yield make
    for server in servers:
        server.close()


def test_a_trickling_gaap_answer_cannot_run_past_the_deadline(slow: Any) -> None:
    server = slow("trickle")
    started = time.monotonic()
    with pytest.raises(RetryableFailure) as raised:
        invoke({"ProxyIds": [A], "EventId": "trickle"}, env={"GAAP_OPENER_ENDPOINT": server.url},
               context=scf_context(time_limit_ms=3000))
    assert time.monotonic() - started < 3.0
    result = raised.value.result
    assert result["status"] == "failed" and result["error"]["retryable"] is True
    assert result["error"]["code"] in ("ClientNetworkError", "DeadlineExceeded")
    assert result["event_id"] == "trickle" and result["requested"] == [A]


def test_off_the_main_thread_a_trickling_answer_is_cut_off_too(slow: Any) -> None:
    # Some runtimes call handlers on another thread, where no SIGALRM can reach: a worker thread
    # bounds the call instead.
    server = slow("trickle")
    outcome: dict[str, Any] = {}

    def run() -> None:
        started = time.monotonic()
        try:
            invoke({"ProxyIds": [A], "EventId": "thread"}, env={"GAAP_OPENER_ENDPOINT": server.url},
                   context=scf_context(time_limit_ms=3000))
        except RetryableFailure as failure:
            outcome["result"] = failure.result
        outcome["seconds"] = time.monotonic() - started

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(10)
    assert outcome["seconds"] < 3.0
    assert outcome["result"]["error"]["code"] in ("ClientNetworkError", "DeadlineExceeded")


def test_an_answer_broken_off_mid_body_is_a_retried_network_error(slow: Any) -> None:
    server = slow("break_off")
    with pytest.raises(RetryableFailure) as raised:
        invoke({"ProxyIds": [A], "EventId": "cut"}, env={"GAAP_OPENER_ENDPOINT": server.url}, sleep=lambda s: None)
    assert raised.value.result["error"]["code"] == "ClientNetworkError"
    assert server.connections >= 2  # retried, not given up at the first break


def test_a_trickling_callback_receiver_cannot_run_past_the_deadline(gaap: Any, slow: Any) -> None:
    gaap.add_proxy(A, status="CLOSED")
    server = slow("trickle")
    started = time.monotonic()
    with pytest.raises(RetryableFailure) as raised:
        invoke({"ProxyIds": [A], "EventId": "slow-hook"}, env={"GAAP_OPENER_CALLBACK_URL": server.url + "/hook"},
               context=scf_context(time_limit_ms=3000))
    assert time.monotonic() - started < 3.0
    assert raised.value.result["status"] == "succeeded"
    assert raised.value.result["callback"]["delivered"] is False


@pytest.mark.parametrize(("body", "code"), [("[" * 5000, 400), ("{" * 100000, 400)])
def test_deeply_nested_bodies_are_refused(gaap: Any, body: str, code: int) -> None:
    answer = invoke({"httpMethod": "POST", "headers": {}, "body": body}, env={"GAAP_OPENER_API_AUTH": "none"})
    assert answer["statusCode"] == code and gaap.requests == []


def test_deeply_nested_timer_message_is_refused(gaap: Any) -> None:
    result = invoke({"Type": "Timer", "TriggerName": "t", "Time": "1", "Message": "[" * 3000})
    assert result["status"] == "rejected" and "nested too deeply" in result["error"]["message"]


@pytest.mark.parametrize("authorization", ["Basic é", "Basic " + base64.b64encode("x:é".encode("latin-1")).decode(),
                                           "Bearer", "Basic"])
def test_odd_authorization_headers_are_401(gaap: Any, authorization: str) -> None:
    answer = invoke({"httpMethod": "POST", "headers": {"Authorization": authorization}, "body": "{}"},
                    env={"GAAP_OPENER_API_TOKEN_SHA256": "0" * 64})
    assert answer["statusCode"] == 401 and gaap.requests == []


def test_a_parsed_body_over_1_mib_is_413(gaap: Any) -> None:
    answer = invoke({"httpMethod": "POST", "headers": {}, "body": {"ProxyIds": [A], "EventId": "x" * (1 << 20)}},
                    env={"GAAP_OPENER_API_AUTH": "none"})
    assert answer["statusCode"] == 413 and gaap.requests == []


def test_unauthorized_calls_do_not_reach_the_callback_receiver(gaap: Any, receiver: Receiver) -> None:
    answer = invoke({"httpMethod": "POST", "headers": {"Authorization": "Bearer wrong"}, "body": "{}"},
                    env={"GAAP_OPENER_API_TOKEN_SHA256": "0" * 64, "GAAP_OPENER_CALLBACK_URL": receiver.url})
    assert answer["statusCode"] == 401 and receiver.received == []


def test_a_password_in_an_event_callback_url_is_never_echoed(gaap: Any, receiver: Receiver) -> None:
    for url in ["https://user:HuntEr2-Secret@example.com/" + "a" * 2100, ["https://user:HuntEr2-Secret@x.io/"]]:
        result = invoke({"ProxyIds": [A], "CallbackUrl": url}, env={"GAAP_OPENER_CALLBACK_URL": receiver.url})
        assert result["status"] == "rejected" and "HuntEr2-Secret" not in json.dumps(result)
    assert all("HuntEr2-Secret" not in r["body"] for r in receiver.received)


class LambdaContext:
    """What AWS Lambda passes: an object, a remaining-time method, no time_limit_in_ms."""

    aws_request_id = "lambda-req-1"
    function_name = "gaap-opener"

    def __init__(self, remaining_ms: int) -> None:
        self.remaining_ms = remaining_ms

    def get_remaining_time_in_millis(self) -> int:
        return self.remaining_ms


def test_lambda_context_sets_the_deadline_from_its_remaining_time(gaap: Any) -> None:
    gaap.add_proxy(A, status="CLOSED")
    gaap.fail_next("OpenProxies", code="InternalError", times=5)
    clock = ManualClock()
    with pytest.raises(RetryableFailure):
        invoke({"ProxyIds": [A], "EventId": "l"}, context=LambdaContext(60000), clock=clock, sleep=clock.advance)
    assert len(gaap.calls("OpenProxies")) == 5  # a 60 s budget leaves room for every attempt
    gaap.add_proxy(B, status="CLOSED")
    result = invoke({"ProxyIds": [B]}, context=LambdaContext(60000))
    assert result["invocation_id"] == "lambda-req-1" and result["event_id"] == "lambda-req-1"


def test_replay_reports_each_proxy_from_its_current_status(gaap: Any) -> None:
    ids = [A, B, "link-cccccccc", "link-dddddddd"]
    for proxy_id in ids:
        gaap.add_proxy(proxy_id, status="CLOSED")
    assert invoke({"ProxyIds": ids, "EventId": "re"})["status"] == "succeeded"
    gaap.set_status(B, "CLOSED")  # closed again since: the earlier open did not hold
    gaap.set_status("link-cccccccc", "ISOLATED")
    gaap.set_status("link-dddddddd", "CLOSING")
    result = invoke({"ProxyIds": ids, "EventId": "re"})
    assert result["calls"][0]["replayed"] is True
    assert result["opened"] == [A]
    assert result["operation_failed"] == [B]
    assert result["invalid_status"] == ["link-cccccccc", "link-dddddddd"]
    assert result["status"] == "partial"
    assert result["statuses"] == {A: "RUNNING", B: "CLOSED", "link-cccccccc": "ISOLATED", "link-dddddddd": "CLOSING"}


def test_a_bug_half_way_keeps_the_event_and_reaches_the_callback(receiver: Receiver) -> None:
    # GAAP's answer has a set of the wrong type: our code trips over it after the call was made.
    import responses

    body = {"Response": {"InvalidStatusInstanceSet": 5, "OperationFailedInstanceSet": [], "RequestId": "r"}}
    with responses.RequestsMock(assert_all_requests_are_fired=False) as wire:
        wire.add_passthru("http://127.0.0.1")
        wire.add(responses.POST, "https://gaap.tencentcloudapi.com/", json=body)
        with pytest.raises(RetryableFailure) as raised:
            invoke({"ProxyIds": [A], "EventId": "bug"}, env={"GAAP_OPENER_CALLBACK_URL": receiver.url})
    result = raised.value.result
    assert (result["event_id"], result["requested"]) == ("bug", [A])
    assert result["error"]["code"] == "UnexpectedError" and result["error"]["retryable"] is True
    assert receiver.bodies()[0]["event_id"] == "bug"


def test_a_proxy_from_the_environment_is_still_used() -> None:
    # requests' per-request environment scan is off (a warm-path cost); the SDK reads HTTP(S)_PROXY
    # itself when the client is built, so operators behind a proxy still reach GAAP through it.
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    import requests as http

    from fakegaap import GaapBackend, serve_in_thread

    seen: list[str] = []
    onward = http.Session()
    onward.trust_env = False  # the forwarder itself must not go through HTTP_PROXY (itself)

    class Forwarder(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # a forward proxy: the request line carries the absolute URL
            seen.append(self.path)
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            headers = {k: v for k, v in self.headers.items() if k.lower() not in ("proxy-connection", "connection")}
            answer = onward.post(self.path, data=body, headers=headers, timeout=5)
            self.send_response(answer.status_code)
            self.send_header("Content-Type", answer.headers.get("Content-Type", "application/json"))
            self.send_header("Content-Length", str(len(answer.content)))
            self.end_headers()
            self.wfile.write(answer.content)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    proxy = ThreadingHTTPServer(("127.0.0.1", 0), Forwarder)
    threading.Thread(target=proxy.serve_forever, daemon=True).start()
    backend = GaapBackend()
    backend.add_proxy(A, status="CLOSED")
    try:
        with serve_in_thread(backend) as url:
            import os

            os.environ["HTTP_PROXY"] = f"http://127.0.0.1:{proxy.server_address[1]}"
            try:
                result = invoke({"ProxyIds": [A], "EventId": "via-proxy"}, env={"GAAP_OPENER_ENDPOINT": url})
            finally:
                del os.environ["HTTP_PROXY"]
    finally:
        proxy.shutdown()
        proxy.server_close()
    assert result["status"] == "succeeded"
    assert seen and seen[0].startswith(url)
