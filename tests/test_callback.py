"""Callbacks: the signed result POSTed to a real HTTP receiver on loopback, retries, allowed hosts."""

from __future__ import annotations

import hashlib
import hmac
import json
import socket
from typing import Any

import pytest
from conftest import Receiver, invoke
from gaap_opener.errors import RetryableFailure

A = "link-aaaaaaaa"
SECRET = "callback-secret-for-tests-0000"


def verify(secret: str, received: dict[str, Any]) -> bool:
    """What a receiver does (README): recompute HMAC-SHA256 over "<t>.<body>" and compare."""
    header = next(v for k, v in received["headers"].items() if k.lower() == "x-gaap-opener-signature")
    fields = dict(part.split("=", 1) for part in header.split(","))
    expected = hmac.new(secret.encode(), f"{fields['t']}.{received['body']}".encode(), hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, fields["v1"])


def test_result_is_posted_signed_to_the_configured_url(gaap: Any, receiver: Receiver) -> None:
    gaap.add_proxy(A, status="CLOSED")
    result = invoke({"ProxyIds": [A], "EventId": "cb-1"},
                    env={"GAAP_OPENER_CALLBACK_URL": receiver.url, "GAAP_OPENER_CALLBACK_SECRET": SECRET})
    assert result["callback"] == {"delivered": True, "attempts": 1, "error": None}
    [received] = receiver.received
    headers = {k.lower(): v for k, v in received["headers"].items()}
    assert headers["content-type"] == "application/json"
    assert headers["x-gaap-opener-event-id"] == "cb-1"
    assert verify(SECRET, received) and not verify("another-secret", received)
    body = json.loads(received["body"])
    assert body["status"] == "succeeded" and body["opened"] == [A] and body["event_id"] == "cb-1"
    assert SECRET not in received["body"]


def test_without_a_secret_the_callback_is_unsigned(gaap: Any, receiver: Receiver) -> None:
    gaap.add_proxy(A, status="CLOSED")
    invoke({"ProxyIds": [A]}, env={"GAAP_OPENER_CALLBACK_URL": receiver.url})
    assert "x-gaap-opener-signature" not in {k.lower() for k in receiver.received[0]["headers"]}


@pytest.mark.parametrize("statuses", [(500, 503), (429,), (502, 429)])
def test_5xx_and_429_are_retried_until_delivered(gaap: Any, receiver: Receiver, statuses: tuple[int, ...]) -> None:
    gaap.add_proxy(A, status="CLOSED")
    receiver.answer_next(*statuses)
    result = invoke({"ProxyIds": [A], "EventId": "cb-retry"}, env={"GAAP_OPENER_CALLBACK_URL": receiver.url},
                    sleep=lambda s: None)
    assert result["callback"] == {"delivered": True, "attempts": len(statuses) + 1, "error": None}
    assert len(receiver.received) == len(statuses) + 1
    assert len({r["body"] for r in receiver.received}) == 1


def test_other_4xx_is_not_retried_and_async_raises_for_redelivery(gaap: Any, receiver: Receiver) -> None:
    gaap.add_proxy(A, status="CLOSED")
    receiver.answer_next(404)
    with pytest.raises(RetryableFailure) as raised:
        invoke({"ProxyIds": [A], "EventId": "cb-404"}, env={"GAAP_OPENER_CALLBACK_URL": receiver.url})
    assert raised.value.result["status"] == "succeeded"
    assert raised.value.result["callback"] == {"delivered": False, "attempts": 1,
                                               "error": "HTTP 404 from the receiver"}
    assert len(receiver.received) == 1
    # The redelivery SCF makes is safe: it reports from GAAP's status and delivers this time.
    again = invoke({"ProxyIds": [A], "EventId": "cb-404"}, env={"GAAP_OPENER_CALLBACK_URL": receiver.url})
    assert again["status"] == "succeeded" and again["calls"][0]["replayed"] is True
    assert again["callback"]["delivered"] is True
    assert [json.loads(r["body"])["event_id"] for r in receiver.received] == ["cb-404", "cb-404"]


def test_unreachable_receiver_is_tried_three_times_then_raises(gaap: Any) -> None:
    gaap.add_proxy(A, status="CLOSED")
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(RetryableFailure) as raised:
        invoke({"ProxyIds": [A], "EventId": "cb-down"},
               env={"GAAP_OPENER_CALLBACK_URL": f"http://127.0.0.1:{port}/hook"}, sleep=lambda s: None)
    callback = raised.value.result["callback"]
    assert callback["delivered"] is False and callback["attempts"] == 3
    assert callback["error"].startswith("connection error")


def test_http_invocation_reports_a_failed_callback_instead_of_raising(gaap: Any, receiver: Receiver) -> None:
    gaap.add_proxy(A, status="CLOSED")
    receiver.answer_next(400)
    answer = invoke({"httpMethod": "POST", "headers": {}, "body": json.dumps({"ProxyIds": [A]})},
                    env={"GAAP_OPENER_API_AUTH": "none", "GAAP_OPENER_CALLBACK_URL": receiver.url})
    assert answer["statusCode"] == 200
    assert json.loads(answer["body"])["callback"] == {"delivered": False, "attempts": 1,
                                                      "error": "HTTP 400 from the receiver"}


def test_event_may_choose_a_callback_on_an_allowed_host(gaap: Any, receiver: Receiver) -> None:
    gaap.add_proxy(A, status="CLOSED")
    result = invoke({"ProxyIds": [A], "EventId": "own-cb", "CallbackUrl": receiver.url},
                    env={"GAAP_OPENER_CALLBACK_ALLOWED_HOSTS": "hooks.example.com, 127.0.0.1"})
    assert result["callback"]["delivered"] is True
    assert receiver.bodies()[0]["event_id"] == "own-cb"


@pytest.mark.parametrize(("allowed", "url", "fragment"), [
    (None, "https://evil.example.net/x", "GAAP_OPENER_CALLBACK_ALLOWED_HOSTS is not set"),
    ("hooks.example.com", "https://evil.example.net/x", "'evil.example.net': its host is not in"),
    ("hooks.example.com", "http://hooks.example.com/x", "must be https"),
    ("hooks.example.com", "ftp://hooks.example.com/x", "must be https"),
])
def test_other_callback_urls_are_refused_before_any_call(gaap: Any, receiver: Receiver, allowed: str | None,
                                                         url: str, fragment: str) -> None:
    env = {"GAAP_OPENER_CALLBACK_URL": receiver.url}
    if allowed:
        env["GAAP_OPENER_CALLBACK_ALLOWED_HOSTS"] = allowed
    answer = invoke({"httpMethod": "POST", "headers": {},
                     "body": json.dumps({"ProxyIds": [A], "CallbackUrl": url})},
                    env={**env, "GAAP_OPENER_API_AUTH": "none"})
    assert answer["statusCode"] == 400
    result = json.loads(answer["body"])
    assert result["status"] == "rejected" and fragment in result["error"]["message"]
    assert gaap.requests == []
    # The operator's own receiver still hears about the refusal; the refused URL hears nothing.
    assert [b["status"] for b in receiver.bodies()] == ["rejected"]


def test_configured_callback_must_be_https_or_loopback(gaap: Any) -> None:
    result = invoke({"ProxyIds": [A]}, env={"GAAP_OPENER_CALLBACK_URL": "http://user:pw@hooks.example.com/x"})
    assert result["status"] == "failed" and result["error"]["code"] == "InvalidConfiguration"
    assert "pw" not in result["error"]["message"]
    assert gaap.requests == []
