"""No secret anywhere: every scenario at DEBUG (the SDK's own debug lines included) with recognisable
fake credentials, API token and callback secret; none may appear in stdout, stderr, log records,
results, HTTP answers, raised errors or callback bodies."""

from __future__ import annotations

import base64
import hashlib
import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest
from conftest import FAKE_ENV, Receiver, invoke
from gaap_opener.errors import RetryableFailure

from fakegaap import GaapBackend, serve_in_thread

A = "link-aaaaaaaa"
API_TOKEN = "apiTokenSecretValue0000"
CALLBACK_SECRET = "callbackSecretValue0000"
SECRETS = [*(FAKE_ENV[k] for k in ("TENCENTCLOUD_SECRETID", "TENCENTCLOUD_SECRETKEY", "TENCENTCLOUD_SESSIONTOKEN")),
           API_TOKEN, CALLBACK_SECRET, hashlib.sha256(API_TOKEN.encode()).hexdigest()]


class Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.texts: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.texts.append(record.getMessage() + " " + repr(getattr(record, "fields", "")))


@pytest.fixture
def records() -> Iterator[Records]:
    capture = Records()
    loggers = [logging.getLogger(name) for name in ("", "gaap_opener", "tencentcloud_sdk_common")]
    for logger in loggers:
        logger.addHandler(capture)
    yield capture
    for logger in loggers:
        logger.removeHandler(capture)


def http(body: dict[str, Any], authorization: str) -> dict[str, Any]:
    return {"httpMethod": "POST", "headers": {"Authorization": authorization}, "body": json.dumps(body)}


BASIC = "Basic " + base64.b64encode(f"cm:{API_TOKEN}".encode()).decode()


def scenarios(receiver_url: str) -> list[tuple[str, Any, dict[str, str], dict[str, Any]]]:
    """(name, event, extra env, fake setup) for every path worth checking."""
    return [
        ("success, direct", {"ProxyIds": [A], "EventId": "s1"}, {}, {"closed": True}),
        ("success, HTTP bearer", http({"ProxyIds": [A]}, f"Bearer {API_TOKEN}"), {}, {"closed": True}),
        ("success, HTTP basic", http({"ProxyIds": [A]}, BASIC), {}, {"closed": True}),
        ("wrong token", http({"ProxyIds": [A]}, "Bearer not-the-token"), {}, {}),
        ("unknown proxy", {"ProxyIds": [A], "EventId": "s2"}, {}, {}),
        ("persistent network fault", {"ProxyIds": [A], "EventId": "s3"}, {}, {"closed": True, "network": True}),
        ("auth failure", {"ProxyIds": [A], "EventId": "s4"}, {}, {"closed": True,
                                                                  "code": "AuthFailure.SignatureFailure"}),
        ("rejected", {"ProxyIds": ["bad"]}, {}, {}),
        ("callback refused", {"ProxyIds": [A], "EventId": "s5"}, {"GAAP_OPENER_CALLBACK_URL": receiver_url + "?fail"},
         {"closed": True, "receiver_fails": True}),
        ("bad configuration", {"ProxyIds": [A]}, {"GAAP_OPENER_BATCH_SIZE": "x"}, {}),
        ("dry run", {"ProxyIds": [A], "DryRun": True}, {}, {}),
    ]


def test_no_secret_in_any_output(gaap: Any, receiver: Receiver, records: Records,
                                 capfd: pytest.CaptureFixture[str]) -> None:
    seen: list[str] = []
    base_env = {"GAAP_OPENER_LOG_LEVEL": "DEBUG", "GAAP_OPENER_CALLBACK_URL": receiver.url,
                "GAAP_OPENER_CALLBACK_SECRET": CALLBACK_SECRET,
                "GAAP_OPENER_API_TOKEN_SHA256": hashlib.sha256(API_TOKEN.encode()).hexdigest()}
    for name, event, env, setup in scenarios(receiver.url):
        if setup.get("closed"):
            gaap.add_proxy(A, status="CLOSED") if A not in gaap.statuses() else gaap.set_status(A, "CLOSED")
        if setup.get("network"):
            gaap.fail_next("OpenProxies", network=True, times=100)
        if setup.get("code"):
            gaap.fail_next("OpenProxies", code=setup["code"])
        if setup.get("receiver_fails"):
            receiver.answer_next(403)
        try:
            answer = invoke(event, env={**base_env, **env}, sleep=lambda s: None)
            seen.append(json.dumps(answer))
        except RetryableFailure as failure:
            seen += [str(failure), json.dumps(failure.result)]
        seen.append(name)

    out, err = capfd.readouterr()
    assert "SendRequest" in out, "the SDK's debug lines must be in the stream this test checks"
    assert "X-TC-Token: <redacted>" in out or "x-tc-token" in out.lower()
    everything = {"stdout": out, "stderr": err, "log records": "\n".join(records.texts),
                  "results and answers": "\n".join(seen),
                  "callback bodies": "\n".join(r["body"] for r in receiver.received)}
    for where, text in everything.items():
        for secret in SECRETS:
            assert secret not in text, f"a secret appears in {where}"
    assert len(receiver.received) >= 8


def test_no_secret_when_gaap_refuses_the_signature() -> None:
    backend = GaapBackend()
    backend.add_proxy(A, status="CLOSED")
    with serve_in_thread(backend, credentials={FAKE_ENV["TENCENTCLOUD_SECRETID"]: "theRightKeyIsOther"}) as url:
        result = invoke({"ProxyIds": [A], "EventId": "sig"},
                        env={"GAAP_OPENER_ENDPOINT": url, "GAAP_OPENER_LOG_LEVEL": "DEBUG"})
    assert result["error"]["code"] == "AuthFailure.SignatureFailure" and result["error"]["retryable"] is False
    text = json.dumps(result)
    assert not any(secret in text for secret in SECRETS)
    # the session token was sent, as SCF's temporary keys require
    assert backend.requests[0].headers.get("X-TC-Token") == FAKE_ENV["TENCENTCLOUD_SESSIONTOKEN"]
