"""HTTP triggers (API Gateway, function URL): token, method, size, body, event ID and answers."""

from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
from conftest import invoke, open_calls, scf_context

ROOT = Path(__file__).resolve().parents[1]
A, B = "link-aaaaaaaa", "link-bbbbbbbb"
TOKEN = "s3cret-api-token-for-tests"
AUTH_ENV = {"GAAP_OPENER_API_TOKEN_SHA256": hashlib.sha256(TOKEN.encode()).hexdigest()}


def http_event(body: Any = None, *, method: str = "POST", headers: dict[str, str] | None = None,
               base64_body: bool = False, gateway_request_id: str | None = None) -> dict[str, Any]:
    text = body if isinstance(body, str) else json.dumps(body if body is not None else {"ProxyIds": [A]})
    event: dict[str, Any] = {
        "httpMethod": method,
        "path": "/",
        "headers": {"content-type": "application/json", "authorization": f"Bearer {TOKEN}", **(headers or {})},
        "body": base64.b64encode(text.encode()).decode() if base64_body else text,
        "isBase64Encoded": base64_body,
    }
    if gateway_request_id:
        event["requestContext"] = {"httpMethod": method, "requestId": gateway_request_id, "path": "/"}
    return event


def call(event: dict[str, Any], env: dict[str, str] | None = None, **kwargs: Any) -> tuple[int, dict[str, Any]]:
    answer = invoke(event, env={**AUTH_ENV, **(env or {})}, **kwargs)
    assert answer["isBase64Encoded"] is False
    assert answer["headers"] == {"Content-Type": "application/json"}
    return answer["statusCode"], json.loads(answer["body"])


def test_post_opens_and_answers_200_with_the_result(gaap: Any) -> None:
    gaap.add_proxy(A, status="CLOSED")
    code, result = call(http_event(headers={"Idempotency-Key": "deploy-42"}))
    assert code == 200
    assert (result["status"], result["source"], result["event_id"]) == ("succeeded", "http", "deploy-42")
    assert gaap.status(A) in ("OPENING", "RUNNING")


def test_same_request_twice_with_one_idempotency_key_opens_once(gaap: Any) -> None:
    gaap.add_proxy(A, status="CLOSED")
    event = http_event(headers={"IDEMPOTENCY-KEY": "retry-me"})
    first = call(event, context=scf_context("req-1"))
    second = call(event, context=scf_context("req-2"))
    assert first[0] == second[0] == 200
    assert first[1]["status"] == second[1]["status"] == "succeeded"
    assert second[1]["calls"][0]["replayed"] is True
    calls = open_calls(gaap)
    assert len(calls) == 2 and calls[0].client_token == calls[1].client_token
    assert sum("Error" not in c.response["Response"] for c in calls) == 1


@pytest.mark.parametrize(("headers", "body", "gateway", "expected"), [
    ({"Idempotency-Key": "hdr"}, {"ProxyIds": [A], "EventId": "body"}, "gw", "hdr"),
    ({}, {"ProxyIds": [A], "EventId": "body"}, "gw", "body"),
    ({}, {"ProxyIds": [A]}, "gw", "gw"),
    ({}, {"ProxyIds": [A]}, None, "invocation-7"),
])
def test_event_id_precedence(gaap: Any, headers: dict[str, str], body: dict[str, Any], gateway: str | None,
                             expected: str) -> None:
    event = http_event(body, headers=headers, gateway_request_id=gateway)
    _, result = call(event, context=scf_context("invocation-7"))
    assert result["event_id"] == expected


def test_base64_body_is_decoded(gaap: Any) -> None:
    gaap.add_proxy(A, status="CLOSED")
    code, result = call(http_event({"ProxyIds": [A]}, base64_body=True))
    assert code == 200 and result["opened"] == [A]


def test_basic_auth_password_is_the_token(gaap: Any) -> None:
    gaap.add_proxy(A, status="CLOSED")
    basic = base64.b64encode(f"cloudmonitor:{TOKEN}".encode()).decode()
    code, _ = call(http_event(headers={"authorization": f"Basic {basic}"}))
    assert code == 200


@pytest.mark.parametrize("authorization", ["", "Bearer wrong-token", "Basic bm90LWl0", "Token " + TOKEN])
def test_missing_or_wrong_token_gives_401_and_no_call(gaap: Any, authorization: str) -> None:
    code, result = call(http_event(headers={"authorization": authorization}))
    assert code == 401 and result["status"] == "rejected" and result["error"]["code"] == "Unauthorized"
    assert gaap.requests == []
    assert TOKEN not in json.dumps(result)


def test_http_is_refused_when_no_token_hash_is_configured(gaap: Any) -> None:
    answer = invoke(http_event())
    assert answer["statusCode"] == 401
    assert "GAAP_OPENER_API_TOKEN_SHA256 is not set" in json.loads(answer["body"])["error"]["message"]


def test_auth_none_lets_anyone_call(gaap: Any) -> None:
    gaap.add_proxy(A, status="CLOSED")
    answer = invoke(http_event(headers={"authorization": ""}), env={"GAAP_OPENER_API_AUTH": "none"})
    assert answer["statusCode"] == 200


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE"])
def test_other_methods_give_405(gaap: Any, method: str) -> None:
    code, result = call(http_event(method=method))
    assert code == 405 and "POST" in result["error"]["message"] and gaap.requests == []


def test_body_over_1_mib_gives_413(gaap: Any) -> None:
    code, result = call(http_event("x" * (1024 * 1024 + 1)))
    assert code == 413 and result["error"]["code"] == "PayloadTooLarge" and gaap.requests == []


@pytest.mark.parametrize(("body", "fragment"), [
    ("{not json", "body '{not json' is not JSON"),
    ("[1, 2]", "expected a JSON object"),
    ({"ProxyIds": ["link-BAD"]}, "'link-BAD' is not a valid proxy ID"),
    ({"Proxies": [A]}, "'Proxies'"),
])
def test_bad_bodies_give_400_naming_the_problem(gaap: Any, body: Any, fragment: str) -> None:
    code, result = call(http_event(body))
    assert code == 400 and result["status"] == "rejected" and fragment in result["error"]["message"]
    assert gaap.requests == []


def test_id_outside_allow_list_gives_403(gaap: Any) -> None:
    code, result = call(http_event({"ProxyIds": [A, B]}), env={"GAAP_OPENER_ALLOWED_PROXY_IDS": A})
    assert code == 403 and B in result["error"]["message"] and gaap.requests == []


def test_partial_gives_207(gaap: Any) -> None:
    gaap.add_proxy(A, status="CLOSED")
    gaap.add_proxy(B, status="RUNNING")
    code, result = call(http_event({"ProxyIds": [A, B]}))
    assert code == 207 and result["status"] == "partial"


def test_permanent_gaap_error_gives_422(gaap: Any) -> None:
    code, result = call(http_event({"ProxyIds": [A]}))
    assert code == 422 and result["error"]["code"] == "ResourceNotFound"


def test_persistent_transient_failure_answers_502_and_does_not_raise(gaap: Any) -> None:
    gaap.add_proxy(A, status="CLOSED")
    gaap.fail_next("OpenProxies", network=True, times=100)
    code, result = call(http_event(), sleep=lambda s: None)
    assert code == 502 and result["error"]["retryable"] is True


def test_alarm_posted_over_http_is_an_alarm(gaap: Any) -> None:
    gaap.add_proxy(B, status="CLOSED")
    alarm = json.loads((ROOT / "events" / "alarm-metric.json").read_text())
    env = {"GAAP_OPENER_ALARM_PROXY_MAP": json.dumps({"policy-n4exeh88": [B]})}
    code, result = call(http_event(alarm), env=env)
    assert code == 200 and result["source"] == "alarm" and result["opened"] == [B]
    assert result["event_id"].startswith("alarm:policy-n4exeh88:")
